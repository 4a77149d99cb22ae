"""One behavioural suite, run against every search backend.

The same policy (``search.query.pipeline``) runs over the embedded engine (through
``JobIndex.search``), over ``tests/memory_backend.py`` (plain Python, written against
the contract alone) and over a Typesense collection on the real 3-node cluster of
``tests/cluster.py`` (``search.cluster.backend``). Filters, facets, paging, partial
matches, folding of copies and notes must behave alike; differential tests compare each
other backend with the embedded engine on a list of searches, result for result (the
cluster's order by score excepted: it is Typesense's text-match score, not BM25F).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from search import JobIndex, load_postings
from search.cluster import writer
from search.cluster.backend import ClusterBackend
from search.cluster.client import connect
from search.query import phrases, pipeline
from search.query.context import Request
from search.query.contract import Backend
from search.query.facets import POSTED_BANDS
from search.results import Filters, SearchResults
from search.store import segments
from tests.cluster import LocalCluster
from tests.memory_backend import MemoryBackend, MemorySelection, Scores

BODY = "We build {what}. You will design services in Python and PostgreSQL on Kubernetes."
ROWS = [
    # One job posted for three cities: shown once, with all three places.
    ("be-sea", "Backend Engineer", "Seattle, WA", "backend payment systems", "2025-05-01"),
    ("be-bel", "Backend Engineer", "Bellevue, WA", "backend payment systems", "2025-05-01"),
    ("be-pdx", "Backend Engineer", "Portland, OR", "backend payment systems", "2025-05-01"),
    ("ds-red", "Data Scientist", "Redmond, WA", "forecasting models", "2025-04-01"),
    ("ml-pdx", "Machine Learning Engineer", "Portland, OR", "ranking models", "2025-03-01"),
    ("fe-sf", "Frontend Engineer", "San Francisco, CA", "a design system", "2025-02-01"),
    ("eng-tac", "Engineering Manager", "Tacoma, WA", "the backend platform team", "2025-01-01"),
]
#: Thirteen real corpus rows stating pay, experience, employers and workplaces.
REAL = Path(__file__).parent / "data" / "jobseeker_rows.jsonl"

Search = Callable[..., SearchResults]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backends") / "jobs.jsonl"
    lines = [
        json.dumps(
            {
                "id": pid,
                "title": title,
                "location": location,
                "company": "Globex" if pid == "fe-sf" else "Acme",
                "description": BODY.format(what=what),
                "posted": posted,
            }
        )
        for pid, title, location, what, posted in ROWS
    ]
    path.write_text("\n".join(lines) + "\n" + REAL.read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def embedded(source: Path) -> Any:
    with JobIndex.create(source.parent / "index") as index:
        index.add(load_postings(source))
    with JobIndex.open(source.parent / "index") as index:
        yield index


@pytest.fixture(scope="module")
def memory(source: Path) -> MemoryBackend:
    backend: Backend[Scores, MemorySelection] = MemoryBackend(load_postings(source))
    assert isinstance(backend, MemoryBackend)
    return backend


@contextlib.contextmanager
def on_cluster(ts_cluster: LocalCluster, source: Path) -> Iterator[ClusterBackend]:
    """The postings of ``source`` in a new collection of the cluster, as a backend;
    the collection is dropped at the end."""
    url = ts_cluster.url(f"backends_{uuid.uuid4().hex[:8]}")
    writer.rebuild(url, load_postings(source))
    try:
        with connect(url) as cluster:
            yield ClusterBackend(cluster, cluster.url.collection)
    finally:
        writer.drop(url)


@pytest.fixture(scope="module")
def cluster(ts_cluster: LocalCluster, source: Path) -> Iterator[ClusterBackend]:
    with on_cluster(ts_cluster, source) as backend:
        yield backend


def _through(backend: Backend[Any, Any]) -> Search:
    """``JobIndex.search``'s signature, answered by the policy over ``backend``."""

    def search(
        text: str = "",
        *,
        sort: str = "relevance",
        limit: int = 10,
        page: int = 1,
        title_only: bool = False,
        collapse: bool = True,
        facets: bool = True,
        facet_top: int = 10,
        **filters: Any,
    ) -> SearchResults:
        request = Request(
            text,
            Filters.of(filters),
            sort,  # type: ignore[arg-type]
            limit,
            page,
            title_only,
            collapse,
            False,
            facets,
            facet_top,
        )
        return pipeline.run(backend, request)

    return search


