"""Index life cycle: schema versions, locks, updates, interrupted writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from search import (
    IndexLockedError,
    IndexNotFoundError,
    JobIndex,
    JobPosting,
    SchemaVersionError,
    load_postings,
)
from search.store import layout
from search.store.layout import META_FILE
from tests.conftest import DATA, ROOT, need_corpus


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="no index at"):
        JobIndex.open(tmp_path / "nowhere")


def test_other_schema_version_asks_for_a_rebuild(sample_copy: Path) -> None:
    meta = sample_copy / META_FILE
    meta.write_text(json.dumps({"schema_version": 0}), encoding="utf-8")
    with pytest.raises(SchemaVersionError, match="rebuild"):
        JobIndex.open(sample_copy)


def test_a_second_writer_gets_a_locked_error(sample_copy: Path) -> None:
    index = JobIndex.open(sample_copy)
    with layout.locked(sample_copy), pytest.raises(IndexLockedError, match="locked"):
        index.add(load_postings(DATA))
    assert index.add(load_postings(DATA)).unchanged == 10


def test_changed_posting_is_updated_in_place(sample_copy: Path) -> None:
    with JobIndex.open(sample_copy) as index:
        original = index.search("robotics").hits[0].posting
        changed = JobPosting(**{**_fields(original), "title": "Robotics Applied Science Intern"})
        summary = index.add([changed])
        assert (summary.added, summary.updated) == (0, 1)
        assert len(index) == 10
        assert index.get(original.id).title == "Robotics Applied Science Intern"


def _fields(posting: JobPosting) -> dict[str, object]:
    return {name: getattr(posting, name) for name in posting.__slots__}


def test_same_id_twice_in_one_run_keeps_the_last(tmp_path: Path) -> None:
    rows = [
        {"id": "x1", "title": "Data Engineer", "description": "Spark pipelines."},
        {"id": "x1", "title": "Senior Data Engineer", "description": "Spark and Kafka."},
    ]
    source = tmp_path / "dup.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with JobIndex.create(tmp_path / "ix") as index:
        index.add(load_postings(source))
        assert len(index) == 1
        assert index.get("x1").title == "Senior Data Engineer"


def test_a_killed_indexer_leaves_the_last_commit_readable(tmp_path: Path) -> None:
    """Kill a writer right after its first commit: the index opens with that commit, no
    worker process is left behind, and the lock is free."""
    corpus = need_corpus()
    target = tmp_path / "ix"
    with JobIndex.create(target) as index:
        index.add(load_postings(DATA))
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from search import JobIndex, load_postings
        from search.store import building
        building.SEGMENT_DOCS = 200
        JobIndex.open({str(target)!r}).add(load_postings({str(corpus)!r}))
        """
    )
    tag = f"jobsearch-test-{os.getpid()}-{time.time_ns()}"
    env = {**os.environ, "JOBSEARCH_FAULT": "add:committed", "JOBSEARCH_TEST_TAG": tag}
    proc = subprocess.run([sys.executable, "-c", script], env=env, timeout=300)
    assert proc.returncode == -signal.SIGKILL
    with JobIndex.open(target) as index:
        assert len(index) >= 10 + 200  # the sample plus the committed segment
        assert index.search("machine learning").total > 0
    # The kernel kills the orphaned workers (PR_SET_PDEATHSIG) as soon as it schedules
    # them: wait for that, however busy the machine, rather than for a guessed time.
    waited = 0
    while _processes_tagged(tag) and waited < 600:
        time.sleep(0.05)
        waited += 1
    assert not _processes_tagged(tag)
    with JobIndex.open(target) as index:  # the lock died with the process
        assert index.add(load_postings(DATA)).unchanged == 10


def _processes_tagged(tag: str) -> list[int]:
    """Live processes whose environment holds ``tag`` (the writer's workers inherit it)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if tag.encode() in environ.read_bytes():
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


def test_saved_facet_table_follows_every_commit_and_rebuild(tmp_path: Path) -> None:
    """Facets follow every commit and rebuild (side tables belong to their segment)."""
    first = tmp_path / "a.jsonl"
    first.write_text(
        json.dumps(
            {
                "id": "1",
                "title": "Data Engineer",
                "location": "Berlin",
                "description": "Spark pipelines.",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    second = tmp_path / "b.jsonl"
    second.write_text(
        json.dumps(
            {
                "id": "2",
                "title": "Data Engineer",
                "location": "Paris",
                "description": "Spark pipelines.",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    target = tmp_path / "ix"
    with JobIndex.create(target) as index:
        index.add(load_postings(first))
        assert index.search().facets["city"] == {"Berlin": 1}
    with JobIndex.open(target) as index:
        index.add(load_postings(second))
    with JobIndex.open(target) as index:
        assert index.search().facets["city"] == {"Berlin": 1, "Paris": 1}
    JobIndex.rebuild(target, load_postings(second))
    with JobIndex.open(target) as index:
        assert index.search().facets["city"] == {"Paris": 1}
