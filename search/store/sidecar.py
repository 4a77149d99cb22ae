"""Side tables: each segment's postings and per-document values as plain numpy arrays.

Whoosh is the index of record; these tables are what a search reads, because walking
Whoosh's posting lists in Python costs a microsecond per posting and a broad query has
hundreds of thousands. Here a term's postings are two slices of plain arrays, so
matching, BM25F scoring, totals, facets, filters and duplicate groups are vectorised.

One directory per segment, written once with the segment and never changed (deletions
live in Whoosh's table of contents): ``tables.bin`` holds every array as raw bytes and
``tables.json`` says where (dtype, shape, offset), so reading is one memory map (and,
for postings, positioned reads of the same open file: ``FileArray``) and
runs no code from the index. A term table per field:

- ``<field>.terms``  the field's terms, sorted (fixed-width bytes, binary-searched)
- ``<field>.ptr``    where each term's postings start in the two arrays below
- ``<field>.docs``   document numbers, ascending within a term
- ``<field>.w``      the weight (term frequency) of each posting, when not all 1
- ``<field>.len``    for ranked fields: each document's length byte (as Whoosh's)
- ``<field>.bits``   for facet fields of few values: a bit set of documents per term
- ``<field>.pos``, ``<field>.posptr``  for title and description: each posting's word
  positions (``search.store.positions``); absent from segments written before them

and per document: ``ids``, ``hashes`` (content digests), ``posted`` (days since 1970, -1
undated), ``dup`` (duplicate-group key), ``pay_low`` and ``pay_high`` (a year's pay in
its own currency, NaN unstated), ``years`` (years of experience required, -1 unstated).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from search.errors import SchemaVersionError, rebuild_hint
from search.store import mapped, untrusted

FORMAT = 3
META = "tables.json"
DATA = "tables.bin"
_ALIGN = 64
#: The table index holds a few entries per field, whatever the number of documents; a
#: larger ``tables.json`` is damage (a sparse file of gigabytes is refused unread).
MAX_META_BYTES = 16 << 20
#: Arrays that are not one value per document (term tables); every other array is.
_TERM_SUFFIXES = (".terms", ".ptr", ".docs", ".w", ".bits", ".pos", ".posptr")

IntArray = npt.NDArray[np.int64]
DocArray = npt.NDArray[np.uint32]


def _damaged(folder: Path, why: str) -> SchemaVersionError:
    return SchemaVersionError(
        f"the index's side tables in {folder.name} cannot be read ({why})",
        hint=rebuild_hint(),
    )


def _segment_root(folder: Path) -> Path:
    """The index directory of a segment's table folder (``<index>/<build>/side/<seg>``)."""
    return folder.parents[2]


class TableWriter:
    """Writes a segment's arrays one after another into one data file, and at the end
    the JSON index of them (name -> dtype, shape, offset) with the segment's facts.

    Arrays are raw little-endian bytes, so reading them back is a memory map and a view:
    one file to open per segment, no parsing, no pickle.
    """

    def __init__(self, folder: Path, root: Path | None = None) -> None:
        self.folder = folder
        self.root = root if root is not None else _segment_root(folder)
        # Made here, never through a link: side/ may exist (a real folder), the
        # segment's folder and its files must not.
        untrusted.make_dir(folder.parent, self.root, exist_ok=True)
        untrusted.make_dir(folder, self.root, exist_ok=False)
        self._file = untrusted.create(folder / DATA, self.root)
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
        with untrusted.create(temp, self.root) as fh:
            fh.write(json.dumps(content).encode("utf-8"))
        untrusted.replace(temp, META, self.root)


