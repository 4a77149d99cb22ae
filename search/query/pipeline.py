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

This module is policy: it decides what to ask and what to show, and every answer about
the index comes from a backend (``search.query.contract.Backend``; the embedded engine
is ``search.query.embedded``). Its notes belong to the one search that made them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TypeVar

from whoosh import query as wq

from search.errors import FilterTooComplexError
from search.query.context import COLLAPSE_ROOM, Found, Group, Plan, Ranked, Request, Sort
from search.query.contract import Backend, Selected, Understood
from search.query.fuzzy import fuzzy_query
from search.query.hits import fold, hit, page_hits
from search.query.parser import (
    TITLE_ONLY_WORDS,
    check_text,
    parse_lenient,
    parse_text,
    query_words,
    relax,
)
from search.query.ranking import LEVEL_WORDS_WEIGHT, PREFER_CORRECTED
from search.query.snippets import Highlighter
from search.query.words import TOKEN
from search.results import Hit, SearchResults, page_count
from search.store import fields as f
from search.store.analysis import FastTextAnalysis

__all__ = ["Backend", "Request", "Sort", "run", "run_all"]

M = TypeVar("M")
S = TypeVar("S", bound=Selected)

_ANALYSIS = FastTextAnalysis()


# -- 1. plan ------------------------------------------------------------------------


#: Said when the postings with only some of the words (or another fact) could not be
#: looked for: the search is too complex for a cluster's filter.
TOO_COMPLEX_NOTE = (
    "postings with only some of the words were not looked for: the search has more "
    "conditions than the cluster takes in one search"
)


def plan(backend: Backend[M, S], request: Request) -> tuple[Request, Plan[S]]:
    """The plan of ``request``, and the request with the words left to rank once place,
    level, workplace and type words are read as conditions (as asked with
    ``understand`` off, for a title search (words of titles, as typed), when nothing was
    read or when the backend reads no queries)."""
    filters, fields = request.filters, request.fields
    chosen = backend.select(filters, fold=request.collapse)
    understood = None
    if request.understand and not request.title_only:
        understood = backend.understand(check_text(request.text), filters, chosen)
    if understood is not None:
        request = replace(request, text=understood.reading.text)
    text = request.text
    lenient = parse_lenient(text, fields)
    parsed = with_level_words(lenient.query, understood, fields)
    notes = list(chosen.notes)
    notes.extend(part.note for part in lenient.dropped)
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
    within = understood.soft if understood is not None else chosen
    return request, Plan(
        parsed, base, excluded, within, by_date, by_pay, notes, understood=understood, plain=chosen
    )


def with_level_words(
    parsed: wq.Query | None, understood: Understood[S] | None, fields: tuple[str, ...]
) -> wq.Query | None:
    """``parsed`` ranking the level words read as a condition too, without requiring
    them: a posting says "Lead" or "Sr." as often as the "senior" typed."""
    if understood is None or parsed is None or not understood.reading.ranked:
        return parsed
    also = parse_text(understood.reading.ranked, fields)
    if also is None:
        return parsed
    return wq.AndMaybe(parsed, wq.Or([also], boost=LEVEL_WORDS_WEIGHT))


def _excluding(q: wq.Query, excluded: wq.Query | None) -> wq.Query:
    return wq.AndNot(q, excluded) if excluded is not None else q


# -- 2. match and 3. fall back -------------------------------------------------------


def _found(backend: Backend[M, S], p: Plan[S], q: wq.Query, parsed: wq.Query | None) -> Found[M]:
    """The documents matching ``q`` and the filters; its notes say how many the filters
    on facts (pay, experience, date, level, type, workplace, role, degree) left out, or
    kept, because they do not state the fact. How evaluation was bounded goes to the
    plan's notes, whichever matches are shown."""
    matched = backend.match(q, p.filters)
    p.checked.extend(matched.checked)
    return Found(matched.found, parsed, notes=matched.left_out)


def match(backend: Backend[M, S], p: Plan[S]) -> Found[M]:
    """Every document matching the query and the filters."""
    return _found(backend, p, p.base, p.parsed)


def _unknown_words(backend: Backend[M, S], text: str, fields: tuple[str, ...]) -> bool:
    """Whether some word the user typed is in no posting at all (the other spellings a
    skill name adds do not count: "ML" may be in no posting while "machine learning"
    is in thousands)."""
    return any(not _known(backend, term, fields) for term in _ANALYSIS.terms(text))


def _known(backend: Backend[M, S], text: str, fields: tuple[str, ...]) -> bool:
    """Whether some posting has a word of ``text`` in one of ``fields``."""
    return any(
        backend.doc_frequency(name, term) for term in _ANALYSIS.terms(text) for name in fields
    )


def fall_back(
    backend: Backend[M, S],
    request: Request,
    p: Plan[S],
    found: Found[M],
    suggestion: str | None,
) -> Found[M]:
    """Results for other words than those typed, with a note saying which: the corrected
    spelling's when nothing matches as typed, or when it matches ``PREFER_CORRECTED``
    times as many postings ("product manger": 3, "product manager": 5,716; words in
    quotes are always searched as typed); close spellings when nothing matches at all."""
    if p.parsed is None:
        return found
    text, fields = request.text, request.fields
    typed = backend.count(found.match, fold=False)
    candidates: list[tuple[str, wq.Query | None]] = []
    if suggestion and not (typed and '"' in text):
        candidates.append((f"results for {suggestion!r}", parse_text(suggestion, fields)))
    if not typed and (suggestion or _unknown_words(backend, text, fields)):

        def known(word: str) -> bool:
            return _known(backend, word, fields)

        candidates.append(("close spellings", fuzzy_query(text, fields, known)))
    for shown, q in candidates:
        if q is None:
            continue
        other = _found(backend, p, _excluding(q, p.excluded), q)
        count = backend.count(other.match, fold=False)
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


