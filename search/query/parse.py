"""User text and filters -> Whoosh query objects. Lenient: user text never raises.

Query text goes through Whoosh's parser (quotes, AND/OR/NOT, parentheses, a leading ``-``
to exclude) over the title and description fields, title weighted higher (BM25F).

Acronyms and synonyms: every skill name or alias the user types ("NLP", "k8s",
"natural language processing") is rewritten as "these words, or the skill's other
spellings (weighted 0.9), or a posting whose extracted skills include that skill":
``(NLP OR "natural language processing"^0.9 OR skill:'natural language processing'^1.5)``.
Multi-word skill names match as phrases, typed or added: "large language models" is
one thing, not three common words anywhere in a posting.
Both spellings of a skill so rank the same postings at the top, while of two otherwise
equal postings the one using the user's own words comes first. Matching whole skills
(not the words of skill names) keeps "engineering manager" from matching the skill
"prompt engineering".

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
from search.extract.roles import (
    EMPLOYMENT_TYPES,
    LEVELS,
    classify_employment_type,
    classify_level,
)
from search.extract.skills import vocabulary
from search.extract.text import normalize_key
from search.results import Filters
from search.store.analysis import text_analyzer
from search.store.schema import FIELD_BOOSTS, build_schema

#: Score of a match through an extracted skill: about a weak single-word BM25 match.
SKILL_BOOST = 1.5
#: Weight of another spelling of a skill the user typed: close to the typed words, so
#: "NLP" and "natural language processing" rank alike, but below them, so that of two
#: equal postings the one using the user's own words comes first.
SYNONYM_WEIGHT = 0.9
MAX_SYNONYMS = 3
_ANALYZER = text_analyzer()


@cache
def _skill_pattern() -> re.Pattern[str]:
    """Every skill surface form of two letters or more, longest first, on whole words."""
    vocab = vocabulary()
    forms = {
        form.lower()
        for skill in vocab
        for form in vocab.aliases(skill.name)
        if len(form) > 1 and "'" not in form
    }
    alternation = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![\w\-:'.+#])(?:{alternation})(?![\w+#])", re.IGNORECASE)


def expand_skills(text: str) -> tuple[str, dict[str, str]]:
    """Rewrite skill names and aliases in ``text`` to also match the extracted skill.

    Returns the query text with ``(written OR skill:sk0^1.5)`` groups and the canonical
    skill behind each placeholder token; the parser cannot quote multi-word keyword
    values, so the real values go in after parsing (``_fill_skills``). Quoted phrases,
    excluded words (``-word``) and field-qualified terms are left alone.
    """
    vocab = vocabulary()
    skills: dict[str, str] = {}
    pieces = re.split(r'("[^"]*")', text)
    for i, piece in enumerate(pieces):
        if i % 2:  # a quoted phrase: the user asked for these exact words
            continue

        def rewrite(match: re.Match[str]) -> str:
            written = match.group()
            canonical = vocab.canonical(written)
            if canonical is None or written.upper() in OPERATORS:
                return written
            token = f"{_PLACEHOLDER}{len(skills)}"
            skills[token] = canonical
            typed_words = max(1, len(_analyzed(written)))
            forms = [_as_phrase(written)] + [
                f"{_as_phrase(form)}^{_synonym_weight(form, typed_words):.3g}"
                for form in _other_forms(canonical, written)
            ]
            return f"({' OR '.join(forms)} OR skill:{token}^{SKILL_BOOST})"

        pieces[i] = _skill_pattern().sub(rewrite, piece)
    return "".join(pieces), skills


def _synonym_weight(form: str, typed_words: int) -> float:
    """Weight of another spelling, per word: a phrase's score is the sum of its words'.

    Scaled down by words so that "natural language processing" (three words) added to a
    typed "NLP" counts like one "NLP", and never above 0.9: of two postings that each
    mention the skill once, the one in the user's words ranks first, while postings using
    both spellings lead for either.
    """
    return SYNONYM_WEIGHT * min(1.0, typed_words / max(1, len(_analyzed(form))))


def _as_phrase(form: str) -> str:
    """A skill's name is matched as a phrase: "generative AI", not "AI" anywhere."""
    return f'"{form}"' if " " in form else form


