"""The embedded engine as a search backend: numpy over one snapshot's side tables.

This is the first implementation of ``search.query.contract.Backend``. Matching and
BM25F scoring are ``search.query.matching``; filters ``search.query.filters``; facet
counts, bands and duplicate groups ``search.query.facets``; stored postings and the
spelling dictionary come from Whoosh's reader of the same snapshot. Everything it
caches (term scores, facet tables, checked phrases) lives on the ``Index`` of the
snapshot and depends only on it; what one search learns (its notes) is returned to
that search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader

from search.model import JobPosting, Place
from search.query import facets as facet_counts
from search.query.contract import Backend, Matched, Order, Ranked, Understood
from search.query.explain import explain_hit
from search.query.filters import FilterSet, filter_set
from search.query.matching import evaluate, top
from search.query.soft import Soft, understand
from search.query.spelling import suggest
from search.query.view import Index, Mask, Match
from search.results import Explanation, Filters
from search.store import fields as f
from search.store.documents import from_stored

if TYPE_CHECKING:
    from whoosh.searching import Searcher

__all__ = ["EmbeddedBackend", "Selection"]


@dataclass(frozen=True, slots=True)
class Selection:
    """The evaluated filters of one search, with every filter's documents together
    (None: no filter), combined once and read on every match."""

    filters: FilterSet
    allowed: Mask | None
    #: Whether notes count jobs (copies of one job once).
    fold: bool = False
    #: Conditions read from the query text (``search.query.soft``): they leave out the
    #: postings stating another fact and rank those stating the facts asked for first.
    soft: Soft | None = None

    @property
    def notes(self) -> Sequence[str]:
        return self.filters.notes

    @property
    def center(self) -> Place | None:
        return self.filters.center


class EmbeddedBackend:
    """What one search reads: the side tables (``index``) and Whoosh's reader of one
    snapshot, answering the contract of ``search.query.contract.Backend``."""

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

    # -- the contract --------------------------------------------------------------------

    def select(self, filters: Filters, fold: bool) -> Selection:
        chosen = filter_set(self.index, filters, fold=fold)
        return Selection(chosen, chosen.mask, fold)

    def understand(
        self, text: str, filters: Filters, within: Selection
    ) -> Understood[Selection] | None:
        soft = understand(self.index, text, filters)
        if soft is None:
            return None
        every = soft.every if within.allowed is None else within.allowed & soft.every
        return Understood(
            soft.reading,
            replace(within, soft=soft),
            replace(within, allowed=every, soft=None),
            soft.facts,
        )

    def match(self, q: wq.Query, within: Selection) -> Matched[Match]:
        checked: list[str] = []
        kept = within.allowed
        if within.soft is not None:
            soft = within.soft.allowed
            kept = soft if kept is None else kept & soft
        matched = evaluate(self.index, q, checked, within=kept)
        left_out = within.filters.left_out(matched.mask)
        if within.allowed is not None:
            matched.mask &= within.allowed
        if within.soft is not None:
            matched.mask &= within.soft.allowed
            jobs = (lambda m: facet_counts.distinct_jobs(self.index, m)) if within.fold else None
            left_out += within.soft.notes(matched.mask, jobs)
        return Matched(matched, left_out, checked)

    def count(self, m: Match, fold: bool) -> int:
        if fold:
            return facet_counts.distinct_jobs(self.index, m.mask)
        return int(np.count_nonzero(m.mask))

    def without(self, m: Match, other: Match) -> Match:
        return Match(m.mask & ~other.mask, m.scores)

    def top(self, m: Match, k: int, order: Order, within: Selection) -> Ranked:
        if within.soft is None:
            return self._top(m, k, order, within)
        # Those stating the most of the facts asked for first, each tier in ``order``.
        ranked: Ranked = []
        for tier in within.soft.tiers():
            if len(ranked) >= k:
                break
            ranked += self._top(Match(m.mask & tier, m.scores), k - len(ranked), order, within)
        return ranked

    def _top(self, m: Match, k: int, order: Order, within: Selection) -> Ranked:
        if order == "nearest":
            nearest = within.filters.nearest
            assert nearest is not None, "nearest first needs the near filter"
            return [(int(d), None) for d in top(m, k, order=-nearest)]
        if order == "newest":
            posted = self.index.column("posted").astype(np.float64)
            return [(int(d), None) for d in top(m, k, order=posted)]
        if order == "pay":
            pay = np.nan_to_num(self.index.column("pay_high"), nan=-np.inf)
            return [(int(d), float(m.scores[d])) for d in top(m, k, order=pay)]
        return [(int(d), float(m.scores[d])) for d in top(m, k)]

    def facets(self, m: Match, top: int, fold: bool) -> dict[str, dict[str, int]]:
        counted = facet_counts.count(self.index, m.mask, f.FACET_FIELDS, top, fold)
        counted.update(facet_counts.bands(self.index, m.mask, fold=fold))
        counted[facet_counts.POSTED] = facet_counts.posted(self.index, m.mask, fold=fold)
        return counted

    def jobs(self, docs: Sequence[int]) -> list[int]:
        dup = self.index.column("dup")
        return [int(dup[d]) for d in docs]

    def copies(self, doc: int) -> list[int]:
        return self.index.copies(doc)

    def posting(self, doc: int) -> JobPosting:
        # Reading stored fields (inflate, unpickle, rebuild) costs ~0.12 ms a posting at
        # 100k, and the same hits come back search after search; each caller gets its
        # own ``extra`` dict, the one mutable part of a posting.
        kept = self.index.recent_postings.get(doc)
        if kept is None:
            kept = from_stored(self.reader.stored_fields(doc))
            self.index.recent_postings.put(doc, kept)
        return replace(kept, extra=dict(kept.extra))

    def doc_frequency(self, field: str, term: str) -> int:
        return self.index.doc_frequency(field, term.encode("utf-8"))

    def suggest(self, text: str) -> str | None:
        return suggest(self.reader, text, terms=self.index.terms)

    def explain(
        self,
        doc: int,
        posting: JobPosting,
        q: wq.Query | None,
        filters: Filters,
        distance_km: float | None,
    ) -> Explanation:
        return explain_hit(self.index, doc, posting, q, filters, distance_km)


if TYPE_CHECKING:  # mypy holds the engine to the contract

    def _conforms(backend: EmbeddedBackend) -> Backend[Match, Selection]:
        return backend
