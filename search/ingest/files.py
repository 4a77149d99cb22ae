"""Finding input files and reading their bytes, compressed or not, within bounds.

Every reader sees numbered byte lines (or one bounded document) from the helpers here, so
line numbers mean the same thing in every format, a ``.gz`` twin reads exactly like its
plain file, and no input can make a reader hold more than ``MAX_LINE_BYTES`` of a line
or ``MAX_DOCUMENT_BYTES`` of a document: a 500 KB gzip that expands to one 1 GB line is
read in chunks, rejected, and skipped.

``find_files`` is the eager check: it looks at every path before anything is read and
raises ``InputError`` saying what a bad path is (missing, a symbolic link loop, a FIFO or
device, unreadable), so a caller can validate all paths before creating an index.
"""

from __future__ import annotations

import errno
import gzip
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO

from search.errors import InputError

MiB = 1 << 20
#: Longest line a reader accepts (JSON Lines record, CSV or listing line).
MAX_LINE_BYTES = 10 * MiB
#: Largest record (a CSV row over several lines, a listing posting, an XML job).
MAX_RECORD_BYTES = 10 * MiB
#: Largest JSON, HTML or XML document read whole; JSON Lines has no total limit.
MAX_DOCUMENT_BYTES = 64 * MiB
_CHUNK = 1 << 16

#: The formats ``read_records`` understands, by file-name ending.
BASE_SUFFIXES: tuple[str, ...] = (
    *(".txt", ".jsonl", ".ndjson", ".json", ".csv", ".html", ".htm", ".xml"),
)
SUPPORTED_SUFFIXES: tuple[str, ...] = BASE_SUFFIXES + tuple(s + ".gz" for s in BASE_SUFFIXES)

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def format_of(path: Path) -> str | None:
    """The base suffix that decides how ``path`` is read (``.jsonl`` for ``a.jsonl.gz``)."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for suffix in BASE_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return None


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a file or directory"


def _path_error(path: Path, exc: OSError) -> InputError:
    """What is wrong with ``path``, in the user's terms rather than a bare errno."""
    if exc.errno == errno.ELOOP:
        return InputError(f"symbolic link loop: {path}")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if path.is_symlink():
            return InputError(f"broken symbolic link: {path} -> {os.readlink(path)}")
        return InputError(f"no such file or directory: {path}")
    if exc.errno == errno.EACCES:
        return InputError(f"permission denied: {path}")
    return InputError(f"cannot read {path}: {exc.strerror or exc}")


def _not_regular(path: Path, mode: int) -> InputError:
    return InputError(
        f"not a regular file ({_kind(mode)}): {path}", hint="give posting files or directories"
    )


def find_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files to read, in a stable order, every path checked before anything is read.

    Files named explicitly are kept as given (an unsupported suffix is an error, since
    the user asked for that file); directories are walked recursively, sorted, keeping
    only supported regular files and skipping hidden ones, so editor backups and ``.git``
    stay out. Raises ``InputError`` for a path that is missing, a symbolic link loop, not
    a regular file or directory, or unreadable (a file found in a directory included).
    """
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise _path_error(path, exc) from None
        if stat.S_ISDIR(mode):
            found.extend(_walk(path))
        elif not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        elif format_of(path) is None:
            raise InputError(
                f"unsupported file type: {path}",
                hint="supported: " + ", ".join(SUPPORTED_SUFFIXES),
            )
        else:
            found.append(path)
    for path in found:
        if not os.access(path, os.R_OK):
            raise InputError(f"permission denied: {path}")
    return found


def _walk(root: Path) -> list[Path]:
    """Supported regular files under ``root``; FIFOs, devices and link loops are skipped."""
    try:
        walked = [
            p for p in root.rglob("*") if format_of(p) and not _hidden(p, root) and p.is_file()
        ]
    except OSError as exc:
        raise _path_error(root, exc) from None
    return sorted(walked)


@contextmanager
def open_binary(path: Path) -> Iterator[BinaryIO]:
    """``path`` opened for reading bytes, through gzip when its name ends in ``.gz``.

    Opened without blocking and checked to be a regular file, so a FIFO swapped in after
    ``find_files`` cannot hang the reader. Only opening raises (InputError); a corrupt gzip
    stream fails later, on read, and the caller turns that into a rejection.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | os.O_CLOEXEC)
    except OSError as exc:
        raise _path_error(path, exc) from None
    with ExitStack() as stack:
        raw = stack.enter_context(os.fdopen(fd, "rb"))
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        if path.name.lower().endswith(".gz"):
            yield stack.enter_context(gzip.GzipFile(fileobj=raw, mode="rb"))  # type: ignore[misc]
        else:
            yield raw


#: Stands for a line longer than ``MAX_LINE_BYTES``: read in chunks, dropped, reported.
TOO_LONG = None


def numbered_lines(
    stream: BinaryIO, limit: int | None = None
) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, raw line)`` pairs, 1-based; a UTF-8 BOM on line 1 is dropped.

    A line longer than ``limit`` (default ``MAX_LINE_BYTES``) comes as ``(number,
    TOO_LONG)``: its bytes are skipped in chunks, never held, and the next line keeps
    its true number.
    """
    limit = MAX_LINE_BYTES if limit is None else limit
    readline = stream.readline
    number = 0
    while True:
        raw = readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            _skip_line(stream)
            yield number, TOO_LONG
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        yield number, raw


def _skip_line(stream: BinaryIO) -> None:
    while True:
        chunk = stream.readline(_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return


class NotUtf8Error(ValueError):
    """A line that is not UTF-8; ``line`` says which, for the rejection."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line} is not valid UTF-8")
        self.line = line


def text_lines(stream: BinaryIO) -> Iterator[str | None]:
    """Decoded lines with their line endings; ``TOO_LONG`` for a line over the limit.

    Raises NotUtf8Error at the first bad line; callers stop there, since a file that
    is not text would otherwise produce one rejection per line.
    """
    for number, raw in numbered_lines(stream):
        if raw is None:
            yield TOO_LONG
            continue
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise NotUtf8Error(number) from None


class DocumentTooLargeError(ValueError):
    """A whole-document file (JSON, HTML, XML) larger than ``MAX_DOCUMENT_BYTES``."""


def read_document(stream: BinaryIO, limit: int | None = None) -> bytearray:
    """The whole stream, read in chunks; DocumentTooLargeError past ``limit`` bytes.

    ``limit`` defaults to ``MAX_DOCUMENT_BYTES``. Chunks keep the peak near it however
    far a compressed stream would expand.
    """
    limit = MAX_DOCUMENT_BYTES if limit is None else limit
    data = bytearray()
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        data += chunk
        if len(data) > limit:
            raise DocumentTooLargeError(
                f"file larger than {limit // MiB} MB, the limit for a whole document; split it"
            )
    if data.startswith(b"\xef\xbb\xbf"):
        del data[:3]
    return data
