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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from itertools import islice, pairwise
from weakref import WeakKeyDictionary, proxy

from whoosh import query as wq
from whoosh.analysis import STOP_WORDS
from whoosh.fields import Schema
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.support.levenshtein import distance

from search.extract.skills import vocabulary
from search.query.parse import OPERATORS
from search.store.analysis import TOKEN_PATTERN
from search.store.schema import build_schema

__all__ = ["fuzzy_query", "suggest"]

#: The fields whose terms are the words as written, and the stemmed fields of free text.
SURFACE_FIELDS = ("spell_title", "skill_text")
STEMMED_FIELDS = ("title", "description")

#: Shorter words are too ambiguous to correct ("rust", "java" and "ruby" are one edit apart
#: from many words), and a misspelled three-letter word is more often an acronym.
MIN_LENGTH = 4
#: A word with at least this many postings as written is in use, not a mistake.
KNOWN_DF = 3
#: How much more frequent a correction must be than the word typed.
RATIO = 20
#: The ratio when the word typed is itself in use (several postings): corpora have typos
#: too ("acess" in 5 postings, "access" in 3,842), but so do rare real words.
RATIO_USED = 500
#: A correction must itself be in this share of the postings (and in 2 at least), so that
#: rare noise is never suggested: 0.2% is 18 postings of the corpus.
MIN_SHARE = 0.002
#: A title spelling in this many postings is trusted without reading stored text.
MIN_DF = 3
#: Stored postings read to tell a word in use from a typo that shares its stem.
SAMPLE_DOCS = 16
#: Answers of the stored-text check kept per reader (about 100 bytes each).
MAX_ATTESTED = 10_000
#: Best-ranked candidates checked against the stored text before giving up.
MAX_CHECKED = 3
#: Weight of a second edit against a first: "lerning" prefers "learning" (one edit) to any
#: two-edit word unless that word is far more common.
SECOND_EDIT = 0.1
#: Weight of a candidate that forms a known skill phrase with its neighbour
#: ("reinforcement" + "learning").
PHRASE_BONUS = 5.0

# Word-like tokens as the analyzer sees them (c++, c#, node.js stay whole).
_TOKEN = re.compile(TOKEN_PATTERN)
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
def _skill_words() -> frozenset[str]:
    """Every lower-case word of every skill spelling: always known, never corrected."""
    words: set[str] = set()
    for skill in vocabulary():
        for form in skill.aliases:
            words.update(w.lower() for w in _TOKEN.findall(form))
    return frozenset(words)


@cache
def _skill_pairs() -> frozenset[tuple[str, str]]:
    """Adjacent word pairs of multi-word skill names ("reinforcement", "learning")."""
    pairs: set[tuple[str, str]] = set()
    for skill in vocabulary():
        for form in skill.aliases:
            words = [w.lower() for w in _TOKEN.findall(form)]
            pairs.update(pairwise(words))
    return frozenset(pairs)


# -- the index as a dictionary ----------------------------------------------------------


def _deletes(word: str, edits: int) -> set[str]:
    """``word`` with up to ``edits`` letters deleted: two words within ``edits`` edits of each
    other share at least one such variant (the symmetric-delete method)."""
    found = {word}
    frontier = {word}
    for _ in range(edits):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _edits1(word: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion from ``word``."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + b[1:] for a, b in splits if b}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + c + b for a, b in splits for c in letters}
    )


