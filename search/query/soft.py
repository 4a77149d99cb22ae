"""Conditions read from query text, over the index: they narrow only where a posting
states the fact, and rank instead where it does not.

"senior rust engineer berlin" leaves out the Rust roles that state another level or
another place, lists those stated senior and in Berlin first, then those stating fewer
of the facts asked for (a remote role in Germany naming no city, a Berlin role naming
no level), so nothing is lost silently; a note says how many were kept below. When
fewer than a page state every fact, those stating another follow, marked partial. An
explicit filter is different: it leaves out what does not state its fact
(``search.query.filters``).

This is the embedded engine's side of ``Backend.understand`` (numpy over the side
tables): ``search.query.embedded`` keeps a ``Soft`` on its ``Selection``, applies
``allowed`` and the kept-below notes when matching and orders by ``tiers``. Policy sees
only the reading and the selections (``search.query.contract.Understood``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from whoosh import query as wq

from search.query.matching import evaluate
from search.query.parser import parse_text
from search.query.places import IndexPlaces, city_mask, region_keys
from search.query.understand import PLACE_KINDS, Condition, Kind, Reading, read
from search.query.view import Index, Mask
from search.results import Filters
from search.store import fields as f

#: Condition kind -> the field holding the fact.
FACT_FIELDS: dict[Kind, str] = {
    "level": f.LEVEL,
    "workplace": f.WORKPLACE,
    "type": f.EMPLOYMENT_TYPE,
}
#: The facts as notes name them.
_FACTS = {"place": "place", "level": "level", "workplace": "workplace", "type": "employment type"}
#: Employment types a posting rarely leaves unsaid: a part-time, contract, temporary or
#: intern job says so (in the corpus 570 postings state one of those, 432 full-time,
#: 8,018 none), so a posting stating no type is most likely full-time and is not ranked
#: below for "full time".
USUAL_TYPES = frozenset({"full-time"})


def flagged(filters: Filters) -> frozenset[Kind]:
    """The kinds an explicit filter already sets: their words are not read (a flag
    wins over words)."""
    kinds: set[Kind] = set()
    if filters.city or filters.state or filters.country or filters.near:
        kinds.update(PLACE_KINDS)
    if filters.level:
        kinds.add("level")
    if filters.workplace or filters.remote is not None:
        kinds.add("workplace")
    if filters.employment_type:
        kinds.add("type")
    return frozenset(kinds)


@dataclass(slots=True)
class Soft:
    """A reading's conditions over the index: ``allowed`` the postings that state no
    contrary fact, ``agreed`` how many of the facts asked for each posting states (the
    order of results: most first), ``unknown`` by fact ("place", "level", ...) the
    postings stating none."""

    reading: Reading
    allowed: Mask
    agreed: npt.NDArray[np.int8]
    unknown: dict[str, Mask] = field(default_factory=dict)
    #: Facts whose unknown postings are kept without being ranked below.
    usual: frozenset[str] = frozenset()

    @property
    def every(self) -> Mask:
        """The postings stating every fact asked for."""
        return self.agreed == len({c.kind for c in self.reading.conditions})

    def tiers(self) -> list[Mask]:
        """The postings by how many facts they state as asked, most first."""
        most = int(self.agreed.max()) if len(self.agreed) else 0
        return [self.agreed == n for n in range(most, -1, -1)]

    @property
    def facts(self) -> str:
        """The facts a posting may state otherwise, as notes name them: "level or
        place" (3 more postings state another level or place)."""
        return facts_said(self.unknown, self.usual)

    def notes(self, shown: Mask, count: Callable[[Mask], int] | None = None) -> list[str]:
        """How many of ``shown`` (the matches) state no fact asked for, kept below
        (``count``: how to count them, postings by default)."""
        counted = count if count is not None else (lambda m: int(np.count_nonzero(m)))
        notes = []
        for fact, missing in self.unknown.items():
            note = kept_note(fact, counted(shown & missing), fact in self.usual)
            if note:
                notes.append(note)
        return notes


def facts_said(unknown: Iterable[str], usual: frozenset[str]) -> str:
    """The facts a posting may state otherwise, as notes name them: "level or place"."""
    facts = [_FACTS[fact] for fact in unknown if fact not in usual]
    said = " or ".join(facts) if len(facts) < 3 else ", ".join(facts[:-1]) + " or " + facts[-1]
    return said or "employment type"


