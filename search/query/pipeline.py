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
from dataclasses import replace

import numpy as np
from whoosh import query as wq

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
from search.query.parser import (
    TITLE_ONLY_WORDS,
    check_text,
    parse_text,
    query_words,
    relax,
)
from search.query.snippets import Highlighter
from search.query.soft import Soft, understand, with_level_words
from search.query.spelling import suggest
from search.query.view import Match
from search.query.words import TOKEN
from search.results import Hit, SearchResults, page_count
from search.store import fields as f
from search.store.analysis import FastTextAnalysis

__all__ = ["Context", "Request", "Sort", "run", "run_all"]

_ANALYSIS = FastTextAnalysis()
#: How many times more postings the corrected spelling must match to be shown instead.
PREFER_CORRECTED = 10


# -- 1. plan ------------------------------------------------------------------------


def read(ctx: Context, request: Request) -> tuple[Request, Soft | None]:
    """The request with the words left to rank once place, level, workplace and type
    words are read as conditions (``search.query.soft``); as asked with ``understand``
    off, for a title search (words of titles, as typed) or when nothing was read."""
    if not request.understand or request.title_only:
        return request, None
    soft = understand(ctx.index, check_text(request.text), request.filters)
    if soft is None:
        return request, None
    return replace(request, text=soft.reading.text), soft


def plan(ctx: Context, request: Request, soft: Soft | None = None) -> Plan:
    filters, fields, text = request.filters, request.fields, request.text
    parsed = parse_text(text, fields)
    parsed = with_level_words(parsed, soft, fields)
    chosen = filter_set(ctx.index, filters, fold=request.collapse)
    notes = list(chosen.notes)
    if parsed is None and text.strip():
        notes.append(f"no searchable words in {text!r}: listing every match")
    if fields != (f.TITLE_WORDS,):
        notes.extend(
            f"{word!r} is too short or common to search in descriptions: searched titles"
            for word in sorted(TITLE_ONLY_WORDS & set(TOKEN.findall(text)))
        )
    excluded = parse_text(" OR ".join(filters.exclude), fields) if filters.exclude else None
    by_pay = request.sort == "pay"
    # Nothing to rank by when the text only excludes words ("-python"): newest first.
    only_excluded = isinstance(parsed, wq.Not)
    by_date = not by_pay and (parsed is None or only_excluded or request.sort == "newest")
    base = _excluding(parsed if parsed is not None else wq.Every(), excluded)
    return Plan(parsed, base, excluded, chosen, chosen.mask, by_date, by_pay, notes, soft)


def _excluding(q: wq.Query, excluded: wq.Query | None) -> wq.Query:
    return wq.AndNot(q, excluded) if excluded is not None else q


# -- 2. match and 3. fall back -------------------------------------------------------


def _found(ctx: Context, p: Plan, q: wq.Query, parsed: wq.Query | None) -> Found:
    """The documents matching ``q`` and the filters; its notes say how many the filters
    on facts (pay, experience, date, level, type, workplace, role, degree) left out, or
    kept, because they do not state the fact."""
    matched = evaluate(ctx.index, q)
    notes = p.filters.left_out(matched.mask)
    if p.allowed is not None:
        matched.mask &= p.allowed
    if p.soft is not None:
        matched.mask &= p.soft.allowed
    return Found(matched, parsed, notes=notes)


def match(ctx: Context, p: Plan) -> Found:
    """Every document matching the query and the filters."""
    return _found(ctx, p, p.base, p.parsed)


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
    """Results for other words than those typed, with a note saying which: the corrected
    spelling's when nothing matches as typed, or when it matches ``PREFER_CORRECTED``
    times as many postings ("product manger": 3, "product manager": 5,716; words in
    quotes are always searched as typed); close spellings when nothing matches at all."""
    if p.parsed is None:
        return found
    text, fields = request.text, request.fields
    typed = int(found.match.mask.sum())
    candidates: list[tuple[str, wq.Query | None]] = []
    if suggestion and not (typed and '"' in text):
        candidates.append((f"results for {suggestion!r}", parse_text(suggestion, fields)))
    if not typed and (suggestion or _unknown_words(ctx, text, fields)):
        candidates.append(("close spellings", fuzzy_query(text, fields)))
    for shown, q in candidates:
        if q is None:
            continue
        other = _found(ctx, p, _excluding(q, p.excluded), q)
        count = int(other.match.mask.sum())
        if count and count >= PREFER_CORRECTED * typed:
            noun = "posting has" if typed == 1 else "postings have"
            said = (
                f"showing {shown}; {typed:,} {noun} {text!r} as typed (put words in quotes "
                "to search them as typed)"
                if typed
                else f"no postings match {text!r}: showing {shown}"
            )
            other.notes.insert(0, said)
            other.fuzzy = True
            return other
    return found


