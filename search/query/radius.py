"""Radius search: how far each posting's nearest place is from a named place.

An index holds few distinct coordinates (one per city, about a thousand on the corpus),
each a ``geo`` term ``"lat:lon"``. Measuring each once and taking each posting's nearest
gives the radius filter and the nearest-first order, at about the cost of a city filter.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from search.errors import InvalidFilterError
from search.extract.text import distance_km, normalize_key
from search.model import JobPosting, Place
from search.query.places import city_mask, split_city
from search.query.view import Index
from search.store import fields as f
from search.store.documents import from_stored

_EARTH_KM = 6371.0088


#: Centres (and distances from them) kept per snapshot: a long-lived process asks the
#: same few places again; each costs a read of stored postings and a pass over places.
MAX_CENTRES = 16


def around(index: Index, name: str) -> tuple[Place, npt.NDArray[np.float64]]:
    """The place a user named and each document's distance from it, in kilometres."""
    key = f"near:{normalize_key(name)}"
    found = index.derived.get(key)
    if found is None:
        # A copy of the keys, and a pop that tolerates a key already gone: searches in
        # other threads may be adding and dropping centres of this snapshot meanwhile.
        centres = [k for k in list(index.derived) if k.startswith("near:")]
        for old in centres[: max(0, len(centres) - MAX_CENTRES + 1)]:
            index.derived.pop(old, None)
        center = resolve_center(index, name)
        found = index.derived[key] = (center, distances(index, center))
    return found  # type: ignore[return-value]


def resolve_center(index: Index, name: str) -> Place:
    """The coordinates of the place a user named ("Palo Alto", "Palo Alto, CA",
    "Cambridge, UK"), found among the indexed postings.

    Postings filed under that city (and state or country, when given) all carry it; of
    their places in that city, the one they share most is it. Only when no posting has
    it is the gazetteer consulted (slow to load, so a last resort).
    """
    typed = split_city(index, name)
    tally: Counter[Place] = Counter()
    unplaced = False  # that city is a town kept by name, without coordinates
    if typed is not None:
        docs = np.flatnonzero(city_mask(index, name) & index.live)
        stored = index.snapshot.reader.stored_fields
        for docnum in docs[:25].tolist():
            for place in from_stored(stored(docnum)).places:
                if place.city and place.lat is not None:
                    tally[
                        Place(place.city, place.state, place.country, lat=place.lat, lon=place.lon)
                    ] += 1
                elif place.city and normalize_key(place.city) == typed.city:
                    unplaced = True
    if tally and typed is not None:
        exact = [p for p in tally if p.city and normalize_key(p.city) == typed.city]
        if exact or not unplaced:
            return max(exact or tally, key=lambda p: tally[p])
    found = _from_gazetteer(name)
    if found is not None and found.lat is not None:
        return found
    if unplaced:
        raise InvalidFilterError(
            f"no coordinates for {name!r} for --near (a town not in the gazetteer)",
            hint=f"--city {name!r} finds its postings",
        )
    raise InvalidFilterError(
        f"unknown place {name!r} for --near",
        hint='give a city, optionally with its state or country: "Palo Alto, CA"',
    )


def _from_gazetteer(name: str) -> Place | None:
    """The gazetteer's city for "City", "City, ST" or "City, Country"."""
    from search.extract.gazetteer import lookup_city, lookup_country, lookup_state

    city, _, rest = name.partition(",")
    state = country = None
    for part in (p.strip() for p in rest.split(",") if p.strip()):
        found_state = lookup_state(part, country)
        found_country = lookup_country(part)
        if found_country is not None and (found_state is None or len(part) != 2):
            country = found_country
        elif found_state is not None:
            country, state = found_state
        else:
            return None  # "Atlantis, XX": a part that is no state or country
    return lookup_city(city.strip(), state, country)


def _haversine(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    p1, p2 = math.radians(lat), np.radians(lats)
    dl = np.radians(lons - lon)
    h = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def distances(index: Index, center: Place) -> np.ndarray:
    """Kilometres from ``center`` to each document's nearest place (inf: no coordinates).

    Places are ``geo`` terms ("lat:lon"); an index holds about a thousand distinct ones,
    so each is measured once and a document takes the smallest of its own.
    """
    assert center.lat is not None and center.lon is not None
    nearest = np.full(index.size, np.inf)
    docs, values, names = index.entries(f.GEO)
    if not names:
        return nearest
    pairs = [name.partition(":") for name in names]
    lats = np.array([float(a) for a, _, _ in pairs])
    lons = np.array([float(b) for _, _, b in pairs])
    per_term = _haversine(center.lat, center.lon, lats, lons)
    np.minimum.at(nearest, docs, per_term[values])
    return nearest


def distance_to(place: Place, center: Place) -> float | None:
    """Kilometres from ``center`` to ``place``; None when the place has no coordinates."""
    if place.lat is None or place.lon is None or center.lat is None or center.lon is None:
        return None
    return distance_km(center.lat, center.lon, place.lat, place.lon)


def nearest_first(posting: JobPosting, center: Place) -> JobPosting:
    """Show the place that put a posting within the radius before its other places."""

    def distance(place: Place) -> float:
        found = distance_to(place, center)
        return found if found is not None else float("inf")

    return replace(posting, places=tuple(sorted(posting.places, key=distance)))
