"""The searchable view of one snapshot: term postings, statistics and per-document
columns over every segment, as numpy arrays (``Index``), and what evaluating a query
over it gives (``Match``).

Everything here is read lazily and kept for the snapshot's life: a long-lived process
(a library user, the test suite) pays for a field's lengths or a facet's value table
once. Searches in several threads read one ``Index`` at once: each cached value is
computed whole and then published in one step (a dict item, a cached property), and is
never changed afterwards, so a reader sees it complete or not at all (two threads may both
compute it once; they get equal values).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np
import numpy.typing as npt
from whoosh.util.numeric import byte_to_length

from search.query.ranking import idf
from search.store.fields import RANKED_FIELDS
from search.store.phrases import phrase_vocabulary
from search.store.reading import Snapshot

if TYPE_CHECKING:
    from search.model import JobPosting

K = TypeVar("K")
V = TypeVar("V")

#: Field length of each length byte; an empty field counts as 1 (as Whoosh's scorer).
_BYTE_LENGTH = np.array([byte_to_length(b) or 1 for b in range(256)], dtype=np.float64)

Mask = npt.NDArray[np.bool_]
Scores = npt.NDArray[np.float64]


@dataclass(slots=True)
class Match:
    """Which documents match, and their scores (0 where they do not)."""

    mask: Mask
    scores: Scores


class ScoreCache:
    """The scored postings of recently searched terms, bounded by their total size.

    Library users and a long-lived process search the same common words again and
    again ("engineer", "data"); their postings and scores are a few array slices away.
    Searches in several threads share it: a lock keeps the order and the size right.
    """

    def __init__(self, max_postings: int = 4_000_000) -> None:
        self.max_postings = max_postings
        self._items: OrderedDict[tuple[str, bytes], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, bytes]) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, bytes], value: tuple[np.ndarray, np.ndarray]) -> None:
        size = len(value[0])
        if size > self.max_postings // 4:
            return
        with self._lock:
            old = self._items.get(key)
            if old is not None:  # another thread scored the same term meanwhile
                self._size -= len(old[0])
            self._items[key] = value
            self._size += size
            while self._size > self.max_postings:
                _, (docs, _) = self._items.popitem(last=False)
                self._size -= len(docs)


class Recent(Generic[K, V]):
    """The last ``most`` values asked for, by key (least recently used dropped first),
    and with ``size`` (a value's bytes) no more than ``max_bytes`` of them together.

    For what one snapshot answers again and again and never changes: the dense arrays
    of common terms (``matching``), the postings of hits (``embedded``). Shared by the
    threads searching the snapshot: a lock keeps the order right; a race only makes a
    value twice. A dense array grows with the index (a million documents make 9 MB of
    one term's scores and mask), so those are bounded by their bytes, not their count.
    """

    def __init__(
        self, most: int, max_bytes: int | None = None, size: Callable[[V], int] | None = None
    ) -> None:
        self.most = most
        self.max_bytes = max_bytes
        self._size = size
        self._bytes = 0
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        """The bytes held, as ``size`` counts them (0 without ``size``)."""
        return self._bytes

    def _weigh(self, value: V) -> int:
        return self._size(value) if self._size is not None else 0

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        size = self._weigh(value)
        if self.max_bytes is not None and size > self.max_bytes:
            return
        with self._lock:
            old = self._items.get(key)
            if old is not None:  # another thread made the same value meanwhile
                self._bytes -= self._weigh(old)
            self._items[key] = value
            self._items.move_to_end(key)
            self._bytes += size
            while len(self._items) > self.most or (
                self.max_bytes is not None and self._bytes > self.max_bytes
            ):
                _, dropped = self._items.popitem(last=False)
                self._bytes -= self._weigh(dropped)


#: Dense arrays of common terms kept per snapshot: 0.9 MB each at 100k documents.
DENSE_TERMS = 24
#: ... and their bytes at most (24 of them up to 230,000 documents, 5 at a million).
DENSE_BYTES = 48 << 20
#: Masks of common terms kept per snapshot (one byte per document each).
TERM_MASKS = 64
#: ... and their bytes at most (64 of them up to 260,000 documents, 16 at a million).
TERM_MASK_BYTES = 16 << 20


def _dense_bytes(value: tuple[Mask, Scores]) -> int:
    return value[0].nbytes + value[1].nbytes


def _mask_bytes(value: Mask) -> int:
    return value.nbytes


#: A term held by at least 1/COMMON_SHARE of the documents is common: its mask is kept.
COMMON_SHARE = 16
#: Postings of hits kept per snapshot (a few kB each).
RECENT_POSTINGS = 2048


class Index:
    """What evaluation reads from one snapshot: term postings and statistics."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.size = snapshot.doc_count_all
        self.live: Mask = snapshot.live
        self._df: dict[tuple[str, bytes], int] = {}
        self._columns: dict[str, np.ndarray] = {}
        self.scored = ScoreCache()
        #: Dense (mask, scores) of common terms, by (field, term): see ``matching``.
        self.dense: Recent[tuple[str, bytes], tuple[Mask, Scores]] = Recent(
            DENSE_TERMS, DENSE_BYTES, _dense_bytes
        )
        #: Postings read from stored fields, by document number: see ``embedded``.
        self.recent_postings: Recent[int, JobPosting] = Recent(RECENT_POSTINGS)
        #: Masks of common terms: see ``term_mask``.
        self.term_masks: Recent[tuple[str, bytes], Mask] = Recent(
            TERM_MASKS, TERM_MASK_BYTES, _mask_bytes
        )
        #: Arrays derived from the snapshot by other modules (facet bands), kept with it.
        self.derived: dict[str, object] = {}
        self._names: dict[str, tuple[list[str], list[npt.NDArray[np.int64] | None]]] = {}
        self._entries: dict[
            str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], list[str]]
        ] = {}
        #: Phrases already checked in stored text, by (field, words), with the note of a
        #: check that read only some candidates: see ``phrases``.
        self.phrases: dict[tuple[str, tuple[str, ...]], tuple[Mask, str | None]] = {}
        self._stated: dict[str, Mask] = {}
        self._by_document: dict[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.integer]]] = {}
        self._entry_counts: dict[str, int] = {}

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

    def term_mask(
        self,
        field: str,
        term: bytes,
        postings: Callable[[], npt.NDArray[np.int64]] | None = None,
    ) -> Mask:
        """The documents holding ``term`` (deleted ones included), from ``postings()``
        (its documents) when given. A common term's mask is kept for the next search:
        never change the array returned."""
        key = (field, term)
        found = self.term_masks.get(key)
        if found is None:
            docs = postings() if postings is not None else self.docs(field, term)[0]
            found = np.zeros(self.size, dtype=bool)
            found[docs] = True
            if len(docs) * COMMON_SHARE >= self.size:
                self.term_masks.put(key, found)
        return found

    def holding(self, field: str, values: Iterable[str]) -> Mask:
        """The documents holding any of ``values`` in ``field``."""
        mask = np.zeros(self.size, dtype=bool)
        for value in values:
            docs, _ = self.docs(field, value.encode("utf-8"))
            mask[docs] = True
        return mask

    def stated(self, field: str) -> Mask:
        """The documents holding any value of ``field``: those whose posting states the
        fact (a level, a workplace); the rest are unknown, never a default value."""
        found = self._stated.get(field)
        if found is None:
            docs, _, _ = self.entries(field)
            found = np.zeros(self.size, dtype=bool)
            found[docs] = True
            self._stated[field] = found
        return found

    def doc_frequency(self, field: str, term: bytes) -> int:
        key = (field, term)
        if key not in self._df:
            self._df[key] = sum(len(d) for _, d, _ in self.postings(field, term))
        return self._df[key]

    def idf(self, field: str, term: bytes) -> float:
        """Whoosh's idf: log(N / (df + 1)) + 1 over all documents, deleted included."""
        return idf(self.doc_frequency(field, term), self.size)

    @cached_property
    def _length_bytes(self) -> dict[str, npt.NDArray[np.uint8]]:
        """Each ranked field's length byte of every document: one byte a document, not
        the eight of its float length (looked up at the documents a term scores)."""
        out = {}
        for field in RANKED_FIELDS:
            parts = [p.tables.lengths(field) for p in self.snapshot.parts]
            out[field] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
            self._release(f"{field}.len")
        return out

    def _release(self, name: str) -> None:
        """Unmap the pages of a per-document array just copied whole (``column``): the
        copy is what later searches read; the mapped pages would only double it."""
        for part in self.snapshot.parts:
            part.tables.release(name)

    def lengths(self, field: str, docs: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        """The field lengths (as Whoosh's scorer reads them) of documents ``docs``."""
        return _BYTE_LENGTH[self._length_bytes[field][docs]]

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
            self._release(name)
            self._columns[name] = found
        return found

    def entries(self, field: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], list[str]]:
        """Every (document, value) posting of a small field over the whole index: global
        document numbers, value numbers into the returned names. Built once per snapshot
        (facets and radius search count over these with one vectorised pass)."""
        found = self._entries.get(field)
        if found is None:
            names, numbers = self.value_names(field)
            docs, values = [], []
            for part, ids in zip(self.snapshot.parts, numbers, strict=True):
                table = part.tables.table(field)
                if table is None or ids is None or not len(table.terms):
                    continue
                docs.append(table.all_docs.astype(np.int64) + part.offset)
                values.append(ids[table.entry_terms].astype(np.int32))
            if docs:
                found = (np.concatenate(docs), np.concatenate(values), names)
            else:
                found = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), [])
            self._entries[field] = found
        return found

    def entry_count(self, field: str) -> int:
        """How many (document, value) postings a small field has over the whole index,
        without gathering them."""
        found = self._entry_counts.get(field)
        if found is None:
            found = 0
            for part in self.snapshot.parts:
                table = part.tables.table(field)
                if table is not None:
                    found += len(table.docs)
            self._entry_counts[field] = found
        return found

    def by_document(self, field: str) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.integer]]:
        """A small field's values by document: document ``d``'s value numbers (into
        ``value_names``) are ``values[starts[d]:starts[d + 1]]``. Built once per snapshot,
        for counting the values of a few matches without a pass over every document."""
        found = self._by_document.get(field)
        if found is None:
            # Gathered here and dropped (not kept as ``entries``): the table is one
            # 4-byte value per posting and one 4-byte start per document.
            _, numbers = self.value_names(field)
            docs, values = [], []
            for part, ids in zip(self.snapshot.parts, numbers, strict=True):
                table = part.tables.table(field)
                if table is None or ids is None or not len(table.terms):
                    continue
                docs.append(table.all_docs.astype(np.int32) + np.int32(part.offset))
                values.append(ids[table.entry_terms].astype(np.int32))
            held = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int32)
            order = np.argsort(held, kind="stable")  # runs of sorted documents: a merge
            starts = np.searchsorted(held[order], np.arange(self.size + 1, dtype=np.int32))
            in_order = np.concatenate(values)[order] if values else np.zeros(0, dtype=np.int32)
            if len(self.value_names(field)[0]) <= np.iinfo(np.uint16).max:
                in_order = in_order.astype(np.uint16)  # two bytes a posting, not four
            found = self._by_document[field] = (starts.astype(np.int32), in_order)
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
        """Every term of a field over the whole index (the role families; the stems the
        spelling check reads), in segment order."""
        return self.value_names(field)[0]

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
