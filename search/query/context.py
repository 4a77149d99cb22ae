"""What a search is asked and what it carries between its steps.

``Request`` is what the caller asked; ``Plan`` what the request became (query tree,
filters, centre); ``Found`` the matches; ``Context`` what every step reads (the side
tables and Whoosh's reader of one snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from whoosh import query as wq
from whoosh.reading import IndexReader

from search.errors import InvalidFilterError
from search.query.filters import FilterSet
from search.query.soft import Soft
from search.query.view import Index, Mask, Match
from search.results import SORTS, Filters, Sort
from search.store import fields as f

if TYPE_CHECKING:
    from whoosh.searching import Searcher

#: Extra candidates taken beyond the page, for the copies that folding removes.
COLLAPSE_ROOM = 50

#: (document number, score or None when ordered by date or distance)
Ranked = list[tuple[int, float | None]]
#: (document number, score, the document numbers of its other copies)
Group = tuple[int, float | None, list[int]]


@dataclass(frozen=True, slots=True)
class Request:
    """What was asked: the text, the filters and how to present the results."""

    text: str
    filters: Filters
    sort: Sort = "relevance"
    limit: int = 10
    page: int = 1
    title_only: bool = False
    collapse: bool = True
    explain: bool = False
    facets: bool = True
    #: How many values of each facet to count (the most frequent).
    facet_top: int = 10
    #: Read place, level, workplace and type words as conditions (``search.query.soft``).
    understand: bool = True

    def check(self) -> None:
        """A clear error for a value a library caller got wrong (never a TypeError)."""
        for name in ("limit", "page", "facet_top"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidFilterError(f"{name} must be a whole number, not {value!r}")
        for name in ("title_only", "collapse", "explain", "facets", "understand"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidFilterError(f"{name} takes True or False, not {getattr(self, name)!r}")
        if self.limit < 1 or self.page < 1:
            raise InvalidFilterError("limit and page must be 1 or more")
        if not isinstance(self.sort, str) or self.sort not in SORTS:
            raise InvalidFilterError(
                f"unknown sort {self.sort!r}", hint="use relevance, newest or pay"
            )

    @property
    def fields(self) -> tuple[str, ...]:
        return (f.TITLE_WORDS,) if self.title_only else f.TEXT_FIELDS

    @property
    def wanted(self) -> int:
        return self.page * self.limit


@dataclass(slots=True)
class Plan:
    """What a request becomes: a query tree, the filters (with the centre of ``near``),
    and notes."""

    parsed: wq.Query | None
    base: wq.Query
    excluded: wq.Query | None
    filters: FilterSet
    #: Every filter's documents together (None: no filter), read on every match.
    allowed: Mask | None
    by_date: bool
    by_pay: bool
    notes: list[str] = field(default_factory=list)
    #: Conditions read from the text: they narrow where postings state the fact and
    #: list those first (None: the words were searched as typed).
    soft: Soft | None = None


@dataclass(slots=True)
class Found:
    """The matches of the query that produced the hits, and whether it was a fallback."""

    match: Match
    parsed: wq.Query | None
    fuzzy: bool = False
    #: What the filters left out of these matches, and what was searched instead.
    notes: list[str] = field(default_factory=list)


class Context:
    """What one search reads: the side tables and Whoosh's reader of one snapshot."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.reader: IndexReader = index.snapshot.reader
        self._searcher: Searcher | None = None

    @property
    def searcher(self) -> Searcher:
        """A Whoosh searcher over the reader, made on first use (few searches need one)."""
        if self._searcher is None:
            from whoosh import searching

            self._searcher = searching.Searcher(self.reader, closereader=False)
        return self._searcher
