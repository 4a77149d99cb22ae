"""Job-board feeds through the index: nothing rejected, structured facts searchable,
indexing twice adds nothing, and a feed re-read in full prunes the jobs it dropped.

The samples are ../shared/feeds (real captures); the tests skip when they are absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search import JobIndex, load_postings
from tests.conftest import SHARED

FEEDS = SHARED / "feeds"
SAMPLES = sorted(p for p in FEEDS.glob("*/*") if p.suffix in (".json", ".html", ".xml"))


@pytest.fixture(scope="module")
def feed_index(tmp_path_factory: pytest.TempPathFactory) -> JobIndex:
    if not SAMPLES:
        pytest.skip(f"no feed samples in {FEEDS}")
    path = tmp_path_factory.mktemp("feeds") / "index"
    rejected: list[object] = []
    summary = JobIndex.create(path).add(load_postings(SAMPLES, on_reject=rejected.append))
    assert rejected == [] and summary.rejected == 0
    return JobIndex.open(path)


def test_every_feed_posting_is_indexed_once(feed_index: JobIndex) -> None:
    expected = sum(1 for _ in load_postings(SAMPLES))
    assert len(feed_index) == expected == 107


def test_indexing_the_feeds_again_adds_nothing(feed_index: JobIndex) -> None:
    summary = feed_index.add(load_postings(SAMPLES))
    assert (summary.added, summary.updated) == (0, 0)
    assert summary.unchanged == len(feed_index)


def test_structured_pay_workplace_and_company_are_searchable(feed_index: JobIndex) -> None:
    zoox = feed_index.search("", company="zoox", salary_min=230_000, currency="USD")
    assert zoox.total == 1  # Lever salaryRange 174,000-237,000 USD per year
    airbnb = feed_index.search("", company="Airbnb", workplace="remote")
    assert airbnb.total >= 1
    hourly = feed_index.search("", salary_min=60_000, currency="USD", company="Wood Rodgers")
    assert hourly.total == 1  # JSON-LD baseSalary 31.75-39.50 USD an hour
    assert feed_index.search("", company="SpaceX", collapse=False).total == 30
    assert feed_index.search("", employment_type="internship", company="Innovire AG").total >= 1


def _write(path: Path, ids: list[str]) -> Path:
    rows = [
        {"id": i, "title": f"Data Engineer {i}", "location": "Berlin", "description": f"Spark {i}."}
        for i in ids
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_prune_removes_the_jobs_a_feed_no_longer_holds(tmp_path: Path) -> None:
    feed = _write(tmp_path / "feed.jsonl", ["a", "b", "c"])
    other = _write(tmp_path / "other.jsonl", ["x"])
    index = JobIndex.create(tmp_path / "index")
    index.add(load_postings([feed, other]))
    _write(feed, ["a", "c", "d"])  # b was filled, d is new
    summary = index.add(load_postings(feed), prune=True)
    assert (summary.added, summary.unchanged, summary.pruned) == (1, 2, 1)
    assert sorted(h.posting.id for h in index.search("", limit=10)) == ["a", "c", "d", "x"]
