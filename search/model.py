"""The one currency between modules: a job posting and the places it offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


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
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def cities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.city for p in self.places if p.city))

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.country for p in self.places if p.country))
