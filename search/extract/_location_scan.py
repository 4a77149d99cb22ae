"""Scanning a location phrase into classified items (``_location_group`` groups them).

Split from ``locations`` to keep each module small. ``scan`` finds the longest known
phrase at each word: a city, state, country, region, code, remote word or noise.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

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

    kind: str  # CITY, TOWN, CODE, STATE, COUNTRY, REGION, REMOTE, GLOBAL, NOISE
    key: str
    seg: int = 0
    place: Place | None = None  # a curated alias or city-state resolved at once
    states: tuple[tuple[str, str], ...] = ()  # (country, code) readings
    country: str | None = None
    region: str | None = None
    weak: bool = False  # a state outside the US/Canada: only used next to its country
    city_ok: bool = False  # a state/country name that is also a city's name there
    after_town: bool = False  # follows "Unknown Town," as in "Alden, New York"
    name: str = ""  # the words as written ("Kailua-Kona"), for a town kept by name
    gap: bool = False  # unknown words and a comma come before it: "Suffolk County, NY"


@functools.cache
def _sets() -> dict[str, frozenset[str]]:
    v = gz.vocab()
    return {
        name: frozenset(normalize_key(w) for w in v[name])
        for name in (
            "noise",
            "ignore",
            "remote",
            "unrestricted",
            "not_cities",
            "not_towns",
            "fillers",
            "areas",
            "town_particles",
        )
    }


@dataclass(slots=True)
class _Words:
    """A location phrase cut into words, and what separates each word from the next."""

    text: str
    words: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    joined: list[bool] = field(default_factory=list)  # may words[i], words[i + 1] be one name?
    comma_after: list[bool] = field(default_factory=list)  # is words[i] followed by a comma?
    seg_of: list[int] = field(default_factory=list)

    def run_start(self, i: int) -> int:
        """The first word of the name run (words with no separator between) holding i."""
        while i > 0 and self.joined[i - 1]:
            i -= 1
        return i

    def run_end(self, i: int) -> int:
        """The last word of the name run holding i."""
        while self.joined[i]:
            i += 1
        return i

    def name(self, start: int, end: int) -> str:
        """Words start..end as written: "Kailua-Kona", "Coeur d'Alene"."""
        return self.text[self.spans[start][0] : self.spans[end][1]]


def _words(text: str) -> _Words:
    w = _Words(text)
    seg, pending = 0, True
    for m in _TOKEN.finditer(text):
        if m.lastgroup == "word":
            if w.words:
                w.joined.append(pending)
                w.comma_after.append(not pending and text[m.start() - 2 : m.start()].find(",") >= 0)
            w.words.append(m.group())
            w.spans.append(m.span())
            w.seg_of.append(seg)
            pending = True
        elif m.lastgroup == "strong":
            seg, pending = seg + 1, False
        elif m.lastgroup == "weak":
            pending = False
    w.joined.append(False)
    w.comma_after.append(False)
    return w


def scan(text: str, strict: bool) -> list[Item]:
    """Classify the longest known phrase at each word of ``text``.

    ``strict`` (description text) wants capitalised place names and stops at the first
    word that is neither a place nor a filler, so only the place list itself is read.
    A name before ", ST" or ", Country" is first looked up whole among the places of that
    state or country, towns included (``_town_at``); in a location field, a name the
    gazetteer lacks is kept there as a town (``_unknown_town``).
    """
    w = _words(text)
    fillers = _sets()["fillers"]
    items: list[Item] = []
    i, skipped, after_item = 0, False, 0  # after_item: the word after the last item
    while i < len(w.words):
        # A name starts a run, or follows noise or a code in it ("HQ - Maumee, OH"); words
        # after a city in one run are the rest of a longer name ("Moss Landing, CA").
        starts = i == w.run_start(i) or (i == after_item and not _city_before(items))
        town = _town_at(w, i, strict) if starts and not _region_after(w, items, i) else None
        if town is not None:
            items.append(town)
            i = after_item = w.run_end(i) + 1
            skipped = False
            continue
        run = 1
        while run < MAX_WORDS and i + run < len(w.words) and w.joined[i + run - 1]:
            run += 1
        for n in range(run, 0, -1):
            item = classify(w.words[i : i + n], strict)
            if item is not None:
                item.seg, item.name = w.seg_of[i], w.name(i, i + n - 1)
                if skipped and i > 0 and w.comma_after[i - 1] and w.seg_of[i - 1] == item.seg:
                    unknown = None if strict else _unknown_town(w, items, after_item, i - 1, item)
                    if unknown is not None:
                        items.append(unknown)
                    item = _after_town(item)
                    item.gap = True
                items.append(item)
                i = after_item = i + n
                skipped = item.weak  # "Long Island," is a Bahamas district only by name
                break
        else:
            if strict and normalize_key(w.words[i]) not in fillers:
                break
            i += 1
            skipped = True
    return [it for it in items if it.kind != "NOISE"]


def _city_before(items: list[Item]) -> bool:
    return bool(items) and items[-1].kind in ("CITY", "TOWN")


def _region_after(w: _Words, items: list[Item], i: int) -> bool:
    """Whether words at ``i`` follow "City," in the same part: there they name the city's
    region ("Munich, Bavaria, Germany", "Barcelona, Catalonia, Spain"), not a town."""
    return i > 0 and w.comma_after[i - 1] and _city_before(items) and items[-1].seg == w.seg_of[i]


def _town_at(w: _Words, i: int, strict: bool) -> Item | None:
    """The place named by the words from ``i`` to a comma, looked up in the state or
    country after it: "New Hyde Park, NY", "Kailua-Kona, HI", "Indiana, PA".

    Read before the words one by one, so that a town is not taken for the larger place
    inside its name ("West Reading" is not Reading, "La Salle, CO" not LA), and the state
    or country picks it among the places of that name, towns of 1,000 people included.
    A state's own name followed by only its country stays the state ("Oregon, United
    States"); in prose, any state or country name does ("in Nevada, Missouri and Iowa").
    """
    end = w.run_end(i)
    if end - i >= MAX_WORDS or not w.comma_after[end] or end + 1 >= len(w.words):
        return None
    if w.seg_of[end + 1] != w.seg_of[i] or not _may_be_town(w.words[i : end + 1], strict):
        return None
    key = normalize_key(" ".join(w.words[i : end + 1]))
    if not (gz.is_city_name(key) or gz.is_town_name(key)):
        return None
    qualifier = _qualifier(w, end + 1, strict)
    if not qualifier or _state_not_town(key, qualifier, strict):
        return None
    name = w.name(i, end)
    for state, cc in tries(qualifier):
        place = gz.lookup_city(name, state, cc)
        if place is not None:
            return Item("CITY", key, seg=w.seg_of[i], place=place, name=name)
    return None


def _may_be_town(raw: list[str], strict: bool) -> bool:
    """Whether words could be a town's name: not a code ("NY, NJ"), not a word the
    vocabulary says is never one, capitalised in prose."""
    if len(raw) == 1 and raw[0].isupper() and len(raw[0]) <= 4:
        return False
    particles = _sets()["town_particles"]
    if strict and not all(w[:1].isupper() or w.casefold() in particles for w in raw):
        return False
    key = normalize_key(" ".join(raw))
    sets = _sets()
    never = ("noise", "ignore", "remote", "unrestricted", "not_cities", "not_towns", "fillers")
    return not any(key in sets[name] for name in never) and key not in gz.region_aliases()


def _qualifier(w: _Words, at: int, strict: bool) -> list[Item]:
    """The state and/or country after "Town,": "OH", "Ohio", "CA 94105", "California,
    United States", "Île-de-France, France", or an unknown region code then a country
    ("A8, FR"). Empty when the part after the comma is no state or country."""
    first = _longest(w, at, strict)
    end = w.run_end(at)
    second = None
    if w.comma_after[end] and end + 1 < len(w.words) and w.seg_of[end + 1] == w.seg_of[at]:
        second = _longest(w, end + 1, strict)
    country_after = second is not None and second.kind in ("COUNTRY", "CODE") and second.country
    if first is not None and first.kind == "CODE" and not (first.states or first.country):
        first = None  # an unknown region code: "A8, FR", "O, FR"
    if first is None:
        return [second] if country_after and second is not None else []
    if not (
        first.kind == "COUNTRY"
        or (first.kind in ("STATE", "CODE", "CITY") and first.states)
        or (first.kind == "CODE" and first.country)
    ):
        return []
    return [first, second] if country_after and second is not None else [first]


def _longest(w: _Words, at: int, strict: bool) -> Item | None:
    """The longest known phrase starting at word ``at`` (None for noise or nothing)."""
    end = min(w.run_end(at), at + MAX_WORDS - 1)
    for n in range(end - at + 1, 0, -1):
        item = classify(w.words[at : at + n], strict)
        if item is not None:
            return item if item.kind != "NOISE" else None
    return None


def _state_not_town(key: str, qualifier: list[Item], strict: bool) -> bool:
    """State beats a same-named town: "Oregon, United States" is the state, but "Indiana,
    PA" (another state given) is the town. In prose a state or country name never starts
    a town: "positions in Nevada, Missouri and Iowa" lists states."""
    named = gz.state_candidates(key)
    country = gz.lookup_country(key)
    if strict:
        return bool(named or country)
    if any(q.states for q in qualifier if q.kind != "COUNTRY"):
        return False
    countries = {q.country for q in qualifier if q.country}
    return any(cc in countries for cc, _ in named) or country in countries


def _unknown_town(
    w: _Words, items: list[Item], after_item: int, end: int, qualifier: Item
) -> Item | None:
    """A town the gazetteer lacks, kept by name before its state or country: the words
    from the start of the name run to the comma, when none of them is a known place
    ("Teterboro, NJ", "Patuxent River, MD"). Only in a location field: prose is read for
    gazetteer places only."""
    if not (
        qualifier.kind in ("COUNTRY", "STATE", "CODE", "CITY")
        and (qualifier.states or qualifier.country)
        and not qualifier.weak
    ):
        return None
    start = w.run_start(end)
    if start == after_item and _region_after(w, items, start):
        return None  # "Munich, Bavaria, Germany"
    if after_item > start:  # an item inside the run: only noise may come before a name
        if not items or items[-1].kind not in ("NOISE", "REMOTE", "GLOBAL"):
            return None
        start = after_item
    raw = w.words[start : end + 1]
    if not looks_like_town(raw):
        return None
    name = w.name(start, end)
    return Item("TOWN", normalize_key(name), seg=w.seg_of[end], name=name)


def looks_like_town(raw: list[str]) -> bool:
    """One to four capitalised words (particles aside: "Marina del Rey"), no digits, no
    area word at the end ("Suffolk County", "Central Coast"), no word that is never a town."""
    sets = _sets()
    if not 1 <= len(raw) <= 4 or not raw[0][:1].isupper() or not _may_be_town(raw, False):
        return False
    if any(c.isdigit() for word in raw for c in word):
        return False
    if not all(w[:1].isupper() or w.casefold() in sets["town_particles"] for w in raw):
        return False
    return normalize_key(raw[-1]) not in sets["areas"]


def _after_town(item: Item) -> Item:
    """After "Town," (a name the gazetteer lacks) a name is that town's state or country:
    "Patuxent River, MD" is in Maryland, not Moldova; "Nowhere, New York" in New York
    State, not New York City.
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
        city = gz.lookup_city(key, None, country, towns=False)
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
    """(state, country) readings to try, state readings first: "CA" is California first.

    A country alone is tried only where no state of it was given: "Moss Landing, CA, US"
    is looked for in California, not anywhere in the US. A code's country reading gives
    way to a country the text names: in "Vernon, CA, US", CA is no country.
    """
    countries = [(m, m.country) for m in mods if m.country and m.kind in ("COUNTRY", "CODE")]
    tries: list[tuple[str | None, str | None]] = []
    for mod in mods:
        others = [cc for m, cc in countries if m is not mod]
        tries += [(code, cc) for cc, code in mod.states if not others or cc in others]
    stated = {cc for _, cc in tries}
    named = {cc for m, cc in countries if not m.states}
    return tries + [
        (None, cc)
        for m, cc in countries
        if cc not in stated and not (m.kind == "CODE" and m.states and named - {cc})
    ]
