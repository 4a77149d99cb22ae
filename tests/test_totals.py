"""Totals and facet counts are exact: compared with a brute-force count.

The brute force asks Whoosh's own matchers for every matching document (no side
tables), reads each one's stored posting, and counts in plain Python: jobs (copies of
one job posted for several places count once) and, per facet, the union of the values
of a job's copies.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from whoosh import query as wq
from whoosh.searching import Searcher

import search.filters
from search import JobIndex
from search.store.documents import duplicate_key, from_stored

#: The posted facet's bands as days back from today: the filter's "1d" keeps postings
#: dated on or after yesterday.
BAND_DAYS = {"past day": 1, "past 3 days": 3, "past week": 7, "past month": 30}

CASES: list[tuple[str, dict[str, object]]] = [
    ("", {}),
    ("scientist", {}),
    ("learning", {"country": ["US"]}),
    ("engineer", {"remote": True}),
    ("", {"city": ["Seattle", "New York"]}),
    ("data OR sales", {"level": ["senior"]}),
    ("python -java", {}),
]


def _brute_force(
    index: JobIndex, text: str, filters: dict[str, object], today: date
) -> tuple[int, dict[str, Counter[str]]]:
    """Jobs and facet counts, from Whoosh's matchers and the stored postings.

    The filters are read through the engine (with no text and no folding: their own
    correctness is tested against an oracle in test_location_filters); the text match,
    the folding and the counting are done here independently.
    """
    searcher = Searcher(index.searcher.reader(), closereader=False)
    q = wq.Every() if not text else _parsed(text)
    docs = [hit.docnum for hit in searcher.search(q, limit=None)]
    postings = [from_stored(searcher.stored_fields(d)) for d in docs]
    keep = {p.id for p in _filtered(index, filters)}
    jobs: dict[str, list] = {}
    for posting in postings:
        if posting.id in keep:
            jobs.setdefault(duplicate_key(posting), []).append(posting)
    names = ("city", "country", "skill", "role", "level", "employment_type", "workplace")
    counts: dict[str, Counter[str]] = {name: Counter() for name in names}
    posted: Counter[str] = Counter()
    for copies in jobs.values():
        values: dict[str, set[str]] = {name: set() for name in counts}
        for p in copies:
            values["city"].update(p.cities)
            values["country"].update(p.countries)
            values["country"].update(c for c in p.remote_scope if len(c) == 2 and c.isupper())
            values["skill"].update(p.skills)
            values["role"].update([p.role] if p.role else [])
            values["level"].update([p.level] if p.level else [])
            values["employment_type"].update([p.employment_type] if p.employment_type else [])
            # as stated, and remote when open to remote work; nothing stated: unknown
            values["workplace"].update([p.workplace] if p.workplace else [])
            values["workplace"].update(["remote"] if p.remote else [])
        for name in ("role", "level", "employment_type", "workplace"):
            values[name] = values[name] or {"unknown"}  # no copy states one
        for name, seen in values.items():
            counts[name].update(seen)
        # the newest copy's date: a job is as recent as its most recent copy
        newest = max((p.posted for p in copies if p.posted), default=None)
        if newest is None:
            posted["unknown"] += 1
        for band, days in BAND_DAYS.items():
            if newest is not None and newest >= today - timedelta(days=days):
                posted[band] += 1
    counts["posted"] = posted
    return len(jobs), counts


def _parsed(text: str) -> wq.Query:
    from search.query.parser import parse_text

    q = parse_text(text)
    assert q is not None
    return q


def _top(counts: Counter[str], name: str) -> dict[str, int]:
    """The 10 most frequent values (ties by name), then the unknown count, if any; the
    posted bands in their own order."""
    if name == "posted":
        return {band: counts[band] for band in [*BAND_DAYS, "unknown"] if counts[band]}
    known = {v: n for v, n in counts.items() if v != "unknown"}
    top = dict(sorted(known.items(), key=lambda kv: (-kv[1], kv[0]))[:10])
    return top | ({"unknown": counts["unknown"]} if counts["unknown"] else {})


def _filtered(index: JobIndex, filters: dict[str, object]) -> list:
    """Every posting passing the filters, by asking with no text and no folding."""
    every = index.search("", limit=100_000, collapse=False, facets=False, **filters)
    return [hit.posting for hit in every.hits]


@pytest.fixture()
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Today as the day after the newest posting of the corpus (2025-10-25), so
    that the posted bands hold postings; the filter's "7d" counts back from it too."""
    day = date(2025, 10, 26)
    monkeypatch.setattr(search.filters, "_today", lambda: day)
    return day


@pytest.mark.parametrize(("text", "filters"), CASES)
def test_sample_totals_and_facets_are_exact(
    sample_index: JobIndex, text: str, filters: dict[str, object], today: date
) -> None:
    total, counts = _brute_force(sample_index, text, filters, today)
    results = sample_index.search(text, **filters)
    assert results.total == total
    for name, expected in counts.items():
        assert results.facets[name] == _top(expected, name), name


@pytest.mark.parametrize(("text", "filters"), CASES)
def test_corpus_totals_and_facets_are_exact(
    corpus_index: JobIndex, text: str, filters: dict[str, object], today: date
) -> None:
    total, counts = _brute_force(corpus_index, text, filters, today)
    results = corpus_index.search(text, **filters)
    assert results.total == total
    for name, expected in counts.items():
        assert results.facets[name] == _top(expected, name), name


@pytest.mark.parametrize(("text", "filters"), CASES)
@pytest.mark.parametrize("collapse", [True, False])
def test_corpus_posted_bands_are_the_totals_of_their_since_filters(
    corpus_index: JobIndex, text: str, filters: dict[str, object], today: date, collapse: bool
) -> None:
    """Clicking a band ("past week") searches with its since value ("7d"): the total
    found is the count shown."""
    from search.query.facets import POSTED_BANDS

    posted = corpus_index.search(text, collapse=collapse, **filters).facets["posted"]
    assert any(posted.get(band) for band, _ in POSTED_BANDS)
    for band, since in POSTED_BANDS:
        found = corpus_index.search(text, collapse=collapse, since=since, facets=False, **filters)
        assert posted.get(band, 0) == found.total, (band, since)
