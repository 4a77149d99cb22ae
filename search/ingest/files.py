"""Finding input files and reading their bytes, compressed or not, line by line.

Every reader sees numbered byte lines from the same helper, so line numbers mean the
same thing in every format and a ``.gz`` twin reads exactly like its plain file.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from search.errors import InputError

#: The formats ``read_records`` understands, by file-name ending.
BASE_SUFFIXES: tuple[str, ...] = (".txt", ".jsonl", ".ndjson", ".json", ".csv")
SUPPORTED_SUFFIXES: tuple[str, ...] = BASE_SUFFIXES + tuple(s + ".gz" for s in BASE_SUFFIXES)


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


def find_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files to read, in a stable order, checked before anything is read.

    Files named explicitly are kept as given (an unsupported suffix is an error, since
    the user asked for that file); directories are walked recursively, sorted, keeping
    only supported files and skipping hidden ones, so editor backups and ``.git`` stay out.
    """
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            walked = (
                p for p in path.rglob("*") if p.is_file() and format_of(p) and not _hidden(p, path)
            )
            found.extend(sorted(walked))
        elif path.is_file():
            if format_of(path) is None:
                raise InputError(
                    f"unsupported file type: {path}",
                    hint="supported: " + ", ".join(SUPPORTED_SUFFIXES),
                )
            found.append(path)
        else:
            raise InputError(f"no such file or directory: {path}")
    return found


def open_binary(path: Path) -> BinaryIO:
    """Open ``path`` for reading bytes, through gzip when its name ends in ``.gz``.

    Only opening can fail here (InputError: the path is unreadable); a corrupt gzip
    stream fails later, on read, and is turned into a rejection by the caller.
    """
    try:
        if path.name.lower().endswith(".gz"):
            return gzip.open(path, "rb")  # type: ignore[return-value]
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def numbered_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """``(line number, raw line)`` pairs, 1-based; a UTF-8 BOM on line 1 is dropped."""
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        yield number, raw


class NotUtf8Error(ValueError):
    """A line that is not UTF-8; ``line`` says which, for the rejection."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line} is not valid UTF-8")
        self.line = line


def text_lines(stream: BinaryIO) -> Iterator[str]:
    """Decoded lines with their line endings, for readers that need whole text lines.

    Raises NotUtf8Error at the first bad line; callers stop there, since a file that
    is not text would otherwise produce one rejection per line.
    """
    for number, raw in numbered_lines(stream):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise NotUtf8Error(number) from None
