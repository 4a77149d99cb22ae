"""Filters -> the set of documents every hit must be in; a filter never changes a score.

Values are read the way the extractors wrote them: places through ``normalize_key``,
skills through the skill vocabulary, levels and employment types through the role
extractor's own rules ("staff" is principal, "contractor" is contract), so a filter means
what extraction meant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from search.errors import InvalidFilterError
from search.extract.roles import (
    EMPLOYMENT_TYPES,
    LEVELS,
    classify_employment_type,
    classify_level,
)
from search.extract.skills import vocabulary
from search.extract.text import normalize_key
from search.filters import Filters
from search.model import DEGREES
from search.query.places import cities_mask
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


def _any(index: Index, field: str, values: Iterable[str]) -> Mask | None:
    """Documents holding any of ``values`` in ``field``; None when no value is given."""
    wanted = [v for v in dict.fromkeys(values) if v]
    if not wanted:
        return None
    mask = np.zeros(index.size, dtype=bool)
    for value in wanted:
        docs, _ = index.docs(field, value.encode("utf-8"))
        mask[docs] = True
    return mask


@dataclass(slots=True)
class FilterSet:
    """The documents passing every filter, and what the data-dependent ones left out.

    ``unstated`` maps a filter that needs a fact (pay, years of experience) to the
    documents that do not state it, so the search can say how many it left out.
    """

    parts: dict[str, Mask] = field(default_factory=dict)
    unstated: dict[str, Mask] = field(default_factory=dict)

    @property
    def mask(self) -> Mask | None:
        combined: Mask | None = None
        for part in self.parts.values():
            combined = part if combined is None else combined & part
        return combined

    def left_out(self, matched: Mask) -> list[str]:
        """Notes: how many of ``matched`` (before these filters) lacked a needed fact."""
        notes = []
        for name, missing in self.unstated.items():
            others = [m for n, m in self.parts.items() if n != name]
            keep = matched & missing
            for other in others:
                keep &= other
            count = int(keep.sum())
            if count:
                what = _UNSTATED[name]
                said = "posting that states" if count == 1 else "postings that state"
                verb = "was" if count == 1 else "were"
                notes.append(f"{count:,} {said} no {what} {verb} left out")
        return notes


_UNSTATED = {"salary": "pay", "years": "years of experience", "since": "posting date"}


def _workplaces(index: Index, filters: Filters) -> list[str]:
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
        in_currency = _any(index, f.PAY_CURRENCY, [filters.currency])
        reaches &= in_currency if in_currency is not None else False
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


def _degree(index: Index, filters: Filters) -> Mask | None:
    """Postings requiring at most the degree given (a degree of "none": no degree)."""
    if filters.degree is None:
        return None
    required = _any(index, f.DEGREE, DEGREES)
    allowed = ~required if required is not None else np.ones(index.size, dtype=bool)
    if filters.degree != "none":
        upto = DEGREES[: DEGREES.index(filters.degree) + 1]
        within = _any(index, f.DEGREE, upto)
        if within is not None:
            allowed |= within
    return allowed


def filter_set(index: Index, filters: Filters) -> FilterSet:
    """Every filter as a set of documents; several values of one filter are ORed,
    different filters ANDed; a filter never changes a score. Read from the side tables:
    a few array operations per value."""
    vocab = vocabulary()
    found = FilterSet()
    parts: dict[str, Mask | None] = {
        "city": cities_mask(index, filters.city),
        "state": _any(index, f.STATE_KEY, map(normalize_key, filters.state)),
        "country": _any(index, f.COUNTRY_KEY, map(normalize_key, filters.country)),
        "skill": _any(index, f.SKILL, [vocab.canonical(s) or s.strip() for s in filters.skill]),
        "level": _any(index, f.LEVEL, map(normalize_level, filters.level)),
        "type": _any(
            index, f.EMPLOYMENT_TYPE, map(normalize_employment_type, filters.employment_type)
        ),
        "company": _any(index, f.COMPANY_KEY, map(normalize_key, filters.company)),
        "workplace": _any(index, f.WORKPLACE, _workplaces(index, filters)),
        "degree": _degree(index, filters),
    }
    if filters.role:
        parts["role"] = _any(index, f.ROLE, _roles(filters.role, index.terms(f.ROLE)))
    if filters.exclude_company:
        companies = _any(index, f.COMPANY_KEY, map(normalize_key, filters.exclude_company))
        parts["exclude_company"] = ~companies if companies is not None else None
    if filters.indexed_after is not None:
        parts["indexed_after"] = index.column("indexed") > filters.indexed_after.timestamp()
    for name, part in parts.items():
        if part is not None:
            found.parts[name] = part
    _salary(index, filters, found)
    _experience(index, filters, found)
    _since(index, filters, found)
    return found


def filter_mask(index: Index, filters: Filters) -> Mask | None:
    """The documents passing every filter (None when no filter is set)."""
    return filter_set(index, filters).mask
