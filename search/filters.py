"""Search filters: what a search may be limited to, checked where a user gives them.

A ``Filters`` value is plain data (the library and the CLI build the same one); what
each filter means over the index is ``search.query.filters``.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from typing import TypedDict

from search.errors import InvalidFilterError
from search.model import DEGREES, WORKPLACES

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


_RELATIVE = re.compile(r"^(\d{1,4})\s*(d|days?|w|weeks?|m|months?)$")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30}


def _today() -> date:
    """The day an age ("7d") counts back from: the local date, read on each use (tests
    put another day here to read an old corpus as if it were fresh)."""
    return date.today()


def _day(value: object, today: date | None = None) -> date | None:
    """A date: a ``date``, "YYYY-MM-DD", "today", "yesterday", or an age such as "7d",
    "2w", "3m" / "3 months" (a month counts 30 days), counted back from ``today``."""
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    if isinstance(value, str):
        word = value.strip().lower()
        now = today or _today()
        if word in ("today", "yesterday"):
            return now - timedelta(days=int(word == "yesterday"))
        age = _RELATIVE.match(word)
        if age:
            return now - timedelta(days=int(age[1]) * _UNIT_DAYS[age[2][0]])
        try:
            return date.fromisoformat(word)
        except ValueError:
            pass
    raise InvalidFilterError(
        f"unreadable date {value!r}",
        hint='give YYYY-MM-DD, "today", "yesterday" or an age such as 7d, 2w, 3m',
    )


def since_day(value: object, today: date | None = None) -> date | None:
    """The first day a ``since`` value admits, read exactly as the filter reads it: the
    posted facet counts its bands with this, so a band's count is the total the filter
    gives."""
    return _day(value, today)


def _moment(value: object) -> datetime | None:
    """A moment in time (UTC when no zone is given): a ``datetime`` or ISO 8601 text."""
    if value is None:
        return None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(value.strip())
    if not isinstance(value, datetime):
        raise InvalidFilterError(
            f"unreadable moment {value!r}", hint="give a datetime or ISO 8601 text"
        )
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


_AMOUNT = re.compile(r"^\s*([0-9][0-9,._ ]*)\s*([kKmM])?\s*$")
_WORKPLACE_WORDS = {
    "remote": "remote",
    "hybrid": "hybrid",
    "onsite": "onsite",
    "on-site": "onsite",
    "on site": "onsite",
    "office": "onsite",
    "in-office": "onsite",
    "in office": "onsite",
}


def _amount(value: object) -> float | None:
    """``150000``, ``"150,000"``, ``"150k"`` -> 150000.0."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = float(value)
    elif isinstance(value, str) and (match := _AMOUNT.match(value)):
        digits = re.sub(r"[,._ ]", "", match.group(1))
        scale = {"k": 1e3, "m": 1e6}.get((match.group(2) or "").lower(), 1.0)
        amount = float(digits) * scale
    else:
        raise InvalidFilterError(
            f"unreadable amount {value!r}", hint="write it like 150000 or 150k"
        )
    if not math.isfinite(amount) or amount < 0:
        raise InvalidFilterError(
            f"unreadable amount {value!r}", hint="write it like 150000 or 150k"
        )
    return amount


