"""Safe by construction: a crash at any step keeps the old or the new index, an index
cannot run code, and only the index's own files are ever touched.

The crash tests run the real CLI in a subprocess with ``JOBSEARCH_FAULT=<step>``, which
makes the writer kill itself (SIGKILL, as a power cut would) at that step.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from search import IndexLockedError, InputError, JobIndex, load_postings
from search.errors import UnsafeIndexError
from search.store import layout, safeload
from search.store.faults import FAULT_STEPS
from search.store.schema import SCHEMA_VERSION, shared_schema
from tests.conftest import DATA, ROOT

CLI = [sys.executable, "-m", "search"]


def _rows(tmp_path: Path, name: str, count: int, start: int = 0) -> Path:
    path = tmp_path / name
    path.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"extra-{n}",
                    "title": f"Data Engineer {n}",
                    "location": "Berlin",
                    "description": f"Build Spark pipelines for team {n}.",
                }
            )
            + "\n"
            for n in range(start, start + count)
        ),
        encoding="utf-8",
    )
    return path


def _cli(*args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "JOBSEARCH_FAULT"}
    if fault:
        env["JOBSEARCH_FAULT"] = fault
    return subprocess.run(
        [*CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _count(path: Path) -> int:
    with JobIndex.open(path) as index:
        return len(index)


# -- a crash at every named step --------------------------------------------------------


@pytest.mark.parametrize("step", [s for s in FAULT_STEPS if s.startswith("add:")])
def test_a_crash_while_adding_keeps_old_or_new(
    sample_copy: Path, tmp_path: Path, step: str
) -> None:
    extra = _rows(tmp_path, "extra.jsonl", 30)
    killed = _cli("index", str(extra), "--index", str(sample_copy), fault=step)
    assert killed.returncode == -signal.SIGKILL
    assert _count(sample_copy) in (10, 40)
    again = _cli("index", str(extra), "--index", str(sample_copy))  # no --rebuild needed
    assert again.returncode == 0, again.stderr
    assert _count(sample_copy) == 40


@pytest.mark.parametrize("step", [s for s in FAULT_STEPS if s.startswith("rebuild:")])
def test_a_crash_while_rebuilding_keeps_old_or_new(
    sample_copy: Path, tmp_path: Path, step: str
) -> None:
    extra = _rows(tmp_path, "extra.jsonl", 30)
    killed = _cli("index", str(extra), "--index", str(sample_copy), "--rebuild", fault=step)
    assert killed.returncode == -signal.SIGKILL
    assert _count(sample_copy) in (10, 30)
    again = _cli("index", str(extra), "--index", str(sample_copy), "--rebuild")
    assert again.returncode == 0, again.stderr
    assert _count(sample_copy) == 30
    builds = [p for p in sample_copy.iterdir() if p.name.startswith(layout.GEN_PREFIX)]
    assert len(builds) <= 2  # the current build and the one before it


def test_a_crash_while_deleting_keeps_old_or_new(sample_copy: Path) -> None:
    with JobIndex.open(sample_copy) as index:
        victim = index.search("robotics").hits[0].posting.id
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); from search import JobIndex; "
        f"JobIndex.open({str(sample_copy)!r}).delete([{victim!r}])"
    )
    env = {**os.environ, "JOBSEARCH_FAULT": "delete:marked"}
    proc = subprocess.run([sys.executable, "-c", script], env=env, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert _count(sample_copy) in (9, 10)
    with JobIndex.open(sample_copy) as index:
        assert index.delete([victim]) in (0, 1)
        assert len(index) == 9


# -- rebuilds never lose a good index ---------------------------------------------------


@pytest.mark.parametrize(
    "content", ["", "not json at all\n", '{"id": "1", "title": "No description"}\n']
)
def test_a_rebuild_with_no_valid_posting_keeps_the_index(
    sample_copy: Path, tmp_path: Path, content: str
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="kept"):
        JobIndex.rebuild(sample_copy, load_postings(bad, on_reject=lambda r: None))
    assert _count(sample_copy) == 10
    result = _cli("index", str(bad), "--index", str(sample_copy), "--rebuild")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert _count(sample_copy) == 10


def test_two_rebuilds_at_once_on_an_empty_directory(tmp_path: Path) -> None:
    target = tmp_path / "fresh"
    extra = _rows(tmp_path, "extra.jsonl", 400)
    results: list[subprocess.CompletedProcess[str]] = []

    def rebuild() -> None:
        results.append(_cli("index", str(extra), "--index", str(target), "--rebuild"))

    threads = [threading.Thread(target=rebuild) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all("Traceback" not in r.stderr for r in results)
    assert any(r.returncode == 0 for r in results)
    for r in results:
        assert r.returncode == 0 or "locked" in r.stderr
    assert _count(target) == 400


def test_readers_never_see_a_missing_index_during_rebuilds(sample_copy: Path) -> None:
    failures: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                with JobIndex.open(sample_copy) as index:
                    index.search("scientist")
            except Exception as exc:  # any failure is the bug this test looks for
                failures.append(repr(exc))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(5):
            JobIndex.rebuild(sample_copy, load_postings(DATA))
    finally:
        done.set()
        reader.join()
    assert failures == []


def test_a_second_writer_is_locked_out_even_before_an_index_exists(tmp_path: Path) -> None:
    target = tmp_path / "new"
    with layout.locked(target), pytest.raises(IndexLockedError):
        JobIndex.rebuild(target, load_postings(DATA))


# -- only the index's own files ---------------------------------------------------------


def test_user_files_in_the_index_directory_are_left_alone(
    sample_copy: Path, tmp_path: Path
) -> None:
    mine = {
        "notes.txt": "mine",
        "MAIN_readme": "mine",
        "forward.pickle.bak": "mine",
        "gen-mine": None,  # a folder named like a build, without the build's mark
    }
    for name, text in mine.items():
        if text is None:
            (sample_copy / name).mkdir()
            (sample_copy / name / "keep.txt").write_text("mine")
        else:
            (sample_copy / name).write_text(text)
    JobIndex.rebuild(sample_copy, load_postings(DATA))
    JobIndex.open(sample_copy).add(load_postings(_rows(tmp_path, "x.jsonl", 3)))
    JobIndex.rebuild(sample_copy, load_postings(DATA))
    for name, text in mine.items():
        if text is None:
            assert (sample_copy / name / "keep.txt").read_text() == "mine"
        else:
            assert (sample_copy / name).read_text() == text


def test_a_planted_link_is_never_followed(sample_copy: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / layout.GEN_MARK).write_text("")
    (victim / "precious.txt").write_text("keep me")
    (sample_copy / f"{layout.GEN_PREFIX}20000101000000-planted").symlink_to(victim)
    for _ in range(3):
        JobIndex.rebuild(sample_copy, load_postings(DATA))
    assert (victim / "precious.txt").read_text() == "keep me"


def test_a_lock_file_that_is_a_link_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "ix"
    target.mkdir()
    (target / layout.LOCK_FILE).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(InputError, match="symbolic link"):
        JobIndex.create(target)
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize("where", ["/dev/null", "/proc"])
def test_an_unusable_index_path_is_one_clear_line(where: str) -> None:
    result = _cli("search", "python", "--index", where)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.strip()


# -- an index cannot run code -----------------------------------------------------------


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch /tmp/jobsearch-pwned",))


def test_the_unpickler_refuses_code_and_reads_data() -> None:
    assert safeload.loads(pickle.dumps(([1, 2], {"a": b"x"}, (None, 1.5)))) == (
        [1, 2],
        {"a": b"x"},
        (None, 1.5),
    )
    with pytest.raises(UnsafeIndexError, match="contains code"):
        safeload.loads(pickle.dumps(_Boom()))


def test_a_crafted_table_of_contents_runs_nothing(sample_copy: Path, tmp_path: Path) -> None:
    marker = Path("/tmp/jobsearch-pwned")
    marker.unlink(missing_ok=True)
    folder = layout.current(sample_copy, SCHEMA_VERSION)
    storage = FileStorage(str(folder))
    generation = TOC._latest_generation(storage, "MAIN") + 1
    TOC(shared_schema(), [_Boom()], generation).write(storage, "MAIN")  # a poisoned one
    with pytest.raises(UnsafeIndexError, match="contains code"):
        JobIndex.open(sample_copy).search("python")
    result = _cli("search", "python", "--index", str(sample_copy))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not marker.exists()


def test_a_crafted_side_table_runs_nothing(sample_copy: Path) -> None:
    marker = Path("/tmp/jobsearch-pwned")
    marker.unlink(missing_ok=True)
    folder = layout.current(sample_copy, SCHEMA_VERSION)
    index = next((folder / "side").glob("*/tables.json"))
    meta = json.loads(index.read_text())
    meta["arrays"]["title.terms"]["dtype"] = "O"  # an array of Python objects
    index.write_text(json.dumps(meta))
    (index.parent / "tables.bin").write_bytes(pickle.dumps(_Boom()))
    result = _cli("search", "python", "--index", str(sample_copy))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not marker.exists()


def test_a_refused_first_index_leaves_the_other_writers_new_folder(tmp_path: Path) -> None:
    """Two first indexes into one new folder: the one refused as "locked" used to remove
    the folder it thought it had made, under the writer still building there."""
    from search.cli.indexing import _nothing_left

    target = tmp_path / "fresh" / "ix"
    made = tmp_path / "fresh"
    with JobIndex.write_lock(target):  # the other writer, still at work
        assert _nothing_left(made, target) is False
        assert (target / "jobsearch.lock").exists()
    # With no writer left and no posting in it, the folder a failed run made goes.
    assert _nothing_left(made, target) is True
    assert not made.exists()
