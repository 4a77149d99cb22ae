"""Scanning a location phrase into classified items (``_location_group`` groups them).

Split from ``locations`` to keep each module small. ``scan`` finds the longest known
phrase at each word: a city, state, country, region, code, remote word or noise.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from search.extract import gazetteer as gz
from search.extract.text import normalize_key
from search.model import Place

MAX_WORDS = 5
#: A bare city in description text must be at least this big, or carry a state/country.
TEXT_MIN_POPULATION = 50_000

_TOKEN = re.compile(
    r"(?P<word>\w+(?:[.'’]\w+)*\.?)"
    r"|(?P<strong>\s+(?:or|and|OR|AND|Or|And)\s+|[;/|&+\n])"
    r"|(?P<hyphen>[-–—])"
    r"|(?P<weak>[,()\[\]:*])"
)
MODS = ("CODE", "STATE", "COUNTRY")


@dataclass(slots=True)
class Item:
    """A classified phrase: its kind and what it may stand for."""

    kind: str  # CITY, CODE, STATE, COUNTRY, REGION, REMOTE, GLOBAL, NOISE
    key: str
    seg: int = 0
    place: Place | None = None  # a curated alias or city-state resolved at once
    states: tuple[tuple[str, str], ...] = ()  # (country, code) readings
    country: str | None = None
    region: str | None = None
    weak: bool = False  # a state outside the US/Canada: only used next to its country
    city_ok: bool = False  # a state/country name that is also a city's name there
    after_town: bool = False  # follows "Unknown Town," as in "Alden, New York"


@functools.cache
def _sets() -> dict[str, frozenset[str]]:
    v = gz.vocab()
    return {
        name: frozenset(normalize_key(w) for w in v[name])
        for name in ("noise", "ignore", "remote", "unrestricted", "not_cities", "fillers")
    }


def scan(text: str, strict: bool) -> list[Item]:
    """Classify the longest known phrase at each word of ``text``.

    ``strict`` (description text) wants capitalised place names and stops at the first
    word that is neither a place nor a filler, so only the place list itself is read.
    """
    words: list[str] = []
    joined: list[bool] = []  # may words[i] and words[i + 1] form one name?
    comma_after: list[bool] = []  # is words[i] followed by a comma?
    seg_of: list[int] = []
    seg, pending = 0, True
    for m in _TOKEN.finditer(text):
        if m.lastgroup == "word":
            if words:
                joined.append(pending)
                comma_after.append(not pending and text[m.start() - 2 : m.start()].find(",") >= 0)
            words.append(m.group())
            seg_of.append(seg)
            pending = True
        elif m.lastgroup == "strong":
            seg, pending = seg + 1, False
        elif m.lastgroup == "weak":
            pending = False
    joined.append(False)
    comma_after.append(False)
    fillers = _sets()["fillers"]
    items: list[Item] = []
    i, skipped = 0, False
    while i < len(words):
        run = 1
        while run < MAX_WORDS and i + run < len(words) and joined[i + run - 1]:
            run += 1
        for n in range(run, 0, -1):
            item = classify(words[i : i + n], strict)
            if item is not None:
                item.seg = seg_of[i]
                if skipped and i > 0 and comma_after[i - 1] and seg_of[i - 1] == item.seg:
                    item = _after_town(item)
                items.append(item)
                i += n
                skipped = item.weak  # "Long Island," is a Bahamas district only by name
                break
        else:
            if strict and normalize_key(words[i]) not in fillers:
                break
            i += 1
            skipped = True
    return [it for it in items if it.kind != "NOISE"]


def _after_town(item: Item) -> Item:
    """After "Alden," (a town the gazetteer lacks) a name is that town's state or country.

    "Alden, New York" is in New York State, not New York City; "Andover, MA" is in
    Massachusetts, not Morocco.
    """
    if item.kind == "CITY" and item.states:
        return Item("STATE", item.key, seg=item.seg, states=item.states[:1], after_town=True)
    if item.kind == "CODE" and item.states:
        item.after_town = True
    return item


def classify(raw: list[str], strict: bool) -> Item | None:
    """What a phrase of one to five words stands for, or None."""
    original = " ".join(raw)
    key = normalize_key(original)
    sets = _sets()
    if not key:
        return None
    if key in sets["ignore"] or key in sets["noise"]:
        return Item("NOISE", key)
    if not strict and key in sets["unrestricted"]:
        return Item("GLOBAL", key)
    if not strict and key in sets["remote"]:
        return Item("REMOTE", key)
    if strict and not all(w[:1].isupper() for w in raw):
        return None
    if len(raw) == 1 and original.isalpha() and original.isupper() and len(original) <= 3:
        return _code(original, key)
    if key in gz.vocab()["cities"]:
        states = tuple(s for s in gz.state_candidates(key) if s[0] == "US" and len(key) > 3)
        return Item("CITY", key, place=gz.lookup_city(key), states=states)
    region = gz.region_aliases().get(key)
    if region:
        return Item("REGION", key, region=region)
    country = gz.lookup_country(key)
    if country and (len(key) > 3 or (key in gz.vocab()["countries"] and not original.islower())):
        city = gz.lookup_city(key, None, country)
        if city and country in gz.vocab()["city_states"]:
            return Item("CITY", key, place=city)
        # "Georgia" after a US city is the state: keep its state reading too.
        states = tuple(s for s in gz.state_candidates(key) if s[0] == "US")
        return Item("COUNTRY", key, country=country, states=states, city_ok=city is not None)
    states = tuple(s for s in gz.state_candidates(key) if len(key) > 3)
    main = tuple(s for s in states if s[0] in ("US", "CA"))
    is_city = len(key) >= 3 and key not in sets["not_cities"] and gz.is_city_name(key)
    if main:  # "Washington" is the state unless a code follows ("Washington, DC")
        return Item("STATE", key, states=main[:1], city_ok=is_city)
    if is_city:  # "Berlin" the city before "Berlin" the German state
        return Item("CITY", key)
    if states:
        return Item("STATE", key, states=states, weak=True)
    return None


def _code(original: str, key: str) -> Item:
    """An all-caps code: a state ("WA"), a country ("DE", "USA"), or an alias ("NYC")."""
    states = tuple(s for s in gz.state_candidates(key) if s[0] in ("US", "CA"))
    country = gz.lookup_country(key)
    alias = gz.vocab()["cities"].get(key)
    region = gz.region_aliases().get(key)
    return Item(
        "CODE",
        key,
        states=states,
        country=country,
        region=region,
        place=gz.lookup_city(key) if alias else None,
    )


def tries(mods: list[Item]) -> list[tuple[str | None, str | None]]:
    """(state, country) readings to try, state readings first: "CA" is California first."""
    countries = [(m, m.country) for m in mods if m.country and m.kind in ("COUNTRY", "CODE")]
    tries: list[tuple[str | None, str | None]] = []
    for mod in mods:
        others = [cc for m, cc in countries if m is not mod]
        tries += [(code, cc) for cc, code in mod.states if not others or cc in others]
    return tries + [(None, cc) for _, cc in countries]
