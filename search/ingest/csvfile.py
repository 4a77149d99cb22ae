"""CSV exports with a header row, read exactly as Python's csv module reads them.

The csv module is the definition of a valid file, so it reads every row: a quoted cell
keeps its commas, its doubled quotes and its line breaks, however many commas a line
inside it holds. What it would read silently from a malformed file is caught, as a
*broken* row:

- a quote still open when the file ends (the module would take every later line into
  one cell), or when the row passes ``MAX_ROW_LINES`` lines or ``MAX_RECORD_BYTES``, so
  that a quote left open cannot take a whole file into memory;
- text after a closing quote (``"abc"def``; spaces before the next comma are read as
  the module reads them);
- a row with more or fewer cells than the header.

A broken row is rejected at its first line, and the lines it took are read again as
rows of their own, since its quote may have been a stray one that swallowed them; what
is read again is kept only when that is safe (``csvrecovery``), so a piece of a broken
cell never becomes a posting. A valid file has no broken row, so none of this runs.

A record's line is the line its row starts on. Lines are counted at ``\\n``, as in every
reader here; a lone ``\\r`` (an old Mac line end) ends a row, as it does for the csv
module, and the row takes the number of the line it is on.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator
from typing import BinaryIO

from search.ingest.context import EXPORT, ReadContext
from search.ingest.csvrecovery import Cells, Shapes, Stretch, lenient_open, quote_fault
from search.ingest.exports import export_record, may_describe
from search.ingest.files import MAX_LINE_BYTES, MAX_RECORD_BYTES, NotUtf8Error, text_lines
from search.ingest.records import FieldError, Item, Rejection

#: More lines than any real description has: a quoted cell this long is a broken quote.
MAX_ROW_LINES = 5_000
_MB = 1 << 20
#: Where a line holding lone carriage returns is split (after each one).
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")

#: (line number, text); text is None for a line longer than ``MAX_LINE_BYTES``.
Line = tuple[int, str | None]


class _Lines:
    """Numbered text lines with push-back, so that a broken row's lines are read again."""

    def __init__(self, stream: BinaryIO) -> None:
        self._lines = text_lines(stream)
        self._number = 0
        self._back: deque[Line] = deque()

    def next(self) -> Line | None:
        if self._back:
            return self._back.popleft()
        line = next(self._lines, _END)
        if line is _END:
            return None
        self._number += 1
        if not isinstance(line, str):
            return self._number, None
        if "\r" in line and line[line.index("\r") :].strip("\r\n"):
            first, *rest = (piece for piece in _LONE_CR.split(line) if piece)
            self._back.extend((self._number, piece) for piece in rest)
            return self._number, first
        return self._number, line

    def push_back(self, lines: list[Line]) -> None:
        self._back.extendleft(reversed(lines))


_END = object()


class _Cut(Exception):
    """Reading a row was stopped; the message says why."""


