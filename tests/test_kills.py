"""SIGKILL and Ctrl-C at random moments in every writing command (issue 16).

The trials are those of ``scripts/faults_kill.py`` (``python scripts/faults.py --kills
N`` runs them in fresh ``python -m search`` processes); here the command runs in a
child forked from the test process, which has imported the CLI already, so a trial
costs a fraction of a second instead of the second of imports. ``new`` is killed while
it writes its listing to a pipe (the test stops reading after a random number of
bytes): before the fix it marked the postings seen first and lost them.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import faults_kill
from search import JobIndex, load_postings
from search.store import layout
from tests.conftest import ROOT, default_sigint

NEW_KILLS = 50
NEW_INTERRUPTS = 12
KILLS_PER_COMMAND = 8


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> faults_kill.Base:
    return faults_kill.base_index(tmp_path_factory.mktemp("kills-base"))


@pytest.fixture(scope="module")
def within(base: faults_kill.Base, tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    return faults_kill.timings(base, tmp_path_factory.mktemp("kills-timing"), fork=True)


def _trials(
    command: str,
    count: int,
    sig: int,
    base: faults_kill.Base,
    within: dict[str, float],
    tmp_path: Path,
) -> list[faults_kill.Trial]:
    rng = random.Random(f"{command}-{sig}")
    out = []
    for n in range(count):
        work = tmp_path / f"{n}"
        work.mkdir()
        out.append(
            faults_kill.run_trial(command, base, work, rng, sig, within=within[command], fork=True)
        )
    return out


def test_new_killed_while_writing_never_loses_a_listing(
    base: faults_kill.Base, within: dict[str, float], tmp_path: Path
) -> None:
    assert within["new"] > 65536  # more than a pipe holds: the kill lands mid-listing
    trials = _trials("new", NEW_KILLS, signal.SIGKILL, base, within, tmp_path)
    assert [t.problems for t in trials if t.problems] == []
    assert sum(t.killed for t in trials) >= NEW_KILLS // 2  # most died mid-listing


def test_new_interrupted_while_writing_never_loses_a_listing(
    base: faults_kill.Base, within: dict[str, float], tmp_path: Path
) -> None:
    trials = _trials("new", NEW_INTERRUPTS, signal.SIGINT, base, within, tmp_path)
    assert [t.problems for t in trials if t.problems] == []  # no traceback either
    assert any(t.killed for t in trials)


@pytest.mark.parametrize("command", [c for c in faults_kill.WRITING if c != "new"])
def test_a_kill_in_any_writing_command_keeps_old_or_new_and_leaves_nothing(
    command: str, base: faults_kill.Base, within: dict[str, float], tmp_path: Path
) -> None:
    trials = _trials(command, KILLS_PER_COMMAND, signal.SIGKILL, base, within, tmp_path)
    assert [t.problems for t in trials if t.problems] == []


def test_the_trials_see_a_lost_listing(base: faults_kill.Base, tmp_path: Path) -> None:
    """The check itself: postings marked seen and never printed count as lost."""
    index = tmp_path / "index"
    shutil.copytree(base.index, index)
    before = faults_kill.State.of(index)
    with JobIndex.open(index) as opened:
        opened.watches.new()  # marked, printed nowhere
    problems = faults_kill._held("new", before, faults_kill.State.of(index), b"", base)
    assert before.pending and problems and "lost" in problems[0]


# -- a killed rebuild's folder ----------------------------------------------------------


def _killed_rebuild(index: Path) -> Path:
    env = {**os.environ, "JOBSEARCH_FAULT": "rebuild:built"}
    rebuild = ["index", "--rebuild", str(ROOT / "data"), "--index", str(index)]
    done = subprocess.run(
        [sys.executable, "-m", "search", *rebuild],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == -signal.SIGKILL
    (left,) = (p.parent for p in index.glob(f"gen-*/{layout.BUILDING_MARK}"))
    return left


def test_a_killed_rebuild_is_cleaned_by_the_next_command_that_reads(sample_copy: Path) -> None:
    left = _killed_rebuild(sample_copy)
    done = subprocess.run(
        [sys.executable, "-m", "search", "stats", "--index", str(sample_copy)],
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0
    assert not left.exists()
    assert faults_kill.leftovers(sample_copy) == []


def test_a_killed_rebuild_is_cleaned_by_the_next_writer(sample_copy: Path, tmp_path: Path) -> None:
    left = _killed_rebuild(sample_copy)
    extra = tmp_path / "extra.jsonl"
    extra.write_text('{"id": "x1", "title": "Data Engineer", "description": "Spark."}\n')
    with JobIndex.open(sample_copy) as index:
        index.add(load_postings(extra))
    assert not left.exists()


def test_a_reader_never_removes_a_build_in_progress(sample_copy: Path) -> None:
    """While a writer holds the lock, a marked folder may be its build: left alone."""
    folder = layout.new_generation(sample_copy)
    with layout.flocked(sample_copy / layout.LOCK_FILE, 1.0, RuntimeError("busy")):
        layout.sweep_if_idle(sample_copy)
        assert folder.exists()
    layout.sweep_if_idle(sample_copy)
    assert not folder.exists()


# -- Ctrl-C before click's handler exists -----------------------------------------------


def test_ctrl_c_while_importing_is_one_line_and_status_130(sample_index_dir: Path) -> None:
    """SIGINT while the command's modules are still being imported (the first moments):
    it printed a KeyboardInterrupt traceback. ``-X importtime`` says when ``click`` is
    imported; the signal is sent then, with rich, Whoosh and numpy still to come."""
    stats = ["stats", "--index", str(sample_index_dir)]
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "search", *stats],
        cwd=ROOT,
        preexec_fn=default_sigint,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.rstrip().rsplit("|", 1)[-1].strip() == "click":
            proc.send_signal(signal.SIGINT)
            break
    rest, more = proc.communicate(timeout=120)
    stderr = "".join(seen) + more
    assert "Traceback" not in stderr
    assert proc.returncode == 130, stderr[-500:]
    assert stderr.rstrip().splitlines()[-1] == "interrupted"
    assert rest == ""
