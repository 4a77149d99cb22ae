"""Whoosh analysis chains, composed the Whoosh way: ``Tokenizer() | Filter() | Filter()``.

Job text is full of tokens that a plain word tokenizer breaks: ``C++``, ``C#``, ``Node.js``,
``.NET``. The tokenizer keeps them whole so that they can be searched for as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang.porter import stem
from whoosh.support.charset import accent_map

#: The stemmer of the text fields; snippets and explanations use this same function, so
#: the words they mark are the words that matched.
stem_word = stem

#: Words with a trailing ``++``/``#`` or inner dots (node.js, c++, c#) stay one token.
TOKEN_PATTERN = r"\w+(?:\+\+|#|(?:\.\w+)+)?"


def text_analyzer() -> Analyzer:
    """Description and title text: folded accents, stop words out, English stems.

    Stemming lets "engineers" find "engineering"; snippets are cut from the stored
    original, so users still see the words as written.
    """
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter()
        | StemFilter(stemfn=stem_word, cachesize=50000)
    )


def light_stem(word: str) -> str:
    """Plurals only (Harman's "S" stemmer): engineers -> engineer, analytics ->
    analytic, companies -> company. Titles use it, so that "intern" in a title search
    is not "internal" or "international", as it is after an English stemmer."""
    if len(word) <= 3 or word[-1] != "s" or word[-2] in "us":
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    return word[:-1]


#: Title words kept by a title search that the text fields drop: one letter ("R",
#: "C") and a few stop words that are names ("IT", "US").
TITLE_STOP_WORDS = frozenset(STOP_WORDS - {"it", "us"})


def title_analyzer() -> Analyzer:
    """Title words for ``--title``: folded, plurals folded, not stemmed further."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=TITLE_STOP_WORDS, minsize=1)
        | StemFilter(stemfn=light_stem, cachesize=50000)
    )


def exact_analyzer() -> Analyzer:
    """Skill surface forms: lower-cased and folded but not stemmed, no stop words."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


_TOKENS = re.compile(TOKEN_PATTERN).findall
#: The same tokens for ASCII text (``str.isascii`` is free): on ASCII, ``\w`` is
#: ``[a-zA-Z0-9_]`` either way, and the ASCII matcher is about a quarter faster.
_ASCII_TOKENS = re.compile(TOKEN_PATTERN, re.ASCII).findall
_STOPPED = ""  # the cached "term" of a token the chain drops
_MIN_SIZE = 2  # StopFilter's default: one-letter tokens are dropped


class FastTextAnalysis:
    """``text_analyzer()``'s terms (or ``title_analyzer()``'s, from ``titles()``) for a
    whole text in one pass, for bulk indexing.

    The Whoosh chain makes a token object and runs five generators per word; a job
    description has about 500 words and most repeat across postings, so a dictionary
    from a raw token to its term does the same work once per distinct token. The output
    equals the chain's (tests compare them over the real corpus).
    """

    def __init__(
        self,
        cache_size: int = 200_000,
        stem: Callable[[str], str] = stem_word,
        stops: frozenset[str] = STOP_WORDS,
        min_size: int = _MIN_SIZE,
    ) -> None:
        self._cache: dict[str, str] = {}
        self._cache_size = cache_size
        self._stem, self._stops, self._min_size = stem, stops, min_size

    @classmethod
    def titles(cls) -> FastTextAnalysis:
        """``title_analyzer()``'s terms."""
        return cls(20_000, light_stem, TITLE_STOP_WORDS, 1)

    def _term(self, token: str) -> str:
        folded = token.lower().translate(accent_map)
        stopped = len(folded) < self._min_size or folded in self._stops
        term = _STOPPED if stopped else self._stem(folded)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[token] = term
        return term

    def terms(self, text: str) -> list[str]:
        """The terms of ``text`` in order (stop words and one-letter tokens dropped)."""
        cache = self._cache
        out = []
        for token in (_ASCII_TOKENS if text.isascii() else _TOKENS)(text):
            term = cache.get(token)
            if term is None:
                term = self._term(token)
            if term:
                out.append(term)
        return out


def exact_terms(text: str) -> list[str]:
    """``exact_analyzer()``'s terms: lower-cased, folded tokens, nothing dropped."""
    return [token.lower().translate(accent_map) for token in _TOKENS(text)]
