"""A read-only view of one committed state of an index: Whoosh's reader and side tables.

A ``Snapshot`` pairs each Whoosh segment with its side tables and the offset of its
documents, so a document number means the same thing to both. Whoosh is opened with our
schema (the pickled one in the table of contents is never read) and through the
restricted unpickler of ``search.store.safeload``.
"""

from __future__ import annotations

import pickle
import re
import struct
import weakref
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.filedb.filetables import FileFormatError
from whoosh.index import EmptyIndexError, FileIndex, IndexVersionError
from whoosh.index import IndexError as WhooshIndexError
from whoosh.reading import IndexReader

from search.errors import SchemaVersionError, rebuild_hint
from search.store import layout, safeload, untrusted
from search.store.layout import INDEX_NAME
from search.store.mapped import MappedStorage
from search.store.schema import SCHEMA_VERSION, shared_schema
from search.store.sidecar import SegmentTables
from search.store.whoosh_compat import TOC

safeload.install()

#: What reading a damaged index raises inside Whoosh (a truncated file, a wrong number).
_CORRUPT = (
    EmptyIndexError,
    IndexVersionError,
    WhooshIndexError,
    FileFormatError,
    OSError,
    ValueError,
    EOFError,
    AssertionError,
    IndexError,
    KeyError,
    TypeError,
    AttributeError,
    pickle.UnpicklingError,
    struct.error,
    zlib.error,
    OverflowError,
    RecursionError,
)
#: The only shape of segment name this index writes: it becomes part of file and folder
#: names, so a name from a crafted table of contents (``../..``) is refused.
_SEGMENT_ID = re.compile(rf"^{INDEX_NAME}_[0-9a-z]{{1,64}}$")


def _unreadable(folder: Path, exc: Exception) -> SchemaVersionError:
    return SchemaVersionError(
        f"the index in {folder} cannot be read ({type(exc).__name__})",
        hint=rebuild_hint(),
    )


def read_toc(folder: Path) -> TOC:
    """The latest table of contents of a build folder, read safely."""
    try:
        return TOC.read(untrusted.IndexStorage(folder), INDEX_NAME, schema=shared_schema())
    except SchemaVersionError:
        raise
    except _CORRUPT as exc:
        raise _unreadable(folder, exc) from None


@dataclass(frozen=True)
class Part:
    """One segment: its side tables, where its documents start, which are deleted."""

    segment_id: str
    offset: int
    tables: SegmentTables
    deleted: frozenset[int]

    @cached_property
    def live(self) -> npt.NDArray[np.bool_]:
        mask = np.ones(self.tables.doc_count, dtype=bool)
        if self.deleted:
            mask[np.fromiter(self.deleted, dtype=np.int64)] = False
        return mask