@cache
def _analyzed(form: str) -> tuple[str, ...]:
    return tuple(token.text for token in _ANALYZER(form))


def _other_forms(canonical: str, written: str) -> list[str]:
    """The skill's other spellings that index differently from the one typed (at most 3).

    "NLP" adds "natural language processing"; "LLMs" adds "large language models" but
    not "LLM", which stems the same.
    """
    seen = {_analyzed(written)}
    out = []
    for form in vocabulary().aliases(canonical):
        key = _analyzed(form)
        if not key or key in seen or "'" in form or '"' in form:
            continue
        seen.add(key)
        out.append(form)
    return out[:MAX_SYNONYMS]


def _fill_skills(q: wq.Query, skills: dict[str, str]) -> wq.Query:
    def fill(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Term) and node.fieldname == "skill" and node.text in skills:
            return wq.Term("skill", skills[node.text], boost=node.boost)
        return node

    return q.accept(fill)


#: Query-syntax words that are never search terms (also used by the spelling module).
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
_PLACEHOLDER = "zzskill"


@cache
def _parser(fields: tuple[str, ...]) -> MultifieldParser:
    boosts = {name: FIELD_BOOSTS.get(name, 1.0) for name in fields}
    parser = MultifieldParser(list(fields), build_schema(), fieldboosts=boosts, group=AndGroup)
    # A leading + or - marks a word, but not the + of "C++" or the - of "full-stack".
    parser.add_plugin(
        PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\w)", minusexpr=r"(?<![^\s(])-(?=[\w\"(])")
    )
    parser.remove_plugin_class(WildcardPlugin)
    return parser


def parse_text(text: str, fields: Sequence[str] = tuple(FIELD_BOOSTS)) -> wq.Query | None:
    """The query for ``text``, or None when it has no searchable words."""
    text = (text or "").strip()
    if not text:
        return None
    parser = _parser(tuple(fields))
    expanded, skills = expand_skills(text) if "title" in fields and len(fields) > 1 else (text, {})
    for candidate in (expanded, text, _plain_words(text)):
        try:
            parsed = parser.parse(candidate)
        except Exception:  # Whoosh's parser has corners that raise; user text must not
            continue
        if parsed is not wq.NullQuery and not isinstance(parsed, type(wq.NullQuery)):
            return _fill_skills(parsed, skills) if skills else parsed
    return None


def relax(q: wq.Query) -> wq.Query | None:
    """The query with its top-level AND loosened to OR (exclusions kept); None if no AND."""
    if isinstance(q, wq.AndNot):
        loose = relax(q.a)
        return wq.AndNot(loose, q.b) if loose is not None else None
    if isinstance(q, wq.And) and len(q.subqueries) > 1:
        return wq.Or(q.subqueries)
    return None


def _plain_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text))


def query_words(q: wq.Query | None) -> list[str]:
    """The words of a query's positive text terms, for snippets."""
    if q is None:
        return []
    words = []
    vocab = vocabulary()
    for field, term in q.iter_all_terms(phrases=True):
        text = term.decode() if isinstance(term, bytes) else str(term)
        if field in FIELD_BOOSTS:
            words.append(text)
        elif field == "skill":  # a match through a skill: mark how the posting spells it
            words.extend(w for form in vocab.aliases(text) for w in form.split())
    return words


def _any(field: str, values: Iterable[str]) -> wq.Query | None:
    terms = [wq.Term(field, v) for v in dict.fromkeys(values) if v]
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def normalize_level(value: str) -> str:
    """A level as the extractor names it; the extractor's own rules read the user's word
    ("staff" is principal, "junior" entry), so a filter means what extraction meant."""
    word = value.strip().lower()
    level = word if word in LEVELS else classify_level(word)
    if level is None:
        raise InvalidFilterError(
            f"unknown level {value!r}", hint=f"use one of: {', '.join(LEVELS)}"
        )
    return level


def normalize_employment_type(value: str) -> str:
    """An employment type as the extractor names it ("fulltime", "contractor", "intern")."""
    word = value.strip().lower()
    kind = word if word in EMPLOYMENT_TYPES else classify_employment_type(word)
    if kind is None:
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