class _Lexicon:
    """Known words and their frequencies, read from one index reader.

    Single-word counts come straight from the reader. Finding the words near a typo needs
    the surface words (with a table of their deletion variants) and the description stems
    in memory: built on the first unknown word (~0.1 s on the corpus index) and kept as
    long as the reader, they answer in microseconds, where Whoosh's ``terms_within``
    builds an automaton per call (5-20 ms a word, measured).
    """

    def __init__(self, reader: IndexReader) -> None:
        # A proxy: the cache below is keyed weakly on the reader, and a strong reference
        # from the value would keep every reader (and its open files) alive for good.
        self.reader: IndexReader = proxy(reader)
        self.schema: Schema = reader.schema
        names = set(self.schema.names())
        self.surface = [f for f in SURFACE_FIELDS if f in names]
        self.stemmed = [f for f in STEMMED_FIELDS if f in names]
        self._near: dict[str, list[str]] | None = None
        self._stems: frozenset[str] | None = None
        self._attested: dict[tuple[str, str], bool] = {}
        self.min_df = max(2, round(reader.doc_count() * MIN_SHARE))

    def _words_of(self, field: str) -> Iterator[str]:
        for term in self.reader.lexicon(field):
            yield term.decode() if isinstance(term, bytes) else str(term)

    def stem(self, word: str) -> str | None:
        for field in self.stemmed:
            terms = list(self.schema[field].process_text(word, mode="query"))
            return terms[0] if len(terms) == 1 else None
        return None

    def surface_df(self, word: str) -> int:
        return max((self.reader.doc_frequency(f, word) for f in self.surface), default=0)

    def stem_df(self, stem: str | None) -> int:
        if stem is None:
            return 0
        return max((self.reader.doc_frequency(f, stem) for f in self.stemmed), default=0)

    def surface_candidates(self, word: str, edits: int) -> set[str]:
        """Known surface words that may be within ``edits`` edits, with the same first letter."""
        if self._near is None:
            table: dict[str, list[str]] = {}
            words = set(_skill_words()).union(*(self._words_of(f) for f in self.surface))
            for known in words:
                if len(known) >= MIN_LENGTH - 1 and known.isalpha():
                    for variant in _deletes(known, 2 if len(known) > 7 else 1):
                        table.setdefault(variant, []).append(known)
            self._near = table
        found = {w for v in _deletes(word, edits) for w in self._near.get(v, ())}
        return {w for w in found if w[:1] == word[:1]}

    def stem_candidates(self, word: str, stem: str | None) -> set[str]:
        """Indexed stems one edit from the typed word ("acros" -> "across"), and words
        rebuilt from stems one edit from the typed word's stem ("lerning" -> "learning")."""
        if stem is None or len(stem) < MIN_LENGTH - 1:
            return set()
        if self._stems is None:
            self._stems = frozenset(w for f in self.stemmed for w in self._words_of(f))
        found = {w for w in _edits1(word) & self._stems if w[:1] == word[:1]}
        ending = word[len(stem) :]
        if ending:
            found.update(
                other + ending
                for other in _edits1(stem) & self._stems
                if other[:1] == stem[:1] and self.stem(other + ending) == other
            )
        return found

    def attested(self, word: str, stem: str | None) -> bool:
        """Whether ``word`` is written as such in some of the postings holding its stem.

        The index keeps only stems of descriptions, so "collaboration" (a word) and
        "enginer" (a typo of "engineer") look alike there; the stored text of a few
        postings with the stem tells them apart: a word in use shows up at once.
        """
        if stem is None:
            return False
        key = (word, stem)
        if key not in self._attested:
            # A substring test first: a case-insensitive regex over 5 kB is ~30x slower.
            pattern = re.compile(rf"\b{re.escape(word)}\b")
            field = next(
                (f for f in reversed(self.stemmed) if self.reader.doc_frequency(f, stem)), None
            )
            found = False
            if field is not None:
                docs = islice(self.reader.postings(field, stem).all_ids(), SAMPLE_DOCS)
                for docnum in docs:
                    stored = self.reader.stored_fields(docnum)
                    text = f"{stored.get('title', '')}\n{stored.get('description', '')}".lower()
                    if word in text and pattern.search(text):
                        found = True
                        break
            if len(self._attested) >= MAX_ATTESTED:
                self._attested.clear()
            self._attested[key] = found
        return self._attested[key]


_LEXICONS: WeakKeyDictionary[IndexReader, _Lexicon] = WeakKeyDictionary()


def _lexicon(reader: IndexReader) -> _Lexicon:
    try:
        lex = _LEXICONS.get(reader)
        if lex is None:
            lex = _LEXICONS[reader] = _Lexicon(reader)
        return lex
    except TypeError:  # a reader that cannot be weakly referenced: no caching
        return _Lexicon(reader)


