"""A ``JobPosting`` as a Whoosh document, and back: the mapping, with no extraction in it.

Filter keys and skill spellings come from the extractors' own functions; this module
only puts each value in its field.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from search.extract.locations import filter_keys
from search.extract.skills import skill_spellings
from search.extract.text import normalize_key
from search.model import JobPosting, Pay, Place
from search.store import fields as f

_SPACE = re.compile(r"\s+")


def duplicate_key(posting: JobPosting) -> str:
    """Postings with the same employer, title and text are one job offered in several places.

    Employers post one job once per location; a job seeker wants it once, with all its
    locations. Case and white space are ignored.
    """
    parts = (posting.company or "", posting.title, posting.description)
    normalised = "\x1f".join(_SPACE.sub(" ", p).strip().casefold() for p in parts)
    return hashlib.blake2b(normalised.encode(), digest_size=10).hexdigest()


def geo_token(place: Place) -> str | None:
    """A place's coordinates as one ``geo`` term, ``"47.6062:-122.3321"``."""
    if place.lat is None or place.lon is None:
        return None
    return f"{place.lat:.4f}:{place.lon:.4f}"


def content_hash(posting: JobPosting) -> str:
    """A digest of everything stored for a posting: equal digests mean nothing changed."""
    blob = json.dumps(_payload(posting), sort_keys=True, default=str).encode()
    return hashlib.blake2b(blob, digest_size=16).hexdigest()


def _payload(posting: JobPosting) -> dict[str, Any]:
    data = asdict(posting)
    data.pop("description")
    for name in ("posted", "closes"):
        value = getattr(posting, name)
        data[name] = value.isoformat() if value else None
    return data


def _join(values: set[str] | list[str] | tuple[str, ...]) -> str:
    return ",".join(sorted({v.replace(",", " ") for v in values if v}))


def to_document(posting: JobPosting) -> dict[str, Any]:
    """The Whoosh document for a posting (``update_document`` keyword arguments)."""
    keys = filter_keys(posting.places, posting.remote, posting.remote_scope)
    remote_countries = [c for c in posting.remote_scope if len(c) == 2 and c.isupper()]
    doc: dict[str, Any] = {
        f.ID: posting.id,
        f.CONTENT_HASH: content_hash(posting),
        f.DUP_KEY: duplicate_key(posting),
        f.TITLE: posting.title,
        f.SKILL_TEXT: " ; ".join(skill_spellings(posting.skills)),
        f.DESCRIPTION: posting.description,
        f.CITY: _join(posting.cities),
        # Remote offers count under the countries they are open to, as the filter does.
        f.COUNTRY: _join([*posting.countries, *remote_countries]),
        f.SKILL: _join(posting.skills),
        f.GEO: _join([token for place in posting.places if (token := geo_token(place))]),
        f.REMOTE: posting.remote,
        f.PAYLOAD: _payload(posting),
    }
    for name, field in f.PLACE_KEY_FIELDS.items():
        doc[field] = _join(keys[name])
    for field, value in (
        (f.ROLE, posting.role),
        (f.LEVEL, posting.level),
        (f.EMPLOYMENT_TYPE, posting.employment_type),
    ):
        if value:
            doc[field] = value
    if posting.company:
        doc[f.COMPANY_KEY] = normalize_key(posting.company)
    if posting.posted:
        doc[f.POSTED] = datetime.combine(posting.posted, datetime.min.time())
    return doc


def from_stored(stored: dict[str, Any]) -> JobPosting:
    """Rebuild the posting from its stored fields, without reading the source files."""
    data = dict(stored[f.PAYLOAD])
    data["description"] = stored.get(f.DESCRIPTION, "")
    data["places"] = tuple(Place(**p) for p in data.get("places", ()))
    for name in ("remote_scope", "skills"):
        data[name] = tuple(data.get(name) or ())
    for name in ("posted", "closes"):
        value = data.get(name)
        data[name] = date.fromisoformat(value) if value else None
    pay = data.get("pay")
    data["pay"] = Pay(**pay) if pay else None
    return JobPosting(**data)