@pytest.fixture(params=["embedded", "memory", "cluster"])
def search(request: pytest.FixtureRequest) -> Search:
    if request.param == "embedded":
        return request.getfixturevalue("embedded").search  # type: ignore[no-any-return]
    return _through(request.getfixturevalue(request.param))


def ids(results: SearchResults) -> list[str]:
    return [h.posting.id for h in results]


# -- folding copies -------------------------------------------------------------------------


def test_copies_of_one_job_fold_into_one_hit_and_count_once(search: Search) -> None:
    folded = search("payment systems", company="Acme")
    assert folded.total == 1
    hit = folded.hits[0]
    assert {p.city for p in hit.posting.places} == {"Seattle", "Bellevue", "Portland"}
    assert set(hit.duplicates) | {hit.posting.id} == {"be-sea", "be-bel", "be-pdx"}
    assert folded.facets["city"] == {"Bellevue": 1, "Portland": 1, "Seattle": 1}
    assert folded.facets["company"] == {"Acme": 1}
    every = search("payment systems", company="Acme", collapse=False)
    assert every.total == 3
    assert every.facets["company"] == {"Acme": 3}


# -- partial matches and paging ---------------------------------------------------------------


def test_a_short_page_is_filled_with_partial_matches_after_full_ones(search: Search) -> None:
    results = search("payment systems", company=["Acme", "Globex"], collapse=False)
    assert sorted(ids(results)[:3]) == ["be-bel", "be-pdx", "be-sea"]
    assert ids(results)[3:] == ["fe-sf"]
    assert [h.partial for h in results] == [False, False, False, True]
    assert (results.total, results.partial_total, results.pages) == (3, 1, 1)
    assert "1 more posting matches only some of the words (marked partial)" in results.notes


def test_pages_split_the_matches_and_a_page_past_the_end_says_so(search: Search) -> None:
    first, second = search("engineer", limit=2), search("engineer", limit=2, page=2)
    assert first.total == second.total >= 3
    assert not set(ids(first)) & set(ids(second))
    past = search("engineer", limit=2, page=first.pages + 1)
    assert past.hits == ()
    assert f"page {first.pages + 1} is past the last page ({first.pages})" in past.notes


def test_no_text_lists_every_posting_newest_first(search: Search) -> None:
    results = search("", collapse=False, limit=50, facets=False)
    assert results.total == len(ROWS) + 13
    dated = [h.posting.posted for h in results if h.posting.posted]
    assert dated == sorted(dated, reverse=True)


# -- filters ----------------------------------------------------------------------------------


def test_place_filters_keep_only_those_places(search: Search) -> None:
    assert sorted(ids(search("engineer", city="Portland", collapse=False))) == [
        "be-pdx",
        "ml-pdx",
    ]
    assert set(ids(search("", state="WA", collapse=False, limit=50))) == {
        "be-sea",
        "be-bel",
        "ds-red",
        "eng-tac",
    }


def test_a_value_no_posting_has_says_so(search: Search) -> None:
    results = search("engineer", city="Atlantis")
    assert results.total == 0
    assert "no posting in city 'Atlantis'" in results.notes


def test_filters_on_facts_say_what_they_left_out(search: Search) -> None:
    found = search("", salary_min="150k", limit=50, collapse=False)
    assert found.total >= 1
    assert all(h.posting.pay is not None for h in found)
    unstated = sum(1 for h in search("", limit=50, collapse=False) if h.posting.pay is None)
    noun = "posting that states" if unstated == 1 else "postings that state"
    assert f"{unstated} {noun} no pay {'was' if unstated == 1 else 'were'} left out" in found.notes