def kept_note(fact: str, n: int, usual: bool) -> str | None:
    """The note for ``n`` matches stating no ``fact`` ("level"), kept below (or kept,
    for a fact usually left unsaid); None for none."""
    if not n:
        return None
    said = "posting that states" if n == 1 else "postings that state"
    verb = "was" if n == 1 else "were"
    where = "kept" if usual else "kept below"
    return f"{n:,} {said} no {_FACTS[fact]} {verb} {where}"


def _place_mask(index: Index, c: Condition) -> Mask:
    if c.kind == "city":
        return city_mask(index, c.value)
    if c.kind == "region":
        return index.holding(f.COUNTRY_KEY, region_keys(c.value)) | index.holding(
            f.REGION_KEY, region_keys(c.value)
        )
    return index.holding(f.PLACE_KEY_FIELDS[c.kind], [c.value])


def _place_known(index: Index, kind: str, agrees: Mask) -> Mask:
    """Postings whose place is known, for a condition on ``kind``: any place, for a
    state, country or region; for a city, a city, or a country the city is not in (a
    remote role open to the city's country, naming no city, may be taken from there:
    it is kept below, not left out)."""
    stated = np.zeros(index.size, dtype=bool)
    if kind != "city":
        for name in f.PLACE_KEY_FIELDS.values():
            stated |= index.stated(name)
        return stated
    docs, values, names = index.entries(f.COUNTRY_KEY)
    held = np.bincount(values[agrees[docs]], minlength=len(names))
    # The city's countries: keys most of its postings hold (its own country's names;
    # not the other countries a few multi-place postings list).
    own = [names[i] for i in np.flatnonzero(held * 2 >= max(int(agrees.sum()), 1))]
    elsewhere = index.stated(f.COUNTRY_KEY) & ~index.holding(f.COUNTRY_KEY, own)
    return index.stated(f.CITY_KEY) | elsewhere


def _mentions(index: Index, conditions: list[Condition]) -> Mask:
    """The postings whose text has the words typed for these conditions."""
    q = parse_text(" OR ".join(f'"{c.words}"' for c in conditions))
    return evaluate(index, q).mask if q is not None else np.zeros(index.size, dtype=bool)


def understand(index: Index, text: str, filters: Filters) -> Soft | None:
    """``text`` read (words of kinds an explicit filter sets stay text), with its
    conditions as masks; None when nothing was read.

    When no words are left to rank ("remote", "jobs in london", "intern"), a posting
    stating no fact is kept only where its text has the words typed for it (a remote
    role naming no city but saying "London"): kept below by date, the rest of the
    index would follow."""
    reading = read(text, IndexPlaces(index), skip=flagged(filters))
    if not reading.understood:
        return None
    words = parse_text(reading.text)
    no_words = words is None or isinstance(words, wq.Not)  # only "-word" left
    allowed = np.ones(index.size, dtype=bool)
    agreed = np.zeros(index.size, dtype=np.int8)
    unknown: dict[str, Mask] = {}
    usual: set[str] = set()
    groups: dict[str, list[Condition]] = {}
    for c in reading.conditions:
        # Several values of one kind are ORed ("berlin munich"); kinds ANDed.
        groups.setdefault(c.kind, []).append(c)
    for kind, conditions in groups.items():
        if kind in PLACE_KINDS:
            agrees = np.zeros(index.size, dtype=bool)
            for c in conditions:
                agrees |= _place_mask(index, c)
            stated, fact = _place_known(index, kind, agrees), "place"
        else:
            agrees = index.holding(FACT_FIELDS[kind], [c.value for c in conditions])  # type: ignore[index]
            stated, fact = index.stated(FACT_FIELDS[kind]), kind  # type: ignore[index]
        if no_words:
            stated = stated | ~_mentions(index, conditions)
        allowed &= agrees | ~stated
        if {c.value for c in conditions} <= USUAL_TYPES:
            usual.add(fact)
            agrees = agrees | ~stated
        agreed += agrees
        unknown[fact] = unknown.get(fact, np.zeros(index.size, dtype=bool)) | ~stated
    return Soft(reading, allowed, agreed, unknown, frozenset(usual))
