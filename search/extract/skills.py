"""Skills named in a posting, and the skill vocabulary behind them.

A skill named only in the employer's boilerplate ("About us: an AI company", a benefits
list naming Slack) is not the job's: ``extract_skills`` reads the job's own text
(sections.py).

The vocabulary (``search/vocab/skills.toml``) maps every spelling of a skill to one
canonical name. Extraction compiles all spellings into one regular expression, shaped
as a prefix tree so that a scan over a long description stays fast, with whole-word
boundaries that understand "c++", "c#", ".net" and "node.js".

Spellings that are ordinary words or single letters ("Go", "R", "C", "CV", "TS") are
only trusted inside a list of other skills: "Go, Python" and "in R or Python" name
languages, "send your CV" and "R&D" do not. So is a name that is an ordinary word
written in lower case or in capitals: "hadoop, spark, hive", "Hadoop, SPARK, AWS" and
"SQL and excel" name tools, "spark joy" and "excel at sales" do not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property

from search.extract.sections import job_text
from search.extract.text import load_vocab, lower_in_place

__all__ = ["Skill", "SkillVocabulary", "extract_skills", "named_skills", "vocabulary"]

# A match may not continue a word on either side; "." counts as inside a word when a
# word character follows ("node.js" is not "node") or precedes it ("next.js" is not "js";
# checked after matching, as a second look-behind would double the scan time).
_LEFT = r"(?<![\w+#])"
_RIGHT = r"(?![\w+#]|\.\w)"
# What may separate two items of a list: punctuation, "and", "or", "and/or", "etc".
_LIST_GAP = re.compile(r"(?:[\s,/&|;()]|\band\b|\bor\b|\betc\b\.?|\be\.g\.)*", re.IGNORECASE)
_MAX_LIST_GAP = 12
# Glued to these, a listed spelling is part of another word: "R&D", "Go-to-market", "C's".
_GLUED_AFTER = re.compile(r"[-&'’][\w]")
# The words of a spelling ("text-to-speech": text, to, speech).
_WORDS = re.compile(r"[^\s-]+")
#: Matched spellings whose inner skills are remembered (a vocabulary's worth, in a few
#: cases each; odd spellings beyond it start the memory afresh).
_INNER_CACHE = 20_000


@dataclass(frozen=True, slots=True)
class Skill:
    """One canonical skill with every spelling that names it."""

    name: str
    aliases: tuple[str, ...]
    category: str | None


@dataclass(frozen=True, slots=True)
class _Spelling:
    skill: int
    listed: bool


def _trie(words: list[str]) -> str:
    """A regex alternation of ``words`` factored into a prefix tree.

    Python's ``re`` tries alternatives one by one; sharing prefixes makes each text
    position cost a few character tests instead of one per spelling. Longer
    continuations are tried before a word ends, so "javascript" wins over "java".
    """
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?"
        return body

    return emit(tree)


class SkillVocabulary:
    """The skills of skills.toml, with lookups for user input and one compiled matcher."""

    def __init__(self, table: dict[str, dict[str, object]]) -> None:
        skills: list[Skill] = []
        self._by_form: dict[str, int] = {}
        folded: dict[str, _Spelling] = {}  # lower-case spellings, any case accepted
        exact: dict[str, _Spelling] = {}  # spellings matched only in this exact case
        typed: dict[str, int] = {}  # what a user may type for a skill, lower case
        typed_exact: dict[str, int] = {}  # listed spellings a user types in their case
        for index, (name, entry) in enumerate(table.items()):
            aliases = [str(a) for a in entry.get("aliases", ())]  # type: ignore[union-attr,attr-defined]
            cased = [str(a) for a in entry.get("cased", ())]  # type: ignore[union-attr,attr-defined]
            listed = [str(a) for a in entry.get("listed", ())]  # type: ignore[union-attr,attr-defined]
            forms = tuple(dict.fromkeys([name, *aliases, *cased, *listed]))
            category = entry.get("category")
            skills.append(Skill(name, forms, str(category) if category else None))
            for form in forms:
                other = self._by_form.setdefault(form.lower(), index)
                if other != index:
                    first = skills[other].name
                    raise ValueError(f"skills.toml: {form!r} names both {first!r} and {name!r}")
            if entry.get("name", True) is False and re.search(r"[\s-]", name):
                raise ValueError(f"skills.toml: {name!r} is a phrase: name = false never fits it")
            matched = [*aliases, name] if entry.get("name", True) else aliases
            for form in matched:
                folded[form.lower()] = _Spelling(index, listed=False)
            for form in cased:
                exact[form] = _Spelling(index, listed=False)
            for form in listed:
                exact[form] = _Spelling(index, listed=True)
            if not entry.get("name", True) and len(name) > 1:
                # the ordinary word in lower case or in capitals names the skill in a
                # list of skills ("hadoop, spark, hive", "Hadoop, SPARK, AWS")
                for form in (name, name.upper()):
                    exact.setdefault(form, _Spelling(index, listed=True))
            for form in [*matched, *cased]:
                typed[" ".join(form.lower().split())] = index
            for form in listed:
                typed_exact[form] = index
        self._skills = tuple(skills)
        self._folded = folded
        self._exact = exact
        self._typed = typed
        self._typed_exact = typed_exact
        self._last: tuple[str, list[tuple[int, int, _Spelling]]] | None = None
        #: matched spelling as written -> the skills its words name (``_inner``): the
        #: spellings are a fixed vocabulary in a few cases, so this stays small
        self._inner_cache: dict[str, frozenset[int]] = {}

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        """The matcher, compiled on first use: query-time lookups never pay for it.

        One tree of every spelling in lower case, run over the lowered text, is much
        faster than re.IGNORECASE; the case rule of exact spellings is checked per match.
        """
        lowered = sorted(set(self._folded) | {form.lower() for form in self._exact})
        return re.compile(_LEFT + "(?:" + _trie(lowered) + ")" + _RIGHT)

    def __iter__(self) -> Iterator[Skill]:
        return iter(self._skills)

    def __len__(self) -> int:
        return len(self._skills)

    def canonical(self, text: str) -> str | None:
        """The canonical name for a user's spelling ("pytorch", "NLP", "k8s"), any case."""
        index = self._by_form.get(" ".join(text.split()).lower())
        return None if index is None else self._skills[index].name

    def named_by(self, text: str) -> str | None:
        """The canonical name a user's query words name, or None.

        Any case of a spelling the text is matched by in any case, or of a cased one
        (users type "rust" and "excel" for Rust and Excel); a listed spelling, an
        ordinary word or letter elsewhere, only in its own case, as in text: "Go" and
        "CV" name the skills, "go to market" and "cv" are words.
        """
        words = " ".join(text.split())
        index = self._typed.get(words.lower())
        if index is None:
            index = self._typed_exact.get(words)
        return None if index is None else self._skills[index].name

    def aliases(self, canonical: str) -> tuple[str, ...]:
        """Every spelling of a skill, canonical name first; () for an unknown name."""
        index = self._by_form.get(canonical.lower())
        return () if index is None else self._skills[index].aliases

    def find(self, text: str, nested: bool = False) -> tuple[str, ...]:
        """Canonical names of the skills in ``text``, in vocabulary order.

        A spelling inside a longer one counts only with ``nested``: "generative AI" is
        the skill generative AI, and with ``nested`` also names AI ("SQL Server" SQL).
        """
        hits = self._hits(text)
        found: set[int] = set()
        for i, (_, _, spelling) in enumerate(hits):
            if spelling.skill in found:
                continue
            if spelling.listed and not _in_list(text, hits, i):
                continue
            found.add(spelling.skill)
        if nested:
            inner = self._inner_cache
            for start, end, spelling in hits:
                if not spelling.listed:
                    span = text[start:end]
                    within = inner.get(span)
                    if within is None:
                        if len(inner) >= _INNER_CACHE:
                            inner.clear()
                        within = inner[span] = frozenset(self._inner(span))
                    found.update(within)
        return tuple(self._skills[i].name for i in sorted(found))

    def _hits(self, text: str) -> list[tuple[int, int, _Spelling]]:
        """Every spelling matched in ``text``: (start, end, spelling), in text order.

        The last text's hits are kept: indexing reads a posting's text twice, for the
        job's skills and for the skills it names (the same text when it has no
        boilerplate), and the scan is the cost of both.
        """
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        hits: list[tuple[int, int, _Spelling]] = []
        for match in self._pattern.finditer(lower_in_place(text)):
            start, end = match.span()
            if start > 1 and text[start - 1] == "." and text[start - 2].isalnum():
                continue
            spelling = self._folded.get(match.group()) or self._exact.get(text[start:end])
            if spelling is not None:
                hits.append((start, end, spelling))
        self._last = (text, hits)  # one assignment: safe to share between threads
        return hits

    def _inner(self, span: str) -> set[int]:
        """The skills named by the words of a matched spelling, short of the whole
        ("AI" in "generative AI"); listed spellings (ordinary words) never count."""
        words = [(m.start(), m.end()) for m in _WORDS.finditer(span)]
        found: set[int] = set()
        for i in range(len(words)):
            for j in range(i + 1, len(words) + 1):
                if j - i == len(words):
                    continue
                piece = span[words[i][0] : words[j - 1][1]]
                spelling = self._folded.get(piece.lower()) or self._exact.get(piece)
                if spelling is not None and not spelling.listed:
                    found.add(spelling.skill)
        return found


