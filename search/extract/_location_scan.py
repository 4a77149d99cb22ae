"""Scanning a location phrase into classified items, and grouping them into places.

Split from ``locations`` to keep each module small. ``scan`` finds the longest known
phrase at each word; ``group_places`` joins a city with the state/country codes around
it ("Bellevue, WA", "USA - New York NY", "Toronto, CA") and resolves it.
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
_MODS = ("CODE", "STATE", "COUNTRY")


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


@dataclass(slots=True)
class _Group:
    head: Item
    mods: list[Item] = field(default_factory=list)
    lead: list[Item] = field(default_factory=list)

    def accepts(self, mod: Item) -> bool:
        has_state = any(m.kind in ("STATE", "CODE") and m.states for m in self.mods)
        has_country = any(m.kind == "COUNTRY" or m.country for m in self.mods)
        if mod.kind == "STATE":
            return not has_state and not has_country
        if mod.kind == "COUNTRY":
            return not has_country
        return not has_country  # a code: "WA" after "Bellevue", "DE" after "Darmstadt"


def group_places(items: list[Item], strict: bool) -> list[Place]:
    """Join each city with its neighbouring state/country codes, then resolve all."""
    context = {it.country for it in items if it.kind in ("COUNTRY", "CODE") and it.country}
    entries: list[_Group | Item] = []
    cur: _Group | None = None
    for n, it in enumerate(items):
        nxt = items[n + 1] if n + 1 < len(items) else None
        if cur is not None and cur.head.seg != it.seg:
            cur = None
        if it.kind in ("REMOTE", "GLOBAL"):
            continue
        if it.kind == "CITY" and it.states and cur is not None and not cur.mods:
            cur.mods.append(it)  # "Brooklyn, New York": the state, not the city
        elif it.kind == "REGION":
            entries.append(it)
            cur = None
        elif it.kind == "CITY" or (
            it.city_ok and nxt is not None and nxt.seg == it.seg and nxt.kind in _MODS
        ):
            cur = _Group(it)
            while entries and isinstance(last := entries[-1], Item) and last.kind in _MODS:
                if last.seg != it.seg:
                    break
                entries.pop()
                cur.lead.insert(0, last)  # "USA - New York NY", "India - Bengaluru"
            entries.append(cur)
        elif cur is not None and cur.accepts(it):
            cur.mods.append(it)
        else:
            entries.append(it)
            cur = None
    out: list[Place] = []
    run: list[Item] = []
    countries = gz.vocab()["countries"]
    for entry in [*entries, None]:
        if isinstance(entry, Item) and entry.kind != "REGION":
            run.append(entry)
            continue
        if strict:  # a bare code in prose ("AL, AZ, CO", "NY, NJ") is not a place list
            run = [
                it
                for it in run
                if it.kind != "CODE" or (it.place and len(it.key) > 2) or it.key in countries
            ]
        out += _loose_places(run, context)
        run = []
        if isinstance(entry, _Group):
            out += _resolve(entry, context, strict)
        elif isinstance(entry, Item):
            out.append(Place(region=entry.region))
    return out


def _tries(mods: list[Item]) -> list[tuple[str | None, str | None]]:
    """(state, country) readings to try, state readings first: "CA" is California first."""
    countries = [(m, m.country) for m in mods if m.country and m.kind in ("COUNTRY", "CODE")]
    tries: list[tuple[str | None, str | None]] = []
    for mod in mods:
        others = [cc for m, cc in countries if m is not mod]
        tries += [(code, cc) for cc, code in mod.states if not others or cc in others]
    return tries + [(None, cc) for _, cc in countries]


def _resolve(group: _Group, context: set[str], strict: bool) -> list[Place]:
    """Resolve a city group; a city at odds with its explicit state/country is dropped."""
    head = group.head
    if head.place is not None:
        for state, cc in _tries(group.mods):
            place = gz.lookup_city(head.place.city or "", state, cc)
            if place:
                return [place]
        return [head.place]
    if group.mods:
        for state, cc in _tries(group.mods):
            place = gz.lookup_city(head.key, state, cc)
            if place:
                return [*_unused_lead(group.lead, place, context), place]
        return _unplaced_town(group, context)
    for state, cc in _tries(group.lead):
        place = gz.lookup_city(head.key, state, cc)
        if place:
            return [place]
    if head.kind != "CITY":
        return _loose_places([*group.lead, head], context)
    if strict and gz.city_candidates(head.key)[0].population < TEXT_MIN_POPULATION:
        return _loose_places(group.lead, context)
    for cc in [*sorted(context), None]:
        place = gz.lookup_city(head.key, None, cc)
        if place:
            return [*_loose_places(group.lead, context), place]
    return _loose_places(group.lead, context)


def _unplaced_town(group: _Group, context: set[str]) -> list[Place]:
    """A town the gazetteer lacks, with its state or country: "Andover, MA", "Ontario, Ohio".

    The modifiers still say where the town is, read as states first: in "Town, XX" a
    two-letter code is far more often a US state than a country ("MA" is Massachusetts,
    not Morocco), and a state-named head followed by another country's state is a town
    ("Ontario, Ohio" is in Ohio, not in Canada).
    """
    head = group.head
    has_country = any(m.kind == "COUNTRY" for m in group.mods)
    mods = [
        Item("STATE", m.key, seg=m.seg, states=m.states[:1], after_town=True)
        if m.states and (m.kind == "CITY" or (m.kind == "CODE" and not has_country))
        else m
        for m in group.mods
    ]
    found = _loose_places(mods, context)
    if head.kind != "CITY":
        head_countries = {cc for cc, _ in head.states} | {head.country}
        if not any(p.state and p.country not in head_countries for p in found):
            found = _loose_places([head], context) + found
    return _loose_places(group.lead, context) + found


def _unused_lead(lead: list[Item], place: Place, context: set[str]) -> list[Place]:
    """A leading country/state the city agrees with is consumed; others stay places."""
    return [
        p
        for p in _loose_places(lead, context)
        if p.country != place.country or (p.state and p.state != place.state)
    ]


def _loose_places(loose: list[Item], context: set[str]) -> list[Place]:
    """States, countries and codes that no city took: "United States", "India-Karnataka"."""
    out: list[Place] = []
    skip: set[int] = set()
    for n, it in enumerate(loose):
        if n in skip:
            continue
        nxt = loose[n + 1] if n + 1 < len(loose) else None
        if it.kind == "CODE":
            place = _code_place(it, context)
            if place is not None:
                out.append(place)
        elif it.kind == "COUNTRY":
            if nxt is not None and nxt.kind == "STATE" and nxt.seg == it.seg:
                match = [s for s in nxt.states if s[0] == it.country]
                if match:
                    skip.add(n + 1)
                    out.append(Place(state=match[0][1], country=it.country))
                    continue
            if it.states:  # "Georgia" alone: the US state, as the postings mean
                cc, code = it.states[0]
                note = f"{it.key.title()}: US state chosen; also the country {it.country}"
                out.append(Place(state=code, country=cc, note=note))
            else:
                out.append(Place(country=it.country))
        elif it.kind == "STATE":
            cc_code = next((s for s in it.states if not it.weak or s[0] in context), None)
            if cc_code:
                out.append(Place(state=cc_code[1], country=cc_code[0], note=_town_note(it)))
    return out


def _town_note(it: Item) -> str:
    """Why a code or name after an unknown town was read as a state, for ``show``."""
    if not it.after_town:
        return ""
    country = gz.lookup_country(it.key) if len(it.key) == 2 else None
    also = f"also the country {gz.country_name(country)}" if country else "also a city"
    return f"{it.key.upper()}: state of a town not in the gazetteer; {also}"


def _code_place(it: Item, context: set[str]) -> Place | None:
    """A code no city took: "Ponchatoula, LA - US" is Louisiana; "SF", "NY" are cities."""
    state = next((s for s in it.states if s[0] in context and s[0] != it.country), None)
    if state:
        return Place(state=state[1], country=state[0])
    if it.after_town and it.states and not context - {it.country}:
        return Place(state=it.states[0][1], country=it.states[0][0], note=_town_note(it))
    if it.place is not None:
        return it.place
    if it.region:
        return Place(region=it.region)
    if it.country:
        return Place(country=it.country)
    if it.states:
        return Place(state=it.states[0][1], country=it.states[0][0])
    return None
