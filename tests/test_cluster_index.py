"""``JobIndex.open("typesense://...")``: the facade over a cluster index, on the real
3-node cluster of ``tests/cluster.py``: searches answer as the embedded engine counts,
get by id and unique prefix, and what a cluster index cannot do says so in one line."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from search import JobIndex, load_postings
from search.cluster import rescoring, writer
from search.cluster.index import ClusterIndex
from search.errors import AmbiguousIdError, ClusterError, PostingNotFoundError
from search.opening import open_or_build
from tests.cluster import LocalCluster
from tests.conftest import DATA

SAMPLE = DATA / "amazon_science_jobs.txt"


@pytest.fixture(scope="module")
def url(ts_cluster: LocalCluster) -> Iterator[str]:
    where = ts_cluster.url(f"facade_{uuid.uuid4().hex[:8]}")
    writer.rebuild(where, load_postings(SAMPLE))
    yield where
    writer.drop(where)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobIndex]:
    path = tmp_path_factory.mktemp("facade") / "index"
    with JobIndex.create(path) as index:
        index.add(load_postings(SAMPLE))
    with JobIndex.open(path) as index:
        yield index


def test_a_cluster_url_opens_a_cluster_index_that_counts_as_the_embedded_one(
    url: str, embedded: JobIndex
) -> None:
    with JobIndex.open(url) as index:
        assert isinstance(index, ClusterIndex)
        assert len(index) == len(list(load_postings(SAMPLE)))
        for text, options in [("engineer", {}), ("", {"collapse": False}), ("data", {"limit": 3})]:
            mine, real = index.search(text, **options), embedded.search(text, **options)
            assert (mine.total, mine.facets, mine.notes) == (real.total, real.facets, real.notes)


def test_open_or_build_opens_a_cluster_url_and_never_builds(url: str, tmp_path: Path) -> None:
    with open_or_build(url, tmp_path) as index:
        assert isinstance(index, ClusterIndex)


def test_get_by_id_and_by_unique_prefix(url: str, embedded: JobIndex) -> None:
    first = embedded.search("", collapse=False, limit=1).hits[0].posting
    with JobIndex.open(url) as index:
        # The same posting; each index keeps its own time of first indexing.
        got, real = index.get(first.id), embedded.get(first.id)
        assert replace(got, indexed_at=real.indexed_at) == real
        ids = [h.posting.id for h in embedded.search("", collapse=False, limit=100)]
        unique = next(
            p for i in ids for p in (i[:n] for n in range(3, len(i)))
            if sum(j.startswith(p) for j in ids) == 1
        )  # fmt: skip
        assert index.get(unique).id == embedded.get(unique).id
        with pytest.raises(PostingNotFoundError):
            index.get("no-such-posting-id")
        shared = next(
            (i[:n] for i in ids for n in range(1, 3) if sum(j.startswith(i[:n]) for j in ids) > 1),
            None,
        )
        if shared is not None:
            with pytest.raises(AmbiguousIdError):
                index.get(shared)


def test_what_a_cluster_cannot_do_says_so_in_one_line(url: str) -> None:
    with JobIndex.open(url) as index:
        with pytest.raises(ClusterError, match="--explain is not available on a cluster"):
            index.search("engineer", explain=True)
        with pytest.raises(ClusterError, match="the plain BM25 baseline is not available"):
            index.baseline("engineer")
        some = index.search("engineer", limit=1).hits[0].posting.id
        assert some not in {hit.posting.id for hit in index.similar(some)}


def test_an_unknown_collection_is_the_cluster_error(ts_cluster: LocalCluster) -> None:
    with pytest.raises(ClusterError, match="no collection or alias"):
        JobIndex.open(ts_cluster.url("no_such_collection"))


@pytest.fixture(scope="module")
def with_copies(
    ts_cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, JobIndex]]:
    """The sample plus copies of three postings (one job posted twice or three times),
    on the cluster and embedded."""
    sample = list(load_postings(SAMPLE))
    copies = [replace(p, id=f"{p.id}-copy{n}") for n in (1, 2) for p in sample[: 3 - n + 1]]
    postings = sample + copies
    where = ts_cluster.url(f"copies_{uuid.uuid4().hex[:8]}")
    writer.rebuild(where, postings)
    path = tmp_path_factory.mktemp("copies") / "index"
    with JobIndex.create(path) as index:
        index.add(postings)
    try:
        with JobIndex.open(path) as index:
            yield where, index
    finally:
        writer.drop(where)


@pytest.mark.parametrize("top", [1, 2, 3])
def test_facets_asked_a_few_values_at_a_time_are_the_embedded_counts(
    with_copies: tuple[str, JobIndex], top: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the top values of each facet are asked for, more when a value left out
    could rank among them; jobs posted several times are counted once (or per posting
    with collapse=False): the counts equal the embedded engine's."""
    from search.cluster import backend

    monkeypatch.setattr(backend, "FACET_FIRST", 1)
    monkeypatch.setattr(backend, "FACET_SPARE", 1)  # as few values as are shown, at first
    url, embedded = with_copies
    with JobIndex.open(url) as index:
        for text in ("", "scientist", "learning"):
            for collapse in (True, False):
                mine = index.search(text, collapse=collapse, facet_top=top)
                real = embedded.search(text, collapse=collapse, facet_top=top)
                assert (mine.total, mine.facets) == (real.total, real.facets), (text, collapse)


@pytest.mark.parametrize("text", ["scientist", "machine learning", "applied science intern"])
def test_pages_past_the_scored_candidates_neither_repeat_nor_skip(
    url: str, embedded: JobIndex, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Candidates scored in jobsearch come first, the other matches after them in the
    text match's order: with room for only a few candidates, paging two at a time
    still lists every match once, and the first page is the best scored."""
    monkeypatch.setattr(rescoring, "TEXT_MATCH_FIRST", 2)
    monkeypatch.setattr(rescoring, "CANDIDATES", 3)
    with JobIndex.open(url) as index:
        everything = index.search(text, limit=50, collapse=False)
        assert everything.total == embedded.search(text, limit=50, collapse=False).total
        shown: list[str] = []
        for page in range(1, everything.total // 2 + 2):
            hits = index.search(text, limit=2, page=page, collapse=False).hits
            shown += [h.posting.id for h in hits if not h.partial]
        assert len(shown) == len(set(shown)) == everything.total
        assert set(shown) == {h.posting.id for h in everything.hits if not h.partial}
        scores = [h.score or 0.0 for h in everything.hits[:2]]
        assert scores == sorted(scores, reverse=True) and scores[0] > 0