def test_an_employer_filter_and_its_facet_agree(search: Search) -> None:
    everything = search("", limit=1)
    for company, count in everything.facets["company"].items():
        assert search("", company=company, limit=1).total == count


def test_filters_combine_and_never_change_the_order(search: Search) -> None:
    plain = [i for i in ids(search("engineer", collapse=False, limit=50)) if i.endswith("-pdx")]
    assert ids(search("engineer", city="Portland", collapse=False, limit=50)) == plain
    assert search("engineer", city="Portland", company="Globex").total == 0


# -- notes --------------------------------------------------------------------------------------


def test_text_without_searchable_words_lists_every_match(search: Search) -> None:
    results = search("the", limit=1)
    assert "no searchable words in 'the': listing every match" in results.notes


def test_nothing_matching_as_typed_falls_back_and_says_so(search: Search) -> None:
    results = search("kubernetis")
    assert results.fuzzy and results.total == 5
    assert results.notes[0].startswith("no postings match 'kubernetis': showing ")


def test_notes_belong_to_one_search(search: Search) -> None:
    noted = search("engineer", city="Atlantis")
    plain = search("engineer")
    assert "no posting in city 'Atlantis'" in noted.notes
    assert not any("Atlantis" in n for n in plain.notes)


# -- the two backends agree ------------------------------------------------------------------

SEARCHES: list[tuple[str, dict[str, Any]]] = [
    ("", {}),
    ("", {"collapse": False}),
    ("engineer", {}),
    ("engineer", {"collapse": False, "limit": 3, "page": 2}),
    ("payment systems", {"collapse": False}),
    ("python -frontend", {}),
    ("data", {"city": "London"}),
    ("", {"salary_min": "100k", "collapse": False}),
    ("", {"max_years": 3}),
    ("", {"company": ["9fin", "Globex"], "collapse": False}),
    ("engineer", {"workplace": "remote"}),
    ("", {"sort": "pay", "collapse": False}),
    ("manager", {"title_only": True}),
]


@pytest.mark.parametrize(("text", "options"), SEARCHES)
def test_the_memory_backend_answers_as_the_embedded_engine(
    embedded: JobIndex, memory: MemoryBackend, text: str, options: dict[str, Any]
) -> None:
    real = embedded.search(text, **options)
    mine = _through(memory)(text, **options)
    assert (mine.total, mine.partial_total, mine.pages) == (
        real.total,
        real.partial_total,
        real.pages,
    )
    assert set(ids(mine)) == set(ids(real))
    assert [h.partial for h in mine] == [h.partial for h in real]
    assert mine.facets == real.facets
    assert mine.notes == real.notes


@pytest.mark.parametrize(("text", "options"), SEARCHES)
def test_the_cluster_backend_counts_as_the_embedded_engine(
    embedded: JobIndex, cluster: ClusterBackend, text: str, options: dict[str, Any]
) -> None:
    """Totals, partial totals, facets and notes are the same; the hits too, except
    their order by score (Typesense's text-match score, not BM25F): a page is compared
    as a set only when every match fits on it."""
    real = embedded.search(text, **options)
    mine = _through(cluster)(text, **options)
    assert (mine.total, mine.partial_total, mine.pages) == (
        real.total,
        real.partial_total,
        real.pages,
    )
    assert mine.facets == real.facets
    assert mine.notes == real.notes
    assert [h.partial for h in mine] == [h.partial for h in real]
    if real.total + real.partial_total <= len(real.hits):
        assert jobs(mine) == jobs(real)
    if not text or options.get("sort"):  # ordered by date or pay: the same order
        assert [_key(h, options) for h in mine] == [_key(h, options) for h in real]


def jobs(results: SearchResults) -> set[frozenset[str]]:
    """The hits as jobs (a hit with its copies): which copy is shown follows the order."""
    return {frozenset({h.posting.id, *h.duplicates}) for h in results}


