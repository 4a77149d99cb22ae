"""CSV exports with a header row, read row by row with every column kept.

Rows are assembled from physical lines here rather than by the csv module's reader,
because that reader lets a quoted field with no closing quote swallow every following
row (the rows vanish without a word). A row that opens a quoted field may run on over
further lines, but it is cut short, rejected at its first line and the following lines
read again as rows of their own, when:

- the file ends or the row passes ``MAX_ROW_LINES`` lines or ``MAX_RECORD_BYTES`` while
  the quote is still open;
- a following line is, on its own, a well-formed row as wide as the header (what a
  swallowed row looks like). An inner line of a real multi-line field that holds as
  many commas as the header has columns would be cut too: rare, and reported, where
  a swallowed row would vanish without a word;
- the assembled row is not valid CSV (a closing quote followed by more text).

Each finished row is parsed by the csv module, so quoting rules are the standard ones.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO

from search.ingest.context import EXPORT, ReadContext
from search.ingest.exports import export_record, may_describe
from search.ingest.files import MAX_LINE_BYTES, MAX_RECORD_BYTES, NotUtf8Error, text_lines
from search.ingest.records import FieldError, Item, Rejection

#: More lines than any real description has: a quoted field this long is a broken quote.
MAX_ROW_LINES = 5_000
_MB = 1 << 20
_FIELD = r'(?:"(?:[^"]|"")*"|[^",\r\n]*)'
#: One complete line of CSV in which every quote belongs to a quoted field.
_WELL_FORMED = re.compile(rf"{_FIELD}(?:,{_FIELD})*\r?\n?")


class _Lines:
    """Numbered text lines with push-back, so that a cut-short row's lines are re-read."""

    def __init__(self, stream: BinaryIO) -> None:
        self._lines = text_lines(stream)
        self._number = 0
        self._back: deque[tuple[int, str | None]] = deque()

    def next(self) -> tuple[int, str | None] | None:
        if self._back:
            return self._back.popleft()
        line = next(self._lines, _END)
        if line is _END:
            return None
        self._number += 1
        return self._number, line  # type: ignore[return-value]

    def push_back(self, lines: list[tuple[int, str | None]]) -> None:
        self._back.extendleft(reversed(lines))


_END = object()


def ends_in_quotes(line: str, quoted: bool = False) -> bool:
    """Whether a quoted field is still open at the end of ``line``.

    Follows the csv module: a quote opens a field only at the field's start, ``""``
    inside a quoted field is a quote, and text after a closing quote runs to the next
    comma. ``quoted`` says whether the line starts inside a quoted field.
    """
    if not quoted and '"' not in line:
        return False
    pos = 0
    while True:
        if quoted:
            end = line.find('"', pos)
            if end < 0:
                return True
            if line.startswith('"', end + 1):
                pos = end + 2
                continue
            quoted, pos = False, end + 1
        elif line.startswith('"', pos):
            quoted, pos = True, pos + 1
            continue
        comma = line.find(",", pos)
        if comma < 0:
            return False
        pos = comma + 1


def _fields(text: str, *, strict: bool = False) -> list[str] | None:
    """The fields of one complete row's text; None when it is not valid CSV."""
    try:
        return next(csv.reader([text], strict=strict), [])
    except csv.Error:
        return None


