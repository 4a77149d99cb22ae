"""A full disk, for real: each writing command on an index in a small tmpfs filled to
the last byte, then again once there is room.

What must hold: exit 1 with one line ("error: no space left on device while writing
..."), no traceback, the index exactly as before (every file's bytes; lock files aside),
nothing marked seen by ``new``, and once the filler is deleted the same command
succeeds and leaves nothing over (``faults_kill.leftovers``). Mounting needs root:
``mounted`` says why when it cannot.

``python scripts/faults.py --full-disk`` runs the cases in ``python -m search``
subprocesses; ``tests/test_full_disk.py`` runs them through click's CliRunner.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from scripts import faults_kill
from search import JobIndex, load_postings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
LATER = ROOT / "tests" / "data" / "jobseeker_rows.jsonl"
DISK_BYTES = 8 << 20
LOCKS = {"jobsearch.lock", "watches.lock"}

#: command -> arguments ({rows}: more postings than fit, {id}: a posting, {fresh}: a
#: folder with no index yet).
COMMANDS: dict[str, list[str]] = {
    "add": ["index", "{rows}"],
    "rebuild": ["index", "--rebuild", "{rows}"],
    "delete": ["delete", "{id}"],
    "watch add": ["watch", "add", "later", "engineer"],
    "watch remove": ["watch", "remove", "all"],
    "new": ["new"],
    "create": ["index", str(DATA), "--index", "{fresh}"],
}

#: Runs the CLI with these arguments: (exit code, stderr).
Run = Callable[[list[str]], tuple[int, str]]


@contextlib.contextmanager
def mounted(where: Path) -> Iterator[str | None]:
    """An empty tmpfs of ``DISK_BYTES`` at ``where`` (None), or why there cannot be one."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        yield "a small full file system needs root to mount a tmpfs"
        return
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        yield f"mounting a tmpfs is not permitted here: {done.stderr.strip()}"
        return
    try:
        yield None
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    """Fill ``disk`` to the last byte; returns the filler file (delete it for room)."""
    filler = disk / f"filler-{uuid.uuid4().hex}"
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    return filler


def state(index: Path) -> dict[str, str]:
    """Every file and folder under ``index`` (lock files aside), with a digest of each."""
    out = {}
    for path in sorted(index.rglob("*")):
        if path.name not in LOCKS:
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
            out[str(path.relative_to(index))] = digest
    return out


def make_index(disk: Path) -> tuple[Path, str]:
    """An index of ``data/`` on ``disk`` with a saved search that has postings new to
    it, and one posting's id."""
    index = disk / "index"
    with JobIndex.create(index) as made:
        made.add(load_postings(DATA))
        made.watches.add("all")
        made.add(load_postings(LATER))
        return index, made.search("", limit=1).hits[0].posting.id


def many_rows(where: Path) -> Path:
    """400 postings, more than a full disk has room for (kept off the disk)."""
    rows = where / "many.jsonl"
    text = "Build data pipelines in Python and Spark for analytics teams. " * 40
    rows.write_text(
        "".join(
            json.dumps({"id": f"m{n}", "title": f"Engineer {n}", "description": text}) + "\n"
            for n in range(400)
        )
    )
    return rows


def run_case(command: str, disk: Path, rows: Path, run: Run) -> list[str]:
    """The case of ``command`` on the empty ``disk``; what went wrong (empty: held)."""
    index, posting_id = make_index(disk)
    fresh = disk / "fresh"
    args = [a.format(rows=rows, id=posting_id, fresh=fresh) for a in COMMANDS[command]]
    if "--index" not in args:
        args += ["--index", str(index)]
    before = state(index)
    with JobIndex.open(index) as opened:
        pending = opened.watches.new(mark=False)
    filler = fill(disk)
    problems = []
    code, stderr = run(args)
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    if code != 1 or len(errors) != 1 or "no space left on device while writing" not in errors[0]:
        problems.append(f"full: exit {code}, {stderr.strip()[-200:]!r}")
    if "Traceback" in stderr:
        problems.append("full: a traceback")
    if state(index) != before:
        problems.append("full: the index changed")
    if fresh.exists() and state(fresh):
        problems.append(f"full: left in the new folder: {sorted(state(fresh))}")
    with JobIndex.open(index) as opened:
        if opened.watches.new(mark=False) != pending:
            problems.append("full: postings were marked seen")
    filler.unlink()
    code, stderr = run(args)
    if code != 0:
        problems.append(f"with room: exit {code}, {stderr.strip()[-200:]!r}")
    left = faults_kill.leftovers(fresh if command == "create" else index)
    if left:
        problems.append(f"with room: left over: {left}")
    return problems


def subprocess_run(args: list[str]) -> tuple[int, str]:
    done = faults_kill.cli(args)
    return done.returncode, done.stderr
