"""Matching and BM25F scoring of a Whoosh query tree over the side tables, vectorised.

The query text is still parsed by Whoosh into its query objects (terms, phrases, AND,
OR, NOT, boosts); this module evaluates that tree over every segment's term tables with
numpy, so the cost of a search is a few array operations per query term instead of a
Python call per matching posting. The scores are Whoosh's BM25F, computed with the same
formula and the same statistics (document frequencies and field lengths over the whole
index, deleted documents included, byte-approximated lengths), so the ranking is the
one Whoosh's own matchers gave.

A node evaluates to a ``Match``: a dense boolean mask and a dense score array over all
document numbers of the snapshot. Deleted documents never match.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from whoosh import query as wq
from whoosh.util.numeric import byte_to_length

from search.store import fields as f
from search.store.fields import RANKED_FIELDS
from search.store.reading import Snapshot

#: Whoosh's BM25F defaults.
B = 0.75
K1 = 1.2
#: Field length of each length byte; an empty field counts as 1 (as Whoosh's scorer).
_BYTE_LENGTH = np.array([byte_to_length(b) or 1 for b in range(256)], dtype=np.float64)

Mask = npt.NDArray[np.bool_]
Scores = npt.NDArray[np.float64]


@dataclass(slots=True)
class Match:
    """Which documents match, and their scores (0 where they do not)."""

    mask: Mask
    scores: Scores


class UnsupportedQuery(Exception):
    """A query node this evaluator does not know (a bug: the parser never makes one)."""


class Index:
    """What evaluation reads from one snapshot: term postings and statistics."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.size = snapshot.doc_count_all
        self.live: Mask = snapshot.live
        self._df: dict[tuple[str, bytes], int] = {}
        #: Things a user should know about how the query was evaluated.
        self.notes: list[str] = []
        self._columns: dict[str, np.ndarray] = {}
        #: Phrases already checked in stored text, by (field, words): see ``phrases``.
        self.phrases: dict[tuple[str, tuple[str, ...]], Mask] = {}

    def postings(
        self, field: str, term: bytes
    ) -> Iterator[tuple[int, npt.NDArray[np.uint32], np.ndarray | None]]:
        """(offset, local document numbers, weights) of ``term`` in each segment."""
        for part in self.snapshot.parts:
            table = part.tables.table(field)
            if table is None:
                continue
            docs, weights = table.postings(term)
            if len(docs):
                yield part.offset, docs, weights

    def docs(self, field: str, term: bytes) -> tuple[npt.NDArray[np.int64], np.ndarray]:
        """Global document numbers and weights (term frequencies) of ``term``."""
        found = list(self.postings(field, term))
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        docs = np.concatenate([d.astype(np.int64) + off for off, d, _ in found])
        weights = np.concatenate(
            [np.ones(len(d)) if w is None else w.astype(np.float64) for _, d, w in found]
        )
        return docs, weights

    def doc_frequency(self, field: str, term: bytes) -> int:
        key = (field, term)
        if key not in self._df:
            self._df[key] = sum(len(d) for _, d, _ in self.postings(field, term))
        return self._df[key]

    def idf(self, field: str, term: bytes) -> float:
        """Whoosh's idf: log(N / (df + 1)) + 1 over all documents, deleted included."""
        return math.log(self.size / (self.doc_frequency(field, term) + 1)) + 1

    @cached_property
    def _lengths(self) -> dict[str, npt.NDArray[np.float64]]:
        out = {}
        for field in RANKED_FIELDS:
            parts = [_BYTE_LENGTH[p.tables.lengths(field)] for p in self.snapshot.parts]
            out[field] = np.concatenate(parts) if parts else np.zeros(0)
        return out

    def lengths(self, field: str) -> npt.NDArray[np.float64]:
        return self._lengths[field]

    @cached_property
    def _average(self) -> dict[str, float]:
        reader = self.snapshot.reader
        return {
            name: (reader.field_length(name) / (self.size or 1)) or 1.0 for name in RANKED_FIELDS
        }

    def average_length(self, field: str) -> float:
        return self._average[field]

    def column(self, name: str) -> np.ndarray:
        """A per-document side array (``posted``, ``dup``) over the whole index."""
        found = self._columns.get(name)
        if found is None:
            parts = [p.tables.array(name) for p in self.snapshot.parts]
            found = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
            self._columns[name] = found
        return found

    def terms(self, field: str) -> list[str]:
        """Every term of a (small) field over the whole index, such as the role families."""
        names: dict[str, None] = {}
        for part in self.snapshot.parts:
            table = part.tables.table(field)
            if table is not None:
                names.update(dict.fromkeys(t.decode("utf-8") for t in table.terms.tolist()))
        return list(names)

    def empty(self) -> Match:
        return Match(np.zeros(self.size, dtype=bool), np.zeros(self.size))

    def everything(self) -> Match:
        return Match(self.live.copy(), np.zeros(self.size))


def term_scores(
    index: Index, field: str, term: bytes, boost: float
) -> tuple[npt.NDArray[np.int64], Scores]:
    """The documents holding a term and their BM25F scores (times ``boost``).

    Fields that are not ranked score their weight (as Whoosh scores unscorable fields).
    """
    docs, weights = index.docs(field, term)
    if not len(docs):
        return docs, weights
    if field not in RANKED_FIELDS:
        return docs, weights * boost
    lengths = index.lengths(field)[docs]
    norm = K1 * (1 - B + B * lengths / index.average_length(field))
    scores = index.idf(field, term) * weights * (K1 + 1) / (weights + norm)
    return docs, scores * boost


