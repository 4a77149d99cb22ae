"""Posting files -> raw records: the first step of the pipeline, with no Whoosh in it.

``read_records`` streams every supported file as ``RawRecord`` values (canonical keys,
file and line of origin) interleaved with ``Rejection`` values for whatever could not
be read, so one bad row never costs the rows around it and the caller decides whether
a rejection is fatal. Only a path that cannot be found or opened raises ``InputError``.

Line numbers are 1-based and point where a record starts: the JSONL line; the CSV
physical line where the row begins; the line of the location line of a listing; the
line where the object opens in a JSON document. A rejection for a whole file (corrupt
gzip, bad UTF-8, invalid JSON) points where reading failed.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from search.ingest.files import SUPPORTED_SUFFIXES, find_files, format_of, open_binary
from search.ingest.listing import parse_listing_text, read_listing
from search.ingest.records import RawRecord, Rejection
from search.ingest.structured import read_csv, read_json, read_jsonl

__all__ = [
    "SUPPORTED_SUFFIXES",
    "RawRecord",
    "Rejection",
    "find_files",
    "parse_listing_text",
    "read_records",
]

Reader = Callable[[BinaryIO, str], Iterator[RawRecord | Rejection]]

_READERS: dict[str, Reader] = {
    ".txt": read_listing,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_json,
    ".csv": read_csv,
}


def read_records(paths: Iterable[str | os.PathLike[str]]) -> Iterator[RawRecord | Rejection]:
    """Records and rejections from files and directories, in file order, streamed.

    All paths are checked before the first record is produced, so a typo in the last
    argument fails fast instead of after indexing the others.
    """
    for path in find_files(paths):
        yield from _read_file(path)


def _read_file(path: Path) -> Iterator[RawRecord | Rejection]:
    """One file's items; a stream that breaks mid-way (corrupt gzip) becomes a rejection."""
    source = str(path)
    suffix = format_of(path)
    assert suffix is not None  # find_files keeps supported files only
    reader = _READERS[suffix]
    last_line = 0
    with open_binary(path) as stream:
        try:
            for item in reader(stream, source):
                last_line = item.line
                yield item
        except (OSError, EOFError, zlib.error) as exc:
            reason = f"corrupt or truncated gzip file: {exc}" if _is_gzip(path) else str(exc)
            yield Rejection(source, last_line + 1, reason)


def _is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")
