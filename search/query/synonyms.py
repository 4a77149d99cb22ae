"""Acronyms and synonyms, as a Whoosh parser plugin that rewrites the syntax tree.

Every skill name or alias the user types ("NLP", "k8s", "natural language processing")
becomes "these words, or the skill's other spellings (weighted below them), or a posting
whose extracted skills include that skill":
``((NLP REQUIRE skill_named:'natural language processing') OR "natural language
processing"^0.3 OR skill:'natural language processing'^1.5)``. A one-word spelling
matches only postings whose text names the skill (``NamedSkillGroup``), so a word that
names a skill matches the skill, not other words with the same stem ("excel" is not
"excellent"), while its score is the word's BM25F as before.
Multi-word skill names match as phrases, typed or added: "large language models" is one
thing, not three common words anywhere in a posting. Both spellings of a skill so rank
the same postings at the top, while of two otherwise equal postings the one using the
user's own words comes first. Matching whole skills (not the words of skill names) keeps
"engineering manager" from matching the skill "prompt engineering".

The plugin runs after field names are applied and before words are spread over the
title and description fields, so quoted phrases, field-qualified words (``title:ml``)
and excluded words (``-java``) are left as typed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from whoosh import query as wq
from whoosh.qparser import PlusMinusPlugin, syntax
from whoosh.qparser.plugins import PhrasePlugin, Plugin

from search.extract.skills import vocabulary
from search.query.ranking import MAX_SYNONYMS, SKILL_BOOST, SYNONYM_WEIGHT
from search.store import fields as f
from search.store.analysis import text_analyzer

#: Query-syntax words that are never search terms (also used by the spelling module).
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"})
#: Runs after FieldsPlugin (100) names fields, before MultifieldPlugin (110) spreads words.
PRIORITY = 105
_TRAILING = ",;:!?."


@cache
def _analyzed(form: str) -> tuple[str, ...]:
    return tuple(token.text for token in text_analyzer()(form))


def synonym_weight(form: str, typed_words: int) -> float:
    """Weight of another spelling, per word: a phrase's score is the sum of its words'.

    Scaled down by words so that "natural language processing" (three words) added to a
    typed "NLP" counts like one "NLP", and never above 0.9: of two postings that each
    mention the skill once, the one in the user's words ranks first, while postings using
    both spellings lead for either.
    """
    return SYNONYM_WEIGHT * min(1.0, typed_words / max(1, len(_analyzed(form))))


def other_forms(canonical: str, written: str) -> list[str]:
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


@cache
def _max_words() -> int:
    vocab = vocabulary()
    return max(len(form.split()) for skill in vocab for form in skill.aliases)


def max_words() -> int:
    """The most words a skill name or alias has."""
    return _max_words()


def skill_of(written: str) -> str | None:
    """The canonical skill a typed word or phrase names, or None.

    Spellings that are ordinary words or letters elsewhere name the skill only in their
    own case, as in a posting ("Go", "R", "CV"; "go to market" and "a r" are words; see
    ``SkillVocabulary.named_by``), and query operators typed in lower case ("or" is also
    Operations Research) are words.
    """
    vocab = vocabulary()
    if len(written) == 1:
        return vocab.named_by(written)
    if written.upper() in OPERATORS or "'" in written:
        return None
    found = vocab.named_by(written)
    if found is None and written[-1] in _TRAILING:
        stripped = written.rstrip(_TRAILING)
        found = vocab.named_by(stripped) if len(stripped) > 1 else None
    return found


class SkillTermNode(syntax.SyntaxNode):
    """Matches postings whose extracted skills include one skill (a single term)."""

    def __init__(self, canonical: str) -> None:
        self.canonical = canonical

    def r(self) -> str:
        return f"SkillTerm {self.canonical!r}"

    def query(self, parser: Any) -> wq.Query:
        return wq.Term(f.SKILL, self.canonical, boost=SKILL_BOOST)


class NamedSkillGroup(syntax.OrGroup):
    """One-word spellings of a skill, matching only postings whose text names the skill.

    Its words still score by BM25F over the stemmed text fields, but a posting matches
    only where the vocabulary finds the skill (``skill_named``, indexed from the whole
    text): "excel" is not "excellent", "golang" is not "Go to market".
    """

    def __init__(
        self, nodes: list[syntax.SyntaxNode] | None = None, boost: float = 1.0, canonical: str = ""
    ) -> None:
        # In ``kwargs``, so that Whoosh's ``empty_copy`` keeps it.
        super().__init__(nodes, boost=boost, canonical=canonical)

    def query(self, parser: Any) -> wq.Query:
        subs = [q for node in self.nodes if (q := node.query(parser)) is not None]
        spelled = syntax.attach(wq.Or(subs, boost=self.boost), self)
        return wq.Require(spelled, wq.Term(f.SKILL_NAMED, self.kwargs["canonical"]))


def _text_node(form: str, start: int) -> syntax.SyntaxNode:
    """A typed or added spelling: a phrase when it has several words."""
    if " " in form:
        return PhrasePlugin.PhraseNode(form, start, slop=1)
    return syntax.WordNode(form)


def _expansion(words: list[syntax.SyntaxNode], canonical: str) -> syntax.GroupNode:
    """The group that replaces the words naming a skill.

    A spelling of one analysed word ("excel", "Go", "CV") matches only where the text
    names the skill, since its stem is also other words' ("excellent", "go to market",
    "send your CV"); a spelling of several words ("machine learning", "system design")
    matches as a phrase of stems, which no other words share, and so finds "systems
    design" too.
    """
    written = " ".join(node.text for node in words)
    start, end = words[0].startchar, words[-1].endchar
    typed = words[0] if len(words) == 1 else _text_node(written, start)
    typed_words = max(1, len(_analyzed(written)))
    spelled: list[tuple[str, syntax.SyntaxNode]] = [(written, typed)]
    for form in other_forms(canonical, written):
        node = syntax.OrGroup([_text_node(form, start)], boost=synonym_weight(form, typed_words))
        spelled.append((form, node))
    one_word = [node for form, node in spelled if len(_analyzed(form)) < 2]
    nodes = [node for form, node in spelled if len(_analyzed(form)) >= 2]
    if one_word:
        nodes.insert(0, NamedSkillGroup(one_word, canonical=canonical))
    nodes.append(SkillTermNode(canonical))
    group = syntax.OrGroup(nodes)
    group.set_range(start, end)
    return group


def _split_slashes(node: syntax.SyntaxNode) -> syntax.SyntaxNode:
    """ "ML/AI" names two skills: each part is expanded, and both are required."""
    if not _is_free_word(node) or "/" not in node.text:
        return node
    parts = [part for part in node.text.split("/") if part]
    skills = [skill_of(part) for part in parts]
    if len(parts) < 2 or not any(skills):
        return node
    pieces: list[syntax.SyntaxNode] = []
    for part, canonical in zip(parts, skills, strict=True):
        word = syntax.WordNode(part)
        word.set_range(node.startchar, node.endchar)
        pieces.append(_expansion([word], canonical) if canonical else word)
    return syntax.AndGroup(pieces)


def _is_free_word(node: syntax.SyntaxNode) -> bool:
    return isinstance(node, syntax.WordNode) and node.fieldname is None


class SkillPlugin(Plugin):
    """Rewrites runs of typed words that name a skill into the skill's expansion."""

    def filters(self, parser: Any) -> list[tuple[Any, int]]:
        return [(self.expand, PRIORITY)]

    def expand(self, parser: Any, group: syntax.GroupNode) -> syntax.GroupNode:
        out = group.empty_copy()
        nodes = list(group)
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if isinstance(node, syntax.GroupNode):
                out.append(self.expand(parser, node))
                i += 1
                continue
            marked = i > 0 and isinstance(
                nodes[i - 1], PlusMinusPlugin.Plus | PlusMinusPlugin.Minus
            )
            found = None if marked or not _is_free_word(node) else self._longest(nodes, i)
            if found is None:
                out.append(node if marked else _split_slashes(node))
                i += 1
                continue
            words, canonical, next_i = found
            out.append(_expansion(words, canonical))
            i = next_i
        return out

    def _longest(
        self, nodes: list[syntax.SyntaxNode], i: int
    ) -> tuple[list[syntax.SyntaxNode], str, int] | None:
        """The longest run of free words from ``i`` (single spaces apart) naming a skill."""
        run = [nodes[i]]
        j = i + 1
        while len(run) < _max_words() and j + 1 < len(nodes):
            if not (nodes[j].is_ws() and _is_free_word(nodes[j + 1])):
                break
            run.append(nodes[j + 1])
            j += 2
        for size in range(len(run), 0, -1):
            canonical = skill_of(" ".join(node.text for node in run[:size]))
            if canonical is not None:
                return run[:size], canonical, i + 2 * size - 1
        return None
