"""What a search is asked and what it carries between its steps.

``Request`` is what the caller asked; ``Plan`` what the request became (query tree,
the backend's evaluated filters, notes); ``Found`` the matches. Both belong to one
search: its notes are never kept anywhere shared. What every step reads is a backend
(``search.query.contract``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from whoosh import query as wq

from search.errors import InvalidFilterError
from search.query.contract import Ranked, Selected, Understood
from search.results import SORTS, Filters, Sort
from search.store import fields as f

__all__ = ["COLLAPSE_ROOM", "Found", "Group", "Plan", "Ranked", "Request", "Sort"]

#: Extra candidates taken beyond the page, for the copies that folding removes.
COLLAPSE_ROOM = 50

M = TypeVar("M")
S = TypeVar("S", bound=Selected)
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
    #: Read place, level, workplace and type words as conditions (``search.query.understand``).
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
class Plan(Generic[S]):
    """What a request becomes: a query tree, the filters as the backend evaluated them
    (with the centre of ``near``), and this search's notes."""

    parsed: wq.Query | None
    base: wq.Query
    excluded: wq.Query | None
    filters: S
    by_date: bool
    by_pay: bool
    notes: list[str] = field(default_factory=list)
    #: How evaluation was bounded, from every query this search evaluated.
    checked: list[str] = field(default_factory=list)
    #: Conditions read from the text (None: the words were searched as typed); with
    #: them, ``filters`` is their softened selection (``Understood.soft``).
    understood: Understood[S] | None = None
    #: The filters alone, without the conditions read from the text.
    plain: S | None = None


@dataclass(slots=True)
class Found(Generic[M]):
    """The matches of the query that produced the hits, and whether it was a fallback."""

    match: M
    parsed: wq.Query | None
    fuzzy: bool = False
    #: What the filters left out of these matches, and what was searched instead.
    notes: list[str] = field(default_factory=list)
