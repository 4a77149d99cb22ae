"""Steps 5 and 6 of a search: fold copies of one job into one hit, and build the hits
of the requested page (postings, snippets, distances, explanations).

Policy: the postings, copies and explanations are the backend's answers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from whoosh import query as wq

from search.extract.sections import job_text
from search.model import JobPosting
from search.query.context import Found, Group, Plan, Ranked, Request
from search.query.contract import Backend
from search.query.nearest import distance_to, nearest_first
from search.query.parser import query_words
from search.query.snippets import Highlighter
from search.results import Hit

# -- 5. fold ------------------------------------------------------------------------


def fold(backend: Backend[Any, Any], ranked: Ranked, collapse: bool) -> list[Group]:
    """Fold copies of one job into its best-ranked copy."""
    if not collapse:
        return [(d, score, []) for d, score in ranked]
    keys = backend.jobs([d for d, _ in ranked])
    out: list[Group] = []
    seen: set[int] = set()
    for (docnum, score), key in zip(ranked, keys, strict=True):
        if key in seen:
            continue
        seen.add(key)
        out.append((docnum, score, backend.copies(docnum)))
    return out


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
    backend: Backend[Any, Any],
    request: Request,
    p: Plan[Any],
    group: Group,
    highlighter: Highlighter,
    parsed: wq.Query | None,
) -> Hit:
    """One hit: the posting with its copies' places, nearest place first for ``near``."""
    docnum, score, copies = group
    posting = backend.posting(docnum)
    copy_postings = [backend.posting(d) for d in copies]
    if copy_postings:
        posting = _merge_places(posting, copy_postings)
    distance = None
    center = p.filters.center
    if center is not None:
        posting = nearest_first(posting, center)
        distance = distance_to(posting.places[0], center) if posting.places else None
    explanation = None
    if request.explain:
        explanation = backend.explain(docnum, posting, parsed, request.filters, distance)
    return Hit(
        posting=posting,
        score=score,
        snippet=highlighter.snippet(posting.description, lead=job_text),
        distance_km=round(distance, 1) if distance is not None else None,
        duplicates=tuple(c.id for c in copy_postings),
        explanation=explanation,
    )


def page_hits(
    backend: Backend[Any, Any],
    request: Request,
    p: Plan[Any],
    found: Found[Any],
    groups: list[Group],
    partial_from: int | None = None,
) -> tuple[Hit, ...]:
    """The hits of the requested page; groups from ``partial_from`` on match only some
    of the words and are marked partial."""
    highlighter = Highlighter(query_words(found.parsed))
    start = (request.page - 1) * request.limit
    hits = []
    for n, group in enumerate(groups[start : start + request.limit], start):
        made = hit(backend, request, p, group, highlighter, found.parsed)
        if partial_from is not None and n >= partial_from:
            made = replace(made, partial=True)
        hits.append(made)
    return tuple(hits)
