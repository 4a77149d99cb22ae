"""Evaluating a query in two passes: which documents match (boolean arrays, cheap), then
the scores of the candidates only.

``matching`` scores every document of the snapshot (a dense float array per query node:
a few hundred microseconds per term at 100,000 documents, ten times that at a million).
Most searches keep few of them: the words together, within the filters (a city, a
skill), match a few percent of the index. Here the masks of every node come first (one
byte per document, a cached array for a common term); the candidates are the documents
the whole query and the filters keep; each node's score is then computed at those
documents only, with the same operations in the same order as ``matching`` does over
all of them, so every candidate's score is the same float, bit for bit
(``tests/test_candidates.py`` holds the two to it on thousands of queries).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from whoosh import query as wq

from search.query.view import Index, Mask, Scores
from search.store.whoosh_compat import expanded_terms

__all__ = ["Masks", "scores_at"]

Docs = npt.NDArray[np.int64]
#: A term's documents and unboosted scores (``matching._scored``).
Scored = Callable[[Index, str, bytes], tuple[Docs, Scores]]
#: A phrase's documents and the note of a bounded check (``matching.phrase_mask``).
PhraseMask = Callable[[Index, wq.Phrase, list[str]], Mask]


def _as_bytes(text: object) -> bytes:
    return text if isinstance(text, bytes) else str(text).encode("utf-8")


class Masks:
    """The documents each node of one query matches, computed once per node."""

    def __init__(
        self, index: Index, notes: list[str], phrase_mask: PhraseMask, scored: Scored
    ) -> None:
        self.index = index
        self._scored = scored
        self.notes = notes
        self._phrase_mask = phrase_mask
        self._found: dict[int, Mask] = {}

    def of(self, q: wq.Query) -> Mask:
        """``q``'s documents (deleted ones included, as ``matching`` leaves them until
        the end). Shared: never change the array returned."""
        found = self._found.get(id(q))
        if found is None:
            found = self._found[id(q)] = self._make(q)
        return found

    def term(self, field: str, term: bytes) -> Mask:
        """A term's documents; its postings are read through ``scored``, which keeps
        them (and the scores the second pass asks for) for this and later searches."""
        return self.index.term_mask(field, term, lambda: self._scored(self.index, field, term)[0])

    def _make(self, q: wq.Query) -> Mask:
        index = self.index
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, _as_bytes(q.text))
        if isinstance(q, wq.Phrase):
            if len(q.words) == 1:
                return self.term(q.fieldname, _as_bytes(q.words[0]))
            return self._phrase_mask(index, q, self.notes)
        if isinstance(q, wq.Or):
            out = np.zeros(index.size, dtype=bool)
            for sub in q.subqueries:
                out |= self.of(sub)
            return out
        if isinstance(q, wq.And):
            subs = list(q.subqueries)
            if not subs:
                return np.zeros(index.size, dtype=bool)
            out = self.of(subs[0]).copy()
            for sub in subs[1:]:
                out &= self.of(sub)
            return out
        if isinstance(q, wq.AndNot):
            return self.of(q.a) & ~self.of(q.b)
        if isinstance(q, wq.Require):
            return self.of(q.a) & self.of(q.b)
        if isinstance(q, wq.AndMaybe):
            return self.of(q.a)
        if isinstance(q, wq.Not):
            return index.live & ~self.of(q.query)
        if isinstance(q, wq.Every):
            return index.live.copy()
        if isinstance(q, wq.MultiTerm):
            out = np.zeros(index.size, dtype=bool)
            for text in expanded_terms(q, index.snapshot.reader):
                docs, _ = index.docs(q.fieldname, _as_bytes(text))
                out[docs] = True
            return out
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return np.zeros(index.size, dtype=bool)
        from search.query.matching import UnsupportedQuery

        raise UnsupportedQuery(type(q).__name__)


def _values(
    index: Index, scored: Scored, field: str, term: bytes, boost: float, cand: Docs
) -> Scores:
    """A term's score times ``boost`` at each candidate, 0 where it is absent (the
    product taken element by element, as ``term_scores`` takes it)."""
    docs, scores = scored(index, field, term)
    out = np.zeros(len(cand))
    if not len(docs) or not len(cand):
        return out
    if len(docs) <= len(cand):
        at = np.searchsorted(cand, docs)
        inside = at < len(cand)
        inside[inside] = cand[at[inside]] == docs[inside]
        held = scores[inside]
        out[at[inside]] = held * boost if boost != 1.0 else held
    else:
        at = np.minimum(np.searchsorted(docs, cand), len(docs) - 1)
        inside = docs[at] == cand
        held = scores[at[inside]]
        out[inside] = held * boost if boost != 1.0 else held
    return out


def scores_at(index: Index, q: wq.Query, cand: Docs, masks: Masks, scored: Scored) -> Scores:
    """``q``'s score at each candidate (sorted document numbers): the value
    ``matching._evaluate`` gives those documents."""

    def at(q: wq.Query) -> Scores:
        if isinstance(q, wq.Term):
            return _values(index, scored, q.fieldname, _as_bytes(q.text), q.boost, cand)
        if isinstance(q, wq.Phrase):
            if len(q.words) == 1:
                return at(wq.Term(q.fieldname, q.words[0], boost=q.boost))
            total = np.zeros(len(cand))
            for word in q.words:
                total += _values(index, scored, q.fieldname, _as_bytes(word), 1.0, cand)
            return np.where(masks.of(q)[cand], total * q.boost, 0.0)
        if isinstance(q, wq.Or):
            found = np.zeros(len(cand))
            for sub in q.subqueries:
                found += at(sub)
            if q.boost != 1.0:
                found *= q.boost
            return found
        if isinstance(q, wq.And):
            subs = list(q.subqueries)
            if not subs:
                return np.zeros(len(cand))
            found = at(subs[0])
            for sub in subs[1:]:
                found += at(sub)
            found = np.where(masks.of(q)[cand], found, 0.0)
            if q.boost != 1.0:
                found *= q.boost
            return found
        if isinstance(q, wq.AndNot | wq.Require):
            return at(q.a)
        if isinstance(q, wq.AndMaybe):
            found = at(q.a)
            found += at(q.b) * masks.of(q.a)[cand]
            return found
        if isinstance(q, wq.MultiTerm):
            found = np.zeros(len(cand))
            for text in expanded_terms(q, index.snapshot.reader):
                docs, _ = index.docs(q.fieldname, _as_bytes(text))
                hit = np.isin(cand, docs, assume_unique=True)
                found[hit] += q.boost
            return found
        # Not, Every and the null query match without a score.
        masks.of(q)
        return np.zeros(len(cand))

    return at(q)
