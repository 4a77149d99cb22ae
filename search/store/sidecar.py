"""Side tables: each segment's postings and per-document values as plain numpy arrays.

Whoosh is the index of record; these tables are what a search reads, because walking
Whoosh's posting lists in Python costs a microsecond per posting and a broad query has
hundreds of thousands. Here a term's postings are two slices of memory-mapped arrays, so
matching, BM25F scoring, totals, facets, filters and duplicate groups are vectorised.

One directory per segment, written once with the segment and never changed (deletions
live in Whoosh's table of contents). Every file is a ``.npy`` array or JSON, loaded with
``allow_pickle=False``: reading an index runs no code from it. A term table per field:

- ``<field>.terms.npy``  the field's terms, sorted (fixed-width bytes, binary-searched)
- ``<field>.ptr.npy``    where each term's postings start in the two arrays below
- ``<field>.docs.npy``   document numbers, ascending within a term
- ``<field>.w.npy``      the weight (term frequency) of each posting, when not all 1
- ``<field>.len.npy``    for ranked fields: each document's length byte (as Whoosh's)
- ``<field>.bits.npy``   for facet fields of few values: a bit set of documents per term

and per document: ``ids.npy``, ``hashes.npy`` (content digests), ``posted.npy`` (days
since 1970, -1 undated), ``dup.npy`` (duplicate-group key), ``pay_low.npy`` and
``pay_high.npy`` (a year's pay in its own currency, NaN unstated), ``years.npy`` (years
of experience required, -1 unstated).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from search.errors import SchemaVersionError

FORMAT = 2
META = "meta.json"

IntArray = npt.NDArray[np.int64]
DocArray = npt.NDArray[np.uint32]


def save(folder: Path, name: str, array: np.ndarray) -> None:
    np.save(folder / f"{name}.npy", array, allow_pickle=False)


def write_meta(folder: Path, meta: dict[str, Any]) -> None:
    """The segment's meta file, written last: a table without it is incomplete."""
    temp = folder / f".{META}.tmp"
    temp.write_text(json.dumps({"format": FORMAT, **meta}), encoding="utf-8")
    os.replace(temp, folder / META)


def _load(path: Path) -> np.ndarray:
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise SchemaVersionError(
            f"the index's side table {path.name} cannot be read ({exc})",
            hint="rebuild the index: jobsearch index --rebuild PATH",
        ) from None
    # A file of length zero maps as a read-only empty array: that is fine.
    return array


@dataclass(frozen=True)
class TermTable:
    """One field's terms and postings in one segment."""

    terms: np.ndarray
    ptr: IntArray
    docs: DocArray
    weights: np.ndarray | None

    def find(self, term: bytes) -> int:
        """The row of ``term``, or -1."""
        terms = self.terms
        if not len(terms) or len(term) > terms.dtype.itemsize:
            return -1
        i = int(np.searchsorted(terms, term))
        return i if i < len(terms) and terms[i] == term else -1

    def postings(self, term: bytes) -> tuple[DocArray, np.ndarray | None]:
        """(document numbers, weights or None when all 1) of ``term``; empty if absent."""
        i = self.find(term)
        if i < 0:
            return _NO_DOCS, None
        start, end = int(self.ptr[i]), int(self.ptr[i + 1])
        weights = None if self.weights is None else self.weights[start:end]
        return self.docs[start:end], weights

    def doc_frequency(self, term: bytes) -> int:
        i = self.find(term)
        return 0 if i < 0 else int(self.ptr[i + 1] - self.ptr[i])

    @cached_property
    def entry_terms(self) -> npt.NDArray[np.int32]:
        """The term row of every posting, in posting order (for counting facets)."""
        return np.repeat(np.arange(len(self.terms), dtype=np.int32), np.diff(self.ptr))


_NO_DOCS: DocArray = np.zeros(0, dtype=np.uint32)


class SegmentTables:
    """The side tables of one segment, memory-mapped on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise SchemaVersionError(
                f"the index is missing its side tables ({folder.name})",
                hint="rebuild the index: jobsearch index --rebuild PATH",
            ) from None
        if meta.get("format") != FORMAT:
            raise SchemaVersionError(
                f"the index's side tables have format {meta.get('format')}, this jobsearch "
                f"reads {FORMAT}",
                hint="rebuild the index: jobsearch index --rebuild PATH",
            )
        self.doc_count: int = int(meta["docs"])
        self.field_names: frozenset[str] = frozenset(meta["fields"])
        self._weighted: frozenset[str] = frozenset(meta["weighted"])
        #: Digest of the skill phrases this segment indexed as phrase terms.
        self.phrases: str = str(meta.get("phrases", ""))
        self._tables: dict[str, TermTable] = {}
        self._arrays: dict[str, np.ndarray] = {}

    def array(self, name: str) -> np.ndarray:
        found = self._arrays.get(name)
        if found is None:
            found = self._arrays[name] = _load(self.folder / f"{name}.npy")
        return found

    def table(self, field: str) -> TermTable | None:
        """The term table of ``field``, or None when the segment has no such terms."""
        if field not in self.field_names:
            return None
        table = self._tables.get(field)
        if table is None:
            weights = self.array(f"{field}.w") if field in self._weighted else None
            table = TermTable(
                self.array(f"{field}.terms"),
                self.array(f"{field}.ptr"),
                self.array(f"{field}.docs"),
                weights,
            )
            self._tables[field] = table
        return table

    def bits(self, field: str) -> np.ndarray | None:
        """The field's bit sets (terms x 64-document words), when the segment has them."""
        if not (self.folder / f"{field}.bits.npy").exists():
            return None
        return self.array(f"{field}.bits")

    def lengths(self, field: str) -> npt.NDArray[np.uint8]:
        return self.array(f"{field}.len")
