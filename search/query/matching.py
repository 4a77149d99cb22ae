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
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from whoosh import query as wq
from whoosh.util.numeric import byte_to_length

from search.store import fields as f
from search.store.fields import RANKED_FIELDS
from search.store.phrases import phrase_vocabulary
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
        self.scored = ScoreCache()
        #: Arrays derived from the snapshot by other modules (facet bands), kept with it.
        self.derived: dict[str, object] = {}
        self._names: dict[str, tuple[list[str], list[npt.NDArray[np.int64] | None]]] = {}
        self._entries: dict[
            str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], list[str]]
        ] = {}
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

    def entries(self, field: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], list[str]]:
        """Every (document, value) posting of a small field over the whole index: global
        document numbers, value numbers into the returned names. Built once per snapshot
        (facets and radius search count over these with one vectorised pass)."""
        found = self._entries.get(field)
        if found is None:
            names: dict[str, int] = {}
            docs, values = [], []
            for part in self.snapshot.parts:
                table = part.tables.table(field)
                if table is None or not len(table.terms):
                    continue
                ids = np.array(
                    [names.setdefault(t.decode("utf-8"), len(names)) for t in table.terms.tolist()],
                    dtype=np.int32,
                )
                docs.append(table.docs.astype(np.int64) + part.offset)
                values.append(ids[table.entry_terms])
            if docs:
                found = (np.concatenate(docs), np.concatenate(values), list(names))
            else:
                found = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), [])
            self._entries[field] = found
        return found

    def value_names(self, field: str) -> tuple[list[str], list[npt.NDArray[np.int64] | None]]:
        """The values of a small field over the whole index, and for each segment the
        number of each of its terms in that list (None: the segment has no such field)."""
        found = self._names.get(field)
        if found is None:
            names: dict[str, int] = {}
            per_part: list[npt.NDArray[np.int64] | None] = []
            for part in self.snapshot.parts:
                table = part.tables.table(field)
                if table is None:
                    per_part.append(None)
                    continue
                terms = [t.decode("utf-8") for t in table.terms.tolist()]
                per_part.append(
                    np.array([names.setdefault(t, len(names)) for t in terms], dtype=np.int64)
                )
            found = self._names[field] = (list(names), per_part)
        return found

    @cached_property
    def groups(self) -> npt.NDArray[np.int64]:
        """For each document, its duplicate group when other live documents share its
        duplicate key (copies of one job posted for several places), else -1."""
        dup = self.column("dup")
        out = np.full(self.size, -1, dtype=np.int64)
        live = np.flatnonzero(self.live)
        if not len(live):
            return out
        _, inverse, sizes = np.unique(dup[live], return_inverse=True, return_counts=True)
        shared = sizes[inverse] > 1
        out[live[shared]] = inverse[shared]
        return out

    @cached_property
    def has_copies(self) -> bool:
        """Whether any job has several copies (else folding changes no count)."""
        return bool((self.groups >= 0).any())

    @cached_property
    def _members(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        grouped = np.flatnonzero(self.groups >= 0)
        order = grouped[np.argsort(self.groups[grouped], kind="stable")]
        return order, self.groups[order]

    def copies(self, docnum: int) -> list[int]:
        """The other live documents of ``docnum``'s duplicate group."""
        group = int(self.groups[docnum])
        if group < 0:
            return []
        order, keys = self._members
        start, end = np.searchsorted(keys, [group, group + 1])
        return [int(d) for d in order[start:end] if d != docnum]

    def terms(self, field: str) -> list[str]:
        """Every term of a (small) field over the whole index, such as the role families."""
        names: dict[str, None] = {}
        for part in self.snapshot.parts:
            table = part.tables.table(field)
            if table is not None:
                names.update(dict.fromkeys(t.decode("utf-8") for t in table.terms.tolist()))
        return list(names)

    @cached_property
    def indexed_phrases(self) -> frozenset[str]:
        """Skill phrases every segment indexed as phrase terms (its vocabulary digest is
        ours): for these an absent phrase term means the phrase is absent."""
        names, digest = phrase_vocabulary()
        if all(p.tables.phrases == digest for p in self.snapshot.parts):
            return names
        return frozenset()

    def empty(self) -> Match:
        return Match(np.zeros(self.size, dtype=bool), np.zeros(self.size))

    def everything(self) -> Match:
        return Match(self.live.copy(), np.zeros(self.size))


def term_scores(
    index: Index, field: str, term: bytes, boost: float
) -> tuple[npt.NDArray[np.int64], Scores]:
    """The documents holding a term and their BM25F scores (times ``boost``).

    Fields that are not ranked score their weight (as Whoosh scores unscorable fields).
    Scores depend only on the snapshot, so a term's are kept for the next search.
    """
    key = (field, term)
    found = index.scored.get(key)
    if found is None:
        found = _score(index, field, term)
        index.scored.put(key, found)
    docs, scores = found
    return docs, (scores * boost if boost != 1.0 else scores.copy())


def _score(index: Index, field: str, term: bytes) -> tuple[npt.NDArray[np.int64], Scores]:
    docs, weights = index.docs(field, term)
    if not len(docs) or field not in RANKED_FIELDS:
        return docs, weights
    lengths = index.lengths(field)[docs]
    norm = K1 * (1 - B + B * lengths / index.average_length(field))
    return docs, index.idf(field, term) * weights * (K1 + 1) / (weights + norm)


class ScoreCache:
    """The scored postings of recently searched terms, bounded by their total size.

    Library users and a long-lived process search the same common words again and
    again ("engineer", "data"); their postings and scores are a few array slices away.
    """

    def __init__(self, max_postings: int = 4_000_000) -> None:
        self.max_postings = max_postings
        self._items: OrderedDict[tuple[str, bytes], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._size = 0

    def get(self, key: tuple[str, bytes]) -> tuple[np.ndarray, np.ndarray] | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple[str, bytes], value: tuple[np.ndarray, np.ndarray]) -> None:
        size = len(value[0])
        if size > self.max_postings // 4:
            return
        self._items[key] = value
        self._size += size
        while self._size > self.max_postings:
            _, (docs, _) = self._items.popitem(last=False)
            self._size -= len(docs)


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
    joined = b" ".join(words)
    found = index.empty()
    indexed = joined.decode("utf-8") in index.indexed_phrases
    if phrase_field is not None and (indexed or index.doc_frequency(phrase_field, joined)):
        docs, _ = index.docs(phrase_field, joined)
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