class _Rows:
    """Assembles rows from lines; yields ``(first line, text)`` or a Rejection."""

    def __init__(self, lines: _Lines, source: str) -> None:
        self.lines = lines
        self.source = source
        self.width = 0  # fields in the header, once known

    def __iter__(self) -> Iterator[tuple[int, str] | Rejection]:
        while (first := self.lines.next()) is not None:
            start, text = first
            if text is None:
                limit = MAX_LINE_BYTES // _MB
                yield Rejection(self.source, start, f"line longer than {limit} MB; skipped")
            elif not ends_in_quotes(text):
                yield start, text
            else:
                yield self._continued(start, text)

    def _continued(self, start: int, text: str) -> tuple[int, str] | Rejection:
        """A row whose quoted field runs past its first line, or why it was cut short."""
        taken: list[tuple[int, str | None]] = []
        parts, size = [text], len(text)
        while True:
            item = self.lines.next()
            if item is None:
                return self._cut(start, taken, "unclosed quote: the file ends inside it")
            taken.append(item)
            line = item[1]
            if line is None or len(taken) > MAX_ROW_LINES or size > MAX_RECORD_BYTES:
                return self._cut(start, taken, "unclosed quote: the row runs on too long")
            if self._looks_like_a_row(line):
                return self._cut(start, taken, "unclosed quote: the next line is a new row")
            parts.append(line)
            size += len(line)
            if not ends_in_quotes(line, quoted=True):
                row = "".join(parts)
                if _fields(row, strict=True) is None:
                    return self._cut(start, taken, "unclosed quote: text after a closing quote")
                return start, row

    def _looks_like_a_row(self, line: str) -> bool:
        """A line inside an open quote that reads as a row of its own: well-formed CSV
        with no stray quote (the line that closes a real quoted field has one), as wide
        as the header, with its first field present."""
        if self.width < 2 or _WELL_FORMED.fullmatch(line) is None:
            return False
        fields = _fields(line)
        return fields is not None and len(fields) == self.width and bool(fields[0].strip())

    def _cut(self, start: int, taken: list[tuple[int, str | None]], reason: str) -> Rejection:
        self.lines.push_back(taken)
        return Rejection(self.source, start, f"{reason}; row skipped, next lines read as rows")


def read_csv(stream: BinaryIO, ctx: ReadContext) -> Iterator[Item]:
    """CSV with a header row; a record's line is the physical line its row starts on.

    A file that is not UTF-8 is rejected where the bad line is and reading stops, since
    the rest cannot be trusted to align with the header.
    """
    if csv.field_size_limit() < MAX_RECORD_BYTES:
        csv.field_size_limit(MAX_RECORD_BYTES)
    rows = _Rows(_Lines(stream), ctx.source)
    try:
        yield from _records(rows, ctx)
    except NotUtf8Error as exc:
        yield Rejection(ctx.source, exc.line, "not valid UTF-8 text; stopped reading the file")


def _records(rows: _Rows, ctx: ReadContext) -> Iterator[Item]:
    header: list[str] | None = None
    for row in rows:
        if isinstance(row, Rejection):
            yield row
            continue
        start, text = row
        fields = _fields(text)
        if not fields:
            if fields is None:
                yield Rejection(ctx.source, start, "unreadable CSV row")
            continue
        if header is None:
            header = fields
            problem = _header_problem(header, ctx)
            if problem:
                yield Rejection(ctx.source, start, problem)
                return
            rows.width = len(header)
            continue
        if len(fields) != len(header):
            yield Rejection(
                ctx.source, start, f"row has {len(fields)} fields, header has {len(header)}"
            )
            continue
        ctx.saw(EXPORT)
        try:
            yield export_record(zip(header, fields, strict=True), ctx.source, start, ctx.field_map)
        except FieldError as exc:
            yield Rejection(ctx.source, start, str(exc))
    if header is None:
        yield Rejection(ctx.source, 1, "empty CSV file: no header row")


def _header_problem(header: list[str], ctx: ReadContext) -> str:
    """Why no row of a file with this header can be read, or "" when rows may be."""
    found = ", ".join(repr(name) for name in header)
    if ctx.field_map is not None:
        missing = ctx.field_map.missing_from(header)
        if missing:
            named = ", ".join(repr(name) for name in missing)
            return f"column {named} of the field map is not in the header; found {found}"
    if not may_describe(header, ctx.field_map):
        return f"no description column; found {found} (map one with description=COLUMN)"
    return ""
