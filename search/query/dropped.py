"""What the lenient parser ignored in a query, so that a search can say so.

Whoosh's parser never fails on odd syntax: an unclosed parenthesis or quote, an
operator with nothing on one side, ``skill:`` (not a field a user may name), a lone
``-``, a ``*`` wildcard: each is quietly left out and the rest is searched. As tantivy's
``parse_query_lenient`` returns its errors beside the query, ``parse_lenient`` in
``search.query.parser`` returns these as ``Dropped`` parts, and a search turns each into
a note ("ignored '(': unbalanced parenthesis"). The query itself is unchanged.

Two sources, both Whoosh's own reading of the text: the parser's tagged nodes (what a
bracket, a quote, a field name or a word is), read with ``tagged_drops``; and the
operators Whoosh removes while grouping, logged by operator nodes that record when
they remove themselves (``log_operators``), since only the grouping knows which
operator lost its operand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from whoosh.qparser import QueryParser, syntax
from whoosh.qparser.plugins import GroupPlugin, OperatorsPlugin, PhrasePlugin

__all__ = ["Dropped", "log_operators", "operator_log", "tagged_drops"]


@dataclass(frozen=True)
class Dropped:
    """A part of the query text that was not searched, where it was, and why."""

    text: str
    #: Character offset of ``text`` in the query.
    at: int
    reason: str

    @property
    def note(self) -> str:
        return f"ignored {self.text!r}: {self.reason}"


BOTH_SIDES = "an operator needs words on both sides"
NOTHING_AFTER = "nothing follows it"
UNBALANCED_PARENTHESIS = "unbalanced parenthesis"
UNBALANCED_QUOTE = "unbalanced quote"
#: Characters of other engines' syntax that the analysis drops from a word.
_NOT_SYNTAX = {
    '"': UNBALANCED_QUOTE,
    "*": "wildcards are not supported",
    "~": "fuzzy search is not typed (close spellings are searched when nothing matches)",
}
#: Word operators that the text analysis drops (they are stop words) when Whoosh reads
#: them as words: at the start or end of the query, or next to a parenthesis.
_WORD_OPERATORS = {"AND": BOTH_SIDES, "OR": BOTH_SIDES, "NOT": NOTHING_AFTER}
#: Text with none of these has nothing to report (most queries): no tagging needed.
_MAYBE = re.compile(r"""[()":*~]|(?<!\S)[-+](?!\S)|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE|REQUIRE)\b""")

_OPERATOR_LOG: ContextVar[list[Dropped] | None] = ContextVar("operator_log", default=None)


def _log(node: syntax.Operator, reason: str) -> None:
    log = _OPERATOR_LOG.get()
    if log is not None:
        log.append(Dropped(node.text, node.startchar, reason))


class _LoggedInfix(syntax.InfixOperator):
    """Whoosh's infix operator (AND, OR, ...), logging when it has no operand on a side
    and removes itself."""

    def replace_self(self, parser: Any, group: syntax.GroupNode, position: int) -> int:
        if not 0 < position < len(group) - 1:
            _log(self, BOTH_SIDES)
        return int(super().replace_self(parser, group, position))


class _LoggedPrefix(syntax.PrefixOperator):
    """Whoosh's prefix operator (NOT, REQUIRE), logging when nothing follows it."""

    def replace_self(self, parser: Any, group: syntax.GroupNode, position: int) -> int:
        if position >= len(group) - 1:
            _log(self, NOTHING_AFTER)
        return int(super().replace_self(parser, group, position))


_LOGGED = {syntax.InfixOperator: _LoggedInfix, syntax.PrefixOperator: _LoggedPrefix}


def log_operators(parser: QueryParser) -> None:
    """Make the parser's operators log their removal into ``operator_log`` (their
    behaviour is Whoosh's, unchanged)."""
    for plugin in parser.plugins:
        if isinstance(plugin, OperatorsPlugin):
            for tagger, _ in plugin.ops:
                tagger.optype = _LOGGED.get(tagger.optype, tagger.optype)


@contextmanager
def operator_log() -> Iterator[list[Dropped]]:
    """The operators dropped by parses in this context (this thread only)."""
    log: list[Dropped] = []
    token = _OPERATOR_LOG.set(log)
    try:
        yield log
    finally:
        _OPERATOR_LOG.reset(token)


def tagged_drops(parser: QueryParser, text: str, fields: tuple[str, ...]) -> list[Dropped]:
    """The parts of ``text`` the parser's tagging leaves out: unbalanced brackets and
    quotes, empty quotes, field names it does not take, lone ``-``/``+``, word
    operators that end up as (stop) words, wildcard and fuzzy marks."""
    if not _MAYBE.search(text):
        return []
    nodes = list(parser.tag(text))
    out: list[Dropped] = []
    opens: list[syntax.SyntaxNode] = []
    for i, node in enumerate(nodes):
        raw = text[node.startchar : node.endchar]
        after = nodes[i + 1] if i + 1 < len(nodes) else None
        if isinstance(node, GroupPlugin.OpenBracket):
            opens.append(node)
        elif isinstance(node, GroupPlugin.CloseBracket):
            if opens:
                opens.pop()
            else:
                out.append(Dropped(raw, node.startchar, UNBALANCED_PARENTHESIS))
        elif isinstance(node, syntax.FieldnameNode):
            if after is None or isinstance(after, syntax.Whitespace):
                why = f"no word follows it; searched {raw[:-1]!r} as a word"
                out.append(Dropped(raw, node.startchar, why))
        elif isinstance(node, PhrasePlugin.PhraseNode):
            if not node.text.strip():
                out.append(Dropped(raw, node.startchar, "empty quotes"))
        elif isinstance(node, syntax.WordNode):
            out.extend(_word_drops(node, raw, fields))
    out.extend(Dropped("(", node.startchar, UNBALANCED_PARENTHESIS) for node in opens)
    return out


def _word_drops(node: syntax.WordNode, raw: str, fields: tuple[str, ...]) -> list[Dropped]:
    start = node.startchar
    if raw.endswith(":") and raw[:-1] == node.text:
        names = ", ".join(fields)
        return [Dropped(raw, start, f"not a field ({names}); searched {node.text!r} as a word")]
    if raw in ("-", "+"):
        return [Dropped(raw, start, NOTHING_AFTER)]
    if raw in _WORD_OPERATORS:
        return [Dropped(raw, start, _WORD_OPERATORS[raw])]
    return [
        Dropped(char, start + offset, why)
        for offset, char in enumerate(raw)
        if (why := _NOT_SYNTAX.get(char)) is not None
    ]
