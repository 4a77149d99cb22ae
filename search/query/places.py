"""Places as people type them: "Seattle", "Seattle, WA", "London, UK", "Portland ME".

A city filter value is first looked up whole (so curated aliases such as "New York, NY"
or "Washington, DC" keep their meaning). Otherwise it is split into a city and
qualifiers (the other comma-separated parts, or the last words): the city must be one
the index knows, and each qualifier must be a state or a country of the posting. Only
the index's own keys are read, so no gazetteer is loaded to filter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search.extract.gazetteer import region_aliases, region_countries
from search.extract.skills import vocabulary
from search.extract.text import normalize_key
from search.query.understand import Kind
from search.query.view import Index, Mask
from search.store import fields as f


@dataclass(frozen=True, slots=True)
class TypedPlace:
    """A typed city, split: its key and the keys of the state/country parts given."""

    city: str
    qualifiers: tuple[str, ...] = ()


def _has(index: Index, field: str, key: str) -> bool:
    return bool(key) and index.doc_frequency(field, key.encode("utf-8")) > 0


def split_city(index: Index, value: str) -> TypedPlace | None:
    """How the index reads a typed city; None when no part of it is a city it holds."""
    key = normalize_key(value)
    if _has(index, f.CITY_KEY, key):
        return TypedPlace(key)
    parts = [normalize_key(p) for p in value.split(",")]
    parts = [p for p in parts if p]
    if len(parts) == 1:  # "Seattle WA", "San Francisco California": the last words
        words = key.split()
        parts = []
        for cut in range(len(words) - 1, 0, -1):
            head, tail = " ".join(words[:cut]), " ".join(words[cut:])
            if _has(index, f.CITY_KEY, head) and _is_qualifier(index, tail):
                return TypedPlace(head, (tail,))
        return None
    for at, part in enumerate(parts):
        if _has(index, f.CITY_KEY, part):
            return TypedPlace(part, tuple(parts[:at] + parts[at + 1 :]))
    return None


def _is_qualifier(index: Index, key: str) -> bool:
    return _has(index, f.STATE_KEY, key) or _has(index, f.COUNTRY_KEY, key)


def city_mask(index: Index, value: str) -> Mask:
    """The documents in the typed city (all False when there are none)."""
    place = split_city(index, value)
    if place is None:
        return np.zeros(index.size, dtype=bool)
    mask = index.holding(f.CITY_KEY, [place.city])
    for qualifier in place.qualifiers:
        mask &= index.holding(f.STATE_KEY, [qualifier]) | index.holding(f.COUNTRY_KEY, [qualifier])
    return mask


#: Typed keys whose reading as a place is kept per snapshot (cleared whole when full).
MAX_KEPT_PLACES = 20_000
#: A word in fewer job titles than this is a word of names, when typed after a place.
TITLE_WORD_POSTINGS = 50


class IndexPlaces:
    """``understand.Places`` over an index: a typed place is a key the index holds (the
    gazetteer wrote them at index time, so a typed "Berlin" is ``--city Berlin``), tried
    as a city, a state, a country, then a region; employers by their company keys."""

    def __init__(self, index: Index) -> None:
        self.index = index
        # What each typed key is, kept with the snapshot: a search asks for every word
        # and run of words it reads, and each answer is a few term lookups.
        self._known: dict[str, tuple[Kind, str] | None] = index.derived.setdefault(
            "typed_places", {}
        )  # type: ignore[assignment]

    def place(self, key: str) -> tuple[Kind, str] | None:
        if key in self._known:
            return self._known[key]
        found = self._place(key)
        if len(self._known) >= MAX_KEPT_PLACES:
            self._known.clear()
        self._known[key] = found
        return found

    def _place(self, key: str) -> tuple[Kind, str] | None:
        found = self._kind(key)
        if found is None or " " in key or found[0] == "region":
            return found
        # One word that titles use more than postings are placed there is a word
        # ("mobile" engineer), not a place.
        kind, value = found
        titles = self.index.doc_frequency(f.TITLE_WORDS, key.encode("utf-8"))
        return found if titles <= self._postings(kind, value) else None

    def _kind(self, key: str) -> tuple[Kind, str] | None:
        if split_city(self.index, key) is not None:
            return "city", key
        if _has(self.index, f.STATE_KEY, key):
            return "state", key
        region = region_aliases().get(key)
        if region is not None:
            return "region", region
        return ("country", key) if _has(self.index, f.COUNTRY_KEY, key) else None

    def _postings(self, kind: Kind, value: str) -> int:
        if kind == "city":
            return int(np.count_nonzero(city_mask(self.index, value)))
        return self.index.doc_frequency(f.PLACE_KEY_FIELDS[kind], value.encode("utf-8"))

    def company(self, key: str) -> bool:
        return _has(self.index, f.COMPANY_KEY, key)

    def name_word(self, key: str) -> bool:
        if vocabulary().canonical(key) is not None:
            return False
        return self.index.doc_frequency(f.TITLE_WORDS, key.encode("utf-8")) < TITLE_WORD_POSTINGS


def region_keys(region: str) -> tuple[str, ...]:
    """The country keys (ISO codes) of a region's members and the region's own names:
    the keys of postings in the region ("europe": Berlin, Paris, "Remote - EU")."""
    names = [k for k, name in region_aliases().items() if name == region]
    return (*names, *(code.lower() for code in region_countries(region)))
