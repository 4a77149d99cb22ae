"""SIGKILL (or Ctrl-C) at random moments in every writing command, and what must hold.

A trial copies a small index that has saved searches with postings pending, runs one
writing command on the copy in a subprocess (the real ``jobsearch``), and kills it at a
random moment: after a random delay, or for ``new`` after a random number of bytes of
its listing were read (the reader then stops, so the kill lands while ``new`` is
writing). Afterwards:

- the index opens and holds the old state or the new one (``add``: between them, as it
  commits each segment; ``rebuild``: one or the other; ``delete``: with or without the
  posting); the saved searches read back, with or without the change;
- ``new`` lost nothing: every posting pending before is still pending, or was read in
  full (a complete line of its listing) before the kill;
- the next writing command succeeds and leaves nothing of the killed one: no folder
  marked as being built, no half-written pointer or saved-search file, no segment file
  that no table of contents names.

``python scripts/faults.py --kills N`` runs N trials per command and prints the counts;
``tests/test_kills.py`` runs them too.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from search import JobIndex, load_postings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
#: Postings indexed after the saved searches were made: pending for ``new``.
LATER = ROOT / "tests" / "data" / "location_rows.jsonl"
WATCHES = {"all": "", "engineers": "engineer"}
EXTRA_ID = "extra-1"

#: command -> its arguments ({extra}: a file of one more posting, {id}: a posting's id).
WRITING: dict[str, list[str]] = {
    "add": ["index", "{extra}"],
    "rebuild": ["index", "--rebuild", str(DATA), "{extra}"],
    "delete": ["delete", "{id}"],
    "watch add": ["watch", "add", "later", "data engineer"],
    "watch remove": ["watch", "remove", "engineers"],
    "new": ["new", "--format", "jsonl"],
}
LOCK_FILES = ("/jobsearch.lock", "/watches.lock")
_SEGMENT = re.compile(r"^MAIN_([0-9a-z]+)\.")


def cli(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "JOBSEARCH_FAULT"}
    return subprocess.run(
        [sys.executable, "-m", "search", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kw,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Base:
    """The index every trial copies, and what the commands need."""

    index: Path
    #: A posting the delete removes.
    posting_id: str
    #: A file of one more posting (``EXTRA_ID``).
    extra: Path
    #: The ids a rebuild from ``data/`` and ``extra`` holds.
    rebuilt: frozenset[str]


def base_index(where: Path) -> Base:
    """An index of ``data/`` with two saved searches and ``LATER`` indexed after them."""
    index = where / "index"
    steps = [["index", str(DATA)]]
    steps += [["watch", "add", name, *([text] if text else [])] for name, text in WATCHES.items()]
    steps += [["index", str(LATER)]]
    for step in steps:
        done = cli([*step, "--index", str(index)])
        if done.returncode != 0:
            raise RuntimeError(f"setting up failed: {step}: {done.stderr}")
    with JobIndex.open(index) as opened:
        posting_id = opened.search("", limit=1).hits[0].posting.id
    extra = where / "extra.jsonl"
    row = {"id": EXTRA_ID, "title": "Data Engineer", "description": "Spark pipelines."}
    extra.write_text(json.dumps(row) + "\n", encoding="utf-8")
    rebuilt = frozenset(p.id for p in load_postings(DATA)) | {EXTRA_ID}
    return Base(index, posting_id, extra, rebuilt)


@dataclass(frozen=True)
class State:
    """What a check compares: posting ids, saved-search names, and what is new to each."""

    ids: frozenset[str]
    watches: frozenset[str]
    pending: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, index: Path) -> State:
        with JobIndex.open(index) as opened:
            ids = frozenset(h.posting.id for h in opened.search_all(""))
            watches = frozenset(w.name for w in opened.watches.list())
            found = opened.watches.new(mark=False)
        pending = frozenset((name, h.posting.id) for name, hits in found.items() for h in hits)
        return cls(ids, watches, pending)


@dataclass
class Trial:
    command: str
    signal: int
    #: What went wrong (empty: the trial held).
    problems: list[str] = field(default_factory=list)
    #: Whether the signal ended the command (rather than it ending first).
    killed: bool = False


class Running:
    """A command started with its stdout on a pipe: ``Popen``, or a forked copy of this
    process (``forked``), which skips the second of imports a fresh Python spends."""

    def __init__(self, pid: int, stdout: int, stderr: Path) -> None:
        self.pid, self.stdout, self.stderr = pid, stdout, stderr
        self.status: int | None = None

    @classmethod
    def spawned(cls, args: list[str], work: Path) -> Running:
        env = {k: v for k, v in os.environ.items() if k != "JOBSEARCH_FAULT"}
        err = work / "stderr"
        with err.open("wb") as sink:
            proc = subprocess.Popen(
                [sys.executable, "-m", "search", *args],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=sink,
            )
        assert proc.stdout is not None
        fd = os.dup(proc.stdout.fileno())
        proc.stdout.close()
        proc.returncode = 0  # reaped by ``wait`` below, not by Popen
        return cls(proc.pid, fd, err)

    @classmethod
    def forked(cls, args: list[str], work: Path, stdout: str | None = None) -> Running:
        """The CLI in a child forked from this process (which has imported it); its
        stdout is a pipe, or the file ``stdout`` names (``/dev/full``)."""
        from search.cli.commands import main

        read, write = os.pipe()
        if stdout is not None:
            os.close(write)
            write = os.open(stdout, os.O_WRONLY | os.O_CREAT, 0o644)
        err = work / "stderr"
        err_fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller
            code = 70
            try:
                os.close(read)
                os.dup2(write, 1)
                os.dup2(err_fd, 2)
                sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
                signal.signal(signal.SIGINT, signal.default_int_handler)
                try:
                    main(args, prog_name="jobsearch")
                    code = 0
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else 1
                sys.stdout.flush()
            finally:
                os._exit(code)
        os.close(write)
        os.close(err_fd)
        return cls(pid, read, err)

    def wait_for_lock(self) -> float:
        """Wait until the command holds a lock file open (the index's or the saved
        searches': its work has begun, the imports are behind it) or has ended; when."""
        fds = Path(f"/proc/{self.pid}/fd")
        while True:
            with contextlib.suppress(OSError):
                for fd in fds.iterdir():
                    with contextlib.suppress(OSError):
                        if os.readlink(fd).endswith(LOCK_FILES):
                            return time.monotonic()
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return time.monotonic()
            time.sleep(0.002)

    def read(self, limit: int) -> bytes:
        """Up to ``limit`` bytes of stdout (fewer when it ends first)."""
        got = b""
        while len(got) < limit:
            chunk = os.read(self.stdout, min(65536, limit - len(got)))
            if not chunk:
                break
            got += chunk
        return got

    def finish(self) -> tuple[int, bytes, str]:
        """(status, the rest of stdout, stderr) once it has ended."""
        rest = self.read(1 << 30)
        os.close(self.stdout)
        status = self.status if self.status is not None else os.waitpid(self.pid, 0)[1]
        return os.waitstatus_to_exitcode(status), rest, self.stderr.read_text(errors="replace")


def timings(base: Base, work: Path, *, fork: bool = False) -> dict[str, float]:
    """How long each command works on a copy of ``base``, from taking its lock to its end
    (seconds; for ``new``, the size of its listing in bytes): the range the kills are
    drawn from."""
    start = Running.forked if fork else Running.spawned
    out = {}
    for command in WRITING:
        where = work / command.replace(" ", "-")
        where.mkdir()
        index = where / "index"
        shutil.copytree(base.index, index, symlinks=True)
        args = [a.format(extra=base.extra, id=base.posting_id) for a in WRITING[command]]
        running = start([*args, "--index", str(index)], where)
        working = running.wait_for_lock()
        code, listing, err = running.finish()
        if code != 0:
            raise RuntimeError(f"{command} failed: {err}")
        out[command] = len(listing) if command == "new" else time.monotonic() - working
    return out


def run_trial(
    command: str,
    base: Base,
    work: Path,
    rng: random.Random,
    sig: int = signal.SIGKILL,
    *,
    within: float,
    fork: bool = False,
) -> Trial:
    """One trial of ``command`` on a copy of ``base`` in ``work`` (see the docstring):
    ``sig`` at a random moment up to ``within`` seconds after it takes its lock (for
    ``new``: after up to 1.2 × ``within`` bytes of its listing, so some land after it
    is written; see ``timings``)."""
    index = work / "index"
    shutil.copytree(base.index, index, symlinks=True)
    before = State.of(index)
    args = [a.format(extra=base.extra, id=base.posting_id) for a in WRITING[command]]
    args += ["--index", str(index)]
    running = (Running.forked if fork else Running.spawned)(args, work)
    if command == "new":
        got = running.read(rng.randrange(int(within * 1.2) + 1))
    else:
        running.wait_for_lock()
        time.sleep(rng.uniform(0, within))
        got = b""
    with contextlib.suppress(ProcessLookupError):
        os.kill(running.pid, sig)
    code, rest, err = running.finish()
    got += rest
    trial = Trial(command, sig, killed=code != 0)
    if "Traceback" in err:
        trial.problems.append("a traceback: " + err.strip().splitlines()[-1])
    try:
        after = State.of(index)
    except Exception as exc:  # any failure to open is the finding
        trial.problems.append(f"the index cannot be opened: {exc}")
        return trial
    trial.problems += _held(command, before, after, got, base)
    trial.problems += _next_writer_cleans(index, base.extra)
    return trial


def _received(got: bytes) -> set[tuple[str, str]]:
    """(watch, id) of every complete JSON line read before the kill."""
    done = set()
    for line in got.split(b"\n")[:-1]:
        record = json.loads(line)
        done.add((record["watch"], record["id"]))
    return done


def _held(command: str, before: State, after: State, got: bytes, base: Base) -> list[str]:
    problems = []
    if command == "new":
        lost = before.pending - after.pending - _received(got)
        if lost:
            problems.append(f"{len(lost)} listings lost (neither printed nor still new)")
    elif command == "add" and after.ids not in (before.ids, before.ids | {EXTRA_ID}):
        problems.append("the add left neither the old nor the new postings")
    elif command == "rebuild" and after.ids not in (before.ids, base.rebuilt):
        problems.append("the rebuild left neither the old index nor the new one")
    elif command == "delete" and after.ids not in (before.ids, before.ids - {base.posting_id}):
        problems.append("the delete left neither the old nor the new postings")
    elif command.startswith("watch") and after.watches not in (
        before.watches,
        before.watches | {"later"},
        before.watches - {"engineers"},
    ):
        problems.append("the saved searches are neither the old nor the new ones")
    return problems


def leftovers(index: Path) -> list[str]:
    """What a killed or failed writer left that the index does not use."""
    found = []
    meta = json.loads((index / "jobsearch.json").read_text())
    for path in index.rglob("*"):
        name = path.name
        half_written = name.startswith((".jobsearch.json.", ".watches.json."))
        empty_build = path.is_dir() and name.startswith("gen-") and not any(path.iterdir())
        if name == "jobsearch-building" or half_written or empty_build:
            found.append(str(path.relative_to(index)))
    current = index / meta["generation"]
    live = {s.segment_id() for s in _segments(current)}
    for path in current.iterdir():
        seg = _SEGMENT.match(path.name)
        stray = ".tmp" in path.name or ".toc." in path.name
        if stray or (seg and f"MAIN_{seg.group(1)}" not in live):
            found.append(str(path.relative_to(index)))
    side = current / "side"
    if side.is_dir():
        found += [str(p.relative_to(index)) for p in side.iterdir() if p.name not in live]
    return found


def _segments(folder: Path) -> list[object]:
    from search.store.reading import read_toc

    return list(read_toc(folder).segments)


def _next_writer_cleans(index: Path, extra: Path) -> list[str]:
    """The next add and check of the saved searches (through the library, which writes
    as the CLI does) succeed and leave nothing of what came before."""
    try:
        with JobIndex.open(index) as opened:
            opened.add(load_postings(extra))
            opened.watches.new(mark=False)  # what the saved searches' next user does
    except Exception as exc:  # the finding
        return [f"the next add failed: {exc}"]
    left = leftovers(index)
    return [f"left over after the next add: {', '.join(left)}"] if left else []
