"""User text -> a Whoosh query. Lenient within bounds: text past the limits raises
``InvalidQueryError``; any other text parses (odd syntax falls back to its plain words).

Query text goes through Whoosh's parser (quotes, AND/OR/NOT, parentheses, a leading ``-``
to exclude) over the title and description fields, title weighted higher (BM25F).
Acronyms and synonyms are a parser plugin, ``SkillPlugin``: see ``search.query.synonyms``.

The work a query costs grows with its words, its quoted phrases (checked in stored
text) and its nesting, so each is limited before parsing; and a user may name only the
ranked text fields (``title:``, ``description:``): ``spell_title:x``, ``id:x`` or
``[a TO z]`` are plain words, never a look at internal fields or a range over a lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from whoosh import query as wq
from whoosh.qparser import AndGroup, MultifieldParser, PlusMinusPlugin, syntax
from whoosh.qparser.plugins import FieldsPlugin, Plugin, RangePlugin, WildcardPlugin
from whoosh.qparser.taggers import RegexTagger

from search.errors import InvalidQueryError
from search.extract.skills import vocabulary
from search.query.dropped import Dropped, log_operators, operator_log, tagged_drops
from search.query.ranking import FIELD_BOOSTS
from search.query.synonyms import OPERATORS, SkillPlugin, skill_of
from search.query.synonyms import PRIORITY as SKILL_PRIORITY
from search.query.synonyms import max_words as max_skill_words
from search.query.words import TOKEN
from search.store import fields as f
from search.store.fields import term_text
from search.store.schema import shared_schema

__all__ = [
    "OPERATORS",
    "Parsed",
    "check_text",
    "parse_lenient",
    "parse_text",
    "query_words",
    "relax",
]

#: Longest query text accepted: a long paragraph. Pasting a whole posting is not a query.
MAX_QUERY_CHARS = 1_000
#: Most words (operators included) in one query: each becomes several terms per field.
MAX_QUERY_WORDS = 64
#: Most quoted phrases: a phrase of common words is matched over the positions of every
#: posting holding its words (in stored text, in segments written without positions),
#: the dearest part of a search.
MAX_PHRASES = 2
#: Deepest nesting of parentheses.
MAX_NESTING = 8
#: The fields a user may name before a colon: the ranked text, never internal fields.
USER_FIELDS: tuple[str, ...] = f.TEXT_FIELDS


class _UserFieldsPlugin(FieldsPlugin):
    """``title:`` and ``description:`` (any case) name a field; any other ``name:`` is the
    word ``name``, so ``skill:pytorch`` searches both words and ``spell_title:x`` never
    reaches an internal field."""

    class FieldnameTagger(RegexTagger):
        def create(self, parser: Any, match: re.Match[str]) -> syntax.SyntaxNode:
            name = match.group("text")
            if name.lower() in USER_FIELDS:
                return syntax.FieldnameNode(name.lower(), match.group(0))
            return syntax.WordNode(name)

    def __init__(self) -> None:
        super().__init__(expr=r"(?<![\w.+#-])(?P<text>\w+):", remove_unknown=True)


class _PlusMinus(PlusMinusPlugin):
    """Whoosh's ``+word``/``-word``, except that a query of excluded words only means
    everything but them: Whoosh turns "nothing AND NOT python" into "python", so
    ``-python`` searched for python."""

    def do_plusminus(self, parser: Any, group: syntax.GroupNode) -> syntax.SyntaxNode:
        found = super().do_plusminus(parser, group)
        if isinstance(found, syntax.AndNotGroup) and not found.nodes[0]:
            return syntax.NotGroup([found.nodes[1]])
        return found


#: Words the text fields drop (a stop word) that name something in capitals: "IT
#: manager" is a title, not "manager".
TITLE_ONLY_WORDS = frozenset({"IT"})


class _TitleWordsPlugin(Plugin):
    """Puts a free word of ``TITLE_ONLY_WORDS`` in the title-words field, which keeps it
    (runs after the skill plugin, before the words are spread over the text fields)."""

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.place, SKILL_PRIORITY + 1)]

    def place(self, parser: Any, group: syntax.GroupNode) -> syntax.GroupNode:
        for node in group:
            if isinstance(node, syntax.GroupNode):
                self.place(parser, node)
            elif (
                isinstance(node, syntax.WordNode)
                and node.fieldname is None
                and node.text in TITLE_ONLY_WORDS
            ):
                node.set_fieldname(f.TITLE_WORDS)
                node.set_boost(FIELD_BOOSTS[f.TITLE_WORDS])
        return group


@cache
def _parser(fields: tuple[str, ...], synonyms: bool) -> MultifieldParser:
    boosts = {name: FIELD_BOOSTS.get(name, 1.0) for name in fields}
    parser = MultifieldParser(list(fields), shared_schema(), fieldboosts=boosts, group=AndGroup)
    # A leading + or - marks a word, but not the + of "C++" or the - of "full-stack".
    parser.add_plugin(
        _PlusMinus(plusexpr=r"(?<![^\s(])\+(?=\w)", minusexpr=r"(?<![^\s(])-(?=[\w\"(])")
    )
    parser.remove_plugin_class(WildcardPlugin)
    parser.remove_plugin_class(RangePlugin)  # [a TO z] would walk a whole lexicon
    parser.remove_plugin_class(FieldsPlugin)
    parser.add_plugin(_UserFieldsPlugin())
    if synonyms:
        parser.add_plugin(SkillPlugin())
        parser.add_plugin(_TitleWordsPlugin())
    log_operators(parser)
    return parser


def _plain_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text))


def _is_empty(q: wq.Query) -> bool:
    return q is wq.NullQuery or isinstance(q, type(wq.NullQuery))


def _nesting(text: str) -> int:
    """The deepest nesting of parentheses (unbalanced ones count as far as they go)."""
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")" and depth:
            depth -= 1
    return deepest


def _phrases(text: str) -> int:
    """How many quoted parts of ``text`` hold two words or more (an open quote at the end
    counts too): a quoted single word is a plain term and ``""`` is nothing."""
    quoted = text.split('"')[1::2]
    return sum(len(TOKEN.findall(part)) >= 2 for part in quoted)


def check_text(text: object) -> str:
    """``text`` if it is query text within the limits; ``InvalidQueryError`` says which
    limit it passes (or that it is not text at all)."""
    if not isinstance(text, str):
        raise InvalidQueryError(f"query text must be a string, not {type(text).__name__}")
    hint = "shorten it, or use filters such as --skill and --city"
    counts = (
        (len(text), MAX_QUERY_CHARS, "characters"),
        (len(TOKEN.findall(text)), MAX_QUERY_WORDS, "words"),
        (_phrases(text), MAX_PHRASES, "quoted phrases"),
        (_nesting(text), MAX_NESTING, "levels of nested parentheses"),
    )
    for count, most, what in counts:
        if count > most:
            raise InvalidQueryError(
                f"the query has {count:,} {what}; the limit is {most:,}", hint=hint
            )
    return text


def parse_text(text: str, fields: Sequence[str] = f.TEXT_FIELDS) -> wq.Query | None:
    """The query for ``text``, or None when it has no searchable words.

    Skill names are expanded when the query runs over title and description (not for a
    title-only search, where "NLP" means the word in a title). Whoosh's parser has
    corners that raise; then the text is read without synonyms, then as plain words.
    Text that is not a string or passes a limit (see ``check_text``) raises
    ``InvalidQueryError`` before any work is done.
    """
    return _parse_cached(check_text("" if text is None else text).strip(), tuple(fields))


#: Distinct (text, fields) parses kept: Whoosh's parser costs a few milliseconds a query
#: (a third of a cheap search at 100k postings), and searchers repeat their queries. A
#: parse depends on the text, the fields and the (fixed) schema and skill vocabulary
#: only, never on an index; the queries are shared, so nothing may change them after
#: parsing (the engine builds new queries around them instead).
PARSE_CACHE = 4096


@lru_cache(maxsize=PARSE_CACHE)
def _parse_cached(text: str, names: tuple[str, ...]) -> wq.Query | None:
    words = _plain_word_list(text)
    if words is not None:
        parts = [q for q in (_parse_cached(w, names) for w in words) if q is not None]
        if len(parts) < 2:
            return parts[0] if parts else None
        return wq.And(parts).normalize()
    return _parse(text, names, None)


#: Lower-case words separated by single spaces: text the parser reads word by word.
_PLAIN = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)+")


def _plain_word_list(text: str) -> list[str] | None:
    """The words of ``text`` when its query is the AND of each word's own query: two
    words or more, lower-case letters and digits only (no operator, quote, field name,
    acronym in capitals or symbol), no run of them naming a skill (which the skill
    plugin reads as one phrase). Whoosh's parser costs ~1 ms a query at best; a word's
    query is kept, so a new combination of known words costs an AND.
    ``tests/test_parse_words.py`` holds this to the parser's own answer."""
    if not _PLAIN.fullmatch(text):
        return None
    words = text.split(" ")
    longest = min(max_skill_words(), len(words))
    for n in range(2, longest + 1):
        for i in range(len(words) - n + 1):
            if skill_of(" ".join(words[i : i + n])) is not None:
                return None
    return words


