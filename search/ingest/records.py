"""Raw records and rejections, and the mapping of many exporters' key names onto ours.

Job boards name the same thing a dozen ways (``jobId``, ``job_id``, ``requisitionId``);
folding them here means every reader, whatever the format, hands the rest of the
pipeline the same seven canonical keys and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from search.ingest.htmltext import html_to_text

#: Canonical keys, in the order their problems are reported.
CANONICAL_KEYS = ("id", "title", "location", "description", "posted", "company", "url")

#: Accepted spellings of each canonical key, best first, after folding (see ``fold_key``).
#: A later spelling is used only when every earlier one is absent, null or empty, so
#: ``descriptionHtml`` and ``updated_at`` serve as last resorts.
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "jobid", "requisitionid", "uuid"),
    "title": ("title", "jobtitle", "name", "position"),
    "location": ("location", "locations", "joblocation", "locationname"),
    "description": (
        "description",
        "descriptionplain",
        "text",
        "body",
        "content",
        "descriptionhtml",
    ),
    "posted": (
        "posted",
        "date",
        "publishedat",
        "dateposted",
        "postedat",
        "createdat",
        "updatedat",
    ),
    "company": ("company", "companyname", "employer", "organization"),
    "url": ("url", "joburl", "applyurl", "link"),
}

#: folded key -> (canonical key, priority)
_LOOKUP: dict[str, tuple[str, int]] = {
    alias: (canonical, rank)
    for canonical, aliases in _ALIASES.items()
    for rank, alias in enumerate(aliases)
}

#: Keys of a place object that name it outright, and the parts to join when none does.
_PLACE_NAME_KEYS = ("name", "locationname", "label", "displayname", "text")
_PLACE_PART_KEYS = ("city", "region", "state", "country")

_KEY_NOISE = re.compile(r"[\s_\-]+")


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One posting as read from a file, before any extraction.

    ``fields`` holds only canonical keys with non-empty text. ``line`` is 1-based and
    points where the record starts, so a user can open the file at the right place.
    """

    fields: dict[str, str]
    source: str
    line: int


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record or file that could not be read, and why, in one short sentence."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


class FieldError(ValueError):
    """A record cannot become a ``RawRecord``; the message is the rejection reason."""


def fold_key(key: str) -> str:
    """``job_id``, ``jobId``, ``Job ID`` -> ``jobid``: one spelling to look up."""
    return _KEY_NOISE.sub("", key).casefold()


def canonical_key(key: str) -> str | None:
    """The canonical key a column or JSON key stands for, or None when it is unknown."""
    hit = _LOOKUP.get(fold_key(key))
    return hit[0] if hit else None


def json_kind(value: object) -> str:
    """The JSON name of a value's type, which is what a user sees in the file."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


def _place_text(place: object, key: str) -> str:
    """One place of a location list: a string, or an object with a name or city parts."""
    if isinstance(place, str):
        return place.strip()
    if isinstance(place, dict):
        folded = {fold_key(str(k)): v for k, v in place.items()}
        for name_key in _PLACE_NAME_KEYS:
            name = folded.get(name_key)
            if isinstance(name, str) and name.strip():
                return name.strip()
        parts = [folded.get(k) for k in _PLACE_PART_KEYS]
        return ", ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    raise FieldError(
        f"field {key!r} must be text or a list of places, got list of {json_kind(place)}"
    )


def _location_text(value: object, key: str) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return _place_text(value, key)
    if isinstance(value, list):
        names = (_place_text(place, key) for place in value)
        return "; ".join(dict.fromkeys(name for name in names if name))
    raise FieldError(f"field {key!r} must be text or a list of places, got {json_kind(value)}")


def _text(canonical: str, folded: str, key: str, value: object) -> str:
    """The text of one value, or FieldError naming the key as the file spells it."""
    if canonical == "location":
        return _location_text(value, key)
    if isinstance(value, str):
        text = value.strip()
        return html_to_text(text) if folded == "descriptionhtml" else text
    if canonical == "id" and isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    raise FieldError(f"field {key!r} must be text, got {json_kind(value)}")


def normalise_fields(raw: Mapping[str, Any]) -> dict[str, str]:
    """Canonical fields of one record; FieldError when it cannot be indexed.

    Unknown keys are ignored. For each canonical key the best-ranked spelling that is
    present and not null or empty wins; only that value's type is checked, so a stray
    ``name`` object does not sink a record that also has a ``title``.
    """
    candidates: dict[str, list[tuple[int, str, str, object]]] = {}
    for key, value in raw.items():
        if value is None or not isinstance(key, str):
            continue
        folded = fold_key(key)
        hit = _LOOKUP.get(folded)
        if hit is not None:
            candidates.setdefault(hit[0], []).append((hit[1], folded, key, value))
    fields: dict[str, str] = {}
    for canonical in CANONICAL_KEYS:
        for _rank, folded, key, value in sorted(candidates.get(canonical, ()), key=_rank_of):
            text = _text(canonical, folded, key, value)
            if text:
                fields[canonical] = text
                break
    if "description" not in fields:
        raise FieldError("missing description")
    return fields


def _rank_of(candidate: tuple[int, str, str, object]) -> int:
    return candidate[0]
