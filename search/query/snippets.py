"""Snippets: the passage of the original text where the query's words cluster, marked.

Matching is by stem, so a search for "engineering" marks "engineers" — but the snippet
shows the words exactly as the posting wrote them. A regex on stem prefixes finds the
candidates in one pass; only candidates are stemmed, which keeps a 5,000-character
description well under a millisecond.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from functools import lru_cache

from search.results import MARK_CLOSE, MARK_OPEN
from search.store.analysis import stem_word as stem

WINDOW = 220
#: Characters of context kept before the first marked word.
LEAD = 40
_SPACE = re.compile(r"\s+")
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
        alternation = "|".join(re.escape(p) for p in prefixes)
        self._candidates = (
            re.compile(rf"(?<!\w)(?:{alternation})\w*(?:\+\+|#)?", re.IGNORECASE)
            if prefixes
            else None
        )
        #: What the snippets depend on besides the text: the stems and words marked.
        self._key = frozenset(self.stems)

    def spans(self, text: str) -> list[tuple[int, int]]:
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


def _best_window(text: str, spans: list[tuple[int, int]], width: int) -> int:
    """Start of the window holding the most distinct matched terms (then the most matches).

    One sliding pass over the matches: a description can hold dozens of them.
    """
    # Distinct query terms, not spellings: "learn" and "learning" are one word.
    words = [_stem(text[s:e].lower()) for s, e in spans]
    inside: Counter[str] = Counter()
    best_start, best_score, j = spans[0][0], -1, 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= start + width:
            inside[words[j]] += 1
            j += 1
        score = len(inside) * 10 + (j - i)
        if score > best_score:
            best_start, best_score = start, score
        inside[words[i]] -= 1
        if not inside[words[i]]:
            del inside[words[i]]
    return best_start


def _clip(text: str, begin: int, width: int) -> str:
    if len(text) <= width:
        return text
    cut = text.rfind(" ", begin, begin + width)
    return text[begin : cut if cut > begin else begin + width] + "…"
