"""Broken CSV rows: how their quotes are read, and what may be kept around them.

``quote_fault`` says what the csv module read past in a row (text after a closing
quote, a quote still open at the end of the file). Such a row, or one wider or narrower
than the header, is *broken*: its first line is rejected and the lines it took are read
again as rows, because its quote may have been a stray one that swallowed real rows.
But those lines may just as well be the broken row's own text (a description whose
closing quote is missing, or whose inner quotes were not doubled), and a line of prose
with as many commas as the header has columns reads as a row like any other.

So the lines a broken row may cover form a *stretch*: from the line after it to the
last line it took, or further, to where its quoted cell would end if the quotes inside
it were read as text (a quote closes a cell only before a comma or the line's end:
``lenient_open``). Rows starting in the stretch are held until it ends, and each is
kept only when

- no broken row follows it in the stretch (the broken row's text may run on up to
  that one; prose read as rows almost always gives rows of the wrong width), and
- its cells have the shape their columns have in the rows read cleanly so far
  (``Shapes``): prose cut at its commas gives cells that start with the space after the
  comma, or in lower case, or text where a column holds only numbers or links.

Anything else is rejected, naming the broken row it may be part of.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from search.ingest.records import Item, Rejection

#: Cells a column must have shown before its shape is trusted (numbers, links, case).
_EVIDENCE = 3
_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_LINK_STARTS = ("http:", "https:", "www.")
_LINE_ENDS = ("", ",", "\r", "\n")
#: What may follow a closing quote: spaces, then the cell's end.
_AFTER_QUOTE = re.compile(r"[ \t]*(?:,|\r\n?|\n|$)")

Cells = list[str]
#: Turns a row that may be kept into its record (or a rejection of its content).
Keep = Callable[[int, Cells], Item]


def quote_fault(lines: Iterable[str]) -> str:
    """What is wrong with the quotes of one row's lines as the csv module read them:
    ``"text after a closing quote"`` (other than spaces), ``"unclosed"`` when a quoted
    cell is still open after the last line, or "" when nothing is.

    Follows the csv module: a quote opens a cell only at the cell's start and ``""``
    inside a quoted cell is a quote.
    """
    quoted = False
    for line in lines:
        pos = 0
        while True:
            if quoted:
                end = line.find('"', pos)
                if end < 0:
                    break
                if line.startswith('"', end + 1):
                    pos = end + 2
                    continue
                quoted = False
                after = _AFTER_QUOTE.match(line, end + 1)
                if after is None:
                    return "text after a closing quote"
                pos = after.end()
                if pos >= len(line) or line[pos - 1] != ",":
                    break
                continue
            if line.startswith('"', pos):
                quoted, pos = True, pos + 1
                continue
            comma = line.find(",", pos)
            if comma < 0:
                break
            pos = comma + 1
    return "unclosed" if quoted else ""


def lenient_open(line: str, quoted: bool = False) -> bool:
    """Whether a quoted cell is still open at the end of ``line``, reading a quote inside
    a quoted cell as text unless a comma or the line's end follows it (``""`` is a quote).

    This is how a writer that forgot to double the quotes in a cell is read, so it finds
    where a broken row's cell would end if that was its fault. ``quoted`` says whether
    the line starts inside a quoted cell.
    """
    if not quoted and '"' not in line:
        return False
    pos = 0
    while True:
        if quoted:
            end = line.find('"', pos)
            if end < 0:
                return True
            after = line[end + 1 : end + 2]
            if after == '"':
                pos = end + 2
                continue
            pos = end + 1
            if after not in _LINE_ENDS:
                continue
            quoted = False
        elif line.startswith('"', pos):
            quoted, pos = True, pos + 1
            continue
        comma = line.find(",", pos)
        if comma < 0:
            return False
        pos = comma + 1


class Shapes:
    """What the cells of each column have looked like in the rows read cleanly so far.

    Only what prose cut at its commas would break: no cell of the column starts with
    white space; none starts with a lower-case letter; every cell is a number; every
    cell is a link. The last three need ``_EVIDENCE`` filled cells before they count.
    """

    def __init__(self, header: Sequence[str]) -> None:
        self.header = list(header)
        width = len(header)
        self.filled = [0] * width
        self.spaced = [False] * width
        self.lower = [False] * width
        self.numbers = [0] * width
        self.links = [0] * width

    def learn(self, cells: Cells) -> None:
        for i, cell in enumerate(cells):
            if not cell:
                continue
            self.filled[i] += 1
            first = cell[0]
            if first.isspace():
                self.spaced[i] = True
            elif first.islower():
                self.lower[i] = True
            if self.numbers[i] == self.filled[i] - 1 and _NUMBER.fullmatch(cell):
                self.numbers[i] += 1
            if self.links[i] == self.filled[i] - 1 and cell.startswith(_LINK_STARTS):
                self.links[i] += 1

    def misfit(self, cells: Cells) -> str:
        """Why ``cells`` do not look like a row of this table, or "" when they do."""
        for i, cell in enumerate(cells):
            if not cell:
                continue
            name = repr(self.header[i])
            known = self.filled[i] >= _EVIDENCE
            if cell[0].isspace() and not self.spaced[i]:
                return f"its {name} starts with a space, as no {name} read cleanly does"
            if known and cell[0].islower() and not self.lower[i]:
                return f"its {name} starts in lower case, as no {name} read cleanly does"
            if known and self.numbers[i] == self.filled[i] and not _NUMBER.fullmatch(cell):
                return f"its {name} is not a number, as every {name} read cleanly is"
            if known and self.links[i] == self.filled[i] and not cell.startswith(_LINK_STARTS):
                return f"its {name} is not a link, as every {name} read cleanly is"
        return ""


class Stretch:
    """The lines a broken row may cover, and the rows read again in them, held.

    ``end`` is the stretch's last line (0 when none is open); ``broken_at`` the line of
    the last broken row in it, which a held row may be part of.
    """

    def __init__(self, source: str, shapes: Shapes, keep: Keep) -> None:
        self.source = source
        self.shapes = shapes
        self.keep = keep
        self.end = 0
        self.broken_at = 0
        self.held: list[tuple[int, Cells]] = []

    def covers(self, line: int) -> bool:
        return line <= self.end

    def reached(self, line: int) -> Iterator[Item]:
        """A row starts at ``line``: past the stretch's end, the stretch is over."""
        if self.end and line > self.end:
            yield from self.finish()

    def broken(self, line: int, end: int) -> Iterator[Item]:
        """A broken row at ``line`` may cover the lines up to ``end``.

        Inside a stretch, the rows held before it are rejected (the text of a broken
        row may run on up to it) and the stretch grows to cover both.
        """
        if self.covers(line):
            for held, _cells in self.held:
                yield self._rejection(held, f"a broken row follows it, at line {line}")
            self.held = []
            self.end = max(self.end, end)
        elif end > line:
            self.end = end
        self.broken_at = line

    def hold(self, line: int, cells: Cells) -> None:
        """A clean row in the stretch, kept or not once the stretch is over."""
        self.held.append((line, cells))

    def finish(self) -> Iterator[Item]:
        """The stretch is over: each held row kept when its cells fit their columns."""
        held, self.held, self.end = self.held, [], 0
        for line, cells in held:
            why = self.shapes.misfit(cells)
            yield self._rejection(line, why) if why else self.keep(line, cells)

    def _rejection(self, line: int, why: str) -> Rejection:
        reason = f"may be part of the broken row at line {self.broken_at} ({why}); skipped"
        return Rejection(self.source, line, reason)
