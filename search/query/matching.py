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
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from whoosh import query as wq

from search.query.candidates import Masks, scores_at
from search.query.ranking import K1, B
from search.query.view import Index, Mask, Match, Scores
from search.store import fields as f
from search.store.fields import RANKED_FIELDS
from search.store.whoosh_compat import expanded_terms

__all__ = ["UnsupportedQuery", "evaluate", "term_scores", "top"]


class UnsupportedQuery(Exception):
    """A query node this evaluator does not know (a bug: the parser never makes one)."""


def term_scores(
    index: Index, field: str, term: bytes, boost: float
) -> tuple[npt.NDArray[np.int64], Scores]:
    """The documents holding a term and their BM25F scores (times ``boost``).

    Fields that are not ranked score their weight (as Whoosh scores unscorable fields).
    Scores depend only on the snapshot, so a term's are kept for the next search.
    """
    docs, scores = _scored(index, field, term)
    return docs, (scores * boost if boost != 1.0 else scores.copy())


def _scored(index: Index, field: str, term: bytes) -> tuple[npt.NDArray[np.int64], Scores]:
    """A term's documents and unboosted scores, shared (never to be changed)."""
    key = (field, term)
    found = index.scored.get(key)
    if found is None:
        found = _score(index, field, term)
        index.scored.put(key, found)
    return found


#: A term held by at least 1/DENSE_SHARE of the documents is added as dense arrays.
DENSE_SHARE = 16


def _dense(index: Index, field: str, term: bytes, boost: float) -> tuple[Mask, Scores] | None:
    """A common term's mask and unboosted scores over every document (0 elsewhere), or
    None for a rare term, or a boost for which ``0 * boost`` is not 0.

    Adding these arrays gives every document the same sum, bit for bit, as adding the
    term's scores at its documents: the other documents add exactly 0.0, and scores
    are never negative (BM25 with a positive idf, or a positive weight).
    """
    if not (boost > 0.0 and math.isfinite(boost)):
        return None
    key = (field, term)
    found = index.dense.get(key)
    if found is None:
        docs, scores = _scored(index, field, term)
        if len(docs) * DENSE_SHARE < index.size:
            return None
        # The mask the first pass kept for the term (``Index.term_mask``), not a copy.
        mask = index.term_mask(field, term, lambda: docs)
        dense = np.zeros(index.size)
        dense[docs] = scores
        found = (mask, dense)
        index.dense.put(key, found)
    return found


def _add_term(index: Index, found: Match, field: str, term: bytes, boost: float) -> None:
    """Adds a term's documents and its scores (times ``boost``) to ``found``."""
    dense = _dense(index, field, term, boost)
    if dense is not None:
        mask, scores = dense
        found.mask |= mask
        found.scores += scores * boost if boost != 1.0 else scores
        return
    docs, scores = term_scores(index, field, term, boost)
    found.mask[docs] = True
    found.scores[docs] += scores


def _score(index: Index, field: str, term: bytes) -> tuple[npt.NDArray[np.int64], Scores]:
    docs, weights = index.docs(field, term)
    if not len(docs) or field not in RANKED_FIELDS:
        return docs, weights
    lengths = index.lengths(field, docs)
    norm = K1 * (1 - B + B * lengths / index.average_length(field))
    return docs, index.idf(field, term) * weights * (K1 + 1) / (weights + norm)


def _as_bytes(text: object) -> bytes:
    return text if isinstance(text, bytes) else str(text).encode("utf-8")


#: Candidates scored alone (``search.query.candidates``) when at most 1/SPARSE_SHARE of
#: the documents: past that, a dense array per node costs less than finding each
#: term's documents among the candidates.
SPARSE_SHARE = 8


def evaluate(
    index: Index, q: wq.Query, notes: list[str] | None = None, within: Mask | None = None
) -> Match:
    """Every document matching ``q`` and its score; ``notes`` is told how evaluation
    was bounded (a phrase checked in only part of its candidates), for this search's
    result: nothing about one search is kept on the shared ``index``.

    With ``within`` (the documents the filters keep), the scores are those of the
    matches within it (0 elsewhere); the mask is every match, for the filters' notes.
    """
    notes = [] if notes is None else notes
    masks = Masks(index, notes, phrase_mask, _scored)
    mask = masks.of(q) & index.live
    cand = np.flatnonzero(mask & within if within is not None else mask)
    if len(cand) * SPARSE_SHARE <= index.size:
        scores = np.zeros(index.size)
        scores[cand] = scores_at(index, q, cand, masks, _scored)
        return Match(mask, scores)
    found = _evaluate(index, q, [])  # its notes are the masks' notes, taken above
    found.mask = mask
    found.scores = np.where(mask, found.scores, 0.0)
    return found


