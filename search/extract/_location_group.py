"""Grouping scanned location items into places, and resolving them.

Split from ``_location_scan`` to keep each module small. ``group_places`` joins a city
with the state/country codes around it ("Bellevue, WA", "USA - New York NY", "Toronto,
CA") and resolves it; states, countries and codes no city took become places of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from search.extract import gazetteer as gz
from search.extract._location_scan import (
    MODS,
    TEXT_MIN_POPULATION,
    Item,
    looks_like_town,
    tries,
)
from search.model import Place


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
        if mod.kind == "COUNTRY" or not mod.states:  # "Vernon, CA, US": CA, then the country
            return not any(m.kind == "COUNTRY" or (m.country and not m.states) for m in self.mods)
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
        elif it.kind in ("CITY", "TOWN") or (
            it.city_ok and nxt is not None and nxt.seg == it.seg and _qualifies(it, nxt)
        ):
            cur = _Group(it)
            while entries and isinstance(last := entries[-1], Item) and last.kind in MODS:
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


def _qualifies(head: Item, mod: Item) -> bool:
    """Whether ``mod`` after a state or country name makes that name a city: a state's
    name followed only by its country stays the state ("Oregon, United States",
    "Washington, USA"); another state makes it a city ("Washington, DC")."""
    if mod.kind not in MODS:
        return False
    if head.kind != "STATE":
        return True
    return any(s not in head.states for s in mod.states)


def _resolve(group: _Group, context: set[str], strict: bool) -> list[Place]:
    """Resolve a city group; a city at odds with its explicit state/country is dropped,
    but in a location field its name stays, as a town of that state, without coordinates
    ("Hollywood, MD"; "Teterboro, NJ" for a name the gazetteer lacks)."""
    head = group.head
    if head.kind == "TOWN":
        return _unplaced_town(group, context, keep=True)
    if head.place is not None:
        for state, cc in tries(group.mods):
            place = gz.lookup_city(head.place.city or "", state, cc)
            if place:
                return [place]
        first = group.mods[0] if group.mods else None
        if first is not None and first.kind in ("STATE", "CODE") and first.states:
            return _unplaced_town(group, context, keep=False)  # "LA, CO" is not Los Angeles
        return [head.place]
    if group.mods:
        for state, cc in tries(group.mods):
            place = gz.lookup_city(head.key, state, cc)
            if place:
                return [*_unused_lead(group.lead, place, context), place]
        return _unplaced_town(group, context, keep=not strict)
    for state, cc in tries(group.lead):
        place = gz.lookup_city(head.key, state, cc)
        if place:
            return [place]
    if head.kind != "CITY":
        return _loose_places([*group.lead, head], context)
    if strict and gz.city_candidates(head.key)[0].population < TEXT_MIN_POPULATION:
        return _loose_places(group.lead, context)
    for cc in [*sorted(context), None]:
        place = gz.lookup_city(head.key, None, cc, towns=False)
        if place:
            return [*_loose_places(group.lead, context), place]
    return _loose_places(group.lead, context)


def _unplaced_town(group: _Group, context: set[str], keep: bool) -> list[Place]:
    """A town the gazetteer lacks, with its state or country: "Patuxent River, MD",
    "Nowhere, Ohio".

    The modifiers still say where the town is, read as states first: in "Town, XX" a
    two-letter code is far more often a US state than a country ("MD" is Maryland, not
    Moldova), and a state-named head followed by another country's state is a town
    ("Ontario, Ohio" is in Ohio, not in Canada). With ``keep``, the town itself stays,
    by name and without coordinates (``_named_town``).
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
    if head.kind in ("CITY", "TOWN"):
        # A known city's name right before the comma ("Hollywood, MD"), not one inside
        # a longer name ("Suffolk County, NY"), is the town.
        by_name = head.kind == "TOWN" or (
            not group.mods[0].gap and looks_like_town(head.name.split())
        )
        if keep and head.place is None and by_name:
            found = _named_town(head, found)
    else:
        head_countries = {cc for cc, _ in head.states} | {head.country}
        if not any(p.state and p.country not in head_countries for p in found):
            found = _loose_places([head], context) + found
    return _loose_places(group.lead, context) + found


def _named_town(head: Item, found: list[Place]) -> list[Place]:
    """The town placed in the first state its text gives (or, for a name the gazetteer
    lacks entirely, the country): "Teterboro, NJ" -> Teterboro, NJ, US. A known city's
    name with only a country ("Tokyo, USA") is more likely a list of two places: no town."""
    for n, place in enumerate(found):
        if place.state or (head.kind == "TOWN" and place.country and not place.region):
            where = place.state or place.country
            why = "not in the gazetteer" if head.kind == "TOWN" else f"no such town in {where}"
            note = f"{head.name}: {why} (no coordinates)"
            town = Place(
                city=head.name,
                state=place.state,
                country=place.country,
                note=f"{note}; {place.note}" if place.note else note,
            )
            return [*found[:n], town, *found[n + 1 :]]
    return found


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
    if country:
        also = f"also the country {gz.country_name(country)}"
    elif it.key in gz.vocab()["cities"] or gz.is_city_name(it.key):
        also = "also a city"
    else:
        return ""  # "NJ": nothing else it could be
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