def _closest_form(lex: _Lexicon, word: str, candidate: str) -> str:
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


def _correct(lex: _Lexicon, word: str, before: str | None, after: str | None) -> str | None:
    """The correction for one lower-case word, or None when it looks fine."""
    edits = max_edits(word)
    if not edits or word in STOP_WORDS or word in _skill_words():
        return None
    own_surface = lex.surface_df(word)
    if own_surface >= KNOWN_DF:
        return None
    stem = lex.stem(word)
    own_stem = max(own_surface, lex.stem_df(stem))
    surface = lex.surface_candidates(word, edits)
    rebuilt = lex.stem_candidates(word, stem) - surface
    pairs = _skill_pairs()
    ranked: list[tuple[float, int, str]] = []
    for candidate in surface | rebuilt:
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
        if freq < (2 if candidate in _skill_words() else lex.min_df):
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
        trusted = candidate in _skill_words() or lex.surface_df(candidate) >= MIN_DF
        if not trusted and not lex.attested(candidate, cstem):
            continue  # a bare stem ("gener") or a rare title typo ("whilee")
        return _closest_form(lex, word, candidate)
    return None


def _words(text: str) -> Iterator[re.Match[str]]:
    """Tokens that may be corrected: plain words, not operators, field names or wildcards."""
    for match in _TOKEN.finditer(text):
        token = match.group()
        start, end = match.span()
        if token in OPERATORS or not (token.isascii() and token.isalpha()):
            continue
        if text[end : end + 1] in (":", "*", "?") or text[start - 1 : start] in ("*", "?"):
            continue
        yield match


def suggest(searcher: Searcher, text: str) -> str | None:
    """A corrected query string when some words of `text` look misspelled (not in the index,
    and a close known word is much more frequent); None when the text looks fine. Keeps
    quotes/operators/filters syntax and words that are fine; lower-cases only corrected words.
    """
    try:
        return _suggest(searcher.reader(), text or "")
    except Exception:  # a suggestion is a courtesy: it must never break a search
        return None


def _suggest(reader: IndexReader, text: str) -> str | None:
    lex = _lexicon(reader)
    matches = list(_words(text))
    lowered = [m.group().lower() for m in matches]
    pieces: list[str] = []
    last = 0
    changed = False
    for i, match in enumerate(matches):
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


# -- fuzzy fallback ---------------------------------------------------------------------


@cache
def _schema() -> Schema:
    return build_schema()


def _field_terms(schema: Schema, field: str, word: str) -> list[str]:
    """The indexed form of ``word`` in ``field`` (a stem in stemmed fields)."""
    try:
        return list(schema[field].process_text(word, mode="query"))
    except Exception:
        return []


def _fuzzy_word(schema: Schema, word: str, fields: Iterable[str]) -> wq.Query | None:
    alternatives: list[wq.Query] = []
    for field in fields:
        for term in _field_terms(schema, field, word):
            # Two edits on a short stem ("manag" of "managment") would match "man",
            # "image" and hundreds more; a long one ("relaton") may need both.
            edits = 0 if len(term) < MIN_LENGTH else max_edits(word)
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


def fuzzy_query(text: str, fields: Sequence[str]) -> wq.Query | None:
    """A lenient query for when nothing matched: each word becomes a FuzzyTerm (edit
    distance 1 for words of 4-7 letters, 2 for longer, prefix 1-2) over the fields, ORed or
    ANDed (decide by measurement), never raising on any text.
    """
    try:
        schema = _schema()
        known = [f for f in fields if f in schema.names()]
        words = [
            m.group().lower() for m in _TOKEN.finditer(text or "") if m.group() not in OPERATORS
        ]
        # Stop words and single letters are dropped by the text fields; alone in the
        # skill field they would match nothing useful.
        words = [w for w in words if len(w) > 1 and w not in STOP_WORDS]
        parts = [q for w in dict.fromkeys(words) if (q := _fuzzy_word(schema, w, known))]
    except Exception:
        return None
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)