class _Feed:
    """What csv.reader reads: one line at a time, each kept for the row being read."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.taken: list[Line] = []
        self.size = 0
        self.ended = False

    def begin(self) -> None:
        self.taken, self.size, self.ended = [], 0, False

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        item = self.lines.next()
        if item is None:
            self.ended = True
            raise StopIteration
        self.taken.append(item)
        text = item[1]
        if text is None:
            limit = f"longer than {MAX_LINE_BYTES // _MB} MB"
            if len(self.taken) == 1:
                raise _Cut(f"line {limit}; skipped")
            raise _Cut(f"unclosed quote: line {item[0]} in the row is {limit}")
        self.size += len(text)
        if len(self.taken) > MAX_ROW_LINES or self.size > MAX_RECORD_BYTES:
            limit = f"{MAX_ROW_LINES} lines or {MAX_RECORD_BYTES // _MB} MB"
            raise _Cut(f"unclosed quote: the row runs on past {limit}")
        return text


def read_csv(stream: BinaryIO, ctx: ReadContext) -> Iterator[Item]:
    """CSV with a header row; see the module docstring.

    A file that is not UTF-8 is rejected where the bad line is and reading stops, since
    the rest cannot be trusted to align with the header.
    """
    if csv.field_size_limit() < MAX_RECORD_BYTES:
        csv.field_size_limit(MAX_RECORD_BYTES)
    yield from _Table(stream, ctx)


class _Table:
    """One file's rows: the header, then records, rejections and held rows, in order."""

    def __init__(self, stream: BinaryIO, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.lines = _Lines(stream)
        self.feed = _Feed(self.lines)
        self.strict = csv.reader(self.feed, strict=True)
        self.reader = csv.reader(self.feed)
        self.header: list[str] | None = None
        self.stopped = False
        self.stretch = Stretch(ctx.source, Shapes([]), self._record)

    def __iter__(self) -> Iterator[Item]:
        try:
            yield from self._rows()
        except NotUtf8Error as exc:
            yield from self.stretch.finish()
            reason = "not valid UTF-8 text; stopped reading the file"
            yield Rejection(self.ctx.source, exc.line, reason)
            return
        yield from self.stretch.finish()
        if self.header is None and not self.stopped:
            yield Rejection(self.ctx.source, 1, "empty CSV file: no header row")

    def _rows(self) -> Iterator[Item]:
        source = self.ctx.source
        while True:
            read = self._read_row()
            if read is None:
                return
            cells, broken = read
            if not broken and not cells:
                continue  # a blank line
            if not broken and self.header is None:
                yield from self._read_header(cells)
                if self.stopped:
                    return
                continue
            broken = broken or self._width_problem(cells)
            if not broken:
                yield from self._row(cells)
                continue
            if self.header is None:
                reason = f"header row unreadable: {broken}; stopped reading the file"
                yield Rejection(source, self.feed.taken[0][0], reason)
                self.stopped = True
                return
            yield from self._broken(broken)

    def _read_row(self) -> tuple[Cells, str] | None:
        """The next row's cells, or why it is broken; None at the end of the file.

        Read strict first (fast, and any quote fault stops it); a row the strict reader
        refuses is read again as the csv module reads it by default, and is broken
        unless all that follows its closing quotes is spaces (``"a" ,b``).
        """
        self.feed.begin()
        try:
            return next(self.strict), ""
        except StopIteration:
            return None
        except _Cut as exc:
            return [], str(exc)
        except csv.Error:
            if self.feed.ended:
                return [], "unclosed quote: the file ends inside it"
        self.lines.push_back(self.feed.taken)
        self.feed.begin()
        try:
            cells = next(self.reader)
        except _Cut as exc:
            return [], str(exc)
        except (StopIteration, csv.Error) as exc:  # neither, after a line was pushed back
            return [], f"unreadable CSV row: {exc}"
        fault = quote_fault(text for _, text in self.feed.taken if text is not None)
        if fault == "unclosed":
            return [], "unclosed quote: the file ends inside it"
        return cells, fault

    def _read_header(self, cells: Cells) -> Iterator[Item]:
        problem = _header_problem(cells, self.ctx)
        if problem:
            yield Rejection(self.ctx.source, self.feed.taken[0][0], problem)
            self.stopped = True
            return
        self.header = cells
        self.stretch.shapes = Shapes(cells)

    def _width_problem(self, cells: Cells) -> str:
        assert self.header is not None
        if len(cells) == len(self.header):
            return ""
        return f"row has {len(cells)} fields, header has {len(self.header)}"

    def _row(self, cells: Cells) -> Iterator[Item]:
        """A clean row: a record, unless a broken row before it may have covered it."""
        start = self.feed.taken[0][0]
        yield from self.stretch.reached(start)
        if self.stretch.covers(start):
            self.stretch.hold(start, cells)
            return
        self.stretch.shapes.learn(cells)
        yield self._record(start, cells)

    def _record(self, line: int, cells: Cells) -> Item:
        assert self.header is not None
        self.ctx.saw(EXPORT)
        pairs = zip(self.header, cells, strict=True)
        try:
            return export_record(pairs, self.ctx.source, line, self.ctx.field_map)
        except FieldError as exc:
            return Rejection(self.ctx.source, line, str(exc))

    def _broken(self, reason: str) -> Iterator[Item]:
        """Reject a broken row and read the lines it took again; see ``csvrecovery``."""
        taken = self.feed.taken
        start = taken[0][0]
        yield from self.stretch.reached(start)
        end, read_ahead = self._lenient_end(taken)
        again = taken[1:] + read_ahead
        if len(taken) > 1:
            reason += "; the lines after its first are read again as rows"
        yield from self.stretch.broken(start, max(end, taken[-1][0]))
        yield Rejection(self.ctx.source, start, reason)
        self.lines.push_back(again)

    def _lenient_end(self, taken: list[Line]) -> tuple[int, list[Line]]:
        """The line where the broken row's quoted cell ends when its inner quotes are
        read as text (0 when it does not end within the bounds), and the lines read
        ahead to find it."""
        quoted, size, ahead = False, 0, list[Line]()
        lines = iter(taken)
        while True:
            item = next(lines, None)
            if item is None:
                if self.feed.ended:
                    return 0, ahead
                item = self.lines.next()
                if item is None:
                    return 0, ahead
                ahead.append(item)
            number, text = item
            if text is None:
                return 0, ahead
            size += len(text)
            if size > MAX_RECORD_BYTES or len(taken) + len(ahead) > MAX_ROW_LINES:
                return 0, ahead
            quoted = lenient_open(text, quoted)
            if not quoted:
                return number, ahead


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