def _parse(text: str, names: tuple[str, ...], log: list[Dropped] | None) -> wq.Query | None:
    if not text:
        return None
    synonyms = f.TITLE in names and len(names) > 1
    attempts = [(_parser(names, synonyms), text), (_parser(names, False), text)]
    attempts.append((_parser(names, False), _plain_words(text)))
    for parser, candidate in attempts:
        typed = candidate == text
        if log is not None and typed:
            log.clear()  # only the last attempt on the typed text says what it dropped
        try:
            # Operators dropped from the plain words are not at the typed text's offsets.
            with nullcontext() if typed else operator_log():
                parsed = parser.parse(candidate)
        except Exception:  # user text must never raise
            continue
        if not _is_empty(parsed):
            return parsed
    return None


@dataclass(frozen=True)
class Parsed:
    """A query and the parts of its text that were not searched."""

    query: wq.Query | None
    dropped: tuple[Dropped, ...] = ()


def parse_lenient(text: str, fields: Sequence[str] = f.TEXT_FIELDS) -> Parsed:
    """``parse_text``'s query, with what the parser ignored in ``text`` (as tantivy's
    ``parse_query_lenient`` returns its errors): unbalanced parentheses and quotes,
    operators with nothing on one side, field names a user may not use, lone ``-``,
    wildcards. See ``search.query.dropped``. The query is the one ``parse_text`` gives.
    """
    return _parse_lenient(check_text("" if text is None else text).strip(), tuple(fields))


