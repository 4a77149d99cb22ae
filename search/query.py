"""User text and filters -> Whoosh query objects. Lenient: user text never raises.

Query text goes through Whoosh's parser (quotes, AND/OR/NOT, parentheses, a leading ``-``
to exclude) over the title, skill and description fields. Acronyms and synonyms need no
rewriting here: the ``skill_text`` field of a posting holds every surface form of every
skill it mentions (NLP and "natural language processing" alike), so either spelling
finds it, while the title and description fields match only the words as typed — an
exact match therefore always scores above a synonym-only one.

Filters are built as separate queries and passed to Whoosh as ``filter=``, so they
restrict the match without changing the ranking.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache

from whoosh import query as wq
from whoosh.qparser import AndGroup, MultifieldParser, PlusMinusPlugin
from whoosh.qparser.plugins import WildcardPlugin

from search.errors import InvalidFilterError
from search.extract.locations import normalize_key
from search.extract.skills import vocabulary
from search.results import Filters
from search.schema import FIELD_BOOSTS, build_schema

LEVELS = ("intern", "entry", "mid", "senior", "principal", "manager")
EMPLOYMENT_TYPES = ("full-time", "part-time", "contract", "internship")
_TYPE_ALIASES = {
    "fulltime": "full-time",
    "full time": "full-time",
    "ft": "full-time",
    "permanent": "full-time",
    "parttime": "part-time",
    "part time": "part-time",
    "pt": "part-time",
    "contractor": "contract",
    "freelance": "contract",
    "temporary": "contract",
    "intern": "internship",
    "internships": "internship",
}


@cache
def _parser(fields: tuple[str, ...]) -> MultifieldParser:
    boosts = {name: FIELD_BOOSTS.get(name, 1.0) for name in fields}
    parser = MultifieldParser(list(fields), build_schema(), fieldboosts=boosts, group=AndGroup)
    parser.add_plugin(PlusMinusPlugin())
    parser.remove_plugin_class(WildcardPlugin)
    return parser


def parse_text(text: str, fields: Sequence[str] = tuple(FIELD_BOOSTS)) -> wq.Query | None:
    """The query for ``text``, or None when it has no searchable words."""
    text = (text or "").strip()
    if not text:
        return None
    parser = _parser(tuple(fields))
    for candidate in (text, _plain_words(text)):
        try:
            parsed = parser.parse(candidate)
        except Exception:  # Whoosh's parser has corners that raise; user text must not
            continue
        if parsed is not wq.NullQuery and not isinstance(parsed, type(wq.NullQuery)):
            return parsed
    return None


def _plain_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text))


def query_words(q: wq.Query | None) -> list[str]:
    """The words of a query's positive text terms, for snippets."""
    if q is None:
        return []
    words = []
    for field, term in q.iter_all_terms(phrases=True):
        if field in FIELD_BOOSTS:
            words.append(term.decode() if isinstance(term, bytes) else str(term))
    return words


def _any(field: str, values: Iterable[str]) -> wq.Query | None:
    terms = [wq.Term(field, v) for v in dict.fromkeys(values) if v]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def normalize_level(value: str) -> str:
    level = value.strip().lower()
    aliases = {"internship": "intern", "junior": "entry", "lead": "senior", "staff": "senior"}
    level = aliases.get(level, level)
    if level not in LEVELS:
        raise InvalidFilterError(
            f"unknown level {value!r}", hint=f"use one of: {', '.join(LEVELS)}"
        )
    return level


def normalize_employment_type(value: str) -> str:
    kind = value.strip().lower().replace("_", "-")
    kind = _TYPE_ALIASES.get(kind, kind)
    if kind not in EMPLOYMENT_TYPES:
        raise InvalidFilterError(
            f"unknown employment type {value!r}", hint=f"use one of: {', '.join(EMPLOYMENT_TYPES)}"
        )
    return kind


def build_filter(filters: Filters, roles: Iterable[str] = ()) -> wq.Query | None:
    """One query that all filters must match, or None when no filter is set.

    ``roles`` is the list of role families in the index: a role filter matches every
    family that contains the words given ("scientist" matches "applied scientist").
    """
    vocab = vocabulary()
    parts: list[wq.Query | None] = [
        _any("city_key", map(normalize_key, filters.city)),
        _any("state_key", map(normalize_key, filters.state)),
        _any(
            "country_key",
            [normalize_key(c) for c in filters.country],
        ),
        _any("skill", [vocab.canonical(s) or s.strip() for s in filters.skill]),
        _any("level", map(normalize_level, filters.level)),
        _any("employment_type", map(normalize_employment_type, filters.employment_type)),
    ]
    if filters.role:
        known = list(roles)
        wanted = []
        for value in filters.role:
            key = value.strip().lower()
            matches = [r for r in known if r == key] or [r for r in known if key in r]
            wanted.extend(matches or [key])
        parts.append(_any("role", wanted))
    if filters.exclude_company:
        companies = _any("company_key", map(normalize_key, filters.exclude_company))
        parts.append(wq.Not(companies) if companies is not None else None)
    if filters.remote is not None:
        parts.append(wq.Term("remote", filters.remote))
    if filters.since is not None:
        start = datetime.combine(filters.since, datetime.min.time())
        parts.append(wq.DateRange("posted", start, None))
    present = [p for p in parts if p is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else wq.And(present)
