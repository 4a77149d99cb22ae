"""Radius search: which indexed coordinates lie within a distance of a named place.

Whoosh has no geo queries, but an index holds few distinct coordinates (one per city,
about a thousand on the corpus), each stored as a ``geo`` token ``"lat:lon"``. Scanning
that short lexicon and testing distances gives a plain term filter, so radius search
costs about as much as a city filter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from whoosh import query as wq
from whoosh.searching import Searcher

from search.errors import InvalidFilterError
from search.extract.text import distance_km, normalize_key
from search.model import JobPosting, Place
from search.store import fields as f
from search.store.documents import from_stored
from search.store.fields import term_text


def _coordinates(token: str) -> tuple[float, float]:
    lat, _, lon = token.partition(":")
    return float(lat), float(lon)


def resolve_center(searcher: Searcher, name: str) -> Place:
    """The coordinates of the place a user named, found among the indexed postings.

    Postings filed under that city all carry it; the place they share most is it. Only
    when no posting has it is the gazetteer consulted (slow to load, so a last resort).
    """
    key = normalize_key(name)
    tally: Counter[Place] = Counter()
    for docnum in list(searcher.docs_for_query(wq.Term(f.CITY_KEY, key)))[:25]:
        posting = from_stored(searcher.stored_fields(docnum))
        for place in posting.places:
            if place.city and place.lat is not None:
                tally[
                    Place(place.city, place.state, place.country, lat=place.lat, lon=place.lon)
                ] += 1
    if tally:
        exact = [p for p in tally if p.city and normalize_key(p.city) == key]
        return max(exact or tally, key=lambda p: tally[p])
    from search.extract.gazetteer import lookup_city

    found = lookup_city(name)
    if found is None or found.lat is None:
        raise InvalidFilterError(f"unknown place {name!r} for --near", hint="give a city name")
    return found


def within(searcher: Searcher, center: Place, radius_km: float) -> wq.Query | None:
    """A filter matching postings with a place within ``radius_km`` of ``center``."""
    assert center.lat is not None and center.lon is not None
    tokens = []
    for raw in searcher.reader().lexicon(f.GEO):
        token = term_text(raw)
        lat, lon = _coordinates(token)
        if distance_km(center.lat, center.lon, lat, lon) <= radius_km:
            tokens.append(wq.Term(f.GEO, token))
    if not tokens:
        return None
    return wq.Or(tokens)


def nearest_km(center: Place, tokens: Iterable[str]) -> float | None:
    """Distance from ``center`` to the closest of a posting's coordinates."""
    assert center.lat is not None and center.lon is not None
    distances = [distance_km(center.lat, center.lon, *_coordinates(t)) for t in tokens]
    return min(distances) if distances else None


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