def _common(a: bytes, b: bytes) -> int:
    """How many leading bytes ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


#: Short ids a snapshot keeps (``Snapshot.short_id``), about 150 bytes each.
MAX_SHORT_IDS = 10_000


class Snapshot:
    """The index at ``path`` as of its last commit.

    Safe to read from many threads at once: every file it needs is open (memory-mapped)
    once it is made, so a later commit or rebuild that removes files never reaches it,
    and Whoosh's files keep a position per thread (``search.store.mapped``). Its files
    close with ``close``, or when nothing refers to it any more.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = layout.current(path, SCHEMA_VERSION)
        try:
            storage = MappedStorage(self.folder, path)
            self.index = FileIndex(storage, shared_schema(), INDEX_NAME)
            self.reader: IndexReader = self.index.reader()
        except SchemaVersionError:
            raise
        except _CORRUPT as exc:
            raise _unreadable(self.folder, exc) from None
        self._closer = weakref.finalize(self, self.reader.close)
        self.generation: int = self.reader.generation()
        self.parts: list[Part] = []
        try:
            for leaf, offset in self._leaves():
                self.parts.append(self._part(leaf.segment(), offset))
        except BaseException as exc:
            self._closer()  # closes the reader once; the finalizer will not run again
            if isinstance(exc, _CORRUPT):
                raise _unreadable(self.folder, exc) from None
            raise
        self.doc_count_all = sum(p.tables.doc_count for p in self.parts)
        self._sorted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        #: Short ids already worked out, by (id, least): hits come back search after
        #: search, and each costs a binary search per segment. Cleared when full.
        self._short: dict[tuple[str, int], str] = {}

    def _part(self, segment: Any, offset: int) -> Part:
        """A segment of the table of contents with its side tables, once every number
        the table of contents gives for it is checked against those tables."""
        segment_id = segment.segment_id() if hasattr(segment, "segment_id") else None
        if not isinstance(segment_id, str) or not _SEGMENT_ID.match(segment_id):
            raise untrusted.damaged(self.folder, f"a segment is named {segment_id!r}")
        if segment.is_compound():
            raise untrusted.damaged(self.folder, f"segment {segment_id} is a compound file")
        tables = SegmentTables(self.folder / "side" / segment_id, self.path)
        count = segment.doc_count_all()
        if type(count) is not int or count != tables.doc_count:
            raise untrusted.damaged(
                self.folder,
                f"segment {segment_id} counts {count!r} documents, its tables {tables.doc_count}",
            )
        deleted = frozenset(segment.deleted_docs())
        if not all(type(d) is int and 0 <= d < count for d in deleted):
            raise untrusted.damaged(self.folder, f"segment {segment_id} deletes documents it lacks")
        return Part(segment_id, offset, tables, deleted)

    def _leaves(self) -> list[tuple[Any, int]]:
        if self.reader.is_atomic():
            return [(self.reader, 0)] if self.reader.doc_count_all() else []
        return list(self.reader.leaf_readers())

    @cached_property
    def live(self) -> npt.NDArray[np.bool_]:
        """Which document numbers are not deleted, over the whole index."""
        if not self.parts:
            return np.zeros(0, dtype=bool)
        return np.concatenate([p.live for p in self.parts])

    def _sorted_ids(self, part: Part) -> tuple[np.ndarray, np.ndarray]:
        """A segment's ids in sorted order, and the document number of each."""
        found = self._sorted.get(part.segment_id)
        if found is None:
            order = part.tables.array("ids.order")
            found = self._sorted[part.segment_id] = (part.tables.array("ids")[order], order)
        return found

    def _range(self, part: Part, low: bytes, high: bytes) -> list[int]:
        """Live document numbers of a segment whose id lies in [low, high)."""
        ids, order = self._sorted_ids(part)
        if not len(ids):
            return []
        start, end = np.searchsorted(ids, [low, high], side="left")
        return [d for d in order[start:end].tolist() if d not in part.deleted]

    def docnum(self, posting_id: str) -> int | None:
        """The document number of the live posting with this id, or None."""
        key = posting_id.encode("utf-8")
        for part in self.parts:
            if len(key) > part.tables.array("ids").dtype.itemsize:
                continue
            ids, order = self._sorted_ids(part)
            start = int(np.searchsorted(ids, key, side="left"))
            end = int(np.searchsorted(ids, key, side="right"))
            for docnum in order[start:end].tolist():
                if docnum not in part.deleted:
                    return part.offset + docnum
        return None

    def ids_starting(self, prefix: str, most: int = 6) -> list[str]:
        """Up to ``most`` live ids that start with ``prefix`` (sorted)."""
        key = prefix.encode("utf-8")
        found: set[str] = set()
        for part in self.parts:
            ids = part.tables.array("ids")
            for docnum in self._range(part, key, key + b"\xff")[: most + 1]:
                found.add(ids[docnum].decode("utf-8"))
        return sorted(found)[:most]

    def short_id(self, posting_id: str, least: int = 8) -> str:
        """The shortest prefix of ``posting_id`` (at least ``least`` characters) that no
        other id of the index starts with."""
        found = self._short.get((posting_id, least))
        if found is None:
            found = self._short_id(posting_id, least)
            if len(self._short) >= MAX_SHORT_IDS:
                self._short.clear()
            self._short[(posting_id, least)] = found
        return found

    def _short_id(self, posting_id: str, least: int) -> str:
        key = posting_id.encode("utf-8")
        shared = 0
        for part in self.parts:
            ids, _ = self._sorted_ids(part)
            at = int(np.searchsorted(ids, key, side="left"))
            for neighbour in (at - 1, at + 1 if at < len(ids) and ids[at] == key else at):
                if 0 <= neighbour < len(ids) and ids[neighbour] != key:
                    shared = max(shared, _common(bytes(ids[neighbour]), key))
        length = max(least, len(key[: shared + 1].decode("utf-8", "ignore")))
        return posting_id[:length] if length < len(posting_id) else posting_id

    def locations(self) -> dict[str, tuple[str, int]]:
        """Posting id -> (segment id, document number in it), for live documents."""
        out: dict[str, tuple[str, int]] = {}
        for part in self.parts:
            ids = part.tables.array("ids")
            try:
                for docnum in np.flatnonzero(part.live).tolist():
                    out[ids[docnum].decode("utf-8")] = (part.segment_id, docnum)
            except UnicodeDecodeError:
                raise untrusted.damaged(part.tables.folder, "an id is not text") from None
        return out

    def digests(self) -> dict[str, tuple[str, float]]:
        """Posting id -> (content digest, when first indexed), for live documents: to skip
        unchanged postings and keep the first-indexed time of changed ones."""
        out: dict[str, tuple[str, float]] = {}
        for part in self.parts:
            ids, hashes = part.tables.array("ids"), part.tables.array("hashes")
            indexed = part.tables.array("indexed")
            try:
                for docnum in np.flatnonzero(part.live).tolist():
                    key = ids[docnum].decode("utf-8")
                    out[key] = (hashes[docnum].decode("ascii"), float(indexed[docnum]))
            except UnicodeDecodeError:
                raise untrusted.damaged(part.tables.folder, "an id or digest is not text") from None
        return out

    def close(self) -> None:
        """Close Whoosh's files now (a search still reading this snapshot would fail:
        ``JobIndex`` leaves that to the last one using it, see ``JobIndex.close``)."""
        self._closer()

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
