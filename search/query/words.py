"""Words and their relations, for spelling: edit distance budgets, forms of one word,
skill words that are never corrected, and the candidate generators (symmetric deletes,
single edits)."""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise

from search.extract.skills import vocabulary
from search.store.analysis import TOKEN_PATTERN

#: Shorter words are too ambiguous to correct ("rust", "java" and "ruby" are one edit apart
#: from many words), and a misspelled three-letter word is more often an acronym.
MIN_LENGTH = 4
#: Longer words are never corrected or fuzzily matched: no skill or English word is this
#: long, and the candidates of a word grow with its length squared.
MAX_WORD_LENGTH = 40

# Word-like tokens as the analyzer sees them (c++, c#, node.js stay whole).
TOKEN = re.compile(TOKEN_PATTERN)
# Endings that make another form of the same word. Not "ance"/"ence" or "ant"/"ent":
# mixing those up is the typo itself ("experiance").
_SUFFIXES = frozenset(
    re.findall(
        r"\w+",
        "s es ed d ing er ers or ors ly ment ments ness al ally ation ations ion ions ity "
        "ities ive ives ively able ably ize ise ized ised izes ises izing ising ist ists ism "
        "ic ics ical ically",
    )
)


def max_edits(word: str) -> int:
    """Edits tolerated in a word: one for 4-7 letters, two for longer words, none below."""
    if len(word) < MIN_LENGTH:
        return 0
    return 1 if len(word) <= 7 else 2


# -- word relations ---------------------------------------------------------------------


def _extends(short: str, long: str) -> bool:
    """``long`` is ``short`` plus a common ending, allowing e-drop, y->i and doubling."""
    stems = {short}
    if short.endswith("e"):
        stems.add(short[:-1])
    if short.endswith("y"):
        stems.add(short[:-1] + "i")
    if short:
        stems.add(short + short[-1])
    return any(long.startswith(s) and long[len(s) :] in _SUFFIXES for s in stems)


def _regional(a: str, b: str) -> bool:
    """British and American spellings: optimise/optimize, modelling/modeling, colour/color."""
    if len(a) == len(b):
        diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        return len(diff) == 1 and set(diff[0]) == {"s", "z"}
    short, long = sorted((a, b), key=len)
    if len(long) - len(short) != 1:
        return False
    for i, dropped in enumerate(long):
        if long[:i] + long[i + 1 :] != short:
            continue
        if i > 0 and long[i - 1] == dropped == "l" and long[i + 1 :] in _SUFFIXES:
            return True  # modelling/modeling, travelled/traveled (not aplied/applied)
        if dropped == "u" and long[i - 1 : i + 2] == "our":
            return True  # colour/color
    return False


def _bases(word: str) -> set[str]:
    return {word[: -len(s)] for s in _SUFFIXES if word.endswith(s) and len(word) - len(s) >= 3}


def _siblings(a: str, b: str) -> bool:
    """Two endings on one base: shares/shared, engineered/engineers, continuing/continuity.

    An "e" more or less is not a sibling ("kubernets"/"kubernetes", "enginer"/"engineer"):
    a base takes "s" or "es", "d" or "ed", never both, so one of the two is a typo.
    """
    short, long = sorted((a, b), key=len)
    if len(long) == len(short) + 1 and any(
        long[:i] + long[i + 1 :] == short for i, ch in enumerate(long) if ch == "e"
    ):
        return False
    return bool(_bases(a) & _bases(b))


def same_word(a: str, b: str) -> bool:
    """Whether two spellings are forms of one word rather than a word and a typo."""
    short, long = sorted((a, b), key=len)
    return _extends(short, long) or _regional(a, b) or _siblings(a, b)


@cache
def skill_words() -> frozenset[str]:
    """Every lower-case word of every skill spelling: always known, never corrected."""
    words: set[str] = set()
    for skill in vocabulary():
        for form in skill.aliases:
            words.update(w.lower() for w in TOKEN.findall(form))
    return frozenset(words)


@cache
def skill_pairs() -> frozenset[tuple[str, str]]:
    """Adjacent word pairs of multi-word skill names ("reinforcement", "learning")."""
    pairs: set[tuple[str, str]] = set()
    for skill in vocabulary():
        for form in skill.aliases:
            words = [w.lower() for w in TOKEN.findall(form)]
            pairs.update(pairwise(words))
    return frozenset(pairs)


def deletes(word: str, edits: int) -> set[str]:
    """``word`` with up to ``edits`` letters deleted: two words within ``edits`` edits of each
    other share at least one such variant (the symmetric-delete method)."""
    found = {word}
    frontier = {word}
    for _ in range(edits):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def edits1(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion from ``word``."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + c + b for a, b in splits for c in letters}
    )
