"""Spelling suggestions ("did you mean") and a lenient fuzzy query for when nothing matches.

Where the known words come from, and why:

- Title words as written, from the ``spell_title`` field that ``TEXT(spelling=True)`` adds:
  the words job seekers type (engineer, software, scientist, senior). Titles are short,
  so this field costs nothing measurable at index time.
- Skill words as written: the ``skill_text`` lexicon holds every spelling of every skill,
  lower-cased and unstemmed ("reinforcement", "learning", "kubernetes", "pytorch"), and the
  skill vocabulary itself is always trusted.
- Description words as stems only. An unstemmed word list of the descriptions more than
  doubled indexing time when measured, so the stems do the rest: they say whether a word
  is used at all and how often, and a stem close to a typed word's stem gives back a
  surface word by restoring the typed ending ("lerning" = "lern" + "ing" -> "learn" + "ing").

A word is corrected only when it is unknown (or all but unused) and a close known word is
much more frequent; inflections and British/American spellings of a known word are never
"corrected", since they are forms of the same word rather than mistakes.

The work is bounded whatever the text: candidate generation grows with a word's length
squared (a 10,000-letter word took 12-19 s), so longer words than ``MAX_WORD_LENGTH``
are left alone, at most ``MAX_CANDIDATES`` candidates are weighed per word, and words
past the ``BUDGET_S`` time budget are left as typed.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from whoosh.analysis import STOP_WORDS
from whoosh.reading import IndexReader
from whoosh.support.levenshtein import distance

if TYPE_CHECKING:
    from whoosh.searching import Searcher

from search.query.lexicon import MIN_DF, Lexicon, lexicon_of
from search.query.synonyms import OPERATORS
from search.query.words import (
    MAX_WORD_LENGTH,
    TOKEN,
    max_edits,
    same_word,
    skill_pairs,
    skill_words,
)

__all__ = ["suggest"]

#: A word with at least this many postings as written is in use, not a mistake.
KNOWN_DF = 3
#: How much more frequent a correction must be than the word typed.
RATIO = 20
#: The ratio when the word typed is itself in use (several postings): corpora have typos
#: too ("acess" in 5 postings, "access" in 3,842), but so do rare real words.
RATIO_USED = 500
#: Best-ranked candidates checked against the stored text before giving up.
MAX_CHECKED = 3
#: Weight of a second edit against a first: "lerning" prefers "learning" (one edit) to any
#: two-edit word unless that word is far more common.
SECOND_EDIT = 0.1
#: Weight of a candidate that forms a known skill phrase with its neighbour
#: ("reinforcement" + "learning").
PHRASE_BONUS = 5.0
#: Candidates weighed per word, nearest in length first (a typical typo has a few dozen).
MAX_CANDIDATES = 200
#: Processor seconds of correcting per query; later words are left as typed (a typical
#: query takes a few milliseconds once the lexicon is loaded).
BUDGET_S = 0.5


def _closest_form(lex: Lexicon, word: str, candidate: str) -> str:
    """The singular or plural of ``candidate`` nearer to what was typed ("custoemrs")."""
    forms = [candidate + "s", candidate + "es"]
    if candidate.endswith("s"):
        forms.append(candidate[:-1])
    best, best_dist = candidate, distance(word, candidate)
    stem = lex.stem(candidate)
    for form in forms:
        dist = distance(word, form)
        if dist < best_dist and lex.stem(form) == stem and lex.attested(form, stem):
            best, best_dist = form, dist
    return best


def _correct(lex: Lexicon, word: str, before: str | None, after: str | None) -> str | None:
    """The correction for one lower-case word, or None when it looks fine."""
    edits = max_edits(word)
    if not edits or word in STOP_WORDS or word in skill_words():
        return None
    own_surface = lex.surface_df(word)
    if own_surface >= KNOWN_DF:
        return None
    stem = lex.stem(word)
    own_stem = max(own_surface, lex.stem_df(stem))
    surface = lex.surface_candidates(word, edits)
    rebuilt = lex.stem_candidates(word, stem) - surface
    pairs = skill_pairs()
    ranked: list[tuple[float, int, str]] = []
    for candidate in _nearest(word, surface | rebuilt):
        if candidate == word or same_word(word, candidate):
            continue
        dist = distance(word, candidate, limit=edits + 1)
        if dist > edits:
            continue
        cstem = lex.stem(candidate)
        written = lex.surface_df(candidate)
        freq = max(written, lex.stem_df(cstem))
        ratio = RATIO_USED if own_stem >= KNOWN_DF else RATIO
        if cstem != stem and freq < ratio * own_stem:
            continue
        if freq < (2 if candidate in skill_words() else lex.min_df):
            # A curated skill is a word, however rare; other rare words may be noise.
            continue
        score = freq * (SECOND_EDIT ** (dist - 1))
        if (before, candidate) in pairs or (candidate, after) in pairs:
            score *= PHRASE_BONUS
        # Forms of one stem score alike ("engineer", "engines"): the one written more
        # often in titles and skills wins.
        ranked.append((score, written, candidate))
    for _, _, candidate in sorted(ranked, reverse=True)[:MAX_CHECKED]:
        cstem = lex.stem(candidate)
        # A typo sharing its correction's stem cannot be told apart by stem counts, and
        # a rebuilt word may be a bare stem ("gener"): the stored text decides both.
        if cstem == stem and lex.attested(word, stem):
            return None
        trusted = candidate in skill_words() or lex.surface_df(candidate) >= MIN_DF
        if not trusted and not lex.attested(candidate, cstem):
            continue  # a bare stem ("gener") or a rare title typo ("whilee")
        return _closest_form(lex, word, candidate)
    return None


def _nearest(word: str, candidates: set[str]) -> list[str]:
    """At most ``MAX_CANDIDATES`` candidates, those nearest ``word`` in length first."""
    if len(candidates) <= MAX_CANDIDATES:
        return sorted(candidates)
    return sorted(candidates, key=lambda c: (abs(len(c) - len(word)), c))[:MAX_CANDIDATES]


def _words(text: str) -> Iterator[re.Match[str]]:
    """Tokens that may be corrected: plain words of sensible length, not operators, field
    names or wildcards."""
    for match in TOKEN.finditer(text):
        token = match.group()
        start, end = match.span()
        if len(token) > MAX_WORD_LENGTH or token in OPERATORS:
            continue
        if not (token.isascii() and token.isalpha()):
            continue
        if text[end : end + 1] in (":", "*", "?") or text[start - 1 : start] in ("*", "?"):
            continue
        yield match


def suggest(
    source: IndexReader | Searcher,
    text: str,
    budget_s: float = BUDGET_S,
    terms: Callable[[str], Iterable[str]] | None = None,
) -> str | None:
    """A corrected query string when some words of `text` look misspelled (not in the index,
    and a close known word is much more frequent); None when the text looks fine. Keeps
    quotes/operators/filters syntax and words that are fine; lower-cases only corrected words.
    Words reached after ``budget_s`` seconds of this thread's processor time spent
    correcting (the lexicon's first load not counted) are left as typed: a bound on the
    work, which a busy machine does not shrink. ``source`` is the index's
    reader (or a searcher over it); ``terms`` lists a field's terms (the side tables).
    """
    reader: IndexReader = source.reader() if hasattr(source, "reader") else source
    try:
        return _suggest(reader, text or "", budget_s, terms)
    except Exception:  # a suggestion is a courtesy: it must never break a search
        return None


def _suggest(
    reader: IndexReader,
    text: str,
    budget_s: float = math.inf,
    terms: Callable[[str], Iterable[str]] | None = None,
) -> str | None:
    lex = lexicon_of(reader, terms)
    began, setup = time.thread_time(), lex.setup_s
    matches = list(_words(text))
    lowered = [m.group().lower() for m in matches]
    pieces: list[str] = []
    last = 0
    changed = False
    for i, match in enumerate(matches):
        # The lexicon's tables, built on the first unknown word, are not correcting.
        if time.thread_time() - began - (lex.setup_s - setup) > budget_s:
            break
        before = lowered[i - 1] if i else None
        after = lowered[i + 1] if i + 1 < len(lowered) else None
        fixed = _correct(lex, lowered[i], before, after)
        if fixed is None:
            continue
        lowered[i] = fixed
        pieces.append(text[last : match.start()])
        pieces.append(fixed)
        last = match.end()
        changed = True
    if not changed:
        return None
    pieces.append(text[last:])
    return "".join(pieces)
