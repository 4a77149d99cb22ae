"""Side tables: each segment's postings and per-document values as plain numpy arrays.

Whoosh is the index of record; these tables are what a search reads, because walking
Whoosh's posting lists in Python costs a microsecond per posting and a broad query has
hundreds of thousands. Here a term's postings are two slices of memory-mapped arrays, so
matching, BM25F scoring, totals, facets, filters and duplicate groups are vectorised.

One directory per segment, written once with the segment and never changed (deletions
live in Whoosh's table of contents): ``tables.bin`` holds every array as raw bytes and
``tables.json`` says where (dtype, shape, offset), so reading is one memory map and
runs no code from the index. A term table per field:

- ``<field>.terms``  the field's terms, sorted (fixed-width bytes, binary-searched)
- ``<field>.ptr``    where each term's postings start in the two arrays below
- ``<field>.docs``   document numbers, ascending within a term
- ``<field>.w``      the weight (term frequency) of each posting, when not all 1
- ``<field>.len``    for ranked fields: each document's length byte (as Whoosh's)
- ``<field>.bits``   for facet fields of few values: a bit set of documents per term

and per document: ``ids``, ``hashes`` (content digests), ``posted`` (days since 1970, -1
undated), ``dup`` (duplicate-group key), ``pay_low`` and ``pay_high`` (a year's pay in
its own currency, NaN unstated), ``years`` (years of experience required, -1 unstated).
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

from search.errors import SchemaVersionError, rebuild_hint

FORMAT = 3
META = "tables.json"
DATA = "tables.bin"
_ALIGN = 64

IntArray = npt.NDArray[np.int64]
DocArray = npt.NDArray[np.uint32]


def _damaged(folder: Path, why: str) -> SchemaVersionError:
    return SchemaVersionError(
        f"the index's side tables in {folder.name} cannot be read ({why})",
        hint=rebuild_hint(),
    )


class TableWriter:
    """Writes a segment's arrays one after another into one data file, and at the end
    the JSON index of them (name -> dtype, shape, offset) with the segment's facts.

    Arrays are raw little-endian bytes, so reading them back is a memory map and a view:
    one file to open per segment, no parsing, no pickle.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True)
        self._file = (folder / DATA).open("wb")
        self.arrays: dict[str, dict[str, Any]] = {}

    def add(self, name: str, array: np.ndarray) -> None:
        data = np.ascontiguousarray(array)
        if data.dtype.hasobject:
            raise TypeError(f"side table {name} would hold Python objects")
        offset = self._file.tell()
        padding = -offset % _ALIGN
        self._file.write(b"\0" * padding)
        self.arrays[name] = {
            "dtype": data.dtype.str,
            "shape": list(data.shape),
            "offset": offset + padding,
        }
        self._file.write(data.tobytes())

    def close(self, meta: dict[str, Any]) -> None:
        """Finish the data file, then write the index: a table without it is incomplete."""
        self._file.close()
        temp = self.folder / f".{META}.tmp"
        content = {"format": FORMAT, **meta, "arrays": self.arrays}
        temp.write_text(json.dumps(content), encoding="utf-8")
        os.replace(temp, self.folder / META)


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
                hint=rebuild_hint(),
            ) from None
        if not isinstance(meta, dict):
            raise _damaged(folder, "not a table index")
        if meta.get("format") != FORMAT:
            raise SchemaVersionError(
                f"the index's side tables have format {meta.get('format')}, this jobsearch "
                f"reads {FORMAT}",
                hint=rebuild_hint(),
            )
        self.doc_count: int = int(meta["docs"])
        self.field_names: frozenset[str] = frozenset(meta["fields"])
        self._weighted: frozenset[str] = frozenset(meta["weighted"])
        #: Digest of the skill phrases this segment indexed as phrase terms.
        self.phrases: str = str(meta.get("phrases", ""))
        self._index: dict[str, dict[str, Any]] = dict(meta.get("arrays") or {})
        self._tables: dict[str, TermTable] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._data: np.ndarray | None = None

    def map(self) -> None:
        """Map the data file now: a snapshot holds its files from the moment it opens,
        so a rebuild that removes this build folder later cannot take them away."""
        self._bytes()

    def has(self, name: str) -> bool:
        return name in self._index

    def _bytes(self) -> np.ndarray:
        if self._data is None:
            path = self.folder / DATA
            try:
                self._data = (
                    np.memmap(path, dtype=np.uint8, mode="r")
                    if path.stat().st_size
                    else np.zeros(0, dtype=np.uint8)
                )
            except (OSError, ValueError) as exc:
                raise _damaged(self.folder, str(exc)) from None
        return self._data

    def array(self, name: str) -> np.ndarray:
        found = self._arrays.get(name)
        if found is None:
            found = self._arrays[name] = self._view(name)
        return found

    def _view(self, name: str) -> np.ndarray:
        """A read-only view of one array in the data file, checked against its bounds."""
        entry = self._index.get(name)
        if entry is None:
            raise _damaged(self.folder, f"no array {name}")
        try:
            dtype = np.dtype(str(entry["dtype"]))
            shape = tuple(int(n) for n in entry["shape"])
            offset = int(entry["offset"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _damaged(self.folder, f"array {name}: {exc}") from None
        count = int(np.prod(shape)) if shape else 1
        data = self._bytes()
        if dtype.hasobject or offset < 0 or offset + count * dtype.itemsize > len(data):
            raise _damaged(self.folder, f"array {name} is out of bounds")
        return np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(shape)

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
        if not self.has(f"{field}.bits"):
            return None
        return self.array(f"{field}.bits")

    def lengths(self, field: str) -> npt.NDArray[np.uint8]:
        return self.array(f"{field}.len")
