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
from search.store.writer import META_FILE, open_writer
from tests.conftest import CORPUS, DATA, ROOT


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
    holder = open_writer(index._ix, sample_copy)
    try:
        with pytest.raises(IndexLockedError, match="locked"):
            index.add(load_postings(DATA))
    finally:
        holder.cancel()
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
    """Kill a writer mid-run: the index still opens and holds its committed postings."""
    if not CORPUS.exists():
        pytest.skip("corpus absent")
    target = tmp_path / "ix"
    with JobIndex.create(target) as index:
        index.add(load_postings(DATA))
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from search import JobIndex, load_postings
        from search.store import writer as indexer
        indexer.BATCH_SIZE = 200
        index = JobIndex.open({str(target)!r})
        def tick(_p, n=[0]):
            n[0] += 1
            if n[0] == 450:
                print("ready", flush=True)
        index.add(load_postings({str(CORPUS)!r}), progress=tick)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with JobIndex.open(target) as index:
        count = len(index)
        assert count >= 10 + 400  # the sample plus the committed batches
        assert index.search("machine learning").total > 0
    # The lock died with the process: a new writer can add.
    with JobIndex.open(target) as index:
        assert index.add(load_postings(DATA)).unchanged == 10


def test_saved_facet_table_follows_every_commit_and_rebuild(tmp_path: Path) -> None:
    """The forward table kept beside the index is never reused for another snapshot."""
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
    (target / "forward.pickle").write_bytes(b"not a pickle")
    with JobIndex.open(target) as index:
        assert index.search().facets["city"] == {"Paris": 1}
