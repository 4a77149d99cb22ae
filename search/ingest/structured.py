"""Readers for structured exports: JSON Lines, JSON documents and CSV with a header.

Each reader takes an open byte stream and yields records and rejections in file order;
a bad record costs only itself, never its neighbours.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from search.ingest.files import NotUtf8Error, numbered_lines, text_lines
from search.ingest.records import (
    FieldError,
    RawRecord,
    Rejection,
    canonical_key,
    json_kind,
    normalise_fields,
)

Item = RawRecord | Rejection

#: Keys under which APIs wrap their list of postings (``{"jobs": [...]}``).
_WRAPPER_KEYS = ("jobs", "postings", "results", "data", "items", "hits", "records")
_JSON_SPACE = " \t\n\r"
#: Large enough for any real description; the csv module's default is 128 KiB.
_CSV_FIELD_LIMIT = 1 << 26


def _record(value: object, source: str, line: int) -> Item:
    """A decoded JSON value -> RawRecord, or a Rejection saying what is wrong with it."""
    if not isinstance(value, dict):
        return Rejection(source, line, f"expected a JSON object, got {json_kind(value)}")
    try:
        return RawRecord(normalise_fields(value), source, line)
    except FieldError as exc:
        return Rejection(source, line, str(exc))


def read_jsonl(stream: BinaryIO, source: str) -> Iterator[Item]:
    """One object per non-blank line; a bad line is rejected with its own line number."""
    for number, raw in numbered_lines(stream):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield Rejection(source, number, "not valid UTF-8 text")
            continue
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield Rejection(source, number, f"invalid JSON: {exc.msg} (col {exc.colno})")
            continue
        except (ValueError, RecursionError) as exc:
            yield Rejection(source, number, f"invalid JSON: {_short(exc)}")
            continue
        yield _record(value, source, number)


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return text.split(";")[0][:120]


# --- JSON documents -------------------------------------------------------------------


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _JSON_SPACE:
        pos += 1
    return pos


def _scan_array(text: str, pos: int) -> tuple[list[tuple[int, Any]], int]:
    """Elements of the array opening at ``pos`` with their start offsets; end offset.

    Decoding element by element costs no more than ``json.loads`` and tells us where
    each object starts, so rejections can point at a real line.
    """
    decoder = json.JSONDecoder()
    items: list[tuple[int, Any]] = []
    pos = _skip_space(text, pos + 1)
    if text.startswith("]", pos):
        return items, pos + 1
    while True:
        value, end = decoder.raw_decode(text, pos)
        items.append((pos, value))
        pos = _skip_space(text, end)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
        elif text.startswith("]", pos):
            return items, pos + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)


def _wrapped_array_start(text: str, pos: int, wanted: str) -> int:
    """Offset of the value of key ``wanted`` in the object opening at ``pos``."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, pos + 1)
    while True:
        key, end = decoder.raw_decode(text, pos)
        value_start = _skip_space(text, _skip_space(text, end) + 1)  # past the colon
        if key == wanted:
            return value_start
        _, end = decoder.raw_decode(text, value_start)
        pos = _skip_space(text, _skip_space(text, end) + 1)  # past the comma


def _wrapper_key(document: dict[str, Any]) -> str | None:
    """The key wrapping a list of postings, when the document is such a wrapper.

    A document that has its own description is a single posting, not a wrapper.
    """
    if any(canonical_key(k) == "description" for k in document):
        return None
    for key in document:
        if key.lower() in _WRAPPER_KEYS and isinstance(document[key], list):
            return key
    return None


def _json_items(text: str) -> list[tuple[int, Any]]:
    """Top-level postings of a JSON document with their start offsets.

    An array, a single object, or an object wrapping the array under a key such as
    ``jobs``. Raises JSONDecodeError (or ValueError/RecursionError) for invalid JSON.
    """
    pos = _skip_space(text, 0)
    if text.startswith("[", pos):
        items, end = _scan_array(text, pos)
    else:
        document, end = json.JSONDecoder().raw_decode(text, pos)
        key = _wrapper_key(document) if isinstance(document, dict) else None
        if key is None:
            items = [(pos, document)]
        else:
            items, _ = _scan_array(text, _wrapped_array_start(text, pos, key))
    end = _skip_space(text, end)
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return items


def read_json(stream: BinaryIO, source: str) -> Iterator[Item]:
    """A whole JSON document; the only format read into memory, since JSON must be.

    A record's line is the line where its object starts. An invalid document is one
    rejection at the decoder's line, and nothing from it is kept.
    """
    data = stream.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        yield Rejection(source, line, "not valid UTF-8 text")
        return
    if not text.strip():
        yield Rejection(source, 1, "empty JSON file")
        return
    try:
        items = _json_items(text)
    except json.JSONDecodeError as exc:
        reason = f"invalid JSON: {exc.msg} (col {exc.colno})"
        yield Rejection(source, exc.lineno, reason)
        return
    except (ValueError, RecursionError) as exc:
        yield Rejection(source, 1, f"invalid JSON: {_short(exc)}")
        return
    line, counted_to = 1, 0
    for offset, value in items:
        line += text.count("\n", counted_to, offset)
        counted_to = offset
        yield _record(value, source, line)


# --- CSV ------------------------------------------------------------------------------


def read_csv(stream: BinaryIO, source: str) -> Iterator[Item]:
    """CSV with a header row; a record's line is the physical line its row starts on.

    Quoted fields may span lines. A file that is not UTF-8 is rejected where the bad
    line is and reading stops, since the rest cannot be trusted to align with the header.
    """
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(text_lines(stream))
    try:
        yield from _csv_rows(reader, source)
    except NotUtf8Error as exc:
        yield Rejection(source, exc.line, "not valid UTF-8 text; stopped reading the file")
    except csv.Error as exc:
        yield Rejection(source, reader.line_num, f"unreadable CSV: {exc}")


def _csv_rows(reader: Any, source: str) -> Iterator[Item]:
    header: list[str] | None = None
    keys: list[str | None] = []
    last_line = 0
    for row in reader:
        start, last_line = last_line + 1, reader.line_num
        if not row:
            continue
        if header is None:
            header = row
            keys = [canonical_key(name) for name in header]
            if "description" not in keys:
                found = ", ".join(repr(name) for name in header)
                yield Rejection(source, start, f"no description column; found {found}")
                return
            continue
        if len(row) != len(header):
            reason = f"row has {len(row)} fields, header has {len(header)}"
            yield Rejection(source, start, reason)
            continue
        raw = {name: value for name, key, value in zip(header, keys, row, strict=True) if key}
        try:
            yield RawRecord(normalise_fields(raw), source, start)
        except FieldError as exc:
            yield Rejection(source, start, str(exc))
    if header is None:
        yield Rejection(source, 1, "empty CSV file: no header row")
