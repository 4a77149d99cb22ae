"""A ``JobPosting`` as an index document, and back: the mapping, with no extraction in it.

``to_document`` gives everything the segment writer needs for one posting: the stored
fields, every field's terms with their weights, the field lengths and the words for
spelling. Text fields are analysed with ``FastTextAnalysis`` (the same terms as the
schema's Whoosh analyzer, several times faster); the other fields with Whoosh's own
``field.index`` so their terms are exactly Whoosh's. Filter keys and skill spellings come
from the extractors' own functions.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from whoosh.fields import KEYWORD
from whoosh.support.charset import accent_map

from search.extract.skills import named_skills, skill_spellings
from search.extract.text import normalize_key
from search.model import JobPosting, Pay, Place
from search.store import fields as f
from search.store.analysis import TOKEN_PATTERN, FastTextAnalysis, exact_terms
from search.store.phrases import phrase_terms
from search.store.positions import grouped
from search.store.schema import shared_schema

_TOKENS = re.compile(TOKEN_PATTERN).findall
_TITLES = FastTextAnalysis.titles()
#: Days are counted from this date in the ``posted`` doc value.
EPOCH = date(1970, 1, 1)

#: term -> weight (a count), one field of one document; a term is bytes where the field
#: encodes values in binary (dates), else text
Postings = dict[Any, int]


@dataclass(slots=True)
class IndexedDoc:
    """One posting as the segment writer takes it."""

    id: str
    stored: dict[str, Any]
    postings: dict[str, Postings]
    lengths: dict[str, int]
    #: Word positions of the title (both analyses) and the description, grouped by term
    #: in the order of their ``postings`` (see ``search.store.positions``).
    positions: dict[str, array[int]] = field(default_factory=dict)
    #: Unstemmed title words, for "did you mean" (the ``spell_title`` field).
    spelling: list[str] = field(default_factory=list)
    #: Days since 1970-01-01 of the posting date, -1 when undated.
    posted_day: int = -1
    #: 64-bit key shared by the copies of one job posted for several places.
    dup: int = 0
    content_hash: str = ""
    #: The stated pay, a year's worth in its own currency (NaN when none is stated).
    pay_low: float = math.nan
    pay_high: float = math.nan
    #: The minimum years of experience required, -1 when none is stated.
    years: int = -1
    #: When the posting's id first entered the index (seconds since 1970, UTC).
    indexed: float = 0.0


def duplicate_key(posting: JobPosting) -> str:
    """Postings with the same employer, title and text are one job offered in several places.

    Employers post one job once per location; a job seeker wants it once, with all its
    locations. Case and white space are ignored.
    """
    parts = (posting.company or "", posting.title, posting.description)
    normalised = "\x1f".join(" ".join(p.split()).casefold() for p in parts)
    return hashlib.blake2b(normalised.encode(), digest_size=10).hexdigest()


def dup_number(key: str) -> int:
    """The duplicate key as a signed 64-bit number, for a doc-value column."""
    return int.from_bytes(bytes.fromhex(key)[:8], "big", signed=True)


def geo_token(place: Place) -> str | None:
    """A place's coordinates as one ``geo`` term, ``"47.6062:-122.3321"``."""
    if place.lat is None or place.lon is None:
        return None
    return f"{place.lat:.4f}:{place.lon:.4f}"


def content_hash(posting: JobPosting, payload: dict[str, Any] | None = None) -> str:
    """A digest of everything stored for a posting: equal digests mean nothing changed.

    Where it was read from (``source``, file and line) is left out: a feed that lists its
    jobs in another order has not changed them.
    """
    data = dict(payload if payload is not None else _payload(posting))
    data.pop("source", None)
    data.pop("indexed_at", None)
    blob = json.dumps(data, sort_keys=True, default=str).encode()
    blob += b"\x1f" + posting.description.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(blob, digest_size=16).hexdigest()


_PLAIN = tuple(f.name for f in fields(JobPosting) if f.name not in ("description", "places", "pay"))


@lru_cache(maxsize=65536)
def _place_dict(place: Place) -> dict[str, Any]:
    return {f.name: getattr(place, f.name) for f in fields(Place)}


