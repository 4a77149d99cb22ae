"""Writing a command's result in the format asked for.

Each command says what its result is in each format (a renderable for the table, a
document for JSON, records for JSON Lines, rows for CSV); ``write`` prints the one asked
for. Only the chosen one is built: the others are given as callables or generators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from search.cli.app import emit, say, show
from search.cli.records import OutputFormat, csv_lines, json_line, to_json
from search.records import CSV_COLUMNS, hit_record, posting_row
from search.results import Hit

if TYPE_CHECKING:
    from rich.console import RenderableType

Rows = Iterable[Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class Shapes:
    """One result in every format, each built only when asked for."""

    view: Callable[[], RenderableType]
    document: Callable[[], Any]
    #: JSON Lines records.
    lines: Callable[[], Rows]
    #: CSV rows, with their columns.
    rows: Callable[[], Rows]
    columns: Sequence[str] = CSV_COLUMNS
    #: Messages for a person that the table shows and the other formats send to stderr.
    notes: Sequence[str] = field(default_factory=tuple)


def write(fmt: str, shapes: Shapes, *, raw: bool = False, page: bool = False) -> None:
    """Print ``shapes`` as ``fmt``; notes go to stderr unless the table or JSON holds them.

    ``page``: a table taller than the terminal goes through the user's pager.
    """
    chosen = OutputFormat(fmt)
    if chosen is OutputFormat.TABLE:
        show(shapes.view(), page=page)
        return
    if chosen is OutputFormat.JSON:
        emit(to_json(shapes.document()))
        return
    # Line by line: a pipe reader (``| head``) sees the first line at once, and an export
    # of every match (``--all-results``) holds one hit at a time.
    if chosen is OutputFormat.JSONL:
        chunks: Iterable[str] = map(json_line, shapes.lines())
    else:
        chunks = csv_lines(shapes.rows(), shapes.columns, raw=raw)
    for chunk in chunks:
        emit(chunk)
    for note in shapes.notes:
        say(note)


def hit_shapes(
    hits: Iterable[Hit],
    short: Mapping[str, str],
    view: Callable[[], RenderableType],
    document: Callable[[], Any],
    notes: Sequence[str] = (),
) -> Shapes:
    """The shapes of some hits: one record or row per hit (``hits`` may be a stream,
    read once, for JSON Lines and CSV)."""
    return Shapes(
        view=view,
        document=document,
        lines=lambda: (hit_record(h, short.get(h.posting.id)) for h in hits),
        rows=lambda: (posting_row(h) for h in hits),
        notes=notes,
    )
