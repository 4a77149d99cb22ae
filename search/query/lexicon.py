"""The index as a dictionary: known words and their frequencies, read from one reader."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from types import MethodType
from weakref import WeakKeyDictionary, WeakMethod, proxy

from whoosh.fields import Schema
from whoosh.reading import IndexReader

from search.query.words import MAX_WORD_LENGTH, MIN_LENGTH, deletes, edits1, skill_words
from search.store import fields as f
from search.store.fields import term_text

#: The fields whose terms are the words as written, and the stemmed fields of free text.
SURFACE_FIELDS = (f.SPELL_TITLE, f.SKILL_TEXT)
STEMMED_FIELDS = (f.TITLE, f.DESCRIPTION)
#: rare noise is never suggested: 0.2% is 18 postings of the corpus.
MIN_SHARE = 0.002
#: A title spelling in this many postings is trusted without reading stored text.
MIN_DF = 3
#: Stored postings read to tell a word in use from a typo that shares its stem.
SAMPLE_DOCS = 16
#: Answers of the stored-text check kept per reader (about 100 bytes each).
MAX_ATTESTED = 10_000
#: Words whose counts are kept per reader (cleared whole when full).
MAX_KEPT_COUNTS = 50_000

#: Every term of a field (``Index.terms``).
Terms = Callable[[str], Iterable[str]]


class Lexicon:
    """Known words and their frequencies, read from one index reader.

    Single-word counts come straight from the reader. Finding the words near a typo needs
    the surface words (with a table of their deletion variants) and the description stems
    in memory: built on the first unknown word (0.1-0.3 s on the corpus index) and kept as
    long as the reader, they answer in microseconds, where Whoosh's ``terms_within``
    builds an automaton per call (5-20 ms a word, measured).

    Searches in several threads share one lexicon: a lock makes one of them build each
    table while the others wait for it, and a table is published only when complete.
    """

    def __init__(self, reader: IndexReader, terms: Terms | None = None) -> None:
        # A proxy: the cache below is keyed weakly on the reader, and a strong reference
        # from the value would keep every reader (and its open files) alive for good.
        self.reader: IndexReader = proxy(reader)
        self.schema: Schema = reader.schema
        names = set(self.schema.names())
        self.surface = [n for n in SURFACE_FIELDS if n in names]
        self.stemmed = [n for n in STEMMED_FIELDS if n in names]
        self._near: dict[str, list[str]] | None = None
        self._stems: frozenset[str] | None = None
        self._attested: dict[tuple[str, str], bool] = {}
        self._surface_df: dict[str, int] = {}
        self._building = threading.Lock()
        #: Processor seconds this thread spent building the tables above, once per
        #: reader: a spelling budget counts the correcting, not this one-time load.
        self.setup_s = 0.0
        #: Every term of a field, from the side tables when given: Whoosh's lexicon of a
        #: multi-segment index merges terms one Python call at a time (0.16 s at 100k).
        self._terms = _weak(terms)
        self.min_df = max(2, round(reader.doc_count() * MIN_SHARE))

    def _words_of(self, field: str) -> Iterator[str]:
        for term in self.reader.lexicon(field):
            yield term_text(term)

    def stem(self, word: str) -> str | None:
        for field in self.stemmed:
            terms = list(self.schema[field].process_text(word, mode="query"))
            return terms[0] if len(terms) == 1 else None
        return None

    def surface_df(self, word: str) -> int:
        """How many documents hold ``word`` as written (in any surface field). Kept:
        every search asks for each of its words, and Whoosh's count is a term lookup
        in every segment."""
        found = self._surface_df.get(word)
        if found is None:
            found = max((self.reader.doc_frequency(n, word) for n in self.surface), default=0)
            if len(self._surface_df) >= MAX_KEPT_COUNTS:
                self._surface_df.clear()
            self._surface_df[word] = found
        return found

    def stem_df(self, stem: str | None) -> int:
        if stem is None:
            return 0
        return max((self.reader.doc_frequency(n, stem) for n in self.stemmed), default=0)

    def surface_candidates(self, word: str, edits: int) -> set[str]:
        """Known surface words that may be within ``edits`` edits, with the same first letter."""
        near = self._near
        if near is None:
            with self._building:
                near = self._near
                if near is None:
                    near = self._near = self._build_near()
        found = {w for v in deletes(word, edits) for w in near.get(v, ())}
        return {w for w in found if w[:1] == word[:1]}

    def _build_near(self) -> dict[str, list[str]]:
        began = time.thread_time()
        table: dict[str, list[str]] = {}
        words = set(skill_words()).union(*(self._words_of(n) for n in self.surface))
        for known in words:
            # A posting's title may hold a "word" of thousands of letters; its
            # deletion variants would number millions.
            if MIN_LENGTH - 1 <= len(known) <= MAX_WORD_LENGTH and known.isalpha():
                for variant in deletes(known, 2 if len(known) > 7 else 1):
                    table.setdefault(variant, []).append(known)
        self.setup_s += time.thread_time() - began
        return table

    def _build_stems(self) -> frozenset[str]:
        began = time.thread_time()
        words = (self._terms() if self._terms is not None else None) or self._words_of
        stems = frozenset(w for n in self.stemmed for w in words(n))
        self.setup_s += time.thread_time() - began
        return stems

    def stem_candidates(self, word: str, stem: str | None) -> set[str]:
        """Indexed stems one edit from the typed word ("acros" -> "across"), and words
        rebuilt from stems one edit from the typed word's stem ("lerning" -> "learning")."""
        if stem is None or len(stem) < MIN_LENGTH - 1:
            return set()
        stems = self._stems
        if stems is None:
            with self._building:
                stems = self._stems
                if stems is None:
                    stems = self._stems = self._build_stems()
        found = {w for w in edits1(word) & stems if w[:1] == word[:1]}
        ending = word[len(stem) :]
        if ending:
            found.update(
                other + ending
                for other in edits1(stem) & stems
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
        known = self._attested.get(key)
        if known is None:
            # A substring test first: a case-insensitive regex over 5 kB is ~30x slower.
            pattern = re.compile(rf"\b{re.escape(word)}\b")
            field = next(
                (n for n in reversed(self.stemmed) if self.reader.doc_frequency(n, stem)), None
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
            self._attested[key] = known = found
        return known


LEXICONS: WeakKeyDictionary[IndexReader, Lexicon] = WeakKeyDictionary()


_LEXICONS_LOCK = threading.Lock()


def _weak(terms: Terms | None) -> Callable[[], Terms | None] | None:
    """``terms`` held without keeping its object alive: a lexicon is kept as long as its
    reader, and ``Index.terms`` refers to that reader; a strong reference from here would
    keep every reader (and its open files) alive for good."""
    if terms is None:
        return None
    if isinstance(terms, MethodType):
        return WeakMethod(terms)
    return lambda: terms


def lexicon_of(reader: IndexReader, terms: Terms | None = None) -> Lexicon:
    """The reader's lexicon (one per reader); ``terms`` lists a field's terms faster."""
    try:
        with _LEXICONS_LOCK:
            lex = LEXICONS.get(reader)
            if lex is None:
                lex = LEXICONS[reader] = Lexicon(reader, terms)
        return lex
    except TypeError:  # a reader that cannot be weakly referenced: no caching
        return Lexicon(reader, terms)