def _payload(posting: JobPosting) -> dict[str, Any]:
    """The stored form of a posting without its description: JSON-ready values only.

    Written by hand rather than with ``dataclasses.asdict``, which deep-copies every value
    and was the largest single cost of indexing.
    """
    data: dict[str, Any] = {name: getattr(posting, name) for name in _PLAIN}
    data["places"] = [dict(_place_dict(p)) for p in posting.places]
    data["pay"] = (
        {f.name: getattr(posting.pay, f.name) for f in fields(Pay)} if posting.pay else None
    )
    for name in ("remote_scope", "skills"):
        data[name] = list(data[name])
    data["extra"] = dict(posting.extra)
    for name in ("posted", "closes", "indexed_at"):
        value = getattr(posting, name)
        data[name] = value.isoformat() if value else None
    return data


def _spelling(text: str) -> list[str]:
    """The unstemmed words of a title, as ``TEXT(spelling=True)`` stores them."""
    words = {t.lower().translate(accent_map) for t in _TOKENS(text)}
    return sorted(w for w in words if len(w) > 1 and w not in _stop_words())


@cache
def _stop_words() -> frozenset[str]:
    from whoosh.analysis import STOP_WORDS

    return frozenset(STOP_WORDS)


def _join(values: set[str] | list[str] | tuple[str, ...]) -> str:
    return ",".join(sorted({v.replace(",", " ") for v in values if v}))


def _keyword_values(posting: JobPosting, dup_key: str) -> dict[str, object]:
    """The values of the filter and facet fields, as Whoosh's field types take them."""
    # Only writing needs the location extractor (and its patterns): not at search start-up.
    from search.extract.locations import filter_keys

    keys = filter_keys(posting.places, posting.remote, posting.remote_scope)
    remote_countries = [c for c in posting.remote_scope if len(c) == 2 and c.isupper()]
    values: dict[str, object] = {
        f.ID: posting.id,
        f.DUP_KEY: dup_key,
        f.CITY: _join(posting.cities),
        # Remote offers count under the countries they are open to, as the filter does.
        f.COUNTRY: _join([*posting.countries, *remote_countries]),
        f.SKILL: _join(posting.skills),
        f.SKILL_NAMED: _join(named_skills(f"{posting.title}\n{posting.description}")),
        f.GEO: _join([token for place in posting.places if (token := geo_token(place))]),
        f.REMOTE: posting.remote,
        f.ROLE: posting.role,
        f.LEVEL: posting.level,
        f.EMPLOYMENT_TYPE: posting.employment_type,
        f.COMPANY_KEY: normalize_key(posting.company) if posting.company else None,
        f.COMPANY: posting.company,
        f.WORKPLACE: workplace_of(posting),
        f.PAY_CURRENCY: posting.pay.currency if posting.pay else None,
        f.PAY_KIND: pay_kind(posting.pay),
        f.DEGREE: posting.degree,
        f.SOURCE_FILE: source_file(posting.source),
    }
    for name, key_field in f.PLACE_KEY_FIELDS.items():
        values[key_field] = _join(keys[name])
    return values


def source_file(source: str) -> str | None:
    """The absolute path of the file of a posting's ``path:line`` source (None if none)."""
    path, _, line = source.rpartition(":")
    if not path or not line.isdigit():
        return None
    # A relative path means another file from another working directory.
    return _resolved(path, "" if os.path.isabs(path) else os.getcwd())


@lru_cache(maxsize=1024)
def _resolved(path: str, cwd: str) -> str:
    """Resolved once per file, not once per posting (every line of a file differs)."""
    return str((Path(cwd) / path).resolve() if cwd else Path(path).resolve())


def workplace_of(posting: JobPosting) -> str | None:
    """Where the work happens, for filters and facets, as comma-separated values: as
    stated, and remote too when the posting is open to remote work ("San Francisco
    (Hybrid) OR Remote"); None (unknown) when the posting says neither. Naming a place
    is not saying "onsite": the place may be the office of a hybrid team or of a
    remote-based contract."""
    kinds = [posting.workplace] if posting.workplace else []
    if posting.remote and "remote" not in kinds:
        kinds.append("remote")
    return ",".join(kinds) or None


def pay_kind(pay: Pay | None) -> str | None:
    """ "estimate" for pay a job site estimated, "stated" for pay the posting states, None
    without pay: a pay filter leaves estimates out unless asked for them."""
    if pay is None:
        return None
    return "estimate" if pay.estimate else "stated"


