"""Small readers of JSON values that every feed mapper needs.

Feeds put numbers where text is expected (Greenhouse ids), nulls anywhere, and lists
where one value was expected. These helpers return "" or None instead of raising, since
a feed entry with one odd field should still become a posting.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def text(value: object) -> str:
    """A string or number as stripped text; anything else as ""."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return ""


def obj(value: object) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def objects(value: object) -> list[dict[str, Any]]:
    """The JSON objects in ``value``: one object, or the objects of a list."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def strings(value: object) -> list[str]:
    """The non-empty texts in ``value``: one string, or the strings of a list."""
    items = value if isinstance(value, list) else [value]
    return [t for t in (text(v) for v in items) if t]


def board_slug(url: object, hosts: tuple[str, ...]) -> str:
    """The company segment of a hosted board's url (``jobs.lever.co/zoox/...`` -> ``zoox``).

    Lever and Ashby entries do not name their company; the board's address does, spelled
    as the company chose (``1password``), so it is kept as written.
    """
    if not isinstance(url, str):
        return ""
    parts = urlsplit(url.strip())
    if parts.hostname not in hosts:
        return ""
    segments = [s for s in parts.path.split("/") if s]
    return segments[0] if segments else ""