def _as_bytes(text: object) -> bytes:
    return text if isinstance(text, bytes) else str(text).encode("utf-8")


def evaluate(index: Index, q: wq.Query) -> Match:
    """Every document matching ``q`` and its score."""
    found = _evaluate(index, q)
    found.mask &= index.live
    found.scores[~found.mask] = 0.0
    return found


def _evaluate(index: Index, q: wq.Query) -> Match:
    if isinstance(q, wq.Term):
        return _term(index, q)
    if isinstance(q, wq.Phrase):
        return _phrase(index, q)
    if isinstance(q, wq.Or):
        return _or(index, q.subqueries, q.boost)
    if isinstance(q, wq.And):
        return _and(index, q.subqueries, q.boost)
    if isinstance(q, wq.AndNot):
        found = _evaluate(index, q.a)
        found.mask &= ~_evaluate(index, q.b).mask
        return found
    if isinstance(q, wq.Require):
        found = _evaluate(index, q.a)
        found.mask &= _evaluate(index, q.b).mask
        return found
    if isinstance(q, wq.AndMaybe):
        found = _evaluate(index, q.a)
        extra = _evaluate(index, q.b)
        found.scores += extra.scores * found.mask
        return found
    if isinstance(q, wq.Not):
        inner = _evaluate(index, q.query)
        return Match(index.live & ~inner.mask, np.zeros(index.size))
    if isinstance(q, wq.Every):
        return index.everything()
    if isinstance(q, wq.MultiTerm):
        return _expanded(index, q)
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return index.empty()
    raise UnsupportedQuery(type(q).__name__)


def _term(index: Index, q: wq.Term) -> Match:
    found = index.empty()
    docs, scores = term_scores(index, q.fieldname, _as_bytes(q.text), q.boost)
    found.mask[docs] = True
    found.scores[docs] = scores
    return found


def _or(index: Index, subqueries: Iterable[wq.Query], boost: float) -> Match:
    """Documents matching any subquery; scores add up (as Whoosh's union matcher does)."""
    found = index.empty()
    for sub in subqueries:
        if isinstance(sub, wq.Term):
            docs, scores = term_scores(index, sub.fieldname, _as_bytes(sub.text), sub.boost)
            found.mask[docs] = True
            found.scores[docs] += scores
        else:
            part = _evaluate(index, sub)
            found.mask |= part.mask
            found.scores += part.scores
    if boost != 1.0:
        found.scores *= boost
    return found


def _and(index: Index, subqueries: Iterable[wq.Query], boost: float) -> Match:
    found: Match | None = None
    for sub in subqueries:
        part = _evaluate(index, sub)
        if found is None:
            found = part
        else:
            found.mask &= part.mask
            found.scores += part.scores
    if found is None:
        return index.empty()
    found.scores[~found.mask] = 0.0
    if boost != 1.0:
        found.scores *= boost
    return found


def _phrase(index: Index, q: wq.Phrase) -> Match:
    """A phrase: the documents where its words stand together, scored as its words.

    Skill phrases were indexed as phrase terms; any other phrase is checked in the
    stored text of the documents holding all its words (see ``phrases``).
    """
    words = [_as_bytes(w) for w in q.words]
    if len(words) == 1:
        return _term(index, wq.Term(q.fieldname, q.words[0], boost=q.boost))
    phrase_field = f.PHRASE_FIELDS.get(q.fieldname)
    found = index.empty()
    if phrase_field is not None and index.doc_frequency(phrase_field, b" ".join(words)):
        docs, _ = index.docs(phrase_field, b" ".join(words))
        found.mask[docs] = True
    else:
        from search.query.phrases import verified

        found.mask = verified(index, q.fieldname, [w.decode("utf-8") for w in words]).copy()
    total = np.zeros(index.size)
    for word in words:
        docs, scores = term_scores(index, q.fieldname, word, 1.0)
        total[docs] += scores
    found.scores = np.where(found.mask, total * q.boost, 0.0)
    return found


def _expanded(index: Index, q: wq.MultiTerm) -> Match:
    """A fuzzy (or prefix) term: every indexed term it stands for, each scoring its boost."""
    found = index.empty()
    reader = index.snapshot.reader
    for text in q._btexts(reader):
        docs, _ = index.docs(q.fieldname, _as_bytes(text))
        found.mask[docs] = True
        found.scores[docs] += q.boost
    return found


def top(
    match: Match, limit: int, order: npt.NDArray[np.float64] | None = None
) -> npt.NDArray[np.int64]:
    """The ``limit`` best documents by score (or by ``order``), ties by document number."""
    keys = match.scores if order is None else order
    candidates = np.flatnonzero(match.mask)
    if len(candidates) > limit:
        values = keys[candidates]
        kth = np.partition(values, len(values) - limit)[len(values) - limit]
        candidates = candidates[values >= kth]
    ranked = candidates[np.lexsort((candidates, -keys[candidates]))]
    return ranked[:limit]
