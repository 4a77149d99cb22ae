"""Filters -> the set of documents every hit must be in; a filter never changes a score.

Values are read the way the extractors wrote them: places through ``normalize_key``,
skills through the skill vocabulary, levels and employment types through the role
extractor's own rules ("staff" is principal, "contractor" is contract), so a filter means
what extraction meant; employers by any spelling of their name (``companies``). A value
that matches nothing says so, naming the closest known values (``known``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from search.errors import InvalidFilterError
from search.extract.gazetteer import region_aliases
from search.extract.roles import (
    EMPLOYMENT_TYPES,
    LEVELS,
    classify_employment_type,
    classify_level,
)
from search.extract.skills import vocabulary
from search.extract.text import normalize_key
from search.filters import Filters
from search.model import DEGREES, Place
from search.query.companies import matching
from search.query.known import company_names, near_company, near_skill, near_term
from search.query.places import city_mask, region_keys, split_city
from search.query.radius import around
from search.query.view import Index, Mask
from search.store import fields as f
from search.store.documents import EPOCH


def _named(
    value: str, known: tuple[str, ...], classify: Callable[[str], str | None], what: str
) -> str:
    """``value`` as the extractor names it: a known name, or what the extractor reads
    from the user's word; InvalidFilterError listing the names otherwise."""
    word = value.strip().lower()
    name = word if word in known else classify(word)
    if name is None:
        raise InvalidFilterError(
            f"unknown {what} {value!r}", hint=f"use one of: {', '.join(known)}"
        )
    return name


def normalize_level(value: str) -> str:
    """A level as the extractor names it ("junior" is entry, "staff" principal)."""
    return _named(value, LEVELS, classify_level, "level")


def normalize_employment_type(value: str) -> str:
    """An employment type as the extractor names it ("fulltime", "contractor", "intern")."""
    return _named(value, EMPLOYMENT_TYPES, classify_employment_type, "employment type")


def _roles(wanted: Iterable[str], known: Iterable[str]) -> list[str]:
    """Role families matching each value: the family itself, else every family holding the
    words given ("scientist" matches "applied scientist")."""
    families = list(known)
    out = []
    for value in wanted:
        key = value.strip().lower()
        out.extend([r for r in families if r == key] or [r for r in families if key in r] or [key])
    return out


@dataclass(slots=True)
class FilterSet:
    """The documents passing every filter, and what the data-dependent ones left out.

    ``unstated`` maps a filter that needs a fact (pay, years of experience, level,
    employment type, workplace, role) to the documents that do not state it, so the
    search can say how many it left out; ``kept`` does the same for a filter that keeps
    such documents (a degree: a posting naming none is open to any). With ``groups``
    (each document's duplicate group, as ``Index.groups``) the notes count jobs, as
    folded totals do. ``center`` and ``nearest`` (kilometres from it, per document) are
    set by ``near``; ``notes`` name filter values that no posting has, and the radius.
    ``estimates`` holds the documents the pay filter left out only because their pay is
    an estimate.
    """

    parts: dict[str, Mask] = field(default_factory=dict)
    unstated: dict[str, Mask] = field(default_factory=dict)
    estimates: Mask | None = None
    kept: dict[str, Mask] = field(default_factory=dict)
    center: Place | None = None
    nearest: npt.NDArray[np.float64] | None = None
    notes: list[str] = field(default_factory=list)
    groups: npt.NDArray[np.int64] | None = None
    open_to: dict[str, Mask] = field(default_factory=dict)
    #: ``since``: the earliest posting date asked for, and the newest date any posting
    #: has (None: none states one), so that an empty result can say why.
    since: date | None = None
    newest: date | None = None

    @property
    def mask(self) -> Mask | None:
        combined: Mask | None = None
        for part in self.parts.values():
            combined = part if combined is None else combined & part
        return combined

    def _count(self, docs: Mask, shown: Mask | None = None) -> int:
        """Postings (or jobs, with ``groups``) in ``docs``; a job with a copy in ``shown``
        was not left out."""
        if self.groups is None:
            return int(np.count_nonzero(docs))
        groups = self.groups
        alone = int(np.count_nonzero(groups[docs] < 0))
        jobs = np.unique(groups[docs & (groups >= 0)])
        if shown is not None:
            jobs = np.setdiff1d(jobs, groups[shown & (groups >= 0)])
        return alone + len(jobs)

    def left_out(self, matched: Mask) -> list[str]:
        """Notes: how many of ``matched`` (before these filters) lacked a fact a filter
        needs, and so were left out (or, for ``kept``, kept)."""
        notes = []
        allowed = self.mask
        shown = matched if allowed is None else matched & allowed
        for name, missing in self.unstated.items():
            keep = matched & missing
            for other, part in self.parts.items():
                if other != name:
                    keep &= part
            count = self._count(keep, shown)
            if count:
                notes.append(_unstated_note(count, _UNSTATED[name], "left out"))
        for name, missing in self.kept.items():
            count = self._count(shown & missing)
            if count:
                notes.append(_unstated_note(count, _UNSTATED[name], _KEPT[name]))
        for region, remote in self.open_to.items():
            count = self._count(shown & remote)
            if count:
                what = "remote posting" if count == 1 else "remote postings"
                notes.append(f"{count:,} {what} open to {region} counted as in {region}")
        since = self._since_note(matched, shown)
        if since:
            notes.append(since)
        if self.estimates is not None:
            estimated = matched & self.estimates
            for part in (m for n, m in self.parts.items() if n != "salary"):
                estimated &= part
            count = self._count(estimated, shown)
            if count:
                whose = "posting whose pay is" if count == 1 else "postings whose pay is"
                verb = "was" if count == 1 else "were"
                notes.append(
                    f"{count:,} {whose} only an estimate {verb} left out (--estimates counts them)"
                )
        return notes

    def _since_note(self, matched: Mask, shown: Mask) -> str | None:
        """Why a date limit left nothing ("--since 7d" on an index whose newest posting
        is older): the newest posting's date, and how many match with no date limit."""
        if self.since is None or "since" not in self.parts or shown.any():
            return None
        undated = matched.copy()
        for name, part in self.parts.items():
            if name != "since":
                undated &= part
        count = self._count(undated)
        if not count:
            return None
        said = "posting matches" if count == 1 else "postings match"
        if self.newest is None:
            why = "no posting states the date it was posted"
        else:
            why = f"no posting is dated on or after {self.since} (the newest is from {self.newest})"
        return f"{why}; {count:,} {said} with no date limit"

    def one_of(
        self,
        name: str,
        noun: str,
        values: Iterable[tuple[str, Mask]],
        near: Callable[[str], str] | None = None,
    ) -> None:
        """A filter whose values are ORed: each typed value with its documents; a value
        that no posting has gets a note ("no posting in city 'Atlantis'"), which ``near``
        ends with the known values closest to it ("; closest known: kubernetes")."""
        combined: Mask | None = None
        for typed, held in values:
            if not held.any():
                self.notes.append(f"no posting {noun} {typed!r}{near(typed) if near else ''}")
            combined = held if combined is None else combined | held
        if combined is not None:
            self.parts[name] = combined