def order(backend: Backend[M, S], p: Plan[S], found: Found[M], limit: int) -> Ranked:
    """The first ``limit`` matches in result order: by score, newest first, or nearest
    first for ``near`` with no query text; with conditions read from the text, those
    stating the most of the facts asked for first (the backend orders by them)."""
    if p.by_date and p.filters.center is not None:
        return backend.top(found.match, limit, "nearest", p.filters)
    if p.by_date:
        return backend.top(found.match, limit, "newest", p.filters)
    if p.by_pay:
        return backend.top(found.match, limit, "pay", p.filters)
    return backend.top(found.match, limit, "score", p.filters)


def partial_matches(
    backend: Backend[M, S], request: Request, p: Plan[S], found: Found[M], exact: int
) -> tuple[Ranked, int]:
    """Postings with some of the words, listed after the few that have them all (as web
    search does), and how many there are (jobs, when folding). Only when fewer than a
    page of postings have every word. With conditions read from the text, the postings
    with every word that state another fact (another level, another city) come first."""
    if p.by_date or p.by_pay or found.fuzzy or exact >= request.limit:
        return [], 0
    u = p.understood
    plain = p.plain if p.plain is not None else p.filters
    candidates: list[tuple[M, str | None]] = []
    if u is not None:
        every_word = _found(backend, replace(p, filters=plain), p.base, p.parsed).match
        candidates.append((every_word, u.facts))
    loose = relax(p.base)
    if loose is not None:
        candidates.append((_found(backend, p, loose, p.parsed).match, None))
    elif u is not None:
        # One word left ("intern python"): the postings stating every fact asked for.
        every_fact = replace(p, filters=u.every)
        asked = _found(backend, every_fact, _excluding(wq.Every(), p.excluded), p.parsed)
        candidates.append((asked.match, None))
    seen = [found.match]
    room = max(0, request.wanted - exact) * 2 + COLLAPSE_ROOM
    ranked: Ranked = []
    total = 0
    for candidate, facts in candidates:
        more = candidate
        for shown in seen:
            more = backend.without(more, shown)
        seen.append(more)
        try:
            extra = backend.count(more, fold=request.collapse)
            listed = backend.top(more, room, "score", plain) if extra else []
        except FilterTooComplexError:
            # A cluster takes only so many conditions in one search: the matches
            # stand, without the partial ones.
            p.notes.append(TOO_COMPLEX_NOTE)
            break
        if not extra:
            continue
        if facts is not None:
            noun = "posting states" if extra == 1 else "postings state"
            p.notes.append(f"{extra:,} more {noun} another {facts} (marked partial)")
        else:
            noun = "posting matches" if extra == 1 else "postings match"
            p.notes.append(f"{extra} more {noun} only some of the words (marked partial)")
        ranked += listed
        total += extra
    return ranked, total


def ranked_groups(
    backend: Backend[M, S], request: Request, p: Plan[S], found: Found[M]
) -> list[Group]:
    """Enough folded hits for the requested page: more candidates while folding removes
    copies, until the page is full or every match has been seen."""
    total = backend.count(found.match, fold=False)
    limit = request.wanted * 2 + COLLAPSE_ROOM if request.collapse else request.wanted
    while True:
        ranked = order(backend, p, found, limit)
        groups = fold(backend, ranked, request.collapse)
        if len(groups) >= request.wanted or limit >= total:
            return groups
        limit *= 4


# -- 7. summarise and run ---------------------------------------------------------------


def summarise(
    backend: Backend[M, S], request: Request, found: Found[M]
) -> tuple[int, dict[str, dict[str, int]]]:
    """The total (jobs, not copies, when folding) and facet counts over every match."""
    total = backend.count(found.match, fold=request.collapse)
    if not request.facets:
        return total, {}
    return total, backend.facets(found.match, request.facet_top, request.collapse)


def run(backend: Backend[M, S], request: Request) -> SearchResults:
    request.check()
    typed = request.text
    request, p = plan(backend, request)
    found = match(backend, p)
    text = request.text
    suggestion = backend.suggest(text) if p.parsed is not None and text.strip() else None
    found = fall_back(backend, request, p, found, suggestion)
    total, facets = summarise(backend, request, found)
    groups = ranked_groups(backend, request, p, found)
    partial, partial_total = partial_matches(backend, request, p, found, total)
    if partial:
        groups = groups[:total] + fold(backend, partial, request.collapse)
    hits = page_hits(backend, request, p, found, groups, partial_from=total if partial else None)
    pages = page_count(total + partial_total, request.limit)
    if request.page > pages:
        p.notes.append(f"page {request.page} is past the last page ({pages})")
    return SearchResults(
        query=typed,
        filters=request.filters,
        total=total,
        page=request.page,
        limit=request.limit,
        hits=hits,
        facets=facets,
        notes=tuple(dict.fromkeys([*p.notes, *found.notes, *p.checked])),
        suggestion=suggestion,
        fuzzy=found.fuzzy,
        partial_total=partial_total,
        read_as=p.understood.reading.shown if p.understood is not None else "",
    )


def run_all(backend: Backend[M, S], request: Request) -> Iterator[Hit]:
    """Every match of ``request``, in result order, one hit at a time (for export):
    no page, no partial matches, no spelling fallback."""
    request.check()
    request, p = plan(backend, request)
    found = match(backend, p)
    total = backend.count(found.match, fold=False)
    ranked = order(backend, p, found, max(total, 1))
    highlighter = Highlighter(query_words(found.parsed))
    for group in fold(backend, ranked, request.collapse):
        yield hit(backend, request, p, group, highlighter, found.parsed)