# -- 4. order -----------------------------------------------------------------------


def order(ctx: Context, p: Plan, found: Found, limit: int) -> Ranked:
    """The first ``limit`` matches in result order: by score, newest first, or nearest
    first for ``near`` with no query text; with conditions read from the text, those
    stating the most of the facts asked for first."""
    if p.soft is None:
        return _order(ctx, p, found.match, limit)
    m = found.match
    ranked: Ranked = []
    for tier in p.soft.tiers():
        if len(ranked) >= limit:
            break
        ranked += _order(ctx, p, Match(m.mask & tier, m.scores), limit - len(ranked))
    return ranked


def _order(ctx: Context, p: Plan, m: Match, limit: int) -> Ranked:
    if p.by_date and p.filters.nearest is not None:
        ranked = top(m, limit, order=-p.filters.nearest)
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
    page of postings have every word. With conditions read from the text, the postings
    with every word that state another fact (another level, another city) come first."""
    if p.by_date or p.by_pay or found.fuzzy or exact >= request.limit:
        return [], 0
    room = max(0, request.wanted - exact) * 2 + COLLAPSE_ROOM
    candidates: list[tuple[Match, Soft | None]] = []
    if p.soft is not None:
        every_fact = replace(p, soft=None)
        candidates.append((_found(ctx, every_fact, p.base, p.parsed).match, p.soft))
    loose = relax(p.base)
    if loose is not None:
        candidates.append((_found(ctx, p, loose, p.parsed).match, None))
    elif p.soft is not None:
        # One word left ("intern python"): the postings stating every fact asked for.
        asked = _found(ctx, p, _excluding(wq.Every(), p.excluded), p.parsed).match
        asked.mask &= p.soft.every
        candidates.append((asked, None))
    seen = found.match.mask.copy()
    ranked: Ranked = []
    total = 0
    for more, soft in candidates:
        more.mask &= ~seen
        seen |= more.mask
        extra = (
            facet_counts.distinct_jobs(ctx.index, more.mask)
            if request.collapse
            else int(more.mask.sum())
        )
        if not extra:
            continue
        if soft is not None:
            p.notes.append(soft.contrary_note(extra))
        else:
            noun = "posting matches" if extra == 1 else "postings match"
            p.notes.append(f"{extra} more {noun} only some of the words (marked partial)")
        ranked += [(int(d), float(more.scores[d])) for d in top(more, room)]
        total += extra
    return ranked, total


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
    typed = request.text
    request, soft = read(ctx, request)
    p = plan(ctx, request, soft)
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
    pages = page_count(total + partial_total, request.limit)
    if request.page > pages:
        p.notes.append(f"page {request.page} is past the last page ({pages})")
    if soft is not None:
        jobs = facet_counts.distinct_jobs if request.collapse else None
        p.notes.extend(
            soft.notes(found.match.mask, (lambda m: jobs(ctx.index, m)) if jobs else None)
        )
    return SearchResults(
        query=typed,
        filters=request.filters,
        total=total,
        page=request.page,
        limit=request.limit,
        hits=hits,
        facets=facets,
        notes=tuple(dict.fromkeys([*p.notes, *found.notes, *ctx.index.notes])),
        suggestion=suggestion,
        fuzzy=found.fuzzy,
        partial_total=partial_total,
        read_as=soft.reading.shown if soft is not None else "",
    )


def run_all(ctx: Context, request: Request) -> Iterator[Hit]:
    """Every match of ``request``, in result order, one hit at a time (for export):
    no page, no partial matches, no spelling fallback."""
    request.check()
    request, soft = read(ctx, request)
    p = plan(ctx, request, soft)
    found = match(ctx, p)
    total = int(found.match.mask.sum())
    ranked = order(ctx, p, found, max(total, 1))
    highlighter = Highlighter(query_words(found.parsed))
    for group in fold(ctx, ranked, request.collapse):
        yield hit(ctx, request, p, group, highlighter, found.parsed)
