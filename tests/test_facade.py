"""The public facade: typed statistics, the watermark saved searches read, and opening
an index (built from a folder of postings the first time)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from search import IndexNotFoundError, JobIndex, JobPosting
from search.opening import open_or_build
from search.results import IndexStats

ROOT = Path(__file__).resolve().parents[1]


def test_stats_is_a_frozen_typed_result(tmp_path: Path) -> None:
    index = JobIndex.create(tmp_path / "index")
    index.add([JobPosting(id="a", title="Data engineer", description="python", company="Acme")])
    stats = index.stats()
    assert isinstance(stats, IndexStats)
    assert (stats.postings, stats.segments, stats["postings"]) == (1, 1, 1)
    assert list(stats.as_dict()) == [
        "index",
        "postings",
        "size_bytes",
        "schema_version",
        "segments",
        "cities",
        "countries",
        "skills",
        "remote",
        "posted_first",
        "posted_last",
        "written",
        "top",
    ]
    assert stats.top["company"] == {"Acme": 1}
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.postings = 2  # type: ignore[misc]
    with pytest.raises(KeyError):
        stats["nothing"]
    index.close()


def test_newest_indexed_is_the_latest_first_indexed_time(tmp_path: Path) -> None:
    index = JobIndex.create(tmp_path / "index")
    assert index.newest_indexed() == 0.0
    index.add([JobPosting(id="a", title="Data engineer", description="python")])
    first = index.newest_indexed()
    index.add([JobPosting(id="b", title="Web developer", description="javascript")])
    later = index.newest_indexed()
    assert 0 < first <= later
    stored = max(p.indexed_at.timestamp() for p in map(index.get, "ab"))  # type: ignore[union-attr]
    assert later == pytest.approx(stored, abs=1e-3)  # stored times keep microseconds
    index.close()


def test_open_or_build_builds_from_a_folder_only_when_there_is_no_index(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    with pytest.raises(IndexNotFoundError):
        open_or_build(tmp_path / "index")
    built: list[list[str]] = []

    def build(path: Path, paths: object) -> None:
        built.append(list(paths))  # type: ignore[call-overload]
        JobIndex.create(path).close()

    with open_or_build(tmp_path / "index", data, build) as index:
        assert len(index) == 0 and built == [[str(data)]]
    with open_or_build(tmp_path / "quiet", data) as index:
        assert len(index) == 10
    with open_or_build(tmp_path / "quiet", tmp_path / "nothing", build) as index:
        assert len(index) == 10 and len(built) == 1
