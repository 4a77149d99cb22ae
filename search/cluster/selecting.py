"""``Filters`` -> a cluster filter expression, read as the embedded engine reads them.

Values go through the same readers (``normalize_key`` for places, the skill vocabulary,
the role extractor's levels and types, employers by any spelling of their name), and
the keys they give are the values ``search.cluster.documents`` wrote, so both engines
select the same postings. A filter needing a fact (pay, years, date, level, type,
workplace, role) keeps the postings lacking it aside (``unstated``) so the search can
say how many it left out; a value no posting holds gets the embedded engine's note.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from search.cluster import expr as x
from search.cluster import schema as c
from search.errors import InvalidFilterError
from search.extract.gazetteer import region_aliases
from search.extract.skills import vocabulary
from search.extract.text import normalize_key
from search.model import DEGREES, Place
from search.query.companies import by_key, matching
from search.query.filters import _roles, _workplaces, normalize_employment_type, normalize_level
from search.query.places import region_keys
from search.results import Filters
from search.store.documents import EPOCH

if TYPE_CHECKING:
    from search.cluster.understanding import SoftNodes

#: Filter -> the fact it needs, as a note names it (as ``search.query.filters``).
UNSTATED = {
    "salary": "pay",
    "years": "years of experience",
    "since": "posting date",
    "level": "level",
    "type": "employment type",
    "workplace": "workplace (remote, hybrid or onsite)",
    "role": "role",
    "degree": "degree",
}
#: Filter -> the cluster field whose absence is the unknown fact.
FACT_FIELDS = {
    "level": c.LEVEL,
    "type": c.EMPLOYMENT_TYPE,
    "workplace": c.WORKPLACE,
    "role": c.ROLE,
}


@dataclass(slots=True)
class ClusterSelection:
    """The filters of one search as cluster expressions: each filter's part, and for
    the filters needing a fact the documents that do not state it."""

    parts: dict[str, x.Node] = field(default_factory=dict)
    unstated: dict[str, x.Node] = field(default_factory=dict)
    kept: dict[str, x.Node] = field(default_factory=dict)
    estimates: x.Node | None = None
    notes: list[str] = field(default_factory=list)
    center: Place | None = None
    radius_km: float | None = None
    fold: bool = False
    #: Conditions read from the query text (``search.cluster.understanding``).
    soft: SoftNodes | None = None

    @property
    def node(self) -> x.Node:
        return x.all_of(self.parts.values())


class Holder:
    """What ``select`` asks of the cluster: how many postings hold a value, and the
    names a field holds (for employers and roles)."""

    def holds(self, node: x.Node) -> bool:  # pragma: no cover - the backend answers
        raise NotImplementedError

    def names(self, name: str) -> list[str]:  # pragma: no cover - the backend answers
        raise NotImplementedError

    def place(self, typed: str) -> Place | None:  # pragma: no cover - the backend answers
        raise NotImplementedError


def _missing(name: str) -> x.Node:
    """Documents that do not state the fact of field ``name`` (``schema.STATED``)."""
    return x.negate(x.one_of(c.STATED, [name]))


def select(holder: Holder, filters: Filters, fold: bool) -> ClusterSelection:
    """Every filter as a cluster expression (values of one filter ORed, filters ANDed)."""
    chosen = ClusterSelection(fold=fold)
    vocab = vocabulary()

    def one_of(name: str, noun: str, values: Sequence[tuple[str, x.Node]]) -> None:
        if not values:
            return
        for typed, node in values:
            if node.kind == "false" or not holder.holds(node):
                chosen.notes.append(f"no posting {noun} {typed!r}")
        chosen.parts[name] = x.any_of(node for _, node in values)

    one_of("city", "in city", [(v, city_node(holder, v)) for v in filters.city])
    keyed: tuple[tuple[str, str, str, Sequence[str], Callable[[str], str]], ...] = (
        ("state", "in state", c.STATE_KEY, filters.state, normalize_key),
        ("level", "at level", c.LEVEL, filters.level, normalize_level),
        ("type", "of employment type", c.EMPLOYMENT_TYPE, filters.employment_type,
         normalize_employment_type),
        ("workplace", "with workplace", c.WORKPLACE, _workplaces(filters), str),
    )  # fmt: skip
    one_of("country", "in country", [(v, _country(v)) for v in filters.country])
    for name, noun, key_field, values, key in keyed:
        one_of(name, noun, [(v, x.one_of(key_field, [key(v)])) for v in values])
    skills = [(v, x.one_of(c.SKILLS, [vocab.canonical(v) or v.strip()])) for v in filters.skill]
    one_of("skill", "with skill", skills)
    if filters.company or filters.exclude_company:
        names = by_key(holder.names(c.COMPANY))
        one_of(
            "company",
            "from company",
            [(v, x.one_of(c.COMPANY, sorted(matching(v, names)))) for v in filters.company],
        )
        if filters.exclude_company:
            held = set().union(*(matching(v, names) for v in filters.exclude_company))
            chosen.parts["exclude_company"] = x.negate(x.one_of(c.COMPANY, sorted(held)))
    if filters.role:
        families = holder.names(c.ROLE)
        one_of(
            "role", "in role", [(v, x.one_of(c.ROLE, _roles([v], families))) for v in filters.role]
        )
    if filters.indexed_after is not None:
        after = int(filters.indexed_after.timestamp() * 1_000_000)
        chosen.parts["indexed_after"] = x.raw(f"{c.INDEXED_US}:>{after}")
    for name, fact in FACT_FIELDS.items():
        if name in chosen.parts:
            chosen.unstated[name] = _missing(fact)
    _degree(filters, chosen)
    _salary(filters, chosen)
    if filters.max_years is not None:
        chosen.parts["years"] = x.raw(f"{c.YEARS}:[0..{int(filters.max_years)}]")
        chosen.unstated["years"] = _missing(c.YEARS)
    if filters.since is not None:
        chosen.parts["since"] = x.raw(f"{c.POSTED}:>={since_days(filters.since)}")
        chosen.unstated["since"] = _missing(c.POSTED)
    if filters.near:
        _near(holder, filters, chosen)
    return chosen


def since_days(since: date) -> int:
    return max((since - EPOCH).days, 0)


def city_node(holder: Holder, value: str) -> x.Node:
    """A typed city as the index reads it (``search.query.places.split_city``)."""
    key = normalize_key(value)
    whole = x.one_of(c.CITY_KEY, [key])
    if key and holder.holds(whole):
        return whole
    parts = [p for p in (normalize_key(p) for p in value.split(",")) if p]
    candidates: list[tuple[str, tuple[str, ...]]] = []
    if len(parts) == 1:
        words = key.split()
        for cut in range(len(words) - 1, 0, -1):
            candidates.append((" ".join(words[:cut]), (" ".join(words[cut:]),)))
    else:
        candidates = [(p, tuple(parts[:i] + parts[i + 1 :])) for i, p in enumerate(parts)]
    for city, qualifiers in candidates:
        if not holder.holds(x.one_of(c.CITY_KEY, [city])):
            continue
        tests = [
            x.any_of([x.one_of(c.STATE_KEY, [q]), x.one_of(c.COUNTRY_KEY, [q])]) for q in qualifiers
        ]
        if len(parts) == 1 and not all(holder.holds(t) for t in tests):
            continue
        return x.all_of([x.one_of(c.CITY_KEY, [city]), *tests])
    return x.FALSE


def _country(typed: str) -> x.Node:
    key = normalize_key(typed)
    region = region_aliases().get(key)
    if region is None:
        return x.one_of(c.COUNTRY_KEY, [key])
    keys = region_keys(region)
    return x.any_of([x.one_of(c.COUNTRY_KEY, keys), x.one_of(c.REGION_KEY, keys)])


def _degree(filters: Filters, chosen: ClusterSelection) -> None:
    if filters.degree is None:
        return
    known = [c.DEGREE_RANKS[d] for d in DEGREES if d in c.DEGREE_RANKS]
    if filters.degree == "none":
        allowed = f"{c.DEGREE}:<{min(known)}"
    else:
        allowed = f"{c.DEGREE}:<={c.DEGREE_RANKS[filters.degree]}"
    chosen.parts["degree"] = x.any_of([x.raw(allowed), _missing(c.DEGREE)])
    chosen.kept["degree"] = _missing(c.DEGREE)


def _salary(filters: Filters, chosen: ClusterSelection) -> None:
    if filters.salary_min is None:
        return
    reaches = [x.raw(f"{c.PAY_ANNUAL_HIGH}:>={float(filters.salary_min)}")]
    if filters.currency:
        reaches.append(x.one_of(c.PAY_CURRENCY, [filters.currency]))
    if not filters.estimates:
        estimate = x.one_of(c.PAY_KIND, ["estimate"])
        chosen.estimates = x.all_of([*reaches, estimate])
        reaches.append(x.negate(estimate))
    chosen.parts["salary"] = x.all_of(reaches)
    chosen.unstated["salary"] = _missing(c.PAY_ANNUAL_HIGH)


def _near(holder: Holder, filters: Filters, chosen: ClusterSelection) -> None:
    center = holder.place(filters.near or "")
    if center is None or center.lat is None or center.lon is None:
        raise InvalidFilterError(f"no place called {filters.near!r} to search near")
    radius = filters.radius_km or 0.0
    chosen.center, chosen.radius_km = center, radius
    chosen.parts["near"] = x.raw(f"{c.GEO}:({center.lat},{center.lon},{max(radius, 0.001)} km)")
    chosen.notes.append(f"within {round(radius, 1):g} km of {center.label()}")
