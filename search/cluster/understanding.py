"""Conditions read from query text on a cluster index: the embedded engine's soft
conditions (``search.query.soft``) as filter expressions.

"senior python engineer berlin" leaves out the postings stating another level or naming
another place, lists those stated senior and in Berlin first, then those stating fewer
of the facts (a note says how many were kept below), as the embedded engine does. A
typed place is a key the index holds (``ClusterPlaces``, as ``IndexPlaces`` reads the
embedded index); the counts every run of the query's words may need are asked for in
one request. A collection written before documents said which places they name
(``schema.DOC_FORMAT`` 1) reads no place: its place words are searched as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from whoosh import query as wq

from search.cluster import expr as x
from search.cluster import schema as c
from search.cluster.documents import term_token
from search.cluster.selecting import city_node
from search.errors import InvalidFilterError
from search.extract.gazetteer import region_aliases
from search.extract.skills import vocabulary
from search.query.parser import parse_text
from search.query.places import TITLE_WORD_POSTINGS, region_keys
from search.query.soft import USUAL_TYPES, facts_said, flagged
from search.query.understand import (
    MAX_PLACE_WORDS,
    PLACE_KINDS,
    Condition,
    Kind,
    Places,
    Reading,
    read,
    word_keys,
)
from search.results import Filters
from search.store import fields as f

if TYPE_CHECKING:
    from search.cluster.backend import ClusterBackend

#: Condition kind -> the cluster field holding the fact (as ``soft.FACT_FIELDS``).
FIELDS = {"level": c.LEVEL, "workplace": c.WORKPLACE, "type": c.EMPLOYMENT_TYPE}


@dataclass(frozen=True, slots=True)
class SoftNodes:
    """A reading's conditions as expressions: ``allowed`` the postings stating no
    contrary fact, ``tiers`` the postings by how many facts they state as asked (most
    first), ``every`` those stating them all, ``unknown`` by fact those stating none."""

    allowed: x.Node
    tiers: tuple[x.Node, ...]
    every: x.Node
    unknown: dict[str, x.Node]
    usual: frozenset[str]

    @property
    def facts(self) -> str:
        return facts_said(self.unknown, self.usual)


def understand(
    backend: ClusterBackend, text: str, filters: Filters
) -> tuple[Reading, SoftNodes] | None:
    """``text`` read (words of kinds an explicit filter sets stay text), with its
    conditions as expressions; None when nothing was read."""
    skip = flagged(filters)
    places: Places = NoPlaces()
    if not set(PLACE_KINDS) <= skip and text.strip():
        reader = ClusterPlaces(backend, text)
        if backend.holds(x.one_of(c.STATED, [c.CITY_KEY])):  # else an older collection
            places = reader
    reading = read(text, places, skip=skip)
    if not reading.understood:
        return None
    words = parse_text(reading.text)
    no_words = words is None or isinstance(words, wq.Not)  # only "-word" left
    groups: dict[Kind, list[Condition]] = {}
    for cond in reading.conditions:
        # Several values of one kind are ORed ("berlin munich"); kinds ANDed.
        groups.setdefault(cond.kind, []).append(cond)
    allowed: list[x.Node] = []
    agreeing: list[x.Node] = []
    unknown: dict[str, x.Node] = {}
    usual: set[str] = set()
    for kind, conditions in groups.items():
        if kind in PLACE_KINDS:
            agrees = x.any_of([place_node(backend, kind, cond.value) for cond in conditions])
            stated, fact = _place_known(backend, kind, agrees), "place"
        else:
            field = FIELDS[kind]
            agrees = x.one_of(field, [cond.value for cond in conditions])
            stated, fact = x.one_of(c.STATED, [field]), str(kind)
        if no_words:
            # Nothing left to rank: a posting stating no fact is kept only where its
            # text has the words typed for it.
            stated = x.any_of([stated, x.negate(_mentions(conditions))])
        allowed.append(x.any_of([agrees, x.negate(stated)]))
        if {cond.value for cond in conditions} <= USUAL_TYPES:
            usual.add(fact)
            agrees = x.any_of([agrees, x.negate(stated)])
        agreeing.append(agrees)
        unknown[fact] = x.any_of([unknown.get(fact, x.FALSE), x.negate(stated)])
    soft = SoftNodes(
        x.all_of(allowed), _tiers(agreeing), x.all_of(agreeing), unknown, frozenset(usual)
    )
    return reading, soft


class NoPlaces:
    """Places for a reading that looks none up: only levels, workplaces and employment
    types are read."""

    def place(self, key: str) -> None:
        return None

    def company(self, key: str) -> bool:
        return False

    def name_word(self, key: str) -> bool:
        return False


class ClusterPlaces:
    """``understand.Places`` over a cluster index, read as ``IndexPlaces`` reads the
    embedded one: a city, a state, a country, then a region; one word that titles use
    more than postings are placed there is a word ("mobile" engineer), not a place."""

    def __init__(self, backend: ClusterBackend, text: str) -> None:
        self.backend = backend
        self._known: dict[str, tuple[Kind, str] | None] = {}
        backend.warm(_asked(text))

    def place(self, key: str) -> tuple[Kind, str] | None:
        if key not in self._known:
            self._known[key] = self._place(key)
        return self._known[key]

    def _place(self, key: str) -> tuple[Kind, str] | None:
        found = self._kind(key)
        if found is None or " " in key or found[0] == "region":
            return found
        titles = self.backend.doc_frequency(f.TITLE_WORDS, key)
        in_place = self.backend.count_of(place_node(self.backend, *found))
        return found if titles <= in_place else None

    def _kind(self, key: str) -> tuple[Kind, str] | None:
        if not key:
            return None
        if city_node(self.backend, key).kind != "false":
            return "city", key
        if self.backend.holds(x.one_of(c.STATE_KEY, [key])):
            return "state", key
        region = region_aliases().get(key)
        if region is not None:
            return "region", region
        return ("country", key) if self.backend.holds(x.one_of(c.COUNTRY_KEY, [key])) else None

    def company(self, key: str) -> bool:
        return bool(key) and self.backend.holds(x.one_of(c.COMPANY_KEY, [key]))

    def name_word(self, key: str) -> bool:
        if vocabulary().canonical(key) is not None:
            return False
        return self.backend.doc_frequency(f.TITLE_WORDS, key) < TITLE_WORD_POSTINGS


def _asked(text: str) -> list[x.Node]:
    """The counts reading ``text`` may ask for, asked at once: every run of its words
    as a city, a state, a country, an employer, and (one word) a title word."""
    keys = word_keys(text)
    runs = {
        " ".join(keys[i:j])
        for i in range(len(keys))
        for j in range(i + 1, min(i + MAX_PLACE_WORDS + 3, len(keys)) + 1)
    }
    nodes = [x.one_of(c.STATED, [c.CITY_KEY])]
    for run in sorted(runs):
        for name in (c.CITY_KEY, c.STATE_KEY, c.COUNTRY_KEY, c.COMPANY_KEY):
            nodes.append(x.one_of(name, [run]))
        if " " not in run:
            nodes.append(x.one_of(c.TITLE_WORDS_TERMS, [term_token(run)]))
    return nodes


def place_node(backend: ClusterBackend, kind: Kind, value: str) -> x.Node:
    """The postings in a place read from the words (``soft._place_mask``)."""
    if kind == "city":
        return city_node(backend, value)
    if kind == "region":
        keys = region_keys(value)
        return x.any_of([x.one_of(c.COUNTRY_KEY, keys), x.one_of(c.REGION_KEY, keys)])
    return x.one_of(c.PLACE_KEY_FIELDS[kind], [value])


def _place_known(backend: ClusterBackend, kind: str, agrees: x.Node) -> x.Node:
    """Postings whose place is known, for a condition on ``kind`` (``soft._place_known``):
    any place, for a state, country or region; for a city, a city, or a country the
    city is not in (a remote role open to the city's country is kept below)."""
    if kind != "city":
        return x.any_of([x.one_of(c.STATED, [name]) for name in c.PLACE_KEY_FIELDS.values()])
    held = backend.values_of(agrees, c.COUNTRY_KEY)
    most = max(backend.count_of(agrees), 1)
    own = [value for value, n in held.items() if n * 2 >= most]
    elsewhere = x.all_of(
        [x.one_of(c.STATED, [c.COUNTRY_KEY]), x.negate(x.one_of(c.COUNTRY_KEY, own))]
    )
    return x.any_of([x.one_of(c.STATED, [c.CITY_KEY]), elsewhere])


def _tiers(agreeing: list[x.Node]) -> tuple[x.Node, ...]:
    """The postings agreeing with exactly n of the facts, for n from all to none."""
    out = []
    for n in range(len(agreeing), -1, -1):
        out.append(
            x.any_of(
                x.all_of(
                    [node if i in chosen else x.negate(node) for i, node in enumerate(agreeing)]
                )
                for chosen in map(set, combinations(range(len(agreeing)), n))
            )
        )
    return tuple(out)


def _mentions(conditions: list[Condition]) -> x.Node:
    """The postings whose text has the words typed for these conditions."""
    q = parse_text(" OR ".join(f'"{cond.words}"' for cond in conditions))
    if q is None:
        return x.FALSE
    try:
        return x.translate(q).node
    except InvalidFilterError:
        return x.FALSE
