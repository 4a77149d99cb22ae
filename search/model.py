"""The one currency between modules: a job posting and the places it offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Place:
    """A normalised place a posting offers.

    ``country`` is an ISO 3166-1 alpha-2 code; ``state`` is the region code within it
    (``WA`` for Washington, ``KA`` for Karnataka) where one is known. ``region`` names a
    multi-country area ("EMEA", "Europe", "LatAm") when that is all the text says.
    ``note`` says how an ambiguous name was resolved, so that ``show`` can explain it.
    """

    city: str | None = None
    state: str | None = None
    country: str | None = None
    region: str | None = None
    lat: float | None = None
    lon: float | None = None
    note: str = ""

    def label(self) -> str:
        """A short human label: ``Seattle, WA, US``; ``Germany`` becomes ``DE``."""
        parts = [p for p in (self.city, self.state, self.country) if p]
        if not parts and self.region:
            return self.region
        return ", ".join(parts)


#: Pay periods as postings state them, and how many of each make a year (a full-time
#: year: 52 weeks of 5 days of 8 hours).
PERIODS_PER_YEAR: dict[str, int] = {"year": 1, "month": 12, "week": 52, "day": 260, "hour": 2080}
#: Where the work happens, as job boards name it.
WORKPLACES: tuple[str, ...] = ("remote", "hybrid", "onsite")
#: Degree levels a posting may require, lowest first.
DEGREES: tuple[str, ...] = ("bachelor", "master", "phd")


@dataclass(frozen=True, slots=True)
class Pay:
    """Pay as the posting states it: a range (or one figure) in a currency per period.

    One figure is ``min`` alone (or ``min == max``); ``max`` alone is an upper bound
    ("up to $220,000"): a filter on pay reads its top, and it is shown as "up to".
    ``currency`` is an ISO 4217 code ("USD", "GBP") or None when no currency is stated;
    ``period`` is a key of ``PERIODS_PER_YEAR``. ``text`` is the phrase it was read
    from (empty when a feed stated it as data). The annual figures are in the same
    currency: no exchange rates, since a job seeker compares offers in one currency.
    ``estimate`` is True when the figure is a job site's guess ("$53K-$91K (Glassdoor
    est.)"), not pay the employer states: it is shown as such, and a pay filter leaves
    it out unless asked to count estimates.
    """

    min: float | None = None
    max: float | None = None
    currency: str | None = None
    period: str = "year"
    text: str = ""
    estimate: bool = False

    def _annual(self, amount: float | None) -> float | None:
        if amount is None:
            return None
        return amount * PERIODS_PER_YEAR.get(self.period, 1)

    @property
    def annual_min(self) -> float | None:
        """A year's pay at the bottom; None for an upper bound ("up to $220,000": only
        ``max`` is known, and its bottom is not that figure)."""
        return self._annual(self.min)

    @property
    def annual_max(self) -> float | None:
        """A year's pay at the top; a lone ``min`` (one figure) is its own top."""
        return self._annual(self.max if self.max is not None else self.min)


@dataclass(frozen=True, slots=True)
class LocationInfo:
    """Everything the location extractor found for one posting."""

    places: tuple[Place, ...] = ()
    remote: bool = False
    #: ISO country codes or region names the remote offer is limited to; empty = unrestricted.
    remote_scope: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class JobPosting:
    """A job posting with everything a job seeker filters on."""

    id: str
    title: str
    description: str
    location_text: str = ""
    places: tuple[Place, ...] = ()
    remote: bool = False
    remote_scope: tuple[str, ...] = ()
    role: str | None = None
    level: str | None = None
    employment_type: str | None = None
    skills: tuple[str, ...] = ()
    posted: date | None = None
    company: str | None = None
    url: str | None = None
    source: str = ""
    #: What a job seeker filters on first, from a feed's own fields or read from the text.
    pay: Pay | None = None
    #: One of ``WORKPLACES``, or None when the posting does not say.
    workplace: str | None = None
    #: The minimum years of experience required, and the phrase that says so.
    experience_years: int | None = None
    experience_text: str = ""
    #: The lowest degree required (one of ``DEGREES``), None when none is stated.
    degree: str | None = None
    #: The last day to apply, when the source states one.
    closes: date | None = None
    #: When this posting (this id) first entered the index, UTC; set by the index.
    indexed_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def cities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.city for p in self.places if p.city))

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.country for p in self.places if p.country))