#: Filter -> the fact it needs, as a note names it: "12 postings that state no pay".
_UNSTATED = {
    "salary": "pay",
    "years": "years of experience",
    "since": "posting date",
    "level": "level",
    "type": "employment type",
    "workplace": "workplace (remote, hybrid or onsite)",
    "role": "role",
    "degree": "degree",
}
#: What a filter that keeps the postings lacking its fact does with them.
_KEPT = {"degree": "kept (read as requiring none)"}
#: Filter -> the field whose absence is an unknown fact.
_FACT_FIELDS = {
    "level": f.LEVEL,
    "type": f.EMPLOYMENT_TYPE,
    "workplace": f.WORKPLACE,
    "role": f.ROLE,
}


def _unstated_note(count: int, what: str, done: str) -> str:
    """ "1 posting that states no pay was left out", "1,204 postings of no known role
    were left out" (a role is read from the title, not stated)."""
    verb = "was" if count == 1 else "were"
    if what == "role":
        said = "posting" if count == 1 else "postings"
        return f"{count:,} {said} of no known role {verb} {done}"
    said = "posting that states" if count == 1 else "postings that state"
    return f"{count:,} {said} no {what} {verb} {done}"


def _workplaces(filters: Filters) -> list[str]:
    """Workplace values asked for: --workplace, and --remote/--on-site as aliases."""
    wanted = list(filters.workplace)
    if filters.remote is True:
        wanted.append("remote")
    elif filters.remote is False:
        wanted.append("onsite")
    return wanted


def _salary(index: Index, filters: Filters, found: FilterSet) -> None:
    if filters.salary_min is None:
        return
    high = index.column("pay_high")
    stated = ~np.isnan(high)
    reaches = np.zeros(index.size, dtype=bool)
    reaches[stated] = high[stated] >= filters.salary_min
    if filters.currency:
        reaches &= index.holding(f.PAY_CURRENCY, [filters.currency])
    if not filters.estimates:
        # A job site's estimate is not pay the employer offers: counted only when asked.
        estimated = index.holding(f.PAY_KIND, ["estimate"])
        found.estimates = reaches & estimated
        reaches &= ~estimated
    found.parts["salary"] = reaches
    found.unstated["salary"] = ~stated


def _experience(index: Index, filters: Filters, found: FilterSet) -> None:
    if filters.max_years is None:
        return
    years = index.column("years")
    found.parts["years"] = (years >= 0) & (years <= filters.max_years)
    found.unstated["years"] = years < 0


def _since(index: Index, filters: Filters, found: FilterSet) -> None:
    if filters.since is None:
        return
    posted = index.column("posted")
    found.parts["since"] = posted >= max((filters.since - EPOCH).days, 0)
    found.unstated["since"] = posted < 0
    found.since = filters.since
    live = posted[index.live]
    newest = int(live.max()) if len(live) else -1
    found.newest = EPOCH + timedelta(days=newest) if newest >= 0 else None


