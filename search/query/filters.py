"""Filters -> the set of documents every hit must be in; a filter never changes a score.

Values are read the way the extractors wrote them: places through ``normalize_key``,
skills through the skill vocabulary, levels and employment types through the role
extractor's own rules ("staff" is principal, "contractor" is contract), so a filter means
what extraction meant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

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
from search.query.matching import Index, Mask
from search.results import Filters
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


def filter_mask(index: Index, filters: Filters) -> Mask | None:
    """The documents passing every filter (None when no filter is set).

    Several values of one filter are ORed, different filters ANDed; a filter never
    changes a score. Read from the side tables: a few array operations per value.
    """
    vocab = vocabulary()
    parts: list[Mask | None] = [
        _any(index, f.CITY_KEY, map(normalize_key, filters.city)),
        _any(index, f.STATE_KEY, map(normalize_key, filters.state)),
        _any(index, f.COUNTRY_KEY, map(normalize_key, filters.country)),
        _any(index, f.SKILL, [vocab.canonical(s) or s.strip() for s in filters.skill]),
        _any(index, f.LEVEL, map(normalize_level, filters.level)),
        _any(index, f.EMPLOYMENT_TYPE, map(normalize_employment_type, filters.employment_type)),
    ]
    if filters.role:
        parts.append(_any(index, f.ROLE, _roles(filters.role, index.terms(f.ROLE))))
    if filters.exclude_company:
        companies = _any(index, f.COMPANY_KEY, map(normalize_key, filters.exclude_company))
        parts.append(~companies if companies is not None else None)
    if filters.remote is not None:
        parts.append(_any(index, f.REMOTE, ["t" if filters.remote else "f"]))
    if filters.since is not None:
        parts.append(index.column("posted") >= (filters.since - EPOCH).days)
    mask: Mask | None = None
    for part in parts:
        if part is not None:
            mask = part if mask is None else mask & part
    return mask
