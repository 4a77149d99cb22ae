"""A lenient fuzzy query for when nothing matches the words as typed.

Each fuzzy word expands to every indexed term within its edit distance, found by a
Levenshtein automaton over the lexicon, whose size grows with the word: so words longer
than ``MAX_WORD_LENGTH`` are matched exactly, and a query of more than
``MAX_FUZZY_WORDS`` words gets no fuzzy fallback (close spellings of every word of a
long query would match nothing anyway).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from whoosh import query as wq
from whoosh.analysis import STOP_WORDS
from whoosh.fields import Schema

from search.query.synonyms import OPERATORS
from search.query.words import MAX_WORD_LENGTH, MIN_LENGTH, TOKEN, max_edits
from search.store.schema import shared_schema

#: Most distinct words a fuzzy fallback is built for.
MAX_FUZZY_WORDS = 8


def _field_terms(schema: Schema, field: str, word: str) -> list[str]:
    """The indexed form of ``word`` in ``field`` (a stem in stemmed fields)."""
    try:
        return list(schema[field].process_text(word, mode="query"))
    except Exception:
        return []


def _fuzzy_word(
    schema: Schema, word: str, fields: Iterable[str], exact: bool = False
) -> wq.Query | None:
    alternatives: list[wq.Query] = []
    for field in fields:
        for term in _field_terms(schema, field, word):
            # Two edits on a short stem ("manag" of "managment") would match "man",
            # "image" and hundreds more; a long one ("relaton") may need both.
            short = len(term) < MIN_LENGTH or len(word) > MAX_WORD_LENGTH
            edits = 0 if exact or short else max_edits(word)
            if len(term) < 6:
                edits = min(edits, 1)
            if edits:
                prefix = 1 if edits == 1 else 2
                alternatives.append(wq.FuzzyTerm(field, term, maxdist=edits, prefixlength=prefix))
            else:
                alternatives.append(wq.Term(field, term))
    if not alternatives:
        return None
    return alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)


def fuzzy_query(
    text: str, fields: Sequence[str], known: Callable[[str], bool] | None = None
) -> wq.Query | None:
    """A lenient query for when nothing matched: each word becomes a FuzzyTerm (edit
    distance 1 for words of 4-7 letters, 2 for longer, prefix 1-2) over the fields, ORed or
    ANDed, for any text (the analysis of one word is guarded in ``_field_terms``). A
    word ``known`` says some posting has stays as typed: its close spellings are other
    words, and finding them walks the lexicon (most of a second for a query of four
    words at 100,000 postings). None when no word qualifies or there are more than
    ``MAX_FUZZY_WORDS``.
    """
    schema = shared_schema()
    names = [n for n in fields if n in schema.names()]
    words = [m.group().lower() for m in TOKEN.finditer(text or "") if m.group() not in OPERATORS]
    # Stop words and single letters are dropped by the text fields; alone in the
    # skill field they would match nothing useful.
    words = [w for w in words if len(w) > 1 and w not in STOP_WORDS]
    distinct = list(dict.fromkeys(words))
    if len(distinct) > MAX_FUZZY_WORDS:
        return None
    parts = [
        q
        for w in distinct
        if (q := _fuzzy_word(schema, w, names, exact=known is not None and known(w)))
    ]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)