def _in_list(text: str, hits: list[tuple[int, int, _Spelling]], i: int) -> bool:
    """Whether hit ``i`` stands in a list next to another skill ("Go, Python", "R or C")."""
    start, end, _ = hits[i]
    if _GLUED_AFTER.match(text, end) or (start and text[start - 1] in "-&"):
        return False
    if i > 0:
        gap = text[hits[i - 1][1] : start]
        if len(gap) <= _MAX_LIST_GAP and _LIST_GAP.fullmatch(gap):
            return True
    if i + 1 < len(hits):
        gap = text[end : hits[i + 1][0]]
        if len(gap) <= _MAX_LIST_GAP and _LIST_GAP.fullmatch(gap):
            return True
    return False


@cache
def vocabulary() -> SkillVocabulary:
    """The packaged skill vocabulary, loaded and compiled once per process."""
    return SkillVocabulary(load_vocab("skills"))


def skill_spellings(skills: tuple[str, ...]) -> list[str]:
    """Every spelling of each of ``skills`` (canonical names), for the exact skill field."""
    vocab = vocabulary()
    return [form for skill in skills for form in vocab.aliases(skill)]


def named_skills(text: str) -> tuple[str, ...]:
    """Canonical names of the skills ``text`` names anywhere, boilerplate included.

    What a search for a skill's name matches: "Excel" and "MS Excel", never "excellent"
    (which stems like "excel"); "Go, Python" and "Golang", never "Go to market"; "AI" in
    "generative AI" too. Read by the vocabulary's own case and list rules, as
    ``extract_skills`` reads the job's part.
    """
    return vocabulary().find(text, nested=True)


def extract_skills(text: str) -> tuple[str, ...]:
    """Canonical names of the skills the job's own text names, in vocabulary order.

    Skills named only in boilerplate (sections.py) are left out; ``text`` is a posting's
    title and description ("title\ndescription") or any part of them.
    """
    return vocabulary().find(job_text(text))