def _evaluate(index: Index, q: wq.Query, notes: list[str]) -> Match:
    if isinstance(q, wq.Term):
        return _term(index, q)
    if isinstance(q, wq.Phrase):
        return _phrase(index, q, notes)
    if isinstance(q, wq.Or):
        return _or(index, q.subqueries, q.boost, notes)
    if isinstance(q, wq.And):
        return _and(index, q.subqueries, q.boost, notes)
    if isinstance(q, wq.AndNot):
        found = _evaluate(index, q.a, notes)
        found.mask &= ~_evaluate(index, q.b, notes).mask
        return found
    if isinstance(q, wq.Require):
        found = _evaluate(index, q.a, notes)
        found.mask &= _evaluate(index, q.b, notes).mask
        return found
    if isinstance(q, wq.AndMaybe):
        found = _evaluate(index, q.a, notes)
        extra = _evaluate(index, q.b, notes)
        found.scores += extra.scores * found.mask
        return found
    if isinstance(q, wq.Not):
        inner = _evaluate(index, q.query, notes)
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


def _or(index: Index, subqueries: Iterable[wq.Query], boost: float, notes: list[str]) -> Match:
    """Documents matching any subquery; scores add up (as Whoosh's union matcher does)."""
    found = index.empty()
    for sub in subqueries:
        if isinstance(sub, wq.Term):
            _add_term(index, found, sub.fieldname, _as_bytes(sub.text), sub.boost)
        else:
            part = _evaluate(index, sub, notes)
            found.mask |= part.mask
            found.scores += part.scores
    if boost != 1.0:
        found.scores *= boost
    return found


def _and(index: Index, subqueries: Iterable[wq.Query], boost: float, notes: list[str]) -> Match:
    found: Match | None = None
    for sub in subqueries:
        part = _evaluate(index, sub, notes)
        if found is None:
            found = part
        else:
            found.mask &= part.mask
            found.scores += part.scores
    if found is None:
        return index.empty()
    found.scores = np.where(found.mask, found.scores, 0.0)
    if boost != 1.0:
        found.scores *= boost
    return found


def phrase_mask(index: Index, q: wq.Phrase, notes: list[str]) -> Mask:
    """The documents where a phrase of two words or more stands (deleted ones included).

    Skill phrases were indexed as phrase terms; any other phrase is matched from the
    word positions of its words (or, in segments written without positions, checked in
    the stored text of the documents holding all its words): see ``phrases``.
    """
    words = [_as_bytes(w) for w in q.words]
    phrase_field = f.PHRASE_FIELDS.get(q.fieldname)
    joined = b" ".join(words)
    indexed = joined.decode("utf-8") in index.indexed_phrases
    if phrase_field is not None and (indexed or index.doc_frequency(phrase_field, joined)):
        found = np.zeros(index.size, dtype=bool)
        docs, _ = index.docs(phrase_field, joined)
        found[docs] = True
        return found
    from search.query.phrases import verified

    checked, note = verified(index, q.fieldname, [w.decode("utf-8") for w in words])
    if note is not None:
        notes.append(note)
    return checked.copy()


def _phrase(index: Index, q: wq.Phrase, notes: list[str]) -> Match:
    """A phrase: the documents where its words stand together, scored as its words."""
    if len(q.words) == 1:
        return _term(index, wq.Term(q.fieldname, q.words[0], boost=q.boost))
    found = index.empty()
    found.mask = phrase_mask(index, q, notes)
    total = index.empty()
    for word in q.words:
        _add_term(index, total, q.fieldname, _as_bytes(word), 1.0)
    found.scores = np.where(found.mask, total.scores * q.boost, 0.0)
    return found


def _expanded(index: Index, q: wq.MultiTerm) -> Match:
    """A fuzzy (or prefix) term: every indexed term it stands for, each scoring its boost."""
    found = index.empty()
    reader = index.snapshot.reader
    for text in expanded_terms(q, reader):
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
