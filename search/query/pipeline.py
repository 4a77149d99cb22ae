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

from collections.abc import Iterator

import numpy as np
from whoosh import query as wq

from search.extract.text import normalize_key
from search.query import facets as facet_counts
from search.query.context import (
    COLLAPSE_ROOM,
    Context,
    Found,
    Group,
    Plan,
    Ranked,
    Request,
    Sort,
)
from search.query.filters import filter_set
from search.query.fuzzy import fuzzy_query
from search.query.hits import fold, hit, page_hits
from search.query.matching import evaluate, top
from search.query.parser import parse_text, query_words, relax
from search.query.places import city_mask
from search.query.radius import distances, resolve_center
from search.query.snippets import Highlighter
from search.query.spelling import suggest
from search.query.view import Match
from search.results import Filters, Hit, SearchResults
from search.store import fields as f
from search.store.analysis import FastTextAnalysis

__all__ = ["Context", "Request", "Sort", "run", "run_all"]

_ANALYSIS = FastTextAnalysis()
#: How many times more postings the corrected spelling must match to be shown instead.
PREFER_CORRECTED = 10


# -- 1. plan ------------------------------------------------------------------------


def _unmatched_places(ctx: Context, filters: Filters) -> list[str]:
    """Notes for place filter values that no posting has at all."""
    notes = []
    for value in filters.city:
        if not city_mask(ctx.index, value).any():
            notes.append(f"no posting in city {value!r}")
    for name in ("state", "country"):
        for value in getattr(filters, name):
            key = normalize_key(value).encode("utf-8")
            if not ctx.index.doc_frequency(f.PLACE_KEY_FIELDS[name], key):
                notes.append(f"no posting in {name} {value!r}")
    return notes


def plan(ctx: Context, request: Request) -> Plan:
    filters, fields, text = request.filters, request.fields, request.text
    parsed = parse_text(text, fields)
    notes = _unmatched_places(ctx, filters)
    if parsed is None and text.strip() and fields != (f.TITLE_WORDS,):
        # "IT", "r": words the text fields drop (too short or too common) are still
        # title words.
        parsed = parse_text(text, (f.TITLE_WORDS,))
        if parsed is not None:
            notes.append(
                f"{text.strip()!r} is too short or common to search in descriptions: "
                "searched titles"
            )
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
    spellings, with a note saying which. When a few postings have the words as typed
    and the corrected spelling far more, the corrected ones (as web search does)."""
    if p.parsed is None:
        return found
    if found.match.mask.any():
        return _prefer_corrected(ctx, request, p, found, suggestion)
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


def _prefer_corrected(
    ctx: Context, request: Request, p: Plan, found: Found, suggestion: str | None
) -> Found:
    """The corrected spelling's matches when they outnumber the typed words' matches
    ``PREFER_CORRECTED`` to one ("product manger": 3, "product manager": 1,130); words
    in quotes are always searched as typed."""
    if not suggestion or '"' in request.text:
        return found
    corrected = parse_text(suggestion, request.fields)
    if corrected is None:
        return found
    q = wq.AndNot(corrected, p.excluded) if p.excluded is not None else corrected
    matched = _matches(ctx, p, q)
    typed, better = int(found.match.mask.sum()), int(matched.mask.sum())
    if better < PREFER_CORRECTED * typed:
        return found
    noun = "posting has" if typed == 1 else "postings have"
    p.notes.append(
        f"showing results for {suggestion!r}; {typed:,} {noun} {request.text!r} as typed "
        "(put words in quotes to search them as typed)"
    )
    return Found(matched, corrected, fuzzy=True)


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


def partial_matches(
    ctx: Context, request: Request, p: Plan, found: Found, exact: int
) -> tuple[Ranked, int]:
    """Postings with some of the words, listed after the few that have them all (as web
    search does), and how many there are (jobs, when folding). Only when fewer than a
    page of postings have every word."""
    if p.by_date or p.by_pay or found.fuzzy or exact >= request.limit:
        return [], 0
    loose = relax(p.base)
    if loose is None:
        return [], 0
    more = _matches(ctx, p, loose)
    more.mask &= ~found.match.mask
    extra = (
        facet_counts.distinct_jobs(ctx.index, more.mask)
        if request.collapse
        else int(more.mask.sum())
    )
    if not extra:
        return [], 0
    noun = "posting matches" if extra == 1 else "postings match"
    p.notes.append(f"{extra} more {noun} only some of the words (marked partial)")
    room = max(0, request.wanted - exact) * 2 + COLLAPSE_ROOM
    return [(int(d), float(more.scores[d])) for d in top(more, room)], extra


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


# -- 7. summarise and run ---------------------------------------------------------------


def summarise(
    ctx: Context, request: Request, found: Found
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total (jobs, not copies, when folding) and facet counts over every match."""
    mask = found.match.mask
    total = facet_counts.distinct_jobs(ctx.index, mask) if request.collapse else int(mask.sum())
    if not request.facets:
        return total, {}
    fields = f.FACET_FIELDS
    counted = facet_counts.count(ctx.index, mask, fields, request.facet_top, request.collapse)
    counted.update(facet_counts.bands(ctx.index, mask, fold=request.collapse))
    return total, counted


def run(ctx: Context, request: Request) -> SearchResults:
    request.check()
    p = plan(ctx, request)
    found = match(ctx, p)
    text = request.text
    suggestion = (
        suggest(ctx.reader, text, terms=ctx.index.terms)
        if p.parsed is not None and text.strip()
        else None
    )
    found = fall_back(ctx, request, p, found, suggestion)
    total, facets = summarise(ctx, request, found)
    groups = ranked_groups(ctx, request, p, found)
    partial, partial_total = partial_matches(ctx, request, p, found, total)
    if partial:
        groups = groups[:total] + fold(ctx, partial, request.collapse)
    hits = page_hits(ctx, request, p, found, groups, partial_from=total if partial else None)
    pages = max(1, -(-(total + partial_total) // request.limit))
    if request.page > pages:
        p.notes.append(f"page {request.page} is past the last page ({pages})")
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
        partial_total=partial_total,
    )


def run_all(ctx: Context, request: Request) -> Iterator[Hit]:
    """Every match of ``request``, in result order, one hit at a time (for export):
    no page, no partial matches, no spelling fallback."""
    request.check()
    p = plan(ctx, request)
    found = match(ctx, p)
    total = int(found.match.mask.sum())
    ranked = order(ctx, p, found, max(total, 1))
    highlighter = Highlighter(query_words(found.parsed))
    for group in fold(ctx, ranked, request.collapse):
        yield hit(ctx, request, p, group, highlighter, found.parsed)
