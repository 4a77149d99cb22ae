"""The search pipeline, as the steps a reader can follow in order.

``run`` is the whole of ``JobIndex.search``:

1. ``plan``      user text and filters -> the Whoosh queries, the radius centre, notes
2. ``match``     the top of the ranking and the set of every match (one pass)
3. ``fall_back`` nothing matched as typed: the corrected spelling, else close spellings
4. ``order``     matches in result order (score, date, or distance), then partial matches
5. ``fold``      copies of one job posted for several places become one hit
6. ``hits``      the requested page, with snippets, distances and explanations
7. ``summarise`` total and facet counts over every match
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from whoosh import query as wq
from whoosh.searching import Results, Searcher

from search.errors import InvalidFilterError
from search.extract.text import normalize_key
from search.model import JobPosting, Place
from search.query.collect import collect
from search.query.explain import explain_hit
from search.query.filters import build_filter
from search.query.fuzzy import fuzzy_query
from search.query.parser import parse_text, query_words, relax
from search.query.radius import (
    distance_to,
    nearest_first,
    nearest_km,
    resolve_center,
    within,
)
from search.query.snippets import Highlighter
from search.query.spelling import suggest
from search.results import Filters, Hit, SearchResults
from search.store import fields as f
from search.store.columns import ForwardTable
from search.store.documents import from_stored
from search.store.fields import term_text

Sort = Literal["relevance", "newest"]
SORTS: tuple[str, ...] = ("relevance", "newest")
#: Room kept for copies that folding removes; a second pass only when that is short.
COLLAPSE_ROOM = 50

Ranked = list[tuple[int, float | None]]
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
        if self.limit < 1 or self.page < 1:
            raise InvalidFilterError("limit and page must be 1 or more")
        if self.sort not in SORTS:
            raise InvalidFilterError(f"unknown sort {self.sort!r}", hint="use relevance or newest")

    @property
    def fields(self) -> tuple[str, ...]:
        return (f.TITLE,) if self.title_only else f.TEXT_FIELDS

    @property
    def room(self) -> int:
        """How many top hits to collect for the page (more when copies will fold)."""
        wanted = self.page * self.limit
        return wanted * 2 + COLLAPSE_ROOM if self.collapse else wanted


@dataclass(slots=True)
class Plan:
    """The queries a request becomes."""

    parsed: wq.Query | None
    base: wq.Query
    excluded: wq.Query | None
    filter_q: wq.Query | None
    center: Place | None
    by_date: bool
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Matches:
    """The collected top hits and the document numbers of every match."""

    results: Results
    matched: set[int]
    parsed: wq.Query | None
    fuzzy: bool = False


class Context:
    """What one search reads: the searcher and the side table of the same snapshot."""

    def __init__(self, searcher: Searcher, table: ForwardTable) -> None:
        self.searcher = searcher
        self.table = table

    def roles(self) -> list[str]:
        return [term_text(r) for r in self.searcher.reader().lexicon(f.ROLE)]


# -- 1. plan ------------------------------------------------------------------------


def _and(a: wq.Query | None, b: wq.Query) -> wq.Query:
    return b if a is None else wq.And([a, b])


def _unmatched_places(ctx: Context, filters: Filters) -> list[str]:
    """Notes for place filter values that no posting has at all."""
    reader = ctx.searcher.reader()
    notes = []
    for name in ("city", "state", "country"):
        for value in getattr(filters, name):
            if reader.doc_frequency(f.PLACE_KEY_FIELDS[name], normalize_key(value)) == 0:
                notes.append(f"no posting in {name} {value!r}")
    return notes


def plan(ctx: Context, request: Request) -> Plan:
    filters, fields, text = request.filters, request.fields, request.text
    parsed = parse_text(text, fields)
    notes = _unmatched_places(ctx, filters)
    if parsed is None and text.strip():
        notes.append(f"no searchable words in {text!r}: listing every match")
    filter_q = build_filter(filters, ctx.roles() if filters.role else ())
    center = None
    if filters.near:
        radius = filters.radius_km or 0.0
        center = resolve_center(ctx.searcher, filters.near)
        around = within(ctx.searcher, center, radius)
        notes.append(f"within {round(radius, 1):g} km of {center.label()}")
        filter_q = _and(filter_q, around if around is not None else wq.NullQuery)
    excluded = parse_text(" OR ".join(filters.exclude), fields) if filters.exclude else None
    base: wq.Query = parsed if parsed is not None else wq.Every()
    if excluded is not None:
        base = wq.AndNot(base, excluded)
    by_date = parsed is None or request.sort == "newest"
    return Plan(parsed, base, excluded, filter_q, center, by_date, notes)


# -- 2. match and 3. fall back -------------------------------------------------------


def match(ctx: Context, request: Request, p: Plan) -> Matches:
    results, matched = collect(ctx.searcher, p.base, p.filter_q, request.room, p.by_date)
    return Matches(results, matched, p.parsed)


def _unknown_words(ctx: Context, q: wq.Query) -> bool:
    """Whether some word of the query is in no posting at all."""
    reader = ctx.searcher.reader()
    by_word: dict[str, bool] = {}
    for name, text in q.iter_all_terms(phrases=True):
        if name in f.FIELD_BOOSTS:
            word = term_text(text)
            by_word[word] = by_word.get(word, False) or reader.doc_frequency(name, word) > 0
    return not all(by_word.values())


def fall_back(
    ctx: Context, request: Request, p: Plan, found: Matches, suggestion: str | None
) -> Matches:
    """When nothing has the words typed: the corrected spelling's matches, else close
    spellings, with a note saying which."""
    if found.matched or p.parsed is None:
        return found
    if not (suggestion or _unknown_words(ctx, p.parsed)):
        return found
    corrected = parse_text(suggestion, request.fields) if suggestion else None
    for fallback in (corrected, fuzzy_query(request.text, request.fields)):
        if fallback is None:
            continue
        q = wq.AndNot(fallback, p.excluded) if p.excluded is not None else fallback
        results, matched = collect(ctx.searcher, q, p.filter_q, request.room, False)
        if matched:
            shown = f"results for {suggestion!r}" if fallback is corrected else "close spellings"
            p.notes.append(f"no postings match {request.text!r}: showing {shown}")
            return Matches(results, matched, fallback, fuzzy=True)
    return found


# -- 4. order -----------------------------------------------------------------------


def order(ctx: Context, p: Plan, found: Matches) -> Ranked:
    """Matches in result order: by score, by date, or nearest first for ``near``."""
    if p.center is not None and p.by_date:
        center, table = p.center, ctx.table
        ranked = sorted(
            found.matched,
            key=lambda d: (nearest_km(center, table.values(d, f.GEO)) or 0.0, -d),
        )
        return [(d, None) for d in ranked]
    return [(hit.docnum, None if p.by_date else float(hit.score)) for hit in found.results]


def partial_matches(ctx: Context, request: Request, p: Plan, found: Matches) -> Ranked:
    """Postings with some of the words, to follow the few that have them all (as web
    search does) on the first page, and a note saying how many."""
    if request.page != 1 or p.by_date or found.fuzzy or len(found.matched) >= request.limit:
        return []
    loose = relax(p.base)
    if loose is None:
        return []
    more, more_matched = collect(ctx.searcher, loose, p.filter_q, request.room, False)
    extra = len(more_matched - found.matched)
    if not extra:
        return []
    noun = "posting matches" if extra == 1 else "postings match"
    p.notes.append(f"{extra} more {noun} some of the words")
    return [(h.docnum, float(h.score)) for h in more if h.docnum not in found.matched]


# -- 5. fold ------------------------------------------------------------------------


def fold(ctx: Context, ranked: Ranked, collapse: bool) -> list[Group]:
    """Fold copies of one job into its best-ranked copy."""
    if not collapse:
        return [(d, score, []) for d, score in ranked]
    out: list[Group] = []
    seen: set[str] = set()
    for docnum, score in ranked:
        key = ctx.table.first(docnum, f.DUP_KEY)
        if key is None:
            out.append((docnum, score, []))
            continue
        if key in seen:
            continue
        seen.add(key)
        copies = [d for d in ctx.table.members(f.DUP_KEY, key) if d != docnum]
        out.append((docnum, score, copies))
    return out


def fold_all(
    ctx: Context, request: Request, p: Plan, found: Matches, groups: list[Group]
) -> list[Group]:
    """When folding removed more copies than there was room for, fold every match."""
    if len(groups) >= request.page * request.limit:
        return groups
    if found.results.scored_length() >= len(found.matched):
        return groups
    results, _ = collect(ctx.searcher, found.results.q, None, len(found.matched), p.by_date)
    everything = Matches(results, found.matched, found.parsed, found.fuzzy)
    return fold(ctx, order(ctx, p, everything), request.collapse)


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
    stored = ctx.searcher.stored_fields
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
        explanation = explain_hit(ctx.searcher, posting, parsed, request.filters, distance)
    return Hit(
        posting=posting,
        score=score,
        snippet=highlighter.snippet(posting.description),
        distance_km=round(distance, 1) if distance is not None else None,
        duplicates=tuple(c.id for c in copy_postings),
        explanation=explanation,
    )


def page_hits(
    ctx: Context, request: Request, p: Plan, found: Matches, groups: list[Group]
) -> tuple[Hit, ...]:
    highlighter = Highlighter(query_words(found.parsed))
    start = (request.page - 1) * request.limit
    return tuple(
        hit(ctx, request, p, group, highlighter, found.parsed)
        for group in groups[start : start + request.limit]
    )


# -- 7. summarise and run ---------------------------------------------------------------


def summarise(
    ctx: Context, request: Request, found: Matches
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total (jobs, not copies, when folding) and facet counts over every match."""
    group_by = f.DUP_KEY if request.collapse else None
    if request.collapse:
        total = ctx.table.group_count(found.matched, f.DUP_KEY)
    else:
        total = len(found.matched)
    facets = (
        ctx.table.count(found.matched, f.FACET_FIELDS, group_by=group_by) if request.facets else {}
    )
    return total, facets


def run(ctx: Context, request: Request) -> SearchResults:
    request.check()
    p = plan(ctx, request)
    found = match(ctx, request, p)
    text = request.text
    suggestion = suggest(ctx.searcher, text) if p.parsed is not None and text.strip() else None
    found = fall_back(ctx, request, p, found, suggestion)
    ranked = order(ctx, p, found) + partial_matches(ctx, request, p, found)
    groups = fold_all(ctx, request, p, found, fold(ctx, ranked, request.collapse))
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
        notes=tuple(p.notes),
        suggestion=suggestion,
        fuzzy=found.fuzzy,
    )
