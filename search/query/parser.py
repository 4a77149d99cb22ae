"""User text -> a Whoosh query. Lenient: user text never raises.

Query text goes through Whoosh's parser (quotes, AND/OR/NOT, parentheses, a leading ``-``
to exclude) over the title and description fields, title weighted higher (BM25F).
Acronyms and synonyms are a parser plugin, ``SkillPlugin``: see ``search.query.synonyms``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from whoosh import query as wq
from whoosh.qparser import AndGroup, MultifieldParser, PlusMinusPlugin
from whoosh.qparser.plugins import WildcardPlugin

from search.extract.skills import vocabulary
from search.query.synonyms import OPERATORS, SkillPlugin
from search.store import fields as f
from search.store.fields import term_text
from search.store.schema import shared_schema

__all__ = ["OPERATORS", "parse_text", "query_words", "relax"]


@cache
def _parser(fields: tuple[str, ...], synonyms: bool) -> MultifieldParser:
    boosts = {name: f.FIELD_BOOSTS.get(name, 1.0) for name in fields}
    parser = MultifieldParser(list(fields), shared_schema(), fieldboosts=boosts, group=AndGroup)
    # A leading + or - marks a word, but not the + of "C++" or the - of "full-stack".
    parser.add_plugin(
        PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\w)", minusexpr=r"(?<![^\s(])-(?=[\w\"(])")
    )
    parser.remove_plugin_class(WildcardPlugin)
    if synonyms:
        parser.add_plugin(SkillPlugin())
    return parser


def _plain_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text))


def _is_empty(q: wq.Query) -> bool:
    return q is wq.NullQuery or isinstance(q, type(wq.NullQuery))


def parse_text(text: str, fields: Sequence[str] = f.TEXT_FIELDS) -> wq.Query | None:
    """The query for ``text``, or None when it has no searchable words.

    Skill names are expanded when the query runs over title and description (not for a
    title-only search, where "NLP" means the word in a title). Whoosh's parser has
    corners that raise; then the text is read without synonyms, then as plain words.
    """
    text = (text or "").strip()
    if not text:
        return None
    names = tuple(fields)
    synonyms = f.TITLE in names and len(names) > 1
    attempts = [(_parser(names, synonyms), text), (_parser(names, False), text)]
    attempts.append((_parser(names, False), _plain_words(text)))
    for parser, candidate in attempts:
        try:
            parsed = parser.parse(candidate)
        except Exception:  # user text must never raise
            continue
        if not _is_empty(parsed):
            return parsed
    return None


def relax(q: wq.Query) -> wq.Query | None:
    """The query with its top-level AND loosened to OR (exclusions kept); None if no AND."""
    if isinstance(q, wq.AndNot):
        loose = relax(q.a)
        return wq.AndNot(loose, q.b) if loose is not None else None
    if isinstance(q, wq.And) and len(q.subqueries) > 1:
        return wq.Or(q.subqueries)
    return None


def query_words(q: wq.Query | None) -> list[str]:
    """The words of a query's positive text terms, for snippets."""
    if q is None:
        return []
    words = []
    vocab = vocabulary()
    for field, term in q.iter_all_terms(phrases=True):
        text = term_text(term)
        if field in f.FIELD_BOOSTS:
            words.append(text)
        elif field == f.SKILL:  # a match through a skill: mark how the posting spells it
            words.extend(w for form in vocab.aliases(text) for w in form.split())
    return words