def _keyword_postings(value: object, commas: bool) -> Postings:
    """What Whoosh indexes for a value of a comma-separated KEYWORD (``commas``), an ID or
    a BOOLEAN field (tests compare this with Whoosh's own ``field.index``): an ID takes
    its value whole ("Acme, Inc." is one employer)."""
    if isinstance(value, bool):
        return {"t" if value else "f": 1}
    text = str(value)
    if not commas or "," not in text:
        return {text: 1}
    return dict(Counter(part.strip() for part in text.split(",") if part.strip()))


@cache
def _splits_at_commas(name: str) -> bool:
    return isinstance(shared_schema()[name], KEYWORD)


@lru_cache(maxsize=4096)
def _date_postings(day: date) -> tuple[tuple[bytes, int], ...]:
    """The terms of a date in Whoosh's DATETIME field (several precisions per value)."""
    moment = datetime.combine(day, datetime.min.time())
    return tuple((t, 1) for t, _freq, _w, _v in shared_schema()[f.POSTED].index(moment))


def to_document(
    posting: JobPosting,
    analysis: FastTextAnalysis,
    digest: str | None = None,
    indexed: float | None = None,
) -> IndexedDoc:
    """Everything the segment writer stores and indexes for one posting.

    ``digest`` is the posting's ``content_hash`` when the caller has it already;
    ``indexed`` when its id first entered the index (seconds since 1970), else now.
    """
    first = indexed if indexed is not None else time.time()
    posting = replace(posting, indexed_at=datetime.fromtimestamp(first, tz=UTC))
    payload = _payload(posting)
    key = duplicate_key(posting)
    title_terms = analysis.terms(posting.title)
    title_words = _TITLES.terms(posting.title)
    body_terms = analysis.terms(posting.description)
    skill_terms = exact_terms(" ; ".join(skill_spellings(posting.skills)))
    title_counts, body_counts = Counter(title_terms), Counter(body_terms)
    title_word_counts = Counter(title_words)
    postings: dict[str, Postings] = {
        f.TITLE: title_counts,
        f.TITLE_WORDS: title_word_counts,
        f.DESCRIPTION: body_counts,
        f.SKILL_TEXT: Counter(skill_terms),
        f.TITLE_PHRASE: phrase_terms(title_terms),
        f.DESCRIPTION_PHRASE: phrase_terms(body_terms),
    }
    for name, value in _keyword_values(posting, key).items():
        if value is not None and value != "":
            postings[name] = _keyword_postings(value, _splits_at_commas(name))
    if posting.posted:
        postings[f.POSTED] = dict(_date_postings(posting.posted))
    digest = digest or content_hash(posting, payload)
    return IndexedDoc(
        id=posting.id,
        stored={
            f.ID: posting.id,
            f.CONTENT_HASH: digest,
            f.TITLE: posting.title,
            f.DESCRIPTION: posting.description,
            f.PAYLOAD: payload,
        },
        postings={name: terms for name, terms in postings.items() if terms},
        positions={
            f.TITLE: grouped(title_terms, title_counts),
            f.TITLE_WORDS: grouped(title_words, title_word_counts),
            f.DESCRIPTION: grouped(body_terms, body_counts),
        },
        lengths={
            f.TITLE: len(title_terms),
            f.TITLE_WORDS: len(title_words),
            f.DESCRIPTION: len(body_terms),
            f.SKILL_TEXT: len(skill_terms),
        },
        spelling=_spelling(posting.title),
        posted_day=(posting.posted - EPOCH).days if posting.posted else -1,
        dup=dup_number(key),
        content_hash=digest,
        pay_low=_annual(posting.pay, low=True),
        pay_high=_annual(posting.pay, low=False),
        years=posting.experience_years if posting.experience_years is not None else -1,
        indexed=first,
    )


def _annual(pay: Pay | None, low: bool) -> float:
    if pay is None:
        return math.nan
    value = pay.annual_min if low else pay.annual_max
    return math.nan if value is None else float(value)


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
    indexed = data.get("indexed_at")
    data["indexed_at"] = datetime.fromisoformat(indexed) if indexed else None
    pay = data.get("pay")
    data["pay"] = Pay(**pay) if pay else None
    return JobPosting(**data)
