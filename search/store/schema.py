"""The Whoosh schema, and the mapping between a ``JobPosting`` and a Whoosh document.

This is the only module that knows field names. ``SCHEMA_VERSION`` is stored beside the
index; bump it whenever a field or an analyzer changes, so an old index asks to be rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from search.extract.locations import normalize_key, place_keys, remote_scope_keys
from search.extract.skills import vocabulary
from search.model import JobPosting, Pay, Place
from search.store.analysis import exact_analyzer, text_analyzer

SCHEMA_VERSION = 6

#: Searchable text fields and their BM25F boosts: a word in the title says more than
#: the same word in the tenth paragraph of the description.
FIELD_BOOSTS: dict[str, float] = {"title": 3.0, "description": 1.0}

#: Filter fields; values are normalised keys (see ``search.extract.locations.normalize_key``).
KEY_FIELDS = ("city_key", "state_key", "country_key", "region_key")
#: Facet fields; values are display names / codes.
FACET_FIELDS = ("city", "country", "skill", "role", "level")


def build_schema() -> Schema:
    keyword = {"commas": True, "scorable": False}
    return Schema(
        id=ID(stored=True, unique=True),
        content_hash=STORED(),
        dup_key=ID(sortable=True),
        title=TEXT(
            analyzer=text_analyzer(),
            stored=True,
            spelling=True,  # unstemmed title words for "did you mean" (spell_title field)
        ),
        skill_text=TEXT(analyzer=exact_analyzer()),
        description=TEXT(analyzer=text_analyzer(), stored=True),
        city=KEYWORD(**keyword),
        country=KEYWORD(**keyword),
        skill=KEYWORD(**keyword),
        role=ID(),
        level=ID(),
        employment_type=ID(),
        city_key=KEYWORD(**keyword),
        state_key=KEYWORD(**keyword),
        country_key=KEYWORD(**keyword),
        region_key=KEYWORD(**keyword),
        geo=KEYWORD(**keyword),
        remote=BOOLEAN(),
        posted=DATETIME(sortable=True),
        company_key=ID(),
        payload=STORED(),
    )


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
    keys: dict[str, set[str]] = {name: set() for name in ("city", "state", "country", "region")}
    geo: set[str] = set()
    for place in posting.places:
        for name, values in place_keys(place).items():
            keys.setdefault(name, set()).update(values)
        token = geo_token(place)
        if token:
            geo.add(token)
    if posting.remote:
        keys["country"].update(remote_scope_keys(posting.remote_scope))
    vocab = vocabulary()
    skill_forms = [form for skill in posting.skills for form in vocab.aliases(skill)]
    doc: dict[str, Any] = {
        "id": posting.id,
        "content_hash": content_hash(posting),
        "dup_key": duplicate_key(posting),
        "title": posting.title,
        "skill_text": " ; ".join(skill_forms),
        "description": posting.description,
        "city": _join(posting.cities),
        # Remote offers count under the countries they are open to, as the filter does.
        "country": _join(
            [*posting.countries, *(c for c in posting.remote_scope if len(c) == 2 and c.isupper())]
        ),
        "skill": _join(posting.skills),
        "city_key": _join(keys["city"]),
        "state_key": _join(keys["state"]),
        "country_key": _join(keys["country"]),
        "region_key": _join(keys["region"]),
        "geo": _join(geo),
        "remote": posting.remote,
        "payload": _payload(posting),
    }
    for name in ("role", "level", "employment_type"):
        value = getattr(posting, name)
        if value:
            doc[name] = value
    if posting.company:
        doc["company_key"] = normalize_key(posting.company)
    if posting.posted:
        doc["posted"] = datetime.combine(posting.posted, datetime.min.time())
    return doc


def from_stored(stored: dict[str, Any]) -> JobPosting:
    """Rebuild the posting from its stored fields, without reading the source files."""
    data = dict(stored["payload"])
    data["description"] = stored.get("description", "")
    data["places"] = tuple(Place(**p) for p in data.get("places", ()))
    for name in ("remote_scope", "skills"):
        data[name] = tuple(data.get(name) or ())
    for name in ("posted", "closes"):
        value = data.get(name)
        data[name] = date.fromisoformat(value) if value else None
    pay = data.get("pay")
    data["pay"] = Pay(**pay) if pay else None
    return JobPosting(**data)
