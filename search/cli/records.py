"""Results as data for programs: JSON, JSON Lines and CSV, with no colour codes.

Every command offers the four formats; the records they write are shaped once in
``search.records``. JSON escapes the characters a terminal acts on, CSV neutralises
cells a spreadsheet would run as formulas (``search.cli.safe``), and booleans are written
``true``/``false``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from enum import StrEnum
from typing import Any

from search.cli.safe import csv_cell, json_text


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


def _flat(value: object) -> object:
    """A CSV cell: booleans as true/false, lists joined by "; ", None empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return "" if value is None else value


def csv_lines(
    rows: Iterable[Mapping[str, object]], columns: Sequence[str], *, raw: bool = False
) -> Iterator[str]:
    """CSV text a row at a time (header first), for output that streams."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: csv_cell(_flat(row.get(name)), raw=raw) for name in columns})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def to_json(data: Any) -> str:
    """Indented JSON; text keeps every character (terminal controls as escapes)."""
    return json_text(json.dumps(data, ensure_ascii=False, indent=2))


def json_line(record: Mapping[str, Any]) -> str:
    return json_text(json.dumps(record, ensure_ascii=False)) + "\n"
