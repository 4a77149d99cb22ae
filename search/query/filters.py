"""Filters -> one Whoosh query that every hit must match; it never changes the ranking.

Values are read the way the extractors wrote them: places through ``normalize_key``,
skills through the skill vocabulary, levels and employment types through the role
extractor's own rules ("staff" is principal, "contractor" is contract), so a filter means
what extraction meant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from whoosh import query as wq

from search.errors import InvalidFilterError
from search.extract.roles import (
    EMPLOYMENT_TYPES,
    LEVELS,
    classify_employment_type,
    classify_level,
)
from search.extract.skills import vocabulary
from search.extract.text import normalize_key
from search.results import Filters
from search.store import fields as f


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


def _any(field: str, values: Iterable[str]) -> wq.Query | None:
    terms = [wq.Term(field, v) for v in dict.fromkeys(values) if v]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def _roles(wanted: Iterable[str], known: Iterable[str]) -> list[str]:
    """Role families matching each value: the family itself, else every family holding the
    words given ("scientist" matches "applied scientist")."""
    families = list(known)
    out = []
    for value in wanted:
        key = value.strip().lower()
        out.extend([r for r in families if r == key] or [r for r in families if key in r] or [key])
    return out


def build_filter(filters: Filters, roles: Iterable[str] = ()) -> wq.Query | None:
    """One query that all filters must match, or None when no filter is set.

    ``roles`` is the list of role families in the index, for the role filter.
    """
    vocab = vocabulary()
    parts: list[wq.Query | None] = [
        _any(f.CITY_KEY, map(normalize_key, filters.city)),
        _any(f.STATE_KEY, map(normalize_key, filters.state)),
        _any(f.COUNTRY_KEY, map(normalize_key, filters.country)),
        _any(f.SKILL, [vocab.canonical(s) or s.strip() for s in filters.skill]),
        _any(f.LEVEL, map(normalize_level, filters.level)),
        _any(f.EMPLOYMENT_TYPE, map(normalize_employment_type, filters.employment_type)),
    ]
    if filters.role:
        parts.append(_any(f.ROLE, _roles(filters.role, roles)))
    if filters.exclude_company:
        companies = _any(f.COMPANY_KEY, map(normalize_key, filters.exclude_company))
        parts.append(wq.Not(companies) if companies is not None else None)
    if filters.remote is not None:
        parts.append(wq.Term(f.REMOTE, filters.remote))
    if filters.since is not None:
        start = datetime.combine(filters.since, datetime.min.time())
        parts.append(wq.DateRange(f.POSTED, start, None))
    present = [p for p in parts if p is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else wq.And(present)
