"""Snippets: the passage of the original text where the query's words cluster, marked.

Matching is by stem, so a search for "engineering" marks "engineers" — but the snippet
shows the words exactly as the posting wrote them. A regex on stem prefixes finds the
candidates in one pass; only candidates are stemmed, which keeps a 5,000-character
description well under a millisecond. The candidates are found with ``str.find`` on
the lowercased text (a C loop per prefix, ~13 times as fast as the regex on a
3,000-character description); the regex stays the reference, and reads the texts where
the two could differ: a lowercase not as long as the text ("İ" lowercases to two
letters), the two letters the regex's IGNORECASE takes for ASCII ones ("ı" for i, "ſ"
for s), non-ASCII stems. ``tests/test_snippet_spans.py`` holds the two to one answer.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import lru_cache

from search.results import MARK_CLOSE, MARK_OPEN
from search.store.analysis import stem_word as stem

WINDOW = 220
#: Characters of context kept before the first marked word.
LEAD = 40
_SPACE = re.compile(r"\s+")
#: The rest of a candidate word from its start: word characters, then "++" or "#".
_WORD_END = re.compile(r"\w*(?:\+\+|#)?")
#: Snippets kept by (marked words, text, width, lead): a page of hits comes back for
#: the same words again and again; each entry holds its text (a few kB) by reference,
#: the posting's own string.
RECENT_SNIPPETS = 2048
_RECENT: OrderedDict[tuple[frozenset[str], str, int, Callable[[str], str] | None], str] = (
    OrderedDict()
)
_RECENT_LOCK = threading.Lock()


@lru_cache(maxsize=50000)
def _stem(word: str) -> str:
    return stem(word)


class Highlighter:
    """Marks words whose stem is one of the query's terms."""

    def __init__(self, terms: Iterable[str]) -> None:
        words = {t.lower() for t in terms if t and len(t) > 1}
        self.stems = {_stem(w) for w in words} | words
        prefixes = sorted({s[: max(2, min(len(s), 4))] for s in self.stems}, key=len)
        self._prefixes = tuple(prefixes)
        self._ascii = all(p.isascii() for p in prefixes)
        self._pattern: re.Pattern[str] | None = None
        #: What the snippets depend on besides the text: the stems and words marked.
        self._key = frozenset(self.stems)
        #: Whether a candidate word (lowercased) is marked, as decided once: a posting
        #: repeats the query's words, and postings repeat each other's.
        self._marks: dict[str, bool] = {}

    @property
    def _candidates(self) -> re.Pattern[str] | None:
        """The reference regex of candidate words (None: no prefixes), compiled on first
        use: most texts never need it, and each search has other words, so compiling it
        for every search cost more than all the texts that read it."""
        if self._pattern is None and self._prefixes:
            alternation = "|".join(re.escape(p) for p in self._prefixes)
            self._pattern = re.compile(rf"(?<!\w)(?:{alternation})\w*(?:\+\+|#)?", re.IGNORECASE)
        return self._pattern

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the words to mark stand in ``text``, in order: each word that starts
        with a prefix of a query stem (after no word character) and whose stem, or
        itself lowercased, is one of them."""
        if not self._prefixes:
            return []
        low = text.lower()
        if len(low) != len(text) or not self._ascii or "ı" in low or "ſ" in low:
            return self._spans_by_regex(text)
        # Where a candidate starts -> the length of the shortest prefix found there (the
        # regex's alternation tries the shortest first).
        starts: dict[int, int] = {}
        for prefix in self._prefixes:
            at = low.find(prefix)
            while at >= 0:
                if not at or not _word_char(text[at - 1]):
                    starts.setdefault(at, len(prefix))
                at = low.find(prefix, at + 1)
        out = []
        marks = self._marks
        for start in sorted(starts):
            end = _WORD_END.match(text, start + starts[start]).end()  # type: ignore[union-attr]
            word = low[start:end]
            marked = marks.get(word)
            if marked is None:
                marked = marks[word] = word in self.stems or _stem(word) in self.stems
            if marked:
                out.append((start, end))
        return out

    def _spans_by_regex(self, text: str) -> list[tuple[int, int]]:
        """``spans`` by one regex pass over the text as written."""
        if self._candidates is None:
            return []
        out = []
        for m in self._candidates.finditer(text):
            word = m.group().lower()
            if word in self.stems or _stem(word) in self.stems:
                out.append(m.span())
        return out

    def snippet(
        self, text: str, width: int = WINDOW, lead: Callable[[str], str] | None = None
    ) -> str:
        """The best window of ``text`` (most distinct matches), matches marked; with no
        match, the start of ``lead(text)`` (the job's own text, past the employer's
        "About us") or of the text.

        Kept for the next search with the same words (see ``RECENT_SNIPPETS``): the
        scan of a description for candidate words is most of a page's snippet time."""
        key = (self._key, text, width, lead)
        with _RECENT_LOCK:
            found = _RECENT.get(key)
            if found is not None:
                _RECENT.move_to_end(key)
                return found
        made = self._snippet(text, width, lead)
        with _RECENT_LOCK:
            _RECENT[key] = made
            while len(_RECENT) > RECENT_SNIPPETS:
                _RECENT.popitem(last=False)
        return made

    def _snippet(self, text: str, width: int, lead: Callable[[str], str] | None) -> str:
        spans = self.spans(text)
        if not spans:
            start = lead(text) if lead is not None else text
            return _clip(_SPACE.sub(" ", start[: width * 2]).strip(), 0, width)
        best_start = _best_window(text, spans, width - LEAD)
        begin = max(0, best_start - LEAD)
        begin = text.rfind(" ", 0, begin) + 1 if begin else 0
        end = min(len(text), begin + width)
        marked, cursor = [], begin
        for s, e in spans:
            if s < begin or e > end:
                continue
            marked.append(_SPACE.sub(" ", text[cursor:s]))
            marked.append(f"{MARK_OPEN}{text[s:e]}{MARK_CLOSE}")
            cursor = e
        marked.append(_SPACE.sub(" ", text[cursor:end]))
        body = "".join(marked).lstrip()
        return ("…" if begin else "") + body.rstrip() + ("…" if end < len(text) else "")


def _word_char(char: str) -> bool:
    """Whether ``char`` is a regex word character (``\\w``: alphanumeric or "_")."""
    return char.isalnum() or char == "_"


def _best_window(text: str, spans: list[tuple[int, int]], width: int) -> int:
    """Start of the window holding the most distinct matched terms (then the most matches).

    One sliding pass over the matches: a description can hold dozens of them.
    """
    # Distinct query terms, not spellings: "learn" and "learning" are one word.
    words = [_stem(text[s:e].lower()) for s, e in spans]
    inside: dict[str, int] = {}  # a word's matches in the window (a Counter's arithmetic)
    best_start, best_score, j, count = spans[0][0], -1, 0, len(spans)
    for i, (start, _) in enumerate(spans):
        while j < count and spans[j][1] <= start + width:
            word = words[j]
            inside[word] = inside.get(word, 0) + 1
            j += 1
        score = len(inside) * 10 + (j - i)
        if score > best_score:
            best_start, best_score = start, score
        word = words[i]
        left = inside.get(word, 0) - 1
        if left:
            inside[word] = left
        else:
            inside.pop(word, None)
    return best_start


def _clip(text: str, begin: int, width: int) -> str:
    if len(text) <= width:
        return text
    cut = text.rfind(" ", begin, begin + width)
    return text[begin : cut if cut > begin else begin + width] + "…"
