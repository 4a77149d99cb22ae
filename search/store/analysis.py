"""Whoosh analysis chains, composed the Whoosh way: ``Tokenizer() | Filter() | Filter()``.

Job text is full of tokens that a plain word tokenizer breaks: ``C++``, ``C#``, ``Node.js``,
``.NET``. The tokenizer keeps them whole so that they can be searched for as written.
"""

from __future__ import annotations

import re

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


def exact_analyzer() -> Analyzer:
    """Skill surface forms: lower-cased and folded but not stemmed, no stop words."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


_TOKENS = re.compile(TOKEN_PATTERN).findall
_STOPPED = ""  # the cached "term" of a token the chain drops
_MIN_SIZE = 2  # StopFilter's default: one-letter tokens are dropped


class FastTextAnalysis:
    """``text_analyzer()``'s terms for a whole text in one pass, for bulk indexing.

    The Whoosh chain makes a token object and runs five generators per word; a job
    description has about 500 words and most repeat across postings, so a dictionary
    from a raw token to its term does the same work once per distinct token. The output
    equals the chain's (tests compare them over the real corpus).
    """

    def __init__(self, cache_size: int = 200_000) -> None:
        self._cache: dict[str, str] = {}
        self._cache_size = cache_size

    def _term(self, token: str) -> str:
        folded = token.lower().translate(accent_map)
        stopped = len(folded) < _MIN_SIZE or folded in STOP_WORDS
        term = _STOPPED if stopped else stem_word(folded)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[token] = term
        return term

    def terms(self, text: str) -> list[str]:
        """The terms of ``text`` in order (stop words and one-letter tokens dropped)."""
        cache = self._cache
        out = []
        for token in _TOKENS(text):
            term = cache.get(token)
            if term is None:
                term = self._term(token)
            if term:
                out.append(term)
        return out


def exact_terms(text: str) -> list[str]:
    """``exact_analyzer()``'s terms: lower-cased, folded tokens, nothing dropped."""
    return [token.lower().translate(accent_map) for token in _TOKENS(text)]
