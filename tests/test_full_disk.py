"""A full disk, for real: every writing command on an index in a small tmpfs that is
full ends in one line and exit 1, with the old state intact and nothing left behind,
and the same command succeeds once there is room (issue 16).

Mounting needs root (or CAP_SYS_ADMIN): without it these tests are skipped, saying so.
Output to a full disk is ``/dev/full``, which needs nothing. The commands run through
click's CliRunner, except output to ``/dev/full``, which needs a real stdout (a child
forked from this process, see ``scripts/faults_kill.py``).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scripts import faults_kill
from search import JobIndex, load_postings
from search.cli import main
from tests.conftest import DATA, ROOT

DISK_BYTES = 8 << 20
LOCKS = {"jobsearch.lock", "watches.lock"}


@pytest.fixture()
def disk(tmp_path: Path) -> Iterator[Path]:
    """An empty 8 MB tmpfs, unmounted afterwards."""
    where = tmp_path / "disk"
    where.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a small full file system needs root to mount a tmpfs")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; the filler file, to delete for room."""
    filler = disk / f"filler-{uuid.uuid4().hex}"
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def _state(index: Path) -> dict[str, str]:
    """Every file and folder under ``index`` (lock files aside) with a digest of it."""
    out = {}
    for path in sorted(index.rglob("*")):
        if path.name in LOCKS:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        out[str(path.relative_to(index))] = digest
    return out


def _index(disk: Path) -> tuple[Path, str]:
    """An index of ``data/`` with one saved search, postings indexed after it, and one
    posting's id."""
    index = disk / "index"
    with JobIndex.create(index) as made:
        made.add(load_postings(DATA))
        made.watches.add("all")
        made.add(load_postings(ROOT / "tests" / "data" / "jobseeker_rows.jsonl"))
        return index, made.search("", limit=1).hits[0].posting.id


def _rows(disk: Path) -> Path:
    """Postings that need more room than a full disk has (kept outside it)."""
    rows = disk.parent / "many.jsonl"
    text = "Build data pipelines in Python and Spark for analytics teams. " * 40
    rows.write_text(
        "".join(
            json.dumps({"id": f"m{n}", "title": f"Engineer {n}", "description": text}) + "\n"
            for n in range(400)
        )
    )
    return rows


COMMANDS: dict[str, list[str]] = {
    "add": ["index", "{rows}"],
    "rebuild": ["index", "--rebuild", "{rows}"],
    "delete": ["delete", "{id}"],
    "watch add": ["watch", "add", "later", "engineer"],
    "watch remove": ["watch", "remove", "all"],
    "new": ["new"],
    "create": ["index", str(DATA), "--index", "{fresh}"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_writing_command_survives_a_full_disk(disk: Path, command: str) -> None:
    index, posting_id = _index(disk)
    fresh = disk / "fresh"
    args = [a.format(rows=_rows(disk), id=posting_id, fresh=fresh) for a in COMMANDS[command]]
    if "--index" not in args:
        args += ["--index", str(index)]
    before = _state(index)
    with JobIndex.open(index) as opened:
        pending = opened.watches.new(mark=False)
    filler = _fill(disk)

    failed = CliRunner().invoke(main, args)
    assert failed.exit_code == 1, failed.output
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "no space left on device while writing" in errors[0]
    assert "Traceback" not in failed.stderr
    assert _state(index) == before  # the old state, and nothing partial beside it
    assert not fresh.exists() or _state(fresh) == {}
    with JobIndex.open(index) as opened:
        assert opened.watches.new(mark=False) == pending  # nothing marked seen

    filler.unlink()
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert faults_kill.leftovers(fresh if command == "create" else index) == []


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