@lru_cache(maxsize=PARSE_CACHE)
def _parse_lenient(text: str, names: tuple[str, ...]) -> Parsed:
    """``parse_lenient`` of checked text, kept (see ``PARSE_CACHE``)."""
    if _plain_word_list(text) is not None:  # nothing to ignore in plain words
        return Parsed(_parse_cached(text, names))
    with operator_log() as log:
        query = _parse(text, names, log)
        dropped = [*log, *tagged_drops(_parser(names, False), text, USER_FIELDS)]
    return Parsed(query, tuple(sorted(dict.fromkeys(dropped), key=lambda d: d.at)))


def relax(q: wq.Query) -> wq.Query | None:
    """The query with its top-level AND loosened to OR (exclusions kept); None if no AND."""
    if isinstance(q, wq.AndNot):
        loose = relax(q.a)
        return wq.AndNot(loose, q.b) if loose is not None else None
    if isinstance(q, wq.AndMaybe):  # words that only rank stay so
        loose = relax(q.a)
        return wq.AndMaybe(loose, q.b) if loose is not None else None
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
        if field in FIELD_BOOSTS:
            words.append(text)
        elif field == f.SKILL:  # a match through a skill: mark how the posting spells it
            words.extend(w for form in vocab.aliases(text) for w in form.split())
    return words
