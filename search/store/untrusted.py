"""Opening files inside an index folder as untrusted input.

An index folder may come from someone else (a download, a shared drive), so nothing in
it is taken on trust: every folder below the index directory is opened with
``O_NOFOLLOW`` relative to its parent's descriptor (a symbolic link anywhere on the way
is refused, never followed), a file must be a regular file before it is read (a FIFO
would block forever, a device could be anything), names come only from a short list of
shapes (no ``/``, no NUL, no ``..``), reads never ask for more than the file holds, and
writers create their files with ``O_EXCL`` so they never write through a planted link.
Every refusal is one ``SchemaVersionError`` naming the file and what is wrong.

The index directory itself is the user's choice and is used as given.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import mmap
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from whoosh.filedb.filestore import FileStorage

from search.errors import SchemaVersionError, rebuild_hint
from search.store.whoosh_compat import StructFile

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
#: O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer.
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC
_CREATE = os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC
#: Reads above this size are cut to what is left of the file, so a length read from a
#: damaged file never makes Python allocate more than the file holds.
_CLAMP_ABOVE = 1 << 16


def damaged(where: Path, why: str) -> SchemaVersionError:
    """The one error for an index file that cannot be used as it is."""
    return SchemaVersionError(f"the index in {where} cannot be read ({why})", hint=rebuild_hint())


def check_name(name: object, where: Path) -> str:
    """``name`` if it is one plain file name; a damaged-index error otherwise."""
    if (
        not isinstance(name, str)
        or not name
        or name in (".", "..")
        or "/" in name
        or "\0" in name
        or len(name) > 255
    ):
        raise damaged(where, f"a file name {name!r} is not a plain name")
    return name


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _parts(path: Path, root: Path) -> tuple[str, ...]:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        raise damaged(root, f"{path} is outside the index") from None
    for part in parts:
        check_name(part, root)
    return parts


def _refusal(exc: OSError, name: str, root: Path) -> SchemaVersionError:
    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
        return damaged(root, f"{name} is a symbolic link or not a folder")
    if exc.errno == errno.ENOENT:
        return damaged(root, f"{name} is missing")
    return damaged(root, f"{name}: {exc.strerror or exc}")


def open_dir(path: Path, root: Path) -> int:
    """A descriptor of the folder ``path`` inside ``root``, no link followed below root."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
    try:
        for part in _parts(path, root):
            try:
                child = os.open(part, _DIR, dir_fd=fd)
            except OSError as exc:
                raise _refusal(exc, part, root) from None
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def folder(path: Path, root: Path) -> Iterator[int]:
    """``open_dir`` as a context: the descriptor is closed on leaving."""
    fd = open_dir(path, root)
    try:
        yield fd
    finally:
        os.close(fd)


def open_regular(path: Path, root: Path) -> tuple[int, int]:
    """(descriptor, size) of the regular file ``path`` inside ``root``, opened without
    following any link and without blocking; anything else is refused before reading."""
    name = check_name(path.name, root)
    with folder(path.parent, root) as dir_fd:
        try:
            before = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError as exc:
            raise _refusal(exc, name, root) from None
        if not stat.S_ISREG(before.st_mode):  # checked before opening: no device is opened
            raise damaged(root, f"{name} is {_kind(before.st_mode)}")
        try:
            fd = os.open(name, _READ, dir_fd=dir_fd)
        except OSError as exc:
            raise _refusal(exc, name, root) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise damaged(root, f"{name} is {_kind(st.st_mode)}")
    return fd, st.st_size


class BoundedReader(io.BufferedReader):
    """A buffered reader that never reads (or allocates) past the size the file had when
    it was opened: a damaged length asks for gigabytes and gets what is there."""

    def __init__(self, raw: io.RawIOBase, size: int) -> None:
        super().__init__(raw)  # type: ignore[arg-type]
        self.size = size

    def read(self, n: int | None = -1) -> bytes:
        if n is not None and n > _CLAMP_ABOVE:
            n = max(0, min(n, self.size - self.tell()))
        return super().read(n)


def open_read(path: Path, root: Path) -> BoundedReader:
    """The regular file ``path`` inside ``root``, for reading (see ``open_regular``)."""
    fd, size = open_regular(path, root)
    return BoundedReader(io.FileIO(fd, "rb", closefd=True), size)


