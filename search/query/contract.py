"""The contract between search policy and an evaluation backend.

Policy (``pipeline``, ``hits``, ``context``) decides what a search means for a person:
how the text is parsed, when the corrected spelling or close spellings are searched
instead, when postings with only some of the words follow, how copies of one job fold
into one hit, which notes the person reads, and which page is shown. It never looks at
how postings are stored or evaluated: it asks a ``Backend``.

A backend evaluates. It takes Whoosh query trees (the parser's output: terms, phrases,
fuzzy terms, AND/OR/NOT, boosts) and ``Filters``, and answers with opaque sets of
matches that only it reads. The embedded engine (``search.query.embedded``: numpy over
the side tables, BM25F with Whoosh's statistics) is the first implementation; the tests
hold a second, in plain Python over a list of postings (``tests/memory_backend.py``).

Two type parameters keep a backend's own representations out of policy: ``S``, what
the filters select (the backend's form of it; policy reads only ``Selected``), and
``M``, a set of matching documents with their scores. Documents are named by numbers
that stay valid for the backend object's life (one snapshot).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, Literal, Protocol, TypeVar

from whoosh import query as wq

from search.model import JobPosting, Place
from search.query.understand import Reading
from search.results import Explanation, Filters

#: The orders a backend ranks in: by score, newest first, highest pay first, nearest
#: first (to the centre of the ``near`` filter).
Order = Literal["score", "newest", "pay", "nearest"]
#: (document number, score or None when ordered by date or distance)
Ranked = list[tuple[int, float | None]]

M = TypeVar("M")
S = TypeVar("S", bound="Selected")


class Selected(Protocol):
    """What policy reads of a backend's evaluated filters."""

    @property
    def notes(self) -> Sequence[str]:
        """Filter values that no posting has ("no posting in city 'Atlantis'"), the
        radius of ``near``."""
        ...

    @property
    def center(self) -> Place | None:
        """The centre of ``near`` (None without it)."""
        ...


@dataclass(slots=True)
class Matched(Generic[M]):
    """The matches of one query within the filters, and what a person should know
    about them."""

    found: M
    #: How many matches of the query the filters on facts left out (or kept) because
    #: the posting does not state the fact.
    left_out: list[str] = field(default_factory=list)
    #: How evaluation was bounded ("the phrase ... was checked in 5,000 of ...").
    checked: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Understood(Generic[S]):
    """Query text read as words and conditions (``search.query.understand``), with the
    conditions evaluated as the backend holds the facts. Conditions narrow only where a
    posting states the fact: ``soft`` selects what the filters select less the postings
    stating another fact; matched within it, the postings stating no fact asked for are
    counted in ``Matched.left_out`` ("12 postings that state no level were kept below"),
    and ``top`` lists those stating the most facts asked for first."""

    reading: Reading
    soft: S
    #: The filters' postings that state every fact asked for.
    every: S
    #: The facts a posting may state otherwise, as notes name them ("level or place").
    facts: str


class Backend(Protocol[M, S]):
    """Evaluation of one snapshot of the index: every answer a search needs, and no
    decision about what to show. A backend keeps no state about the search it serves
    (two searches may use one backend at once); anything it caches depends only on the
    snapshot."""

    def select(self, filters: Filters, fold: bool) -> S:
        """The documents passing every filter (values of one filter ORed, filters
        ANDed; a filter never changes a score). With ``fold``, notes count jobs (copies
        of one job count once). Raises ``InvalidFilterError`` for a value it cannot
        understand."""
        ...

    def understand(self, text: str, filters: Filters, within: S) -> Understood[S] | None:
        """``text`` read as words to rank and conditions, within the evaluated
        ``filters`` (a kind of fact a filter sets is not read from the words); None when
        no condition was read, or when the backend reads no queries (the words are then
        searched as typed)."""
        ...

    def match(self, q: wq.Query, within: S) -> Matched[M]:
        """The live documents matching ``q`` among those ``within`` selects, with
        their scores (Whoosh's BM25F for the embedded engine)."""
        ...

    def count(self, m: M, fold: bool) -> int:
        """How many documents are in ``m`` (jobs, with ``fold``: copies count once)."""
        ...

    def without(self, m: M, other: M) -> M:
        """The documents of ``m`` that are not in ``other``, with ``m``'s scores."""
        ...

    def top(self, m: M, k: int, order: Order, within: S) -> Ranked:
        """The first ``k`` documents of ``m`` in ``order``, ties by document number;
        scores are given when ranking by score or pay, None otherwise."""
        ...

    def facets(self, m: M, top: int, fold: bool) -> dict[str, dict[str, int]]:
        """Exact counts over every document of ``m``: the ``top`` most frequent values
        of each facet field (and "unknown" for facts left unsaid), then the pay and
        experience bands, then the posted bands (each the total of a search with its
        ``since``). With ``fold`` a job counts once, with its copies' values."""
        ...

    def jobs(self, docs: Sequence[int]) -> list[int]:
        """The job each document is a copy of: copies of one job share a number."""
        ...

    def copies(self, doc: int) -> list[int]:
        """The other live copies of the document's job."""
        ...

    def posting(self, doc: int) -> JobPosting:
        """The stored posting of a document."""
        ...

    def doc_frequency(self, field: str, term: str) -> int:
        """How many documents hold the (analysed) ``term`` in ``field``."""
        ...

    def suggest(self, text: str) -> str | None:
        """``text`` with its misspelled words corrected from the index's own words, or
        None when it looks fine (or the backend keeps no dictionary)."""
        ...

    def explain(
        self,
        doc: int,
        posting: JobPosting,
        q: wq.Query | None,
        filters: Filters,
        distance_km: float | None,
    ) -> Explanation:
        """Why ``doc`` matched ``q`` and the filters: each term's share of its score."""
        ...
