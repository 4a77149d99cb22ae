"""Whoosh's files opened for many threads at once: memory-mapped, each thread its own place.

Whoosh reads a segment file through one file object per reader, moving its position and
then reading (``seek`` + ``read``), so two threads reading one reader (stored fields of
two hits, two posting lists) can each read at the other's position. Here every file is
mapped into memory once, positioned reads (``get``) are slices that need no position at
all, and the position that sequential reads use belongs to each thread. The mapping is
made when the reader opens, so a reader keeps working after a later commit or rebuild
removes its files (the mapping holds the data, as an open file does).
"""

from __future__ import annotations

import contextlib
import mmap
import os
import sys
import threading
from array import array
from pathlib import Path
from typing import Any

from search.store.untrusted import IndexStorage, map_read
from search.store.whoosh_compat import StructFile

_ITEM_SIZES = {code: array(code).itemsize for code in "bBhHiIlLqQfd"}
#: Bytes the kernel maps around a page a process touches in a file it maps (Linux's
#: fault_around_bytes, 64 kB by default).
FAULT_AROUND = max(mmap.PAGESIZE, 64 << 10)


def release(data: bytes | mmap.mmap, start: int, length: int) -> None:
    """Drop this process's mapping of the pages of ``data`` under ``[start, start +
    length)`` and of those the kernel mapped around them: they stay in the system's file
    cache (shared, dropped under pressure), and a later read maps them again. Another
    thread reading them meanwhile only faults them in again: the file never changes."""
    if not isinstance(data, mmap.mmap) or length <= 0:
        return
    # The whole windows the kernel mapped around the pages read (fault-around): they
    # are aligned in memory, not in the file, so one window more on either side.
    first = max(0, start - start % mmap.PAGESIZE - FAULT_AROUND)
    end = min(len(data), start + length + FAULT_AROUND)
    with contextlib.suppress(OSError, ValueError):  # closed meanwhile: nothing held
        data.madvise(mmap.MADV_DONTNEED, first, end - first)


class _SharedBytes:
    """A read-only file over bytes in memory whose position is each thread's own."""

    def __init__(self, data: bytes | mmap.mmap) -> None:
        self.data = data
        self._size = len(data)
        self._local = threading.local()

    def tell(self) -> int:
        return int(getattr(self._local, "pos", 0))

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self.tell(), os.SEEK_END: self._size}[whence]
        self._local.pos = max(0, base + offset)
        return int(self._local.pos)

    def read(self, size: int | None = -1) -> bytes:
        start = self.tell()
        end = self._size if size is None or size < 0 else min(self._size, start + size)
        self._local.pos = max(start, end)
        return bytes(self.data[start:end])

    def readline(self, size: int | None = -1) -> bytes:
        start = self.tell()
        end = self.data.find(b"\n", start) + 1 or self._size
        if size is not None and size >= 0:
            end = min(end, start + size)
        return self.read(end - start)

    def release(self, start: int, length: int) -> None:
        release(self.data, start, length)

    def close(self) -> None:
        if isinstance(self.data, mmap.mmap):
            # A view of it still in use: it is unmapped when that is freed.
            with contextlib.suppress(BufferError):
                self.data.close()


#: Files whose reads are hits' stored fields, here and there in a large file.
RELEASED_SUFFIX = "._stored.col"


class _MappedFile(StructFile):  # type: ignore[misc]
    """Whoosh's structured file over a ``_SharedBytes``: reads at a position are slices.

    In the stored fields' file, the pages a read touched are released after it: the
    kernel maps 64 kB around every page a process touches, so 200 searches' hits left
    some 80 MB of a 100,000-posting index resident in each searching process (and more
    as the index grows), each read copied out and never read again from the map.
    """

    def __init__(self, file: _SharedBytes, name: str, **kwargs: Any) -> None:
        super().__init__(file, name=name, **kwargs)
        self._release = name.endswith(RELEASED_SUFFIX)

    def get(self, position: int, length: int) -> bytes:
        data = bytes(self.file.data[position : position + length])
        if self._release:
            self.file.release(position, length)
        return data

    def get_array(self, position: int, typecode: str, length: int) -> array[Any]:
        out = array(typecode)
        out.frombytes(self.get(position, length * _ITEM_SIZES[typecode]))
        if sys.byteorder == "little":  # Whoosh writes arrays big-endian
            out.byteswap()
        return out


class MappedStorage(IndexStorage):
    """The index's storage for reading, whose files are memory-mapped, safe across threads.
    Files open as ``IndexStorage`` opens them: no link followed, no FIFO waited on, only
    regular files inside the index's folder."""

    def __init__(self, folder: Path, root: Path | None = None) -> None:
        super().__init__(folder, root)
        self.readonly = True

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        return _MappedFile(_SharedBytes(map_read(self._file(name), self.root)), name=name, **kwargs)
