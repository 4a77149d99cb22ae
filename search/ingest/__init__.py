"""Posting files -> raw records: the first step of the pipeline, with no Whoosh in it.

``read_records`` streams every supported file as ``RawRecord`` values (canonical keys,
structured ``Facts``, file and line of origin) interleaved with ``Rejection`` values for
whatever could not be read, so one bad row never costs the rows around it and the caller
decides whether a rejection is fatal. Only a path that cannot be found or opened raises
``InputError``; ``find_files`` checks every path up front, so a caller can validate
paths before it creates an index.

The file name chooses the reader (``.csv``, ``.jsonl``, ``.json``, ``.html``, ``.xml``,
``.txt``, each optionally ``.gz``); the content chooses the mapping: a JSON or XML entry
is read as a Greenhouse, Lever or Ashby job, schema.org JSON-LD, an Indeed-style or
Personio XML job, or a generic export row by its shape. ``read_files`` also says, per
file, which shapes it found (``FileRead.format``).

Line numbers are 1-based and point where a record starts: the JSONL line; the CSV
physical line where the row begins; the line of the location line of a listing; the
line where the object opens in a JSON document; the ``<script>`` tag of a JSON-LD
block; the opening tag of an XML job. A rejection for a whole file (corrupt gzip, bad
UTF-8, invalid JSON) points where reading failed.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from search.ingest.columns import FieldMap, parse_field_map
from search.ingest.context import ReadContext
from search.ingest.csvfile import read_csv
from search.ingest.feeds.jsonld import read_html
from search.ingest.feeds.xmlfeeds import read_xml
from search.ingest.files import (
    MAX_DOCUMENT_BYTES,
    MAX_LINE_BYTES,
    MAX_RECORD_BYTES,
    SUPPORTED_SUFFIXES,
    find_files,
    format_of,
    open_binary,
)
from search.ingest.listing import parse_listing_text, read_listing
from search.ingest.records import EMPTY_FACTS, Facts, Item, RawRecord, Rejection
from search.ingest.structured import read_json, read_jsonl

__all__ = [
    "EMPTY_FACTS",
    "MAX_DOCUMENT_BYTES",
    "MAX_LINE_BYTES",
    "MAX_RECORD_BYTES",
    "SUPPORTED_SUFFIXES",
    "Facts",
    "FieldMap",
    "FieldMapSpec",
    "FileRead",
    "RawRecord",
    "Rejection",
    "find_files",
    "parse_field_map",
    "parse_listing_text",
    "read_files",
    "read_records",
]

Reader = Callable[[BinaryIO, ReadContext], Iterator[Item]]


def _listing(stream: BinaryIO, ctx: ReadContext) -> Iterator[Item]:
    return read_listing(stream, ctx.source)


#: suffix -> (reader, the format reported when no feed shape is recognised)
_READERS: dict[str, tuple[Reader, str]] = {
    ".txt": (_listing, "listing"),
    ".jsonl": (read_jsonl, "jsonl"),
    ".ndjson": (read_jsonl, "jsonl"),
    ".json": (read_json, "json"),
    ".csv": (read_csv, "csv"),
    ".html": (read_html, "html"),
    ".htm": (read_html, "html"),
    ".xml": (read_xml, "xml"),
}

FieldMapSpec = FieldMap | Mapping[str, str] | Iterable[str] | None


class FileRead:
    """One file being read: iterate it for its items, then ask ``format``.

    ``format`` is known once the items have been read, since it comes from what they
    turned out to be: ``greenhouse (json)``, ``json-ld (html)``, ``csv``, ``listing``.
    """

    def __init__(self, path: Path, field_map: FieldMap | None = None) -> None:
        self.path = path
        self.source = str(path)
        suffix = format_of(path)
        if suffix is None:
            raise ValueError(f"unsupported file type: {path}")  # find_files filters these
        self._reader, self._base = _READERS[suffix]
        self._ctx = ReadContext(self.source, field_map)
        self._fd: int | None = None
        self._done = False
        try:
            self.size = os.stat(path).st_size
        except OSError:
            self.size = 0

    @property
    def position(self) -> int:
        """Bytes of the file read so far, as stored (compressed bytes of a .gz file)."""
        if self._done:
            return self.size
        if self._fd is None:
            return 0
        try:
            return min(self.size, os.lseek(self._fd, 0, os.SEEK_CUR))
        except OSError:
            return 0

    @property
    def format(self) -> str:
        return self._ctx.describe(self._base)

    def __iter__(self) -> Iterator[Item]:
        """Items in file order; a stream that breaks mid-way becomes a rejection."""
        last_line = 0
        try:
            with open_binary(self.path) as stream:
                self._fd = stream.fileno()
                for item in self._reader(stream, self._ctx):
                    last_line = item.line
                    yield item
        except (OSError, EOFError, zlib.error) as exc:
            gz = self.path.name.lower().endswith(".gz")
            reason = f"corrupt or truncated gzip file: {exc}" if gz else str(exc)
            yield Rejection(self.source, last_line + 1, reason)
        finally:
            self._fd, self._done = None, True


def _field_map(spec: FieldMapSpec) -> FieldMap | None:
    return spec if isinstance(spec, FieldMap) or spec is None else parse_field_map(spec)


def read_files(
    paths: Iterable[str | os.PathLike[str]], *, field_map: FieldMapSpec = None
) -> list[FileRead]:
    """A ``FileRead`` per file, every path checked first (``InputError`` for a bad one).

    ``field_map`` (``{"description": "Job Summary"}`` or ``["description=Job Summary"]``)
    names columns for keys in exports no rule recognises; it is checked here too.
    """
    checked = _field_map(field_map)
    return [FileRead(path, checked) for path in find_files(paths)]


def read_records(
    paths: Iterable[str | os.PathLike[str]], *, field_map: FieldMapSpec = None
) -> Iterator[Item]:
    """Records and rejections from files and directories, in file order, streamed.

    All paths (and the field map) are checked before the first record is produced, so a
    typo in the last argument fails fast instead of after indexing the others.
    """
    for reading in read_files(paths, field_map=field_map):
        yield from reading
