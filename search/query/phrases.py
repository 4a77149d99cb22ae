"""Phrases that are not skill names: checked in the stored text of candidate postings.

No field keeps word positions (skill phrases are indexed as phrase terms instead), so a
quoted phrase of other words ("data platform") is found among the postings holding all
its words by reading their stored text. Reading is bounded: past ``MAX_CHECKED``
candidates the rest are not checked and a note says so.
"""

from __future__ import annotations

import numpy as np

from search.query.matching import Index, Mask
from search.store.analysis import FastTextAnalysis

#: Candidates whose stored text is read for one phrase (about 0.1 ms each).
MAX_CHECKED = 5_000
_ANALYSIS = FastTextAnalysis()


def _holds(terms: list[str], words: list[str]) -> bool:
    n = len(words)
    first = words[0]
    return any(terms[i : i + n] == words for i, t in enumerate(terms) if t == first)


def verified(index: Index, field: str, words: list[str]) -> Mask:
    """Documents whose ``field`` holds ``words`` (analysed terms) one after another."""
    candidates = index.live.copy()
    for word in words:
        docs, _ = index.docs(field, word.encode("utf-8"))
        holds = np.zeros(index.size, dtype=bool)
        holds[docs] = True
        candidates &= holds
    found = np.zeros(index.size, dtype=bool)
    where = np.flatnonzero(candidates)
    if len(where) > MAX_CHECKED:
        index.notes.append(
            f'the phrase "{" ".join(words)}" was checked in {MAX_CHECKED:,} of the '
            f"{len(where):,} postings holding its words"
        )
        where = where[:MAX_CHECKED]
    stored = index.snapshot.reader.stored_fields
    for docnum in where.tolist():
        text = stored(docnum).get(field, "")
        if _holds(_ANALYSIS.terms(text), words):
            found[docnum] = True
    return found
