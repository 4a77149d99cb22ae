"""Filter expressions for Typesense's ``filter_by``, and Whoosh query trees made into them.

A query is matched on the cluster by filtering on jobsearch's own analysed terms (the
``*_terms`` fields hold each posting's terms as ``string[]``, one value a term), so a
term is an exact value test and the set of matches is exactly the query's. A small tree
(``Node``) is built, and negation is pushed down to the values (``field:!=[...]``, which
Typesense 0.24 and current releases share: a document without the field has none of
the values), because ``filter_by`` has no negation of a group.

Two things cannot be filters: a phrase's word order (Typesense filters test values,
not positions: a skill phrase is matched exactly, as the phrase term indexed whole
wherever it stands; any other phrase as all its words, and the search is told so),
and misspelled words (``FuzzyTerm``), which become Typesense's own typo-tolerant ``q``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from whoosh import query as wq

from search.cluster import schema as c
from search.cluster.documents import clean_text, term_token
from search.errors import InvalidFilterError
from search.store import fields as f
from search.store.phrases import phrase_vocabulary

#: The embedded engine's query fields -> the cluster field holding the same terms, and
#: whether a term is written as a token (``term_token``) there.
QUERY_FIELDS: dict[str, tuple[str, bool]] = {
    f.TITLE: (c.TITLE_TERMS, True),
    f.DESCRIPTION: (c.DESCRIPTION_TERMS, True),
    f.TITLE_WORDS: (c.TITLE_WORDS_TERMS, True),
    f.SKILL_TEXT: (c.SKILL_TERMS, True),
    f.SKILL: (c.SKILLS, False),
    f.SKILL_NAMED: (c.SKILL_NAMED, False),
    f.TITLE_PHRASE: (c.TITLE_PHRASES, False),
    f.DESCRIPTION_PHRASE: (c.DESCRIPTION_PHRASES, False),
}


@dataclass(frozen=True, slots=True)
class Node:
    """``and``/``or`` of parts, a value test (``in``: the field holds one of
    ``values``; negated: none of them), a ``raw`` filter that cannot be negated, or
    the constants ``true``/``false``."""

    kind: str
    parts: tuple[Node, ...] = ()
    field: str = ""
    values: tuple[str, ...] = ()
    negated: bool = False
    raw: str = ""


TRUE = Node("true")
FALSE = Node("false")


def one_of(name: str, values: Iterable[str]) -> Node:
    """The documents whose ``name`` holds any of ``values`` (FALSE for none)."""
    kept = tuple(dict.fromkeys(clean_text(v) for v in values if "`" not in v))
    return Node("in", field=name, values=kept) if kept else FALSE


def raw(text: str) -> Node:
    return Node("raw", raw=text)


def all_of(parts: Iterable[Node]) -> Node:
    kept: list[Node] = []
    for part in parts:
        if part.kind == "false":
            return FALSE
        if part.kind == "and":
            kept.extend(part.parts)
        elif part.kind != "true":
            kept.append(part)
    kept = _merged(kept, negated=True)
    if not kept:
        return TRUE
    return kept[0] if len(kept) == 1 else Node("and", tuple(kept))


def any_of(parts: Iterable[Node]) -> Node:
    kept: list[Node] = []
    for part in parts:
        if part.kind == "true":
            return TRUE
        if part.kind == "or":
            kept.extend(part.parts)
        elif part.kind != "false":
            kept.append(part)
    kept = _merged(kept, negated=False)
    if not kept:
        return FALSE
    return kept[0] if len(kept) == 1 else Node("or", tuple(kept))


def _merged(parts: list[Node], negated: bool) -> list[Node]:
    """``parts`` without repeats, and with the value tests of one field merged where
    that keeps the meaning: ORed tests of a field ("holds a or b"), ANDed negated
    ones ("holds neither a nor b"). Typesense takes at most 100 operations in one
    filter, and a search with conditions read from its words and partial matches
    composes many."""
    out: list[Node] = []
    at: dict[str, int] = {}
    for part in dict.fromkeys(parts):
        if part.kind == "in" and part.negated == negated:
            where = at.get(part.field)
            if where is not None:
                both = dict.fromkeys((*out[where].values, *part.values))
                out[where] = Node("in", field=part.field, values=tuple(both), negated=negated)
                continue
            at[part.field] = len(out)
        out.append(part)
    return out


def negate(node: Node) -> Node:
    """Not ``node``, with the negation pushed down to value tests (De Morgan)."""
    if node.kind == "true":
        return FALSE
    if node.kind == "false":
        return TRUE
    if node.kind == "in":
        return Node("in", field=node.field, values=node.values, negated=not node.negated)
    if node.kind == "and":
        return any_of(negate(p) for p in node.parts)
    if node.kind == "or":
        return all_of(negate(p) for p in node.parts)
    raise InvalidFilterError(f"the cluster cannot negate the filter {node.raw!r}")


def render(node: Node) -> str:
    """``filter_by`` text ('' for TRUE; FALSE has no text: callers check it first)."""
    if node.kind == "true":
        return ""
    if node.kind == "false":
        raise ValueError("an expression that is always false has no filter text")
    if node.kind == "raw":
        return node.raw
    if node.kind == "in":
        quoted = ",".join(f"`{v}`" for v in node.values)
        return f"{node.field}:{'!=' if node.negated else '='}[{quoted}]"
    joiner = " && " if node.kind == "and" else " || "
    return joiner.join(
        f"({render(p)})" if p.kind in ("and", "or") else render(p) for p in node.parts
    )


@dataclass(slots=True)
class Typo:
    """Misspelled words searched with Typesense's typo tolerance (``q``)."""

    words: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    prefix: bool = False
    typos: int = 0