def _key(hit: Any, options: dict[str, Any]) -> object:
    if options.get("sort") == "pay":
        return hit.posting.pay.annual_max if hit.posting.pay else None
    return hit.posting.posted


# -- notes are the search's, not the index's -------------------------------------------------


@pytest.fixture(scope="module")
def unpositioned(source: Path) -> Any:
    """The embedded index as written before word positions were kept: its phrases are
    checked in stored text, a bounded number of postings."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(segments, "POSITION_FIELDS", ())
        with JobIndex.create(source.parent / "unpositioned") as index:
            index.add(load_postings(source))
    with JobIndex.open(source.parent / "unpositioned") as index:
        yield index


def test_a_bounded_phrase_check_is_noted_on_every_search_of_it(
    unpositioned: JobIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note used to live on the shared index: cleared by each search, and lost
    when the phrase's answer was kept from an earlier search."""
    monkeypatch.setattr(phrases, "MAX_CHECKED", 1)
    note = 'the phrase "design servic" was checked in 1 of the'
    first = unpositioned.search('"design services"', collapse=False)
    between = unpositioned.search("engineer")
    again = unpositioned.search('"design services"', collapse=False)
    assert any(n.startswith(note) for n in first.notes)
    assert not any("phrase" in n for n in between.notes)
    assert any(n.startswith(note) for n in again.notes)


# -- reading queries is a backend's capability ----------------------------------------------


@pytest.mark.parametrize("text", ["backend engineer seattle", "remote engineer", "senior engineer"])
def test_the_memory_backend_reads_no_queries_and_searches_the_words_as_typed(
    embedded: JobIndex, memory: MemoryBackend, text: str
) -> None:
    """The memory backend answers ``understand`` with None: its search is the embedded
    engine's with ``understand=False``, and says it read nothing."""
    request = Request(text, Filters(), collapse=False)
    assert memory.understand(text, request.filters, memory.select(request.filters, False)) is None
    mine = _through(memory)(text, collapse=False)
    literal = embedded.search(text, collapse=False, understand=False)
    assert mine.read_as == literal.read_as == ""
    assert (mine.total, mine.partial_total) == (literal.total, literal.partial_total)
    assert set(ids(mine)) == set(ids(literal))


def test_the_embedded_engine_reads_a_place_through_the_contract(embedded: JobIndex) -> None:
    """The query "backend engineer seattle" is read as "backend engineer" in city Seattle:
    the Seattle copy first; the words as typed need "seattle" in the text."""
    read = embedded.search("backend engineer seattle", collapse=False)
    literal = embedded.search("backend engineer seattle", collapse=False, understand=False)
    assert read.read_as == "backend engineer · city Seattle"
    assert ids(read)[0] == "be-sea"
    assert read.total > literal.total


# -- employment type and posting date, counted as their filters select ----------------------

#: Postings dated back from today (None: undated), with an employment type or none; the
#: two "Platform Engineer" rows are copies of one job, one dated and one not, the two
#: "Support Engineer" rows copies with neither a date nor a type.
DATED = [
    ("d-0", "Site Reliability Engineer", "Seattle, WA", 0, "full-time"),
    ("d-1", "Data Engineer", "Austin, TX", 1, "contract"),
    ("d-2", "Analytics Engineer", "Denver, CO", 2, "part-time"),
    ("d-3", "Data Analyst", "Boston, MA", 3, None),
    ("d-4", "Product Designer", "Chicago, IL", 4, "full-time"),
    ("d-7", "Product Manager", "Austin, TX", 7, "internship"),
    ("d-8", "Sales Engineer", "Miami, FL", 8, "full-time"),
    ("d-30", "Solutions Architect", "Dallas, TX", 30, "temporary"),
    ("d-31", "Security Engineer", "Phoenix, AZ", 31, None),
    ("d-400", "Mobile Engineer", "Atlanta, GA", 400, "full-time"),
    ("u-1", "Technical Writer", "Reno, NV", None, "contract"),
    ("pe-sea", "Platform Engineer", "Seattle, WA", 2, "contract"),
    ("pe-pdx", "Platform Engineer", "Portland, OR", None, "contract"),
    ("se-sea", "Support Engineer", "Seattle, WA", None, None),
    ("se-pdx", "Support Engineer", "Portland, OR", None, None),
]


