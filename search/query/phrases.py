"""Phrases that are not skill names: matched from word positions, or checked in the
stored text of candidate postings in segments written without positions.

Skill phrases are indexed as phrase terms (``search.store.phrases``). Any other quoted
phrase ("data platform") is matched from the positions the segment keeps beside the
title's and description's postings (``search.store.positions``): the postings of the
phrase's words are read from the side tables, restricted to the documents holding every
word, and a document matches where some position p holds the first word, p + 1 the
second, and so on. Exact, and a few array operations per word, whatever the number of
candidates.

A segment written before positions were kept has none: there the phrase is checked in
the stored text of the postings holding all its words. A regular expression first keeps
the texts where the words can stand together (C speed); only those are analysed to be
sure. Reading is bounded: past ``MAX_CHECKED`` such candidates the rest are not checked
and a note says so (an index built with positions never needs the bound).

Each phrase is matched once per snapshot and the answer kept (with its note, which
every search of the phrase then carries), so the partial-match pass and ``--explain`` do
not match it again.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from whoosh.analysis import STOP_WORDS

from search.query.view import Index, Mask
from search.store import fields as f
from search.store.analysis import FastTextAnalysis
from search.store.sidecar import SegmentTables, TermPositions

#: Candidates whose stored text is read for one phrase (segments without positions).
MAX_CHECKED = 5_000
_ANALYSIS = FastTextAnalysis()
_TITLE_ANALYSIS = FastTextAnalysis.titles()
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
    a note when only some of the candidates could be read."""
    key = (field, tuple(words))
    cached = index.phrases.get(key)
    if cached is not None:
        return cached
    found = np.zeros(index.size, dtype=bool)
    unpositioned = np.zeros(index.size, dtype=bool)
    terms = [w.encode("utf-8") for w in words]
    mixed = False
    for part in index.snapshot.parts:
        if part.tables.positioned(field):
            found[part.offset + positioned(part.tables, field, terms)] = True
            mixed = True
        else:
            unpositioned[part.offset : part.offset + part.tables.doc_count] = True
    found &= index.live
    note = None
    if unpositioned.any():
        note = _read(index, field, words, unpositioned & index.live, found, mixed)
    index.phrases[key] = (found, note)
    return found, note


def positioned(tables: SegmentTables, field: str, terms: list[bytes]) -> npt.NDArray[np.int64]:
    """The segment's document numbers whose ``field`` holds ``terms`` one after another,
    by the positions it keeps (which it must: ``tables.positioned(field)``)."""
    postings: list[TermPositions] = []
    for term in terms:
        found = tables.term_positions(field, term)
        if found is None or not len(found.docs):
            return np.zeros(0, dtype=np.int64)
        postings.append(found)
    holding = np.ones(tables.doc_count, dtype=bool)
    for found in postings:
        has = np.zeros(tables.doc_count, dtype=bool)
        has[found.docs] = True
        holding &= has
    if not holding.any():
        return np.zeros(0, dtype=np.int64)
    # Rarest word first: its keys are the fewest, and each next word can only remove.
    order = sorted(range(len(terms)), key=lambda k: len(postings[k].positions))
    keys = _starts(postings[order[0]], order[0], holding)
    for k in order[1:]:
        if not len(keys):
            break
        others = _starts(postings[k], k, holding)
        at = np.searchsorted(others, keys)
        at[at == len(others)] = 0
        keys = keys[others[at] == keys] if len(others) else keys[:0]
    return np.unique(keys >> 32)


def _starts(found: TermPositions, offset: int, holding: Mask) -> npt.NDArray[np.int64]:
    """(document << 32 | where the phrase would start) for each place the word at
    ``offset`` of the phrase stands in a document of ``holding``: ascending, as the
    postings are (documents ascending, positions ascending within one)."""
    keep = holding[found.docs]
    per_position = np.repeat(keep, found.counts)
    docs = np.repeat(found.docs[keep].astype(np.int64), found.counts[keep])
    starts = found.positions[per_position].astype(np.int64) - offset
    valid = starts >= 0
    return (docs[valid] << 32) | starts[valid]


def _read(
    index: Index, field: str, words: list[str], within: Mask, found: Mask, mixed: bool
) -> str | None:
    """Marks in ``found`` the documents of ``within`` holding all ``words`` whose stored
    ``field`` holds the phrase; a note when only ``MAX_CHECKED`` of them were read (that
    says so of the segments without positions when others had them: ``mixed``)."""
    candidates = within.copy()
    for word in words:
        docs, _ = index.docs(field, word.encode("utf-8"))
        holds = np.zeros(index.size, dtype=bool)
        holds[docs] = True
        candidates &= holds
    where = np.flatnonzero(candidates)
    note = None
    if len(where) > MAX_CHECKED:
        note = (
            f'the phrase "{" ".join(words)}" was checked in {MAX_CHECKED:,} of the '
            f"{len(where):,} postings holding its words"
        )
        if mixed:
            note += " in segments written without word positions"
        where = where[:MAX_CHECKED]
    stored = index.snapshot.reader.stored_fields
    pattern = _may_hold(tuple(words))
    # ``title_words`` is not stored: it is the title, read by the title analyzer.
    source, analysis = (f.TITLE, _TITLE_ANALYSIS) if field == f.TITLE_WORDS else (field, _ANALYSIS)
    for docnum in where.tolist():
        text = stored(docnum).get(source, "")
        if pattern.search(text) and _holds(analysis.terms(text), words):
            found[docnum] = True
    return note
