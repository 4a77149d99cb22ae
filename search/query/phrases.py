"""Phrases that are not skill names: checked in the stored text of candidate postings.

No field keeps word positions (skill phrases are indexed as phrase terms instead), so a
quoted phrase of other words ("data platform") is found among the postings holding all
its words by reading their stored text. A regular expression first keeps the texts where
the words can stand together (C speed); only those are analysed to be sure. Reading is
bounded: past ``MAX_CHECKED`` candidates the rest are not checked and a note says so.
Each phrase is checked once per snapshot and the answer kept (with its note, which every
search of the phrase then carries), so the partial-match pass and ``--explain`` do not
read the texts again.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from whoosh.analysis import STOP_WORDS

from search.query.view import Index, Mask
from search.store.analysis import FastTextAnalysis

#: Candidates whose stored text is read for one phrase.
MAX_CHECKED = 5_000
_ANALYSIS = FastTextAnalysis()
_DROPPED = "|".join(sorted(STOP_WORDS, key=len, reverse=True))


def _holds(terms: list[str], words: list[str]) -> bool:
    n = len(words)
    first = words[0]
    return any(terms[i : i + n] == words for i, t in enumerate(terms) if t == first)


@lru_cache(maxsize=256)
def _may_hold(words: tuple[str, ...]) -> re.Pattern[str]:
    """Text where each word's start is followed by the next, with at most dropped words
    (stop words, one letter) between: a superset of the texts that hold the phrase."""
    starts = [re.escape(w[:-1] if len(w) > 3 else w) for w in words]
    between = rf"\w*(?:\W+(?:{_DROPPED}|\w))*\W+"
    return re.compile(r"\b" + between.join(starts), re.IGNORECASE)


def verified(index: Index, field: str, words: list[str]) -> tuple[Mask, str | None]:
    """Documents whose ``field`` holds ``words`` (analysed terms) one after another, and
    a note when only some of the candidates were read."""
    key = (field, tuple(words))
    cached = index.phrases.get(key)
    if cached is not None:
        return cached
    candidates = index.live.copy()
    for word in words:
        docs, _ = index.docs(field, word.encode("utf-8"))
        holds = np.zeros(index.size, dtype=bool)
        holds[docs] = True
        candidates &= holds
    found = np.zeros(index.size, dtype=bool)
    where = np.flatnonzero(candidates)
    note = None
    if len(where) > MAX_CHECKED:
        note = (
            f'the phrase "{" ".join(words)}" was checked in {MAX_CHECKED:,} of the '
            f"{len(where):,} postings holding its words"
        )
        where = where[:MAX_CHECKED]
    stored = index.snapshot.reader.stored_fields
    pattern = _may_hold(tuple(words))
    for docnum in where.tolist():
        text = stored(docnum).get(field, "")
        if pattern.search(text) and _holds(_ANALYSIS.terms(text), words):
            found[docnum] = True
    index.phrases[key] = (found, note)
    return found, note