def _degree(index: Index, filters: Filters) -> Mask | None:
    """Postings requiring at most the degree given (a degree of "none": no degree)."""
    if filters.degree is None:
        return None
    allowed = ~index.holding(f.DEGREE, DEGREES)
    if filters.degree != "none":
        allowed |= index.holding(f.DEGREE, DEGREES[: DEGREES.index(filters.degree) + 1])
    return allowed


def _near_city(index: Index) -> Callable[[str], str]:
    """Known cities close to a typed one the index does not hold ("Seatle"); none for a
    known city whose state or country has no posting ("Portland, TX")."""
    near = near_term(index, f.CITY)
    return lambda typed: "" if split_city(index, typed) else near(typed)


def _country(index: Index, typed: str, found: FilterSet) -> Mask:
    """The postings in a country, or in a region ("Europe", "EMEA"): in its member
    countries, and remote postings open to it. A remote posting open to EMEA carries
    the keys of EMEA's countries, so ``--country Europe`` finds it; the remote postings
    a region counted are kept in ``found.open_to`` for a note."""
    key = normalize_key(typed)
    region = region_aliases().get(key)
    if region is None:
        return index.holding(f.COUNTRY_KEY, [key])
    keys = region_keys(region)
    held = index.holding(f.COUNTRY_KEY, keys) | index.holding(f.REGION_KEY, keys)
    found.open_to[region] = held & index.holding(f.WORKPLACE, ["remote"])
    return held


def _employers(index: Index, typed: Iterable[str]) -> Mask:
    """The postings of the employers named (by any spelling: see ``companies``)."""
    keys = company_names(index)
    names = set().union(*(matching(name, keys) for name in typed))
    return index.holding(f.COMPANY, sorted(names))


def filter_set(index: Index, filters: Filters, fold: bool = False) -> FilterSet:
    """Every filter as a set of documents; several values of one filter are ORed,
    different filters ANDed; a filter never changes a score. Read from the side tables:
    a few array operations per value. With ``fold`` the notes count jobs (copies of
    one job posted for several places count once), as the search's total does."""
    vocab = vocabulary()
    found = FilterSet(groups=index.groups if fold and index.has_copies else None)
    found.one_of(
        "city",
        "in city",
        ((v, city_mask(index, v)) for v in filters.city),
        _near_city(index),
    )
    # Filter, the note's words, the field, the typed values, the key each value means.
    keyed: tuple[tuple[str, str, str, Sequence[str], Callable[[str], str]], ...] = (
        ("state", "in state", f.STATE_KEY, filters.state, normalize_key),
        ("country", "in country", f.COUNTRY_KEY, filters.country, normalize_key),
        ("level", "at level", f.LEVEL, filters.level, normalize_level),
        (
            "type",
            "of employment type",
            f.EMPLOYMENT_TYPE,
            filters.employment_type,
            normalize_employment_type,
        ),
        ("workplace", "with workplace", f.WORKPLACE, _workplaces(filters), str),
    )
    for name, noun, key_field, values, key in keyed:
        if name == "country":
            found.one_of(name, noun, ((v, _country(index, v, found)) for v in values))
            continue
        found.one_of(name, noun, ((v, index.holding(key_field, [key(v)])) for v in values))
    found.one_of(
        "skill",
        "with skill",
        ((v, index.holding(f.SKILL, [vocab.canonical(v) or v.strip()])) for v in filters.skill),
        near_skill(index),
    )
    found.one_of(
        "company",
        "from company",
        ((v, _employers(index, [v])) for v in filters.company),
        near_company(index),
    )
    if filters.role:
        families = index.terms(f.ROLE)
        found.one_of(
            "role",
            "in role",
            ((v, index.holding(f.ROLE, _roles([v], families))) for v in filters.role),
            near_term(index, f.ROLE, most=5),
        )
    if filters.exclude_company:
        found.parts["exclude_company"] = ~_employers(index, filters.exclude_company)
    if filters.indexed_after is not None:
        found.parts["indexed_after"] = index.column("indexed") > filters.indexed_after.timestamp()
    for name, fact in _FACT_FIELDS.items():
        if name in found.parts:
            found.unstated[name] = ~index.stated(fact)
    degree = _degree(index, filters)
    if degree is not None:
        found.parts["degree"] = degree
        found.kept["degree"] = ~index.stated(f.DEGREE)
    _salary(index, filters, found)
    _experience(index, filters, found)
    _since(index, filters, found)
    _near(index, filters, found)
    return found


def _near(index: Index, filters: Filters, found: FilterSet) -> None:
    if not filters.near:
        return
    radius = filters.radius_km or 0.0
    found.center, found.nearest = around(index, filters.near)
    found.parts["near"] = found.nearest <= radius
    found.notes.append(f"within {round(radius, 1):g} km of {found.center.label()}")


def filter_mask(index: Index, filters: Filters) -> Mask | None:
    """The documents passing every filter (None when no filter is set)."""
    return filter_set(index, filters).mask
