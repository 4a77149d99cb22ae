"""The search pipeline, as the steps a reader can follow in order.

``run`` is the whole of ``JobIndex.search``:

1. ``plan``      user text and filters -> the query tree, the filter mask, the radius
2. ``match``     every matching document and its BM25F score (``search.query.matching``)
3. ``fall_back`` nothing matched as typed: the corrected spelling, else close spellings
4. ``order``     the best documents in result order (score, date or distance), then
                 postings with some of the words when few have them all
5. ``fold``      copies of one job posted for several places become one hit
6. ``hits``      the requested page, with snippets, distances and explanations
7. ``summarise`` total and facet counts over every match

Matching, totals and facets are array operations over the side tables; only the hits
of the page are read from Whoosh's stored fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
from whoosh import query as wq
from whoosh.reading import IndexReader

from search.errors import InvalidFilterError

if TYPE_CHECKING:
    from whoosh.searching import Searcher
from search.extract.text import normalize_key
from search.model import JobPosting, Place
from search.query import facets as facet_counts
from search.query.explain import explain_hit
from search.query.filters import FilterSet, filter_set
from search.query.fuzzy import fuzzy_query
from search.query.matching import Index, Mask, Match, evaluate, top
from search.query.parser import parse_text, query_words, relax
from search.query.radius import distance_to, distances, nearest_first, resolve_center
from search.query.snippets import Highlighter
from search.query.spelling import suggest
from search.results import Filters, Hit, SearchResults
from search.store import fields as f
from search.store.analysis import FastTextAnalysis
from search.store.documents import from_stored

_ANALYSIS = FastTextAnalysis()
Sort = Literal["relevance", "newest", "pay"]
SORTS: tuple[str, ...] = ("relevance", "newest", "pay")
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

    def check(self) -> None:
        """A clear error for a value a library caller got wrong (never a TypeError)."""
        for name in ("limit", "page"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidFilterError(f"{name} must be a whole number, not {value!r}")
        for name in ("title_only", "collapse", "explain", "facets"):
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
        return (f.TITLE,) if self.title_only else f.TEXT_FIELDS

    @property
    def wanted(self) -> int:
        return self.page * self.limit


@dataclass(slots=True)
class Plan:
    """What a request becomes: a query tree, a filter, a centre, and notes."""

    parsed: wq.Query | None
    base: wq.Query
    excluded: wq.Query | None
    filters: FilterSet
    allowed: Mask | None
    center: Place | None
    by_date: bool
    by_pay: bool
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Found:
    """The matches of the query that produced the hits, and whether it was a fallback."""

    match: Match
    parsed: wq.Query | None
    fuzzy: bool = False


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


# -- 1. plan ------------------------------------------------------------------------


def _unmatched_places(ctx: Context, filters: Filters) -> list[str]:
    """Notes for place filter values that no posting has at all."""
    notes = []
    for name in ("city", "state", "country"):
        for value in getattr(filters, name):
            key = normalize_key(value).encode("utf-8")
            if not ctx.index.doc_frequency(f.PLACE_KEY_FIELDS[name], key):
                notes.append(f"no posting in {name} {value!r}")
    return notes


def plan(ctx: Context, request: Request) -> Plan:
    filters, fields, text = request.filters, request.fields, request.text
    parsed = parse_text(text, fields)
    notes = _unmatched_places(ctx, filters)
    if parsed is None and text.strip():
        notes.append(f"no searchable words in {text!r}: listing every match")
    chosen = filter_set(ctx.index, filters)
    allowed = chosen.mask
    center = None
    if filters.near:
        radius = filters.radius_km or 0.0
        center = resolve_center(ctx.index, filters.near)
        around = distances(ctx.index, center) <= radius
        notes.append(f"within {round(radius, 1):g} km of {center.label()}")
        allowed = around if allowed is None else allowed & around
    excluded = parse_text(" OR ".join(filters.exclude), fields) if filters.exclude else None
    base: wq.Query = parsed if parsed is not None else wq.Every()
    if excluded is not None:
        base = wq.AndNot(base, excluded)
    by_pay = request.sort == "pay"
    # Nothing to rank by when the text only excludes words ("-python"): newest first.
    only_excluded = isinstance(parsed, wq.Not)
    by_date = not by_pay and (parsed is None or only_excluded or request.sort == "newest")
    return Plan(parsed, base, excluded, chosen, allowed, center, by_date, by_pay, notes)


# -- 2. match and 3. fall back -------------------------------------------------------


def _matches(ctx: Context, p: Plan, q: wq.Query) -> Match:
    found = evaluate(ctx.index, q)
    if p.allowed is not None:
        found.mask &= p.allowed
    return found


def match(ctx: Context, p: Plan) -> Found:
    """Every document matching the query and the filters; notes say how many the pay
    and experience filters left out because they state neither."""
    found = evaluate(ctx.index, p.base)
    p.notes.extend(p.filters.left_out(found.mask))
    if p.allowed is not None:
        found.mask &= p.allowed
    return Found(found, p.parsed)


def _unknown_words(ctx: Context, text: str, fields: tuple[str, ...]) -> bool:
    """Whether some word the user typed is in no posting at all (the other spellings a
    skill name adds do not count: "ML" may be in no posting while "machine learning"
    is in thousands)."""
    for term in _ANALYSIS.terms(text):
        word = term.encode("utf-8")
        if not any(ctx.index.doc_frequency(name, word) for name in fields):
            return True
    return False


def fall_back(
    ctx: Context, request: Request, p: Plan, found: Found, suggestion: str | None
) -> Found:
    """When nothing has the words typed: the corrected spelling's matches, else close
    spellings, with a note saying which."""
    if found.match.mask.any() or p.parsed is None:
        return found
    if not (suggestion or _unknown_words(ctx, request.text, request.fields)):
        return found
    corrected = parse_text(suggestion, request.fields) if suggestion else None
    for fallback in (corrected, fuzzy_query(request.text, request.fields)):
        if fallback is None:
            continue
        q = wq.AndNot(fallback, p.excluded) if p.excluded is not None else fallback
        matched = _matches(ctx, p, q)
        if matched.mask.any():
            shown = f"results for {suggestion!r}" if fallback is corrected else "close spellings"
            p.notes.append(f"no postings match {request.text!r}: showing {shown}")
            return Found(matched, fallback, fuzzy=True)
    return found


# -- 4. order -----------------------------------------------------------------------


def order(ctx: Context, p: Plan, found: Found, limit: int) -> Ranked:
    """The first ``limit`` matches in result order: by score, newest first, or nearest
    first for ``near`` with no query text."""
    m = found.match
    if p.by_date and p.center is not None:
        nearest = distances(ctx.index, p.center)
        ranked = top(m, limit, order=-nearest)
        return [(int(d), None) for d in ranked]
    if p.by_date:
        ranked = top(m, limit, order=ctx.index.column("posted").astype(np.float64))
        return [(int(d), None) for d in ranked]
    if p.by_pay:
        pay = np.nan_to_num(ctx.index.column("pay_high"), nan=-np.inf)
        return [(int(d), float(m.scores[d])) for d in top(m, limit, order=pay)]
    return [(int(d), float(m.scores[d])) for d in top(m, limit)]


def partial_matches(ctx: Context, request: Request, p: Plan, found: Found) -> Ranked:
    """Postings with some of the words, to follow the few that have them all (as web
    search does) on the first page, and a note saying how many."""
    matched = int(found.match.mask.sum())
    if request.page != 1 or p.by_date or p.by_pay or found.fuzzy or matched >= request.limit:
        return []
    loose = relax(p.base)
    if loose is None:
        return []
    more = _matches(ctx, p, loose)
    more.mask &= ~found.match.mask
    extra = int(more.mask.sum())
    if not extra:
        return []
    noun = "posting matches" if extra == 1 else "postings match"
    p.notes.append(f"{extra} more {noun} some of the words")
    return [(int(d), float(more.scores[d])) for d in top(more, request.limit)]


# -- 5. fold ------------------------------------------------------------------------


def fold(ctx: Context, ranked: Ranked, collapse: bool) -> list[Group]:
    """Fold copies of one job into its best-ranked copy."""
    if not collapse:
        return [(d, score, []) for d, score in ranked]
    dup = ctx.index.column("dup")
    out: list[Group] = []
    seen: set[int] = set()
    for docnum, score in ranked:
        key = int(dup[docnum])
        if key in seen:
            continue
        seen.add(key)
        out.append((docnum, score, ctx.index.copies(docnum)))
    return out


def ranked_groups(ctx: Context, request: Request, p: Plan, found: Found) -> list[Group]:
    """Enough folded hits for the requested page: more candidates while folding removes
    copies, until the page is full or every match has been seen."""
    total = int(found.match.mask.sum())
    limit = request.wanted * 2 + COLLAPSE_ROOM if request.collapse else request.wanted
    while True:
        ranked = order(ctx, p, found, limit)
        groups = fold(ctx, ranked, request.collapse)
        if len(groups) >= request.wanted or limit >= total:
            return groups
        limit *= 4


# -- 6. hits ------------------------------------------------------------------------


def _merge_places(posting: JobPosting, copies: list[JobPosting]) -> JobPosting:
    """The posting with the places of all its copies, in order, without repeats."""
    places = list(posting.places)
    for copy in copies:
        places.extend(p for p in copy.places if p not in places)
    locations = [posting.location_text] + [
        c.location_text for c in copies if c.location_text != posting.location_text
    ]
    return replace(posting, places=tuple(places), location_text=" | ".join(filter(None, locations)))


def hit(
    ctx: Context,
    request: Request,
    p: Plan,
    group: Group,
    highlighter: Highlighter,
    parsed: wq.Query | None,
) -> Hit:
    """One hit: the posting with its copies' places, nearest place first for ``near``."""
    docnum, score, copies = group
    stored = ctx.reader.stored_fields
    posting = from_stored(stored(docnum))
    copy_postings = [from_stored(stored(d)) for d in copies]
    if copy_postings:
        posting = _merge_places(posting, copy_postings)
    distance = None
    if p.center is not None:
        posting = nearest_first(posting, p.center)
        distance = distance_to(posting.places[0], p.center) if posting.places else None
    explanation = None
    if request.explain:
        explanation = explain_hit(ctx.index, docnum, posting, parsed, request.filters, distance)
    return Hit(
        posting=posting,
        score=score,
        snippet=highlighter.snippet(posting.description),
        distance_km=round(distance, 1) if distance is not None else None,
        duplicates=tuple(c.id for c in copy_postings),
        explanation=explanation,
    )