def _currency(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        return value.strip().upper()
    raise InvalidFilterError(
        f"unknown currency {value!r}", hint="give a code such as USD, EUR, GBP"
    )


def _years(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 60:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return _years(int(value.strip()))
    raise InvalidFilterError(f"unreadable number of years {value!r}", hint="give 0 to 60")


def _workplace(value: str) -> str:
    found = _WORKPLACE_WORDS.get(" ".join(value.lower().replace("_", " ").split()))
    if found is None:
        raise InvalidFilterError(
            f"unknown workplace {value!r}", hint=f"use one of: {', '.join(WORKPLACES)}"
        )
    return found


def _degree(value: object) -> str | None:
    if value is None or value == "":
        return None
    word = str(value).strip().lower().replace("'", "").replace(".", "")
    aliases = {
        "bachelor": "bachelor",
        "ba": "bachelor",
        "b": "bachelor",
        "bs": "bachelor",
        "master": "master",
        "ms": "master",
        "ma": "master",
        "phd": "phd",
        "doctorate": "phd",
        "none": "none",
        "no": "none",
    }
    found = aliases.get(word) or aliases.get(word.rstrip("s"))
    if found is None:
        raise InvalidFilterError(
            f"unknown degree {value!r}", hint=f"use one of: none, {', '.join(DEGREES)}"
        )
    return found


Texts = str | Sequence[str]


#: The posted facet's bands, each the postings its ``since`` value admits (so a band's
#: count is the total of a search with that ``since``): cumulative, counted back from
#: today the way the filter counts ("7d" is on or after the day a week before today).
POSTED_BANDS: tuple[tuple[str, str], ...] = (
    ("past day", "1d"),
    ("past 3 days", "3d"),
    ("past week", "7d"),
    ("past month", "30d"),
)


class FilterValues(TypedDict, total=False):
    """The filters as keyword arguments of ``JobIndex.search``, ``facets``,
    ``search_all`` and ``watches.add`` (each checked by ``Filters.of``)."""

    city: Texts
    state: Texts
    country: Texts
    skill: Texts
    role: Texts
    level: Texts
    employment_type: Texts
    remote: bool | None
    since: date | str | None
    exclude: Texts
    exclude_company: Texts
    near: str | None
    radius_km: float | str | None
    company: Texts
    workplace: Texts
    salary_min: float | str | None
    currency: str | None
    estimates: bool | None
    max_years: int | None
    degree: str | None
    indexed_after: datetime | str | None


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
    #: Employers (name, any case or punctuation).
    company: tuple[str, ...] = ()
    #: remote, hybrid, onsite.
    workplace: tuple[str, ...] = ()
    #: A year's pay the posting's range must reach, in ``currency`` when given (else in
    #: the posting's own currency); postings that state no pay are left out.
    salary_min: float | None = None
    currency: str | None = None
    #: With ``salary_min``, count pay that is only a job site's estimate ("$53K-$91K
    #: (Glassdoor est.)") too; by default such postings are left out, and counted in a note.
    estimates: bool = False
    #: The most years of experience a posting may require; postings that state none are
    #: left out.
    max_years: int | None = None
    #: The highest degree a posting may require (``"none"``: no degree required).
    degree: str | None = None
    #: Only postings that first entered this index after this moment (what saved
    #: searches call new).
    indexed_after: datetime | None = None

    @classmethod
    def of(cls, values: Mapping[str, object] | None = None, **more: object) -> Filters:
        """Filters from values as a library user writes them, checked.

        Each list filter takes one string or a list of strings; ``since`` a date,
        ``"YYYY-MM-DD"``, ``"today"``, ``"yesterday"`` or an age such as ``"7d"``, ``"2w"``,
        ``"3m"``; ``indexed_after`` a datetime or ISO 8601 text; ``radius_km`` a number of
        kilometres or text such as ``"30mi"`` (default 50 km with ``near``); ``salary_min``
        a number or text such as ``"150k"``, with ``estimates=True`` counting pay that is
        only a job site's estimate too; ``max_years`` a whole number. A misspelt name
        or a value of the wrong type raises ``InvalidFilterError`` instead of being ignored.
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
        estimates = given.get("estimates")
        if estimates is not None and not isinstance(estimates, bool):
            raise InvalidFilterError(f"filter 'estimates' takes True or False, not {estimates!r}")
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
            company=_values("company", given.get("company")),
            workplace=tuple(_workplace(w) for w in _values("workplace", given.get("workplace"))),
            salary_min=_amount(given.get("salary_min")),
            currency=_currency(given.get("currency")),
            estimates=bool(estimates),
            max_years=_years(given.get("max_years")),
            degree=_degree(given.get("degree")),
            indexed_after=_moment(given.get("indexed_after")),
        )

    def as_dict(self) -> dict[str, object]:
        """Only the filters that are set, JSON-ready."""
        out: dict[str, object] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if value in ((), None) or (name == "estimates" and value is False):
                continue
            out[name] = (
                value.isoformat()
                if isinstance(value, date)
                else (list(value) if isinstance(value, tuple) else value)
            )
        return out
