"""Which format a JSON object is in, decided by its keys, and its records.

Each test is a few key lookups, cheap enough to run on every line of a large JSON Lines
export: a Lever entry has ``categories`` and ``text``; a Greenhouse entry
``absolute_url``; an Ashby entry ``jobUrl`` with Ashby's flags; a schema.org object
``@type`` or ``@graph``. Anything else is a generic export row. An object with no
description of its own may wrap JSON-LD (a scraper's saved pages), which is looked for
before the object is read as an export.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from search.ingest.columns import canonical_key
from search.ingest.context import EXPORT, ReadContext
from search.ingest.draft import Draft
from search.ingest.exports import export_record
from search.ingest.feeds import ashby, greenhouse, jsonld, lever
from search.ingest.records import FieldError, Item, Rejection, json_kind

Mapper = Callable[[dict[str, Any], ReadContext], Draft]

#: (shape name, test, mapper), tried in order: Lever entries also carry ``applyUrl``.
_FEEDS: tuple[tuple[str, Callable[[dict[str, Any]], bool], Mapper], ...] = (
    ("lever", lever.is_lever, lever.draft),
    ("greenhouse", greenhouse.is_greenhouse, greenhouse.draft),
    ("ashby", ashby.is_ashby, ashby.draft),
)


#: Keys one of which every feed entry has; an object with none of them is an export row.
_MARKERS = frozenset({"@type", "@graph", "categories", "absolute_url", "jobUrl", "applyUrl"})


def shape_of(entry: dict[str, Any]) -> str:
    """``lever``, ``greenhouse``, ``ashby``, ``json-ld`` or ``export``."""
    if "@type" in entry or "@graph" in entry:
        return jsonld.SHAPE
    for name, test, _mapper in _FEEDS:
        if test(entry):
            return name
    return EXPORT


def _has_description(entry: dict[str, Any]) -> bool:
    return "description" in entry or any(
        isinstance(k, str) and canonical_key(k) == "description" for k in entry
    )


def records_of(value: object, ctx: ReadContext, line: int) -> Sequence[Item]:
    """The records one decoded JSON value holds, whatever its shape.

    A sequence rather than a generator: the common case is one export row, and this
    runs once per line of the largest files.
    """
    if not isinstance(value, dict):
        return (Rejection(ctx.source, line, f"expected a JSON object, got {json_kind(value)}"),)
    if not _MARKERS.isdisjoint(value):
        found = _feed_records(value, ctx, line)
        if found is not None:
            return found
    if not _has_description(value):
        embedded = list(jsonld.embedded(value, ctx, line))
        if embedded:
            return embedded
    ctx.saw(EXPORT)
    try:
        return (export_record(value, ctx.source, line, ctx.field_map),)
    except FieldError as exc:
        return (Rejection(ctx.source, line, str(exc)),)


def _feed_records(entry: dict[str, Any], ctx: ReadContext, line: int) -> Sequence[Item] | None:
    """Records of a feed entry, or None when the entry matches no feed after all."""
    if "@type" in entry or "@graph" in entry:
        return list(jsonld.records(entry, ctx, line))
    for name, test, mapper in _FEEDS:
        if test(entry):
            ctx.saw(name)
            try:
                return (mapper(entry, ctx).record(ctx.source, line, title_as_description=True),)
            except FieldError as exc:
                return (Rejection(ctx.source, line, str(exc)),)
    return None
