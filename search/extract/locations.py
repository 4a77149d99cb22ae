"""Location normalisation: the places a posting offers, and whether it is remote.

Index-time only. A location string is cut into words and separators, the longest known
phrase at each word is classified (city, state, country, region, code, remote, noise),
and cities are grouped with the state/country next to them to resolve ambiguous names.
Description text is read only after explicit cue phrases ("positions available in",
"based in", "locations in") or as a list of "City, ST" pairs: incidental place names in
long descriptions ("founded in San Francisco", "customers in London") would hurt filtering.
When the location field already says where the job is (a place or a remote offer), only
the cues that list the role's own locations count: "based in" and "located in" then
mostly describe the company ("our team is based in San Francisco").
"""

from __future__ import annotations

import functools
import itertools
import re

from search.extract import gazetteer as gz
from search.extract._location_group import group_places
from search.extract._location_scan import Item, looks_like_town, scan
from search.extract.text import in_spans, lowered, normalize_key, unwanted_spans
from search.model import LocationInfo, Place

__all__ = ["extract_locations", "filter_keys", "place_keys", "remote_scope_keys"]

#: The amazon.jobs form: "US, WA, Seattle", "GB, London", "IND, KA, Bengaluru".
_CODED = re.compile(r"^([A-Z]{2,3}),\s*(?:([A-Z0-9]{1,3}),\s*)?([^,]+)$")

#: Cue phrases after which a description names the posting's places. Each is found via a
#: cheap substring anchor first: descriptions are long (median 4.7k characters).
_CUES = {
    "available": re.compile(r"positions?\s+(?:are\s+)?available\b[^.\n]{0,120}?\bin\b", re.I),
    "location": re.compile(r"\blocations?\s+(?:in|across|including)\b", re.I),
    "based": re.compile(r"based\s+(?:in|out\s+of)\b", re.I),
    "located": re.compile(r"located\s+in\b", re.I),
    "hybrid": re.compile(r"hybrid\s+(?:in|at|from|out\s+of)\b", re.I),
    "site": re.compile(r"on-?site\s+(?:in|at|from|out\s+of)\b", re.I),
}
#: Cues that list the role's own locations, read even when the location field names places.
_LISTING_CUES = frozenset({"available", "location"})
#: A cue right after these words describes the company, not the role ("a firm based in").
_COMPANY_BEFORE = re.compile(
    r"\b(?:company|firm|organi[sz]ation|startup|start-up|non-?profit|foundation|agency|"
    r"studio|lab|employees|professionals|headquarter\w*|founded|business)\b[^.\n]{0,25}$",
    re.I,
)
#: "varying locations across Canada" (events), "all other locations in Canada" (salary
#: tables), "certain locations in the United States" (pay-transparency notes): a cue
#: right after these words does not name where the role is.
_NOT_ROLE_BEFORE = re.compile(r"\b(?:varying|various|other|different|certain|some)\s+$", re.I)
#: How far before an anchor a cue may start ("positions available" before "available").
_CUE_BACK = 30
#: A list of at least two "City, ST" pairs, which is a place list wherever it stands.
_CODE_AFTER_COMMA = re.compile(r", [A-Z]{2}\b")
_PAIR = r"[A-Z][\w.'’-]*(?:\s[A-Z][\w.'’-]*){0,3},\s(?:[A-Z]{2})\b"
_PAIR_LIST = re.compile(rf"{_PAIR}(?:(?:;|,|,?\s+and|,?\s+or)\s+{_PAIR})+")
_SENTENCE_END = re.compile(r"\.(?=\s+[A-Z]|\s*$)|[\n!?]")
_SPAN = 300

#: "A fully remote company/team" describes the employer, not the role; "two weeks fully
#: remote per year" is a perk of an office job; "a fully remote-friendly team" is no
#: remote job either.
_REMOTE_TEXT = re.compile(
    r"\b(?:(?:fully|100%|completely|entirely)\s+remote(?!-)"
    r"(?!\s+(?:company|team|workforce|organi[sz]ation|culture|startup|business|U\.?S\.? team"
    r"|per\s+year|engineers|employees)\b)"
    r"|remote\s+(?:role|position|job|opportunity))\b",
    re.IGNORECASE,
)
#: "not remote", and "you will start as fully remote" (then move to an office).
_NEGATION = re.compile(
    r"\b(?:not|non|no|never|isn['’]t|aren['’]t)\b[\w\s-]{0,20}$|\bstart\w*\s+(?:as|out)\s+$", re.I
)