@dataclass(frozen=True)
class TermTable:
    """One field's terms and postings in one segment.

    ``docs`` is not checked whole when the table opens (at a million postings the
    description's is hundreds of megabytes, and reading it all to find its largest value
    would make every page of it resident): each term's postings are checked as they are
    read (``postings``), and ``all_docs`` checks the whole array for those that read it
    whole (facet counts, a field's postings gathered by document).
    """

    terms: np.ndarray
    ptr: IntArray
    docs: FileArray
    weights: FileArray | None
    #: Every document number must be below it; -1: unchecked (tables made in tests).
    doc_count: int = -1
    folder: Path | None = None

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
        return self._checked(self.docs[start:end]), weights

    def _checked(self, docs: DocArray) -> DocArray:
        """``docs``, refused as damage when one names a document the segment lacks."""
        if self.doc_count >= 0 and len(docs) and int(docs.max()) >= self.doc_count:
            raise _damaged(self.folder or Path("?"), "postings name documents it does not have")
        return docs

    @cached_property
    def all_docs(self) -> DocArray:
        """Every posting's document number, read and checked whole once."""
        return self._checked(self.docs.whole())

    def doc_frequency(self, term: bytes) -> int:
        i = self.find(term)
        return 0 if i < 0 else int(self.ptr[i + 1] - self.ptr[i])

    @cached_property
    def entry_terms(self) -> npt.NDArray[np.int32]:
        """The term row of every posting, in posting order (for counting facets)."""
        return np.repeat(np.arange(len(self.terms), dtype=np.int32), np.diff(self.ptr))


_NO_DOCS: DocArray = np.zeros(0, dtype=np.uint32)


class FileArray:
    """One array of a segment's data file read a slice at a time, by positioned reads.

    Postings are read a term at a time, and the engine copies what it reads (and keeps
    the scores of common terms), so a memory map of them would only leave every page
    ever read resident in the searching process: at a million postings the words of 200
    searches touch most of the description's postings, some hundreds of megabytes. Read
    with ``os.pread``, those pages stay in the system's file cache (shared by every
    process reading the index, dropped under pressure) and out of the process.

    The open file holds the data as the map did: a rebuild that removes the file later
    cannot take it away from a snapshot that opened it.
    """

    ndim = 1

    def __init__(self, file: Any, offset: int, dtype: np.dtype[Any], count: int) -> None:
        self._file, self._offset, self.dtype, self._count = file, offset, dtype, count
        self.shape = (count,)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key: slice) -> np.ndarray:
        start, stop, step = key.indices(self._count)
        if step != 1:
            raise IndexError("a FileArray is read in slices of step 1")
        size = self.dtype.itemsize
        count = max(0, stop - start)
        data = os.pread(self._file.fileno(), count * size, self._offset + start * size)
        if len(data) != count * size:  # the file shrank under us: damage
            raise SchemaVersionError("the index's side tables were truncated while open")
        return np.frombuffer(data, dtype=self.dtype)

    def whole(self) -> np.ndarray:
        return self[:]


@dataclass(frozen=True)
class TermPositions:
    """One term's postings in one segment with their word positions: document ``docs[i]``
    holds the term ``counts[i]`` times, at the next ``counts[i]`` entries of
    ``positions`` (ascending)."""

    docs: DocArray
    counts: npt.NDArray[np.int64]
    positions: np.ndarray


