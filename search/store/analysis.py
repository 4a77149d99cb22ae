"""Whoosh analysis chains, composed the Whoosh way: ``Tokenizer() | Filter() | Filter()``.

Job text is full of tokens that a plain word tokenizer breaks: ``C++``, ``C#``, ``Node.js``,
``.NET``. The tokenizer keeps them whole so that they can be searched for as written.
"""

from __future__ import annotations

from whoosh.analysis import (
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
