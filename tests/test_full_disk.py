"""A full disk, for real: every writing command on an index in a small tmpfs that is
full ends in one line and exit 1, with the old state intact and nothing left behind,
and the same command succeeds once there is room (issue 16).

The cases are those of ``scripts/faults_disk.py`` (``python scripts/faults.py
--full-disk`` runs them in subprocesses). Mounting needs root (or CAP_SYS_ADMIN):
without it these tests are skipped, saying so. Output to a full disk is ``/dev/full``,
which needs nothing. The commands run through click's CliRunner, except output to
``/dev/full``, which needs a real stdout (a child forked from this process, see
``scripts/faults_kill.py``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts import faults_disk, faults_kill
from search import JobIndex, load_postings
from search.cli import main
from tests.conftest import ROOT


@pytest.fixture()
def disk(tmp_path: Path) -> Iterator[Path]:
    """An empty 8 MB tmpfs, unmounted afterwards."""
    with faults_disk.mounted(tmp_path / "disk") as why_not:
        if why_not is not None:
            pytest.skip(why_not)
        yield tmp_path / "disk"


def _in_process(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stderr


@pytest.mark.parametrize("command", faults_disk.COMMANDS)
def test_every_writing_command_survives_a_full_disk(
    disk: Path, tmp_path: Path, command: str
) -> None:
    rows = faults_disk.many_rows(tmp_path)
    assert faults_disk.run_case(command, disk, rows, _in_process) == []


def test_the_case_sees_a_change_left_by_a_failure(disk: Path) -> None:
    """The check itself: a file left beside the index counts."""
    index, _ = faults_disk.make_index(disk)
    before = faults_disk.state(index)
    (index / "gen-left").mkdir()
    assert faults_disk.state(index) != before
    shutil.rmtree(index / "gen-left")


FORMATS = ("table", "json", "jsonl", "csv")
OUTPUT_COMMANDS = {
    "search": ["search", "engineer"],
    "show": ["show", "{id}"],
    "stats": ["stats"],
    "watch list": ["watch", "list"],
    "new": ["new"],
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", OUTPUT_COMMANDS)
def test_output_to_a_full_disk_is_one_line_and_exit_1(
    sample_copy: Path, tmp_path: Path, command: str, fmt: str
) -> None:
    with JobIndex.open(sample_copy) as index:
        index.watches.add("all")
        posting_id = index.search("", limit=1).hits[0].posting.id
    index_dir = sample_copy
    with JobIndex.open(index_dir) as index:
        index.add(load_postings(ROOT / "tests" / "data" / "jobseeker_rows.jsonl"))
        pending = index.watches.new(mark=False)
    assert pending["all"]
    args = [a.format(id=posting_id) for a in OUTPUT_COMMANDS[command]]
    args += ["--format", fmt, "--index", str(index_dir)]
    running = faults_kill.Running.forked(args, tmp_path, stdout="/dev/full")
    code, _, stderr = running.finish()
    assert code == 1, stderr
    assert stderr.strip() == "error: no space left on device while writing the output"
    with JobIndex.open(index_dir) as index:
        assert index.watches.new(mark=False) == pending  # `new` marked nothing