class SegmentTables:
    """The side tables of one segment, memory-mapped when opened.

    Everything read from ``tables.json`` is checked against the data file before it is
    used: the document count and every array's shape and place must fit in the bytes
    that are there, so a damaged index is refused instead of making numpy allocate what
    a crafted number asks for.
    """

    def __init__(self, folder: Path, root: Path | None = None) -> None:
        self.folder = folder
        self.root = root if root is not None else _segment_root(folder)
        meta = untrusted.read_json(folder / META, self.root, MAX_META_BYTES)
        if not isinstance(meta, dict):
            raise _damaged(folder, "not a table index")
        if meta.get("format") != FORMAT:
            raise SchemaVersionError(
                f"the index's side tables have format {meta.get('format')}, this jobsearch "
                f"reads {FORMAT}",
                hint=rebuild_hint(),
            )
        fields, weighted, arrays = meta.get("fields"), meta.get("weighted"), meta.get("arrays")
        if not (_strings(fields) and _strings(weighted) and isinstance(arrays, dict)):
            raise _damaged(folder, "fields, weighted or arrays is missing or not a list")
        self.field_names: frozenset[str] = frozenset(fields or ())
        self._weighted: frozenset[str] = frozenset(weighted or ())
        #: Digest of the skill phrases this segment indexed as phrase terms.
        self.phrases: str = str(meta.get("phrases", ""))
        self._index: dict[str, Any] = arrays
        self._tables: dict[str, TermTable] = {}
        self._positions: dict[str, tuple[TermTable, IntArray, FileArray] | None] = {}
        self._arrays: dict[str, np.ndarray] = {}
        # Mapped now: a snapshot holds its files from the moment it opens, so a rebuild
        # that removes this build folder later cannot take them away.
        #: The data file, open for positioned reads of postings (``FileArray``) and mapped
        #: for the rest, from one opening.
        self._file, data = untrusted.map_open(folder / DATA, self.root)
        self._mapped = data
        self._data: np.ndarray = (
            np.frombuffer(data, dtype=np.uint8) if len(data) else np.zeros(0, np.uint8)
        )
        docs = meta.get("docs")
        if type(docs) is not int or not 0 <= docs <= len(self._data):
            raise _damaged(folder, f"a document count of {docs!r} does not fit its data")
        self.doc_count: int = docs
        self.array("ids")  # one id per document, in the data file: checks the count

    def has(self, name: str) -> bool:
        return name in self._index

    def array(self, name: str) -> np.ndarray:
        found = self._arrays.get(name)
        if found is None:
            found = self._arrays[name] = self._view(name)
        return found

    def release(self, name: str) -> None:
        """Drop this process's mapping of the pages of array ``name`` (read whole and
        copied by the caller, which keeps the copy): the view stays valid, and a later
        read maps them again."""
        _, shape, offset = self._place(name)
        dtype = self.array(name).dtype
        mapped.release(self._mapped, offset, math.prod(shape) * dtype.itemsize)

    def stream(self, name: str) -> FileArray:
        """One array of postings (``.docs``, ``.w``, ``.pos``) read by slices, checked
        against the data file's bounds as ``array`` checks a view."""
        dtype, shape, offset = self._place(name)
        if len(shape) != 1:
            raise _damaged(self.folder, f"array {name} is not a list")
        return FileArray(self._file, offset, dtype, shape[0])

    def _place(self, name: str) -> tuple[np.dtype[Any], tuple[int, ...], int]:
        """(type, shape, offset) of one array in the data file, checked against its bounds."""
        entry = self._index.get(name)
        if not isinstance(entry, dict):
            raise _damaged(self.folder, f"no array {name}")
        try:
            dtype = np.dtype(str(entry["dtype"]))
            shape = tuple(_count(n) for n in entry["shape"])
            offset = _count(entry["offset"])
        except (KeyError, TypeError, ValueError) as exc:
            raise _damaged(self.folder, f"array {name}: {exc}") from None
        count = math.prod(shape)
        if (
            dtype.hasobject
            or not dtype.itemsize
            or offset + count * dtype.itemsize > len(self._data)
        ):
            raise _damaged(self.folder, f"array {name} is out of bounds")
        if not name.endswith(_TERM_SUFFIXES) and shape != (self.doc_count,):
            raise _damaged(self.folder, f"array {name} does not hold one value per document")
        return dtype, shape, offset

    def _view(self, name: str) -> np.ndarray:
        """A read-only view of one array in the data file, checked against its bounds."""
        dtype, shape, offset = self._place(name)
        count = math.prod(shape)
        view = np.frombuffer(self._data, dtype=dtype, count=count, offset=offset).reshape(shape)
        if name == "ids.order" and count and not (view.min() >= 0 and view.max() < count):
            raise _damaged(self.folder, "the id order names documents it does not have")
        return view

    def table(self, field: str) -> TermTable | None:
        """The term table of ``field``, or None when the segment has no such terms."""
        if field not in self.field_names:
            return None
        table = self._tables.get(field)
        if table is None:
            weights = self.stream(f"{field}.w") if field in self._weighted else None
            table = TermTable(
                self.array(f"{field}.terms"),
                self.array(f"{field}.ptr"),
                self.stream(f"{field}.docs"),
                weights,
                self.doc_count,
                self.folder,
            )
            self._check(field, table)
            self._tables[field] = table
        return table

    def _check(self, field: str, table: TermTable) -> None:
        """Postings that a search can follow without leaving the arrays: one pointer per
        term and one more, rising from 0 to the number of postings, one weight per
        posting (every document number below the document count is checked as the
        postings are read: ``TermTable``)."""
        ptr, docs = table.ptr, table.docs
        if table.terms.ndim != 1 or ptr.shape != (len(table.terms) + 1,) or docs.ndim != 1:
            raise _damaged(self.folder, f"the {field} term table has the wrong shape")
        if ptr[0] != 0 or ptr[-1] != len(docs) or (len(ptr) > 1 and np.diff(ptr).min() < 0):
            raise _damaged(self.folder, f"the {field} postings pointers are out of order")
        if table.weights is not None and table.weights.shape != docs.shape:
            raise _damaged(self.folder, f"the {field} weights do not match its postings")

    def positioned(self, field: str) -> bool:
        """Whether the segment keeps the word positions of ``field``."""
        return self._position_table(field) is not None

    def _position_table(self, field: str) -> tuple[TermTable, IntArray, FileArray] | None:
        if field in self._positions:
            return self._positions[field]
        found = None
        table = self.table(field)
        if table is not None and self.has(f"{field}.pos") and self.has(f"{field}.posptr"):
            starts, positions = self.array(f"{field}.posptr"), self.stream(f"{field}.pos")
            if (
                starts.shape != (len(table.terms) + 1,)
                or starts.dtype.kind not in "iu"
                or positions.ndim != 1
                or positions.dtype.kind != "u"
                or starts[0] != 0
                or starts[-1] != len(positions)
                or (len(starts) > 1 and np.diff(starts).min() < 0)
            ):
                raise _damaged(self.folder, f"the {field} positions do not fit its terms")
            found = (table, starts, positions)
        self._positions[field] = found
        return found

    def term_positions(self, field: str, term: bytes) -> TermPositions | None:
        """``term``'s postings in ``field`` with their word positions (empty when the
        segment lacks the term), or None when the segment keeps no positions of the field.
        A term whose counts do not add up to its positions is damage, refused."""
        found = self._position_table(field)
        if found is None:
            return None
        table, starts, positions = found
        i = table.find(term)
        if i < 0:
            return TermPositions(_NO_DOCS, np.zeros(0, np.int64), positions[:0])
        start, end = int(table.ptr[i]), int(table.ptr[i + 1])
        weights = table.weights
        if weights is None:
            counts = np.ones(end - start, dtype=np.int64)
        else:
            counts = weights[start:end].astype(np.int64)
        first, last = int(starts[i]), int(starts[i + 1])
        if int(counts.sum()) != last - first or (len(counts) and counts.min() < 1):
            raise _damaged(self.folder, f"the {field} positions do not fit its postings")
        return TermPositions(table._checked(table.docs[start:end]), counts, positions[first:last])

    def bits(self, field: str) -> np.ndarray | None:
        """The field's bit sets (terms x 64-document words), when the segment has them."""
        if not self.has(f"{field}.bits"):
            return None
        bits = self.array(f"{field}.bits")
        table = self.table(field)
        terms = len(table.terms) if table is not None else -1
        if bits.shape != (terms, -(-self.doc_count // 64)):
            raise _damaged(self.folder, f"the {field} bit sets have the wrong shape")
        return bits

    def lengths(self, field: str) -> npt.NDArray[np.uint8]:
        return self.array(f"{field}.len")


def _count(value: object) -> int:
    """A size or offset read from the table index: a non-negative integer."""
    if type(value) is not int or value < 0:
        raise ValueError(f"{value!r} is not a count")
    return value


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