def extract_locations(location: str | None, text: str = "") -> LocationInfo:
    """Every place a posting offers, from its location field then its description.

    Places are deduplicated in order of appearance. ``remote_scope`` holds ISO alpha-2
    codes and region names ("EMEA") the remote offer is limited to; empty means
    unrestricted or unknown. Countries and regions of a remote offer become its scope,
    not places; cities and states stay places.
    """
    places: list[Place] = []
    remote = False
    scope: tuple[str, ...] = ()
    if location and location.strip():
        field_places, remote, scope = _from_field(location.strip())
        places = list(field_places)
    if text:
        places += _from_text(text, listing_only=bool(places) or remote)
        if not remote and _text_says_remote(text):
            remote = True
    return LocationInfo(places=_unique(places), remote=remote, remote_scope=scope)


@functools.lru_cache(maxsize=16384)
def _from_field(location: str) -> tuple[tuple[Place, ...], bool, tuple[str, ...]]:
    """The places of a location field, and its remote offer and scope.

    Cached: a feed repeats a few thousand location strings over and over, and reading
    one (gazetteer lookups, grouping) costs far more than the lookup; the answer
    depends on the string alone and is immutable.
    """
    coded = _CODED.match(location)
    if coded:
        place = _from_coded(*coded.groups())
        if place:
            return (place,), False, ()
    items = scan(location, strict=False)
    places = _drop_implied_countries(group_places(items, strict=False))
    remote = any(it.kind in ("REMOTE", "GLOBAL") for it in items)
    if not remote:
        return tuple(places), False, ()
    unrestricted = any(it.kind == "GLOBAL" for it in items)
    scope = [p.country if p.country else p.region for p in places if not p.city and not p.state]
    kept = [p for p in places if p.city or p.state]
    if not scope and not unrestricted:
        scope = [p.country for p in kept]
    return tuple(kept), True, tuple(dict.fromkeys(s for s in scope if s))


def _from_coded(country: str, state: str | None, city: str) -> Place | None:
    """Resolve "US, WA, Seattle": a coded country, optional state code, then a city.

    The form is structured, so a city the gazetteer lacks is still that state's town
    ("US, NJ, Teterboro"), kept by name without coordinates.
    """
    cc = gz.lookup_country(country)
    if cc is None:
        return None
    place = gz.lookup_city(city, state, cc)
    if place:
        return place
    st = gz.lookup_state(state, cc) if state else None
    name = city.strip()
    if st and looks_like_town(name.split()):
        note = f"{name}: not in the gazetteer (no coordinates)"
        return Place(city=name, state=st[1], country=cc, note=note)
    return Place(state=st[1] if st else None, country=cc)


def _drop_implied_countries(places: list[Place]) -> list[Place]:
    """ "Berlin, Germany (Germany remote)": a bare country already implied by a city goes."""
    specific = {p.country for p in places if p.city or p.state}
    return [p for p in places if p.city or p.state or p.region or p.country not in specific]


def _from_text(text: str, listing_only: bool = False) -> list[Place]:
    """Places named after a cue phrase or in a "City, ST; City, ST" list.

    ``listing_only`` keeps only the cues that list the role's locations, for postings
    whose location field already says where the job is.
    """
    low = lowered(text)  # offsets as in ``text``
    ends: set[int] = set()
    for anchor, cue in _CUES.items():
        if listing_only and anchor not in _LISTING_CUES:
            continue
        at = low.find(anchor)
        while at >= 0:
            match = cue.search(text, max(0, at - _CUE_BACK), at + 160)
            before = text[max(0, match.start() - 40) : match.start()] if match else ""
            if match and not _COMPANY_BEFORE.search(before) and not _NOT_ROLE_BEFORE.search(before):
                ends.add(match.end())
            at = low.find(anchor, at + 1)
    found: list[Place] = []
    for end in sorted(ends):
        found += _span_places(text, end)
    codes = [m.start() for m in _CODE_AFTER_COMMA.finditer(text)]
    for first, second in itertools.pairwise(codes):
        if second - first < 60:
            window = text[max(0, first - 40) : second + 4]
            for pairs in _PAIR_LIST.finditer(window):
                found += group_places(scan(pairs.group(0), strict=True), strict=True)
    return found


def _span_places(text: str, start: int) -> list[Place]:
    span = text[start : start + _SPAN]
    end = _SENTENCE_END.search(span)
    items: list[Item] = scan(span[: end.start()] if end else span, strict=True)
    places = group_places(items, strict=True)
    if any(p.country and not p.city for p in places):
        places = [p for p in places if not p.region]  # "EMEA region (Austria, ...)"
    return places