@dataclass(slots=True)
class Translated:
    """A query tree as a filter, its ranked terms (field, token, weight), any words
    left to Typesense's typo tolerance, and what a person should know about it."""

    node: Node
    ranked: list[tuple[str, str, float]] = field(default_factory=list)
    typo: Typo | None = None
    checked: list[str] = field(default_factory=list)


def _value(name: str, text: str) -> tuple[str, str]:
    mapped = QUERY_FIELDS.get(name)
    if mapped is None:
        raise InvalidFilterError(f"the cluster index has no query field {name!r}")
    cluster_field, tokenized = mapped
    return cluster_field, term_token(text) if tokenized else text


def _note(out: Translated, said: str) -> None:
    note = f"{said} (the cluster does not check word order)"
    if note not in out.checked:
        out.checked.append(note)


#: Finds the postings holding a phrase exactly: (terms field, the phrase's tokens, the
#: postings holding all its pairs of words) -> those postings, or None when they are
#: too many to check (the phrase is then matched as its pairs, with a note).
Exact = Callable[[str, list[str], Node], Node | None]


def translate(q: wq.Query, exact: Exact | None = None) -> Translated:
    """``q`` (the parser's tree) as a cluster filter; see the module's docstring.
    ``exact`` checks phrases of three words or more, whose pairs may stand apart."""
    out = Translated(TRUE)
    out.node = _node(q, out, 1.0, positive=True, exact=exact)
    return out


def _node(
    q: wq.Query, out: Translated, boost: float, positive: bool, exact: Exact | None = None
) -> Node:
    weight = boost * float(getattr(q, "boost", 1.0) or 1.0)
    if isinstance(q, wq.Term):
        name, token = _value(q.fieldname, str(q.text))
        if positive:
            out.ranked.append((name, token, weight))
        return one_of(name, [token])
    if isinstance(q, wq.Phrase):
        words = [str(w) for w in q.words]
        name, _ = _value(q.fieldname, words[0])
        each = all_of([one_of(name, [_value(q.fieldname, w)[1]]) for w in words])
        if positive:
            out.ranked.extend((name, _value(q.fieldname, w)[1], weight) for w in words)
        whole = QUERY_FIELDS.get(f.PHRASE_FIELDS.get(q.fieldname, ""))
        joined = " ".join(words)
        if whole is not None and len(words) > 1 and joined in phrase_vocabulary()[0]:
            # A skill phrase: every place it stands was indexed whole, as the embedded
            # engine reads it (``search.store.phrases``): exact, word order included.
            return one_of(whole[0], [joined])
        pairs = c.PAIR_FIELDS.get(name)
        if pairs is not None and len(words) > 1:
            # Every two words standing together: exact for two words, as the embedded
            # engine's check of the text; a longer phrase's pairs may stand apart, so
            # the postings holding them are checked (``exact``) when they are few.
            found = all_of([one_of(pairs, [f"{a} {b}"]) for a, b in pairwise(words)])
            if len(words) > 2:
                tokens = [_value(q.fieldname, w)[1] for w in words]
                checked = exact(name, tokens, found) if exact is not None else None
                if checked is not None:
                    return checked
                _note(out, f'the phrase "{joined}" was matched as its pairs of words')
            return found
        if len(words) > 1:
            _note(out, f'the phrase "{joined}" was matched as all of its words')
        return each
    if isinstance(q, wq.FuzzyTerm | wq.Prefix):
        name, token = _value(q.fieldname, str(q.text))
        typo = out.typo = out.typo or Typo()
        if token not in typo.words:
            typo.words.append(token)
        if name not in typo.fields:
            typo.fields.append(name)
        if isinstance(q, wq.Prefix):
            typo.prefix = True
        else:
            typo.typos = max(typo.typos, min(2, int(q.maxdist)))
        if not positive:
            raise InvalidFilterError("the cluster cannot exclude misspelled words")
        return TRUE
    if isinstance(q, wq.And):
        return all_of([_node(s, out, weight, positive, exact) for s in q.subqueries])
    if isinstance(q, wq.Or):
        return any_of([_node(s, out, weight, positive, exact) for s in q.subqueries])
    if isinstance(q, wq.Require):
        return all_of(
            [_node(q.a, out, weight, positive, exact), _node(q.b, out, 0.0, positive, exact)]
        )
    if isinstance(q, wq.AndMaybe):
        _node(q.b, out, weight, positive, exact)  # ranked, never required
        return _node(q.a, out, weight, positive, exact)
    if isinstance(q, wq.AndNot):
        return all_of(
            [_node(q.a, out, weight, positive, exact), negate(_node(q.b, out, 0.0, False, exact))]
        )
    if isinstance(q, wq.Not):
        return negate(_node(q.query, out, 0.0, False, exact))
    if isinstance(q, wq.Every):
        return TRUE
    if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
        return FALSE
    raise InvalidFilterError(f"the cluster index cannot search a {type(q).__name__} query")
