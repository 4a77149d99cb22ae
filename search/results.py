"""What a search returns: small frozen dataclasses that iterate and have a length."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date

from search.errors import InvalidFilterError
from search.model import JobPosting

#: Marks around matched words in ``Hit.snippet`` (the convention of web search APIs).
MARK_OPEN, MARK_CLOSE = "<em>", "</em>"

DEFAULT_RADIUS_KM = 50.0
KM_PER_MILE = 1.609344
_RADIUS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km|mi|miles?|kilometers?|kilometres?)?\s*$", re.I)


def parse_radius(text: object) -> float:
    """``"50km"``, ``"30 mi"``, ``"25"`` (km) or a number -> kilometres."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        km = float(text)
    elif isinstance(text, str):
        match = _RADIUS.match(text)
        if not match:
            raise InvalidFilterError(
                f"unreadable radius {text!r}", hint="write it like 50km, 30mi or 25"
            )
        km = float(match.group(1))
        if (match.group(2) or "km").lower().startswith("mi"):
            km *= KM_PER_MILE
    else:
        raise InvalidFilterError(f"a radius must be a number or text like 50km, not {text!r}")
    if not 0 < km <= 20_000:
        raise InvalidFilterError(f"radius {km:g} km is out of range", hint="use 1 to 20000 km")
    return km


def _values(name: str, value: object) -> tuple[str, ...]:
    """A list filter's values: one string or a sequence of strings, blanks dropped."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Sequence | set | frozenset) or not all(
        isinstance(v, str) for v in value
    ):
        raise InvalidFilterError(f"filter {name!r} takes text or a list of texts, not {value!r}")
    return tuple(v for v in value if v.strip())


def _day(value: object) -> date | None:
    if value is None or (isinstance(value, date)):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidFilterError(f"unreadable date {value!r}", hint="give a date or YYYY-MM-DD")


@dataclass(frozen=True, slots=True)
class Filters:
    """Search filters. Several values of one filter are ORed; different filters ANDed."""

    city: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    skill: tuple[str, ...] = ()
    role: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    employment_type: tuple[str, ...] = ()
    remote: bool | None = None
    since: date | None = None
    exclude: tuple[str, ...] = ()
    exclude_company: tuple[str, ...] = ()
    near: str | None = None
    radius_km: float | None = None

    @classmethod
    def of(cls, values: Mapping[str, object] | None = None, **more: object) -> Filters:
        """Filters from values as a library user writes them, checked.

        Each list filter takes one string or a list of strings; ``since`` a date or
        ``"YYYY-MM-DD"``; ``radius_km`` a number of kilometres or text such as ``"30mi"``
        (default 50 km with ``near``). A misspelt name or a value of the wrong type raises
        ``InvalidFilterError`` instead of being ignored.
        """
        given = {**(values or {}), **more}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(given) - known)
        if unknown:
            raise InvalidFilterError(
                f"unknown filter {unknown[0]!r}", hint=f"filters: {', '.join(sorted(known))}"
            )
        remote = given.get("remote")
        if remote is not None and not isinstance(remote, bool):
            raise InvalidFilterError(f"filter 'remote' takes True, False or None, not {remote!r}")
        near = given.get("near")
        if near is not None and not isinstance(near, str):
            raise InvalidFilterError(f"filter 'near' takes a place name, not {near!r}")
        radius = given.get("radius_km")
        if radius is not None and not near:
            raise InvalidFilterError("a radius needs a place", hint="add --near CITY")
        radius_km = None
        if near:
            radius_km = parse_radius(radius if radius is not None else DEFAULT_RADIUS_KM)
        return cls(
            city=_values("city", given.get("city")),
            state=_values("state", given.get("state")),
            country=_values("country", given.get("country")),
            skill=_values("skill", given.get("skill")),
            role=_values("role", given.get("role")),
            level=_values("level", given.get("level")),
            employment_type=_values("employment_type", given.get("employment_type")),
            remote=remote,
            since=_day(given.get("since")),
            exclude=_values("exclude", given.get("exclude")),
            exclude_company=_values("exclude_company", given.get("exclude_company")),
            near=near or None,
            radius_km=radius_km,
        )

    def as_dict(self) -> dict[str, object]:
        """Only the filters that are set, JSON-ready."""
        out: dict[str, object] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if value in ((), None):
                continue
            out[name] = (
                value.isoformat()
                if isinstance(value, date)
                else (list(value) if isinstance(value, tuple) else value)
            )
        return out


@dataclass(frozen=True, slots=True)
class ScorePart:
    """One query term's share of a hit's score."""

    field: str
    term: str
    score: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a posting matched: score parts, synonyms used, places that met the filters."""

    parts: tuple[ScorePart, ...] = ()
    synonyms: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching posting, its score (None when sorted by date) and a marked snippet.

    ``duplicates`` are the ids of the other copies of the same job (posted once per
    location) folded into this hit; its posting lists the places of every copy.
    """

    posting: JobPosting
    score: float | None
    snippet: str
    distance_km: float | None = None
    duplicates: tuple[str, ...] = ()
    explanation: Explanation | None = None


@dataclass(frozen=True, slots=True)
class SearchResults:
    """One page of hits, the total over all pages, and facet counts for the whole match."""

    query: str
    filters: Filters
    total: int
    page: int
    limit: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: A corrected query when words look misspelled ("did you mean").
    suggestion: str | None = None
    #: True when nothing matched as typed and these hits are for the corrected spelling
    #: or close spellings (``notes`` says which).
    fuzzy: bool = False

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1
