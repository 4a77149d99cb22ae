"""Readers for JSON Lines and JSON documents, whatever the shape of their entries.

Each reader takes an open byte stream and yields records and rejections in file order;
a bad record costs only itself, never its neighbours. What an entry is (a Greenhouse
job, a Lever posting, JSON-LD, a plain export row) is decided per entry by its keys
(``feeds.shapes``), so a board's API response saved under any name reads the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO, TypeGuard

from search.ingest.columns import canonical_key
from search.ingest.context import ReadContext
from search.ingest.feeds.shapes import records_of
from search.ingest.files import (
    MAX_LINE_BYTES,
    DocumentTooLargeError,
    numbered_lines,
    read_document,
)
from search.ingest.records import Item, Rejection

#: Keys under which APIs wrap their list of postings (``{"jobs": [...]}``).
_WRAPPER_KEYS = ("jobs", "postings", "results", "data", "items", "hits", "records")
_JSON_SPACE = " \t\n\r"
#: Keys of which a posting in an unnamed wrapper list has one.
_POSTING_KEYS = frozenset({"title", "description"})


def read_jsonl(stream: BinaryIO, ctx: ReadContext) -> Iterator[Item]:
    """One object (or a list of them) per non-blank line; a bad line is rejected with its
    own line number."""
    source = ctx.source
    for number, raw in numbered_lines(stream):
        if raw is None:
            limit = MAX_LINE_BYTES >> 20
            yield Rejection(source, number, f"line longer than {limit} MB; skipped")
            continue
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
        if _is_object_list(value):  # a line may hold several postings
            for entry in value:
                yield from records_of(entry, ctx, number)
        else:
            yield from records_of(value, ctx, number)


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
    """Offset of the value of key ``wanted`` in the object opening at ``pos``: of its
    last occurrence, since that is the value the json module keeps for a repeated key."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, pos + 1)
    found = -1
    while True:
        key, end = decoder.raw_decode(text, pos)
        value_start = _skip_space(text, _skip_space(text, end) + 1)  # past the colon
        if key == wanted:
            found = value_start
        _, end = decoder.raw_decode(text, value_start)
        pos = _skip_space(text, end)
        if not text.startswith(",", pos):
            return found
        pos = _skip_space(text, pos + 1)


def _wrapper_key(document: dict[str, Any]) -> str | None:
    """The key wrapping a list of postings, when the document is such a wrapper.

    A key named like one (``jobs``, ``results``) first; else, for a document with no
    title of its own, the only key whose value is a list of postings (objects each with
    a title or a description: ``{"positions": [...], "count": 2}``). A document that
    has its own description is a single posting, not a wrapper.
    """
    keys = {canonical_key(k) for k in document}
    if "description" in keys:
        return None
    for key in document:
        if key.lower() in _WRAPPER_KEYS and isinstance(document[key], list):
            return key
    if "title" in keys:
        return None
    lists = [key for key, value in document.items() if _is_postings_list(value)]
    return lists[0] if len(lists) == 1 else None


def _is_object_list(value: object) -> TypeGuard[list[dict[str, Any]]]:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _is_postings_list(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(v, dict) and any(canonical_key(k) in _POSTING_KEYS for k in v) for v in value
        )
    )


def _json_items(text: str) -> tuple[list[tuple[int, Any]], dict[str, Any]]:
    """Top-level postings of a JSON document with their start offsets, and the wrapper.

    An array, a single object, or an object wrapping the array under a key such as
    ``jobs`` (returned as the wrapper, else ``{}``). Raises JSONDecodeError (or
    ValueError/RecursionError) for invalid JSON.
    """
    pos = _skip_space(text, 0)
    wrapper: dict[str, Any] = {}
    if text.startswith("[", pos):
        items, end = _scan_array(text, pos)
    else:
        document, end = json.JSONDecoder().raw_decode(text, pos)
        key = _wrapper_key(document) if isinstance(document, dict) else None
        if key is None:
            items = [(pos, document)]
        else:
            items, _ = _scan_array(text, _wrapped_array_start(text, pos, key))
            wrapper = document
    end = _skip_space(text, end)
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return items, wrapper


def read_json(stream: BinaryIO, ctx: ReadContext) -> Iterator[Item]:
    """A whole JSON document, at most ``MAX_DOCUMENT_BYTES``, since JSON must be read whole.

    A record's line is the line where its object starts. An invalid document is one
    rejection at the decoder's line, and nothing from it is kept. A wrapper's
    ``company`` is the company of entries that name none (scrapers save boards so).
    """
    source = ctx.source
    try:
        data = read_document(stream)
    except DocumentTooLargeError as exc:
        yield Rejection(source, 1, str(exc))
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        yield Rejection(source, line, "not valid UTF-8 text")
        return
    del data
    if not text.strip():
        yield Rejection(source, 1, "empty JSON file")
        return
    try:
        items, wrapper = _json_items(text)
    except json.JSONDecodeError as exc:
        reason = f"invalid JSON: {exc.msg} (col {exc.colno})"
        yield Rejection(source, exc.lineno, reason)
        return
    except (ValueError, RecursionError) as exc:
        yield Rejection(source, 1, f"invalid JSON: {_short(exc)}")
        return
    company = next((v for k, v in wrapper.items() if canonical_key(k) == "company"), "")
    ctx.company = company.strip() if isinstance(company, str) else ""
    line, counted_to = 1, 0
    for offset, value in items:
        line += text.count("\n", counted_to, offset)
        counted_to = offset
        yield from records_of(value, ctx, line)
