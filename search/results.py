"""What a search returns: small frozen dataclasses that iterate and have a length."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, get_args

from search.filters import Filters, parse_radius
from search.model import JobPosting

__all__ = [
    "SORTS",
    "Explanation",
    "Filters",
    "Hit",
    "ScorePart",
    "SearchResults",
    "Sort",
    "parse_radius",
]

#: The orders a search can return: by score, newest first, best paid first.
Sort = Literal["relevance", "newest", "pay"]
SORTS: tuple[str, ...] = get_args(Sort)


def page_count(shown: int, limit: int) -> int:
    """Pages of ``limit`` hits for ``shown`` of them (at least one, even when empty)."""
    return max(1, -(-shown // limit))


#: Marks around matched words in ``Hit.snippet`` (the convention of web search APIs).
MARK_OPEN, MARK_CLOSE = "<em>", "</em>"


@dataclass(frozen=True, slots=True)
class ScorePart:
    """One query term's share of a hit's score."""

    field: str
    term: str
    score: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a posting matched: score parts, synonyms used, places that met the filters."""

    parts: tuple[ScorePart, ...] = ()
    synonyms: tuple[str, ...] = ()
    places: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching posting, its score (None when sorted by date) and a marked snippet.

    ``duplicates`` are the ids of the other copies of the same job (posted once per
    location) folded into this hit; its posting lists the places of every copy.
    """

    posting: JobPosting
    score: float | None
    snippet: str
    distance_km: float | None = None
    duplicates: tuple[str, ...] = ()
    explanation: Explanation | None = None
    #: The posting has only some of the words (listed after those that have them all).
    partial: bool = False


@dataclass(frozen=True, slots=True)
class SearchResults:
    """One page of hits, the total over all pages, and facet counts for the whole match."""

    query: str
    filters: Filters
    total: int
    page: int
    limit: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    #: A corrected query when words look misspelled ("did you mean").
    suggestion: str | None = None
    #: True when nothing matched as typed and these hits are for the corrected spelling
    #: or close spellings (``notes`` says which).
    fuzzy: bool = False
    #: Postings with only some of the words, listed (marked partial) after the ``total``
    #: that have them all, when those are fewer than a page.
    partial_total: int = 0
    #: How the query was read when some of its words were read as conditions (place,
    #: level, workplace, employment type): "rust engineer · level senior · city Berlin";
    #: empty when the words were searched as typed.
    read_as: str = ""

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    @property
    def pages(self) -> int:
        """How many pages the matches fill, partial matches included."""
        return page_count(self.total + self.partial_total, self.limit) if self.limit else 1


@dataclass(frozen=True, slots=True)
class IndexStats:
    """Size and make-up of an index (``JobIndex.stats``)."""

    #: The index directory.
    index: str
    #: Live postings (deleted ones not counted).
    postings: int
    #: Bytes on disk of the build folder read (None on a cluster, which does not say).
    size_bytes: int | None
    #: The embedded index format (None on a cluster).
    schema_version: int | None
    #: Whoosh segments (None on a cluster, which has none).
    segments: int | None
    #: Distinct cities, countries and skills named by postings.
    cities: int
    countries: int
    skills: int
    #: Live postings open to remote work.
    remote: int
    #: The earliest and latest date postings state they were posted (ISO dates; None
    #: when none states one).
    posted_first: str | None = None
    posted_last: str | None = None
    #: When the index was last written (ISO time, UTC).
    written: str | None = None
    #: The ten most frequent values of each facet (facet -> value -> postings).
    top: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The figures by name, in this order (what ``jobsearch stats`` writes)."""
        return {name: getattr(self, name) for name in _STAT_NAMES}

    def __getitem__(self, name: str) -> object:
        """A figure by name, as when ``stats()`` returned a dict."""
        if name not in _STAT_NAMES:
            raise KeyError(name)
        return getattr(self, name)


_STAT_NAMES = tuple(IndexStats.__dataclass_fields__)
