"""Conditions read from query text on a cluster index: the embedded engine's soft
conditions (``search.query.soft``) as filter expressions.

"senior python engineer" leaves out the postings stating another level, lists those
stated senior first and then those stating no level (a note says how many were kept
below), exactly as the embedded engine does. Level, workplace and employment type words
are read; place words are searched as typed on a cluster (reading them would look every
run of words up as a place, a request each, on every search), which a note says.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from whoosh import query as wq

from search.cluster import expr as x
from search.cluster import schema as c
from search.errors import InvalidFilterError
from search.query.parser import parse_text
from search.query.soft import USUAL_TYPES, facts_said, flagged
from search.query.understand import PLACE_KINDS, Condition, Reading, read
from search.results import Filters

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


class NoPlaces:
    """Places for a reading that looks none up: only levels, workplaces and employment
    types are read."""

    def place(self, key: str) -> None:
        return None

    def company(self, key: str) -> bool:
        return False

    def name_word(self, key: str) -> bool:
        return False


def understand(text: str, filters: Filters) -> tuple[Reading, SoftNodes] | None:
    """``text`` read (words of kinds an explicit filter sets stay text), with its
    conditions as expressions; None when nothing was read."""
    reading = read(text, NoPlaces(), skip=flagged(filters))
    if not reading.understood:
        return None
    words = parse_text(reading.text)
    no_words = words is None or isinstance(words, wq.Not)  # only "-word" left
    groups: dict[str, list[Condition]] = {}
    for cond in reading.conditions:
        if cond.kind not in PLACE_KINDS:
            groups.setdefault(cond.kind, []).append(cond)
    allowed: list[x.Node] = []
    agreeing: list[x.Node] = []
    unknown: dict[str, x.Node] = {}
    usual: set[str] = set()
    for kind, conditions in groups.items():
        field = FIELDS[kind]
        agrees = x.one_of(field, [cond.value for cond in conditions])
        stated = x.one_of(c.STATED, [field])
        if no_words:
            # Nothing left to rank: a posting stating no fact is kept only where its
            # text has the words typed for it.
            stated = x.any_of([stated, x.negate(_mentions(conditions))])
        allowed.append(x.any_of([agrees, x.negate(stated)]))
        if {cond.value for cond in conditions} <= USUAL_TYPES:
            usual.add(kind)
            agrees = x.any_of([agrees, x.negate(stated)])
        agreeing.append(agrees)
        unknown[kind] = x.negate(stated)
    soft = SoftNodes(
        x.all_of(allowed), _tiers(agreeing), x.all_of(agreeing), unknown, frozenset(usual)
    )
    return reading, soft


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
