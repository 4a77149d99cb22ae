"""The known values of a filter, and those closest to a value that matched nothing.

A filter value that no posting has gets a note; the note names the index's own values
closest to it ("kubernets" -> kubernetes, "Krakn" -> kraken.com), so a typo or another
spelling is one step from the search meant. The candidates are what the index holds
(and, for skills, every spelling of the vocabulary), compared as folded keys with
``difflib``; they are built once per snapshot, and only when a value matched nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

from search.extract.skills import vocabulary
from search.extract.text import normalize_key
from search.query.companies import by_key, company_keys
from search.query.view import Index
from search.store import fields as f

#: How many close values a note names.
SHOWN = 3
#: How alike (difflib's ratio) a known value must be to be named.
CUTOFF = 0.75
#: Longest typed value compared: a paragraph is no misspelt name, and comparing costs.
LONGEST = 100


def company_names(index: Index) -> dict[str, set[str]]:
    """Each comparable key of an employer -> the names the index holds for it."""
    found = index.derived.get("company_keys")
    if found is None:
        found = index.derived["company_keys"] = by_key(index.terms(f.COMPANY))
    return found  # type: ignore[return-value]


def _closest(key: str, known: dict[str, str], cutoff: float = CUTOFF) -> list[str]:
    """The shown values of the known keys most like ``key``, best first."""
    if len(key) > LONGEST:
        return []
    found = difflib.get_close_matches(key, list(known), n=SHOWN * 3, cutoff=cutoff)
    return list(dict.fromkeys(known[k] for k in found))[:SHOWN]


def _note(close: list[str]) -> str:
    return f"; closest known: {', '.join(close)}" if close else ""


def _shown(index: Index, name: str, make: Callable[[], dict[str, str]]) -> dict[str, str]:
    found = index.derived.get(name)
    if found is None:
        found = index.derived[name] = make()
    return found  # type: ignore[return-value]


def near_company(index: Index) -> Callable[[str], str]:
    """The employers closest to a typed name: "; closest known: kraken.com"."""

    def known() -> dict[str, str]:
        return {key: sorted(names)[0] for key, names in company_names(index).items()}

    def near(typed: str) -> str:
        keys = _shown(index, "company_near", known)
        close: list[str] = []
        for key in sorted(company_keys(typed), key=len, reverse=True):
            close.extend(_closest(key, keys))
        return _note(list(dict.fromkeys(close))[:SHOWN])

    return near


def near_skill(index: Index) -> Callable[[str], str]:
    """The skills closest to a typed one, by every spelling of the vocabulary and the
    skills the index holds: "; closest known: kubernetes"."""

    def known() -> dict[str, str]:
        forms = {form.lower(): skill.name for skill in vocabulary() for form in skill.aliases}
        return forms | {name: name for name in index.terms(f.SKILL)}

    def near(typed: str) -> str:
        return _note(_closest(" ".join(typed.lower().split()), _shown(index, "skill_near", known)))

    return near


def near_term(index: Index, field: str, most: int = 0) -> Callable[[str], str]:
    """The values of ``field`` (cities, role families) closest to a typed one; with
    ``most``, when none is close, the ``most`` most frequent ("; known values include:
    ...": a small vocabulary such as role families is learnt from its examples)."""

    def known() -> dict[str, str]:
        return {normalize_key(term): term for term in index.terms(field)}

    def near(typed: str) -> str:
        close = _closest(normalize_key(typed), _shown(index, f"{field}_near", known))
        if close or not most:
            return _note(close)
        terms = index.terms(field)
        counts = [index.doc_frequency(field, term.encode("utf-8")) for term in terms]
        common = [t for _, t in sorted(zip(counts, terms, strict=True), reverse=True)][:most]
        return f"; known values include: {', '.join(common)}" if common else ""

    return near