def _text_says_remote(text: str) -> bool:
    """ "This is a fully remote position" counts; "these are not remote internships" not,
    nor "This role isn't for you if: - You want fully remote work"."""
    low = lowered(text)
    at = low.find("remote")
    while at >= 0:
        start = max(0, at - 45)
        for match in _REMOTE_TEXT.finditer(text, start, at + 30):
            before = text[max(0, match.start() - 30) : match.start()]
            if not _NEGATION.search(before) and not in_spans(unwanted_spans(low), at):
                return True
        at = low.find("remote", at + 1)
    return False


def _unique(places: list[Place]) -> tuple[Place, ...]:
    seen: dict[tuple[str | None, ...], Place] = {}
    for p in places:
        seen.setdefault((p.city, p.state, p.country, p.region), p)
    return tuple(seen.values())


def place_keys(place: Place) -> dict[str, set[str]]:
    """The normalised filter keys the indexer stores for a place, by facet.

    City keys hold the gazetteer name, curated aliases (NYC, SF, Bangalore) and a few
    gazetteer alternates, minus names of other US states/Canadian provinces (DC is not
    "washington": that is the state). Region places give region keys only.
    """
    cached = _keys_of(place.city, place.state, place.country, place.region)
    return {name: set(values) for name, values in cached.items()}


@functools.lru_cache(maxsize=8192)
def _keys_of(
    city: str | None, state: str | None, country: str | None, region: str | None
) -> dict[str, frozenset[str]]:
    """Keys depend only on the names, and a corpus repeats a few hundred places thousands
    of times: computed once per place (the alias scan is ~0.2 ms)."""
    place = Place(city=city, state=state, country=country, region=region)
    keys: dict[str, set[str]] = {"city": set(), "state": set(), "country": set(), "region": set()}
    if place.region and not place.country:
        keys["region"] = set(_region_keys(place.region))
        return {name: frozenset(values) for name, values in keys.items()}
    if place.city:
        keys["city"] = _city_keys(place)
    if place.state and place.country:
        name = gz.state_name(place.country, place.state)
        keys["state"] = {
            normalize_key(place.state),
            normalize_key(f"{place.country}-{place.state}"),
            *([normalize_key(name)] if name else []),
        }
    if place.country:
        keys["country"] = set(gz.country_keys(place.country))
    return {name: frozenset(values) for name, values in keys.items()}


def _city_keys(place: Place) -> set[str]:
    """A city's keys; a borough ("Brooklyn") also carries its city's keys ("new york")."""
    assert place.city is not None
    keys = {normalize_key(place.city)}
    parent = gz.vocab().get("city_parts", {}).get(place.city)
    if parent and place.country == "US":
        keys |= _city_keys(Place(city=parent, state=place.state, country=place.country))
    for alias, (name, _state, country) in gz.vocab()["cities"].items():
        if name == place.city and country == place.country:
            keys.add(normalize_key(alias))
    keys.update(gz.city_alternates(place))
    own_state = normalize_key(gz.state_name(place.country or "", place.state or "") or "")
    clash = gz.state_name_keys() - {own_state}
    return {k for k in keys if k not in clash}


@functools.cache
def _region_keys(region: str) -> frozenset[str]:
    return frozenset(k for k, name in gz.region_aliases().items() if name == region)


def remote_scope_keys(scope: tuple[str, ...]) -> set[str]:
    """Country (and region) keys a remote scope covers, so ``--remote --country US`` works."""
    keys: set[str] = set()
    for entry in scope:
        if entry in gz.vocab()["regions"]:
            keys |= _region_keys(entry)
            for cc in gz.region_countries(entry):
                keys |= gz.country_keys(cc)
        else:
            keys |= gz.country_keys(entry)
    return keys


def filter_keys(
    places: tuple[Place, ...], remote: bool, scope: tuple[str, ...]
) -> dict[str, set[str]]:
    """Every filter key of a posting by facet (city, state, country, region).

    A remote offer also carries the keys of the countries it is open to, so that
    ``--country US`` finds remote postings open to US residents.
    """
    keys: dict[str, set[str]] = {name: set() for name in ("city", "state", "country", "region")}
    for place in places:
        for name, values in _keys_of(place.city, place.state, place.country, place.region).items():
            keys[name].update(values)
    if remote:
        keys["country"].update(remote_scope_keys(scope))
    return keys