@pytest.fixture(scope="module")
def dated_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dated") / "jobs.jsonl"
    today = date.today()
    rows = []
    for pid, title, location, age, kind in DATED:
        row: dict[str, Any] = {
            "id": pid,
            "title": title,
            "location": location,
            "company": "Initech",
            "description": f"The {title.lower()} works on the platform in Python.",
        }
        if age is not None:
            row["posted"] = (today - timedelta(days=age)).isoformat()
        if kind is not None:
            row["employment_type"] = kind
        rows.append(json.dumps(row))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dated_embedded(dated_source: Path) -> Any:
    with JobIndex.create(dated_source.parent / "index") as index:
        index.add(load_postings(dated_source))
    with JobIndex.open(dated_source.parent / "index") as index:
        yield index


@pytest.fixture(params=["embedded", "memory"])
def dated(request: pytest.FixtureRequest, dated_source: Path) -> Search:
    if request.param == "embedded":
        return request.getfixturevalue("dated_embedded").search  # type: ignore[no-any-return]
    return _through(MemoryBackend(load_postings(dated_source)))


@pytest.mark.parametrize("collapse", [True, False])
def test_each_posted_band_counts_what_its_since_filter_finds(dated: Search, collapse: bool) -> None:
    posted = dated("", collapse=collapse).facets["posted"]
    # by construction: ages 0, 1 | 2, 2, 3 | 4, 7 | 8, 30 (31 and 400 older). Undated:
    # u-1 and the Support Engineer job (two postings); the Platform Engineer job is dated
    # by one copy, so only its undated copy, counted alone, is unknown.
    assert posted == {
        "past day": 2,
        "past 3 days": 5,
        "past week": 7,
        "past month": 9,
        "unknown": 2 if collapse else 4,
    }
    for band, since in POSTED_BANDS:
        found = dated("", collapse=collapse, since=since, facets=False)
        assert posted.get(band, 0) == found.total, (band, since)
    # within a search and a filter, too
    narrowed = dated("engineer", collapse=collapse, city="Seattle")
    for band, since in POSTED_BANDS:
        found = dated("engineer", collapse=collapse, city="Seattle", since=since, facets=False)
        assert narrowed.facets["posted"].get(band, 0) == found.total, (band, since)


@pytest.mark.parametrize("collapse", [True, False])
def test_each_employment_type_counts_what_its_filter_finds(dated: Search, collapse: bool) -> None:
    types = dated("", collapse=collapse).facets["employment_type"]
    assert types == {  # each copied job counts once when folded, per posting otherwise
        "full-time": 4,
        "contract": 3 if collapse else 4,
        "internship": 1,
        "part-time": 1,
        "temporary": 1,
        "unknown": 3 if collapse else 4,
    }
    for kind, count in types.items():
        if kind != "unknown":
            assert dated("", collapse=collapse, employment_type=kind).total == count, kind


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("", {}),
        ("", {"collapse": False}),
        ("engineer", {"city": ["Seattle", "Portland"]}),
        ("engineer", {"city": ["Seattle", "Portland"], "collapse": False}),
        ("", {"since": "3d"}),
        ("", {"employment_type": "contract", "collapse": False}),
    ],
)
def test_both_backends_count_type_and_posted_alike(
    dated_embedded: JobIndex, dated_source: Path, text: str, options: dict[str, Any]
) -> None:
    real = dated_embedded.search(text, **options)
    mine = _through(MemoryBackend(load_postings(dated_source)))(text, **options)
    assert mine.total == real.total
    assert mine.facets == real.facets
    assert real.facets["posted"] and real.facets["employment_type"]