def page_hits(
    ctx: Context, request: Request, p: Plan, found: Found, groups: list[Group]
) -> tuple[Hit, ...]:
    highlighter = Highlighter(query_words(found.parsed))
    start = (request.page - 1) * request.limit
    return tuple(
        hit(ctx, request, p, group, highlighter, found.parsed)
        for group in groups[start : start + request.limit]
    )


# -- 7. summarise and run ---------------------------------------------------------------


def summarise(
    ctx: Context, request: Request, found: Found
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total (jobs, not copies, when folding) and facet counts over every match."""
    mask = found.match.mask
    total = facet_counts.distinct_jobs(ctx.index, mask) if request.collapse else int(mask.sum())
    if not request.facets:
        return total, {}
    counted = facet_counts.count(ctx.index, mask, f.FACET_FIELDS, fold=request.collapse)
    counted.update(facet_counts.bands(ctx.index, mask, fold=request.collapse))
    return total, counted


def run(ctx: Context, request: Request) -> SearchResults:
    request.check()
    p = plan(ctx, request)
    found = match(ctx, p)
    text = request.text
    suggestion = suggest(ctx.reader, text) if p.parsed is not None and text.strip() else None
    found = fall_back(ctx, request, p, found, suggestion)
    groups = ranked_groups(ctx, request, p, found)
    if not p.by_date and not found.fuzzy:
        groups += fold(ctx, partial_matches(ctx, request, p, found), request.collapse)
    hits = page_hits(ctx, request, p, found, groups)
    total, facets = summarise(ctx, request, found)
    return SearchResults(
        query=text,
        filters=request.filters,
        total=total,
        page=request.page,
        limit=request.limit,
        hits=hits,
        facets=facets,
        notes=tuple(dict.fromkeys([*p.notes, *ctx.index.notes])),
        suggestion=suggestion,
        fuzzy=found.fuzzy,
    )