def read_json(path: Path, root: Path, limit: int) -> Any:
    """The JSON document in ``path``; refused when it is larger than ``limit`` bytes (a
    sparse file of gigabytes is not read) or not JSON."""
    fd, size = open_regular(path, root)
    with io.FileIO(fd, "rb", closefd=True) as fh:
        if size > limit:
            raise damaged(root, f"{path.name} is {size:,} bytes, more than {limit:,}")
        blob = fh.read(limit + 1)
    if len(blob) > limit:
        raise damaged(root, f"{path.name} is larger than {limit:,} bytes")
    try:
        return json.loads(blob.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise damaged(root, f"{path.name} is not JSON: {type(exc).__name__}") from None


def map_read(path: Path, root: Path) -> mmap.mmap | bytes:
    """The file ``path`` memory-mapped read-only (``b""`` when it is empty)."""
    file, data = map_open(path, root)
    file.close()
    return data


def map_open(path: Path, root: Path) -> tuple[BinaryIO, mmap.mmap | bytes]:
    """The file ``path`` open for positioned reads and memory-mapped read-only (``b""``
    when it is empty), from one opening: both see the same file, whatever replaces or
    removes its name meanwhile."""
    fd, size = open_regular(path, root)
    file = os.fdopen(fd, "rb", buffering=0)
    try:
        return file, mmap.mmap(fd, 0, access=mmap.ACCESS_READ) if size else b""
    except (OSError, ValueError) as exc:
        file.close()
        raise damaged(root, f"{path.name}: {exc}") from None


def make_dir(path: Path, root: Path, exist_ok: bool) -> None:
    """Create the folder ``path`` inside ``root`` (its parents must be real folders); an
    existing one is used only when ``exist_ok`` and it is a real folder, never a link."""
    name = check_name(path.name, root)
    with folder(path.parent, root) as dir_fd:
        try:
            os.mkdir(name, 0o755, dir_fd=dir_fd)
        except FileExistsError:
            if not exist_ok:
                raise damaged(root, f"{name} exists already") from None
            mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
            if not stat.S_ISDIR(mode):
                raise damaged(root, f"{name} is {_kind(mode)}") from None


def create(path: Path, root: Path, mode: str = "wb") -> BinaryIO:
    """A new file ``path`` inside ``root`` for writing (``mode`` "w+b" to read it back
    too): it must not exist yet (``O_EXCL``), so nothing is ever written through a link
    or over a planted file."""
    name = check_name(path.name, root)
    access = os.O_RDWR if "+" in mode else os.O_WRONLY
    with folder(path.parent, root) as dir_fd:
        try:
            fd = os.open(name, access | _CREATE, 0o644, dir_fd=dir_fd)
        except FileExistsError:
            raise damaged(root, f"{name} exists already (a planted file or link?)") from None
    return open(fd, "w+b" if "+" in mode else "wb", closefd=True)


def replace(path: Path, name: str, root: Path) -> None:
    """Rename the file ``path`` to ``name`` in the same folder, atomically."""
    check_name(name, root)
    with folder(path.parent, root) as dir_fd:
        os.replace(check_name(path.name, root), name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


class IndexStorage(FileStorage):  # type: ignore[misc]
    """Whoosh's file storage for one build folder, through the functions above: files
    open without following links or blocking, names are checked, reads are bounded and
    new files are created exclusively. ``root`` is the index directory."""

    supports_mmap = False

    def __init__(self, folder: Path, root: Path | None = None) -> None:
        super().__init__(str(folder), supports_mmap=False)
        self.path = folder
        self.root = root if root is not None else folder.parent

    def _file(self, name: object) -> Path:
        return self.path / check_name(name, self.root)

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        return StructFile(open_read(self._file(name), self.root), name=name, **kwargs)

    def create_file(
        self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any
    ) -> StructFile:
        return StructFile(create(self._file(name), self.root, mode), name=name, **kwargs)

    def list(self) -> list[str]:
        with folder(self.path, self.root) as dir_fd:
            return os.listdir(dir_fd)

    def _stat(self, name: str) -> os.stat_result:
        with folder(self.path, self.root) as dir_fd:
            try:
                return os.stat(check_name(name, self.root), dir_fd=dir_fd, follow_symlinks=False)
            except OSError as exc:
                raise _refusal(exc, name, self.root) from None

    def file_exists(self, name: str) -> bool:
        try:
            self._stat(name)
        except SchemaVersionError:
            return False
        return True

    def file_modified(self, name: str) -> float:
        return self._stat(name).st_mtime

    def file_length(self, name: str) -> int:
        st = self._stat(name)
        if not stat.S_ISREG(st.st_mode):
            raise damaged(self.root, f"{name} is {_kind(st.st_mode)}")
        return st.st_size

    def delete_file(self, name: str) -> None:
        with folder(self.path, self.root) as dir_fd:
            os.unlink(check_name(name, self.root), dir_fd=dir_fd)

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        if safe and self.file_exists(newname):
            raise NameError(f"File {newname!r} exists")
        replace(self._file(oldname), check_name(newname, self.root), self.root)

    def temp_storage(self, name: str | None = None) -> IndexStorage:
        path = self._file(name or f"{os.getpid()}.tmp")
        make_dir(path, self.root, exist_ok=True)
        return IndexStorage(path, self.root)
