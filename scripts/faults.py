"""The crafted-file campaign: every file of an index replaced, and what each command does.

Each case takes a fresh copy of a small index (the postings of ``data/`` and one saved
search), replaces one of its files (or folders) by a link to a copy of it outside the
index, a FIFO, a truncated copy, random bytes of the same size, an empty file, or
content with absurd counts, then runs one command (search, show, stats, similar,
facets, add; watch list and new for the saved searches) in a subprocess with a
10-second limit. The outcome of a case is one of:

- ``refused``: exit code 1 and one line on stderr (the clean error)
- ``answered``: exit code 0 (the command did not need the file, or the damage does not
  change what it reads)
- ``HANG``, ``TRACEBACK``, ``NOISY`` (more than one line of error), ``READ OUTSIDE``
  (a file outside the index was read through a link: its access time moved),
  ``WROTE THROUGH`` (a file outside the index changed): failures.

Run ``python scripts/faults.py`` (``--jobs N`` runs N cases at once); it prints one row
per case and the counts, and exits 1 when any case failed. ``tests/test_untrusted_index.py``
runs the same cases in-process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
TIMEOUT_S = 10
FAILURES = ("HANG", "TRACEBACK", "NOISY", "READ OUTSIDE", "WROTE THROUGH")
WATCH = "engineers"


def _gen(index: Path) -> Path:
    return index / json.loads((index / "jobsearch.json").read_text())["generation"]


def _one(folder: Path, pattern: str) -> Path:
    return sorted(folder.glob(pattern))[-1]


#: File kind -> where that file is in an index.
KINDS: dict[str, Callable[[Path], Path]] = {
    "jobsearch.json": lambda ix: ix / "jobsearch.json",
    "toc": lambda ix: _one(_gen(ix), "_MAIN_*.toc"),
    "terms .trm": lambda ix: _one(_gen(ix), "MAIN_*.trm"),
    "postings .pst": lambda ix: _one(_gen(ix), "MAIN_*.pst"),
    "stored .col": lambda ix: _one(_gen(ix), "MAIN_*._stored.col"),
    "lengths .col": lambda ix: _one(_gen(ix), "MAIN_*._title_len.col"),
    "tables.json": lambda ix: _one(_gen(ix) / "side", "*/tables.json"),
    "tables.bin": lambda ix: _one(_gen(ix) / "side", "*/tables.bin"),
    "side/": lambda ix: _gen(ix) / "side",
    "side/<segment>/": lambda ix: _one(_gen(ix) / "side", "*"),
    "watches.json": lambda ix: ix / "watches.json",
}
PLAIN_FAULTS = ("link", "fifo", "truncated", "random", "empty")


def _tables(delta: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        meta = json.loads(path.read_text())
        delta(meta)
        path.write_text(json.dumps(meta))

    return apply


def _set(key: str, value: object) -> Callable[[dict], None]:
    return lambda meta: meta.__setitem__(key, value)


def _array(name: str, key: str, value: object) -> Callable[[dict], None]:
    return lambda meta: meta["arrays"][name].__setitem__(key, value)


def _sparse(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.truncate(5 << 30)  # 5 GB, sparse: no disk used


def _toc(change: Callable[[object], None]) -> Callable[[Path], None]:
    """A new table of contents whose first segment is changed by ``change``."""

    def apply(path: Path) -> None:
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import TOC

        from search.store import safeload  # noqa: F401  (installs the safe unpickler)
        from search.store.schema import shared_schema

        storage = FileStorage(str(path.parent))
        toc = TOC.read(storage, "MAIN", schema=shared_schema())
        change(toc.segments[0])
        TOC(shared_schema(), toc.segments, toc.generation + 1).write(storage, "MAIN")
        path.unlink()

    return apply


def _attr(name: str, value: object) -> Callable[[object], None]:
    return lambda segment: setattr(segment, name, value)


#: (file kind, fault) -> how to make it, for faults that only some files have.
SPECIAL: dict[tuple[str, str], Callable[[Path], None]] = {
    ("tables.json", "docs 10**12"): _tables(_set("docs", 10**12)),
    ("tables.json", "docs -5"): _tables(_set("docs", -5)),
    ("tables.json", "docs 'x'"): _tables(_set("docs", "x")),
    ("tables.json", "shape 2**62"): _tables(_array("title.docs", "shape", [2**62])),
    ("tables.json", "offset -64"): _tables(_array("ids", "offset", -64)),
    ("tables.json", "no fields"): _tables(lambda meta: meta.pop("fields")),
    ("tables.json", "ptr past docs"): _tables(_array("title.ptr", "offset", 0)),
    ("tables.json", "sparse 5 GB"): _sparse,
    ("toc", "segment '../..'"): _toc(_attr("segid", "../../../outside")),
    ("toc", "segment docs 10**12"): _toc(_attr("_doccount", 10**12)),
    ("toc", "deleted -1"): _toc(_attr("_deleted", {-1})),
    ("toc", "compound"): _toc(_attr("compound", True)),
    ("jobsearch.json", "generation '..'"): lambda p: p.write_text(
        json.dumps({**json.loads(p.read_text()), "generation": ".."})
    ),
    ("watches.json", "sparse 5 GB"): _sparse,
}

COMMANDS: dict[str, list[str]] = {
    "search": ["search", "engineer"],
    "show": ["show", "{id}"],
    "similar": ["similar", "{id}"],
    "stats": ["stats"],
    "facets": ["facets"],
    "add": ["index", "{extra}"],
    "watch list": ["watch", "list"],
    "new": ["new"],
}
#: The commands each kind of file is tried with.
READERS = ("search", "show", "stats", "add")
WATCH_READERS = ("watch list", "new", "search")


@dataclass(frozen=True)
class Case:
    kind: str
    fault: str
    command: str

    @property
    def name(self) -> str:
        return f"{self.kind} | {self.fault} | {self.command}"


def cases() -> list[Case]:
    out = []
    for kind in KINDS:
        faults = [f for f in PLAIN_FAULTS if not kind.endswith("/") or f == "link"]
        faults += [fault for k, fault in SPECIAL if k == kind]
        commands = WATCH_READERS if kind == "watches.json" else READERS
        if kind.endswith("/"):
            commands = (*READERS, "similar", "facets")
        out += [Case(kind, fault, command) for fault in faults for command in commands]
    return out


def base_index(where: Path) -> tuple[Path, str]:
    """A small index with one saved search, and the id of one of its postings."""
    index = where / "index"
    run(["index", str(DATA), "--index", str(index)], timeout=300)
    run(["watch", "add", WATCH, "engineer", "--index", str(index)], timeout=300)
    found = run(["search", "engineer", "--format", "json", "--index", str(index)], timeout=300)
    hit = json.loads(found.stdout)
    return index, hit["hits"][0]["id"]


def run(args: list[str], timeout: float = TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    """The command in a subprocess; setting up (``timeout`` given) must succeed."""
    return subprocess.run(
        [sys.executable, "-m", "search", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=timeout != TIMEOUT_S,
    )


def _fingerprint(path: Path) -> str:
    """A digest of everything under ``path`` (names, sizes and content)."""
    digest = hashlib.sha256()
    items = sorted(path.rglob("*")) if path.is_dir() else [path]
    for item in items:
        digest.update(str(item.relative_to(path.parent)).encode())
        if item.is_file():
            digest.update(item.read_bytes())
    return digest.hexdigest()


@dataclass
class Planted:
    """A case made ready: the index to use, and what lies outside it."""

    index: Path
    outside: Path | None = None
    fingerprint: str = ""

    def read_outside(self) -> bool:
        if self.outside is None:
            return False
        items = self.outside.rglob("*") if self.outside.is_dir() else [self.outside]
        return any(p.stat().st_atime > 1 for p in items if p.is_file())

    def wrote_outside(self) -> bool:
        return self.outside is not None and _fingerprint(self.outside) != self.fingerprint


def plant(case: Case, base: Path, work: Path) -> Planted:
    """Copy the base index into ``work`` and apply the case's fault."""
    index = work / "index"
    shutil.copytree(base, index, symlinks=True)
    target = KINDS[case.kind](index)
    planted = Planted(index)
    if (case.kind, case.fault) in SPECIAL:
        SPECIAL[(case.kind, case.fault)](target)
    elif case.fault == "link":
        outside = work / "outside" / target.name
        outside.parent.mkdir()
        shutil.move(target, outside)
        target.symlink_to(outside, target_is_directory=outside.is_dir())
        planted.outside, planted.fingerprint = outside, _fingerprint(outside)
        for item in [outside, *outside.rglob("*")] if outside.is_dir() else [outside]:
            if item.is_file():  # a read through the link moves the access time from 0
                os.utime(item, (0, item.stat().st_mtime))
    elif case.fault == "fifo":
        target.unlink()
        os.mkfifo(target)
    else:
        data = target.read_bytes()
        if case.fault == "truncated":
            data = data[: len(data) // 2]
        elif case.fault == "random":
            data = random.Random(f"{case.kind}").randbytes(len(data))
        elif case.fault == "empty":
            data = b""
        target.write_bytes(data)
    return planted


def argv(case: Case, planted: Planted, posting_id: str, extra: Path) -> list[str]:
    args = [a.format(id=posting_id, extra=extra) for a in COMMANDS[case.command]]
    return [*args, "--index", str(planted.index)]


def outcome(planted: Planted, code: int | None, stderr: str) -> str:
    """What a case came to (see the module's docstring)."""
    if code is None:
        return "HANG"
    if "Traceback" in stderr:
        return "TRACEBACK"
    if planted.read_outside():
        return "READ OUTSIDE"
    if planted.wrote_outside():
        return "WROTE THROUGH"
    if code == 0:
        return "answered"
    lines = [line for line in stderr.splitlines() if line.strip()]
    return "refused" if code == 1 and len(lines) == 1 else "NOISY"


def extra_file(where: Path) -> Path:
    path = where / "extra.jsonl"
    row = {"id": "extra-1", "title": "Data Engineer", "description": "Spark pipelines."}
    path.write_text(json.dumps(row) + "\n")
    return path


def run_case(case: Case, base: Path, posting_id: str, extra: Path) -> tuple[str, str]:
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        planted = plant(case, base, Path(tmp))
        try:
            done = run(argv(case, planted, posting_id, extra))
            code, stderr = done.returncode, done.stderr
        except subprocess.TimeoutExpired:
            code, stderr = None, ""
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        return outcome(planted, code, stderr), last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="cases run at once")
    options = parser.parse_args()
    all_cases = cases()
    with tempfile.TemporaryDirectory(prefix="faults-base-") as tmp:
        base, posting_id = base_index(Path(tmp))
        extra = extra_file(Path(tmp))
        with ThreadPoolExecutor(options.jobs) as pool:
            results = list(pool.map(lambda c: run_case(c, base, posting_id, extra), all_cases))
    width = max(len(c.name) for c in all_cases)
    for case, (result, line) in zip(all_cases, results, strict=True):
        print(f"{case.name:<{width}}  {result:<13}  {line[:110]}")
    counts = Counter(result for result, _ in results)
    print(f"\n{len(all_cases)} cases: " + ", ".join(f"{n} {k}" for k, n in counts.most_common()))
    return 1 if any(counts[f] for f in FAILURES) else 0


if __name__ == "__main__":
    sys.exit(main())
