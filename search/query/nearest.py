"""Distances from the centre of ``near`` to a hit's own places, for showing it.

Plain functions of places (no index): what the hits of a page show, with whichever
backend found them. Which documents lie within the radius is the backend's to evaluate
(``search.query.radius`` for the embedded engine).
"""

from __future__ import annotations

from dataclasses import replace

from search.extract.text import distance_km
from search.model import JobPosting, Place


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
