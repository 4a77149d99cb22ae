"""Where a searching process's memory goes: prints figures, asserts nothing.

    python scripts/memory_profile.py INDEX [QUERIES]     # QUERIES: gen.py --queries JSON

Runs the benchmark's fixed queries (with their city/skill filters, totals and facets, as
``scripts/benchmark.py`` runs them) over INDEX in this process, and prints the resident
memory (anonymous and file-backed apart, from /proc/self/status) after opening, after the
first search and after every query, the largest per-query allocation that Python and
numpy made (tracemalloc), and what the snapshot's ``Index`` holds after the run, array by
array cache. File-backed pages are the memory-mapped index files a search touched: the
kernel drops them under pressure, anonymous pages it cannot.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from collections.abc import Iterable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
QUERIES = Path("/tmp/load-bench/queries.json")


def status() -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon and RssFile of this process, in bytes."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            out[key] = int(value.split()[0]) * 1024
    return out


def mapped_files() -> list[tuple[str, int]]:
    """Resident bytes of each mapped file (from /proc/self/smaps), by file name kind."""
    out: dict[str, int] = {}
    name = ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and ":" not in head[0]:
            name = head[5] if len(head) > 5 else ""
        elif head and head[0] == "Rss:" and name.startswith("/") and "/lib" not in name:
            kind = Path(name).name
            kind = kind.split(".", 1)[1] if kind.startswith("_") else kind
            out[kind] = out.get(kind, 0) + int(head[1]) * 1024
    return sorted(((k, v) for k, v in out.items() if v >= 1 << 20), key=lambda r: -r[1])


def mib(n: float) -> str:
    return f"{n / 1_048_576:8.1f} MiB"


def _nbytes(value: object, seen: set[int]) -> int:
    """Bytes of the numpy arrays that own their data inside ``value`` (views of the
    memory-mapped files count nothing: those pages are file-backed)."""
    if isinstance(value, np.ndarray):
        if id(value) in seen:
            return 0
        seen.add(id(value))
        return value.nbytes if value.base is None else 0
    if isinstance(value, dict):
        return sum(_nbytes(v, seen) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(_nbytes(v, seen) for v in value)
    items = getattr(value, "_items", None)
    if items is not None:
        return _nbytes(dict(items), seen)
    return 0


def held(index: object) -> list[tuple[str, int]]:
    """What the ``Index`` keeps, by attribute, largest first."""
    seen: set[int] = set()
    rows = [(name, _nbytes(value, seen)) for name, value in vars(index).items()]
    return sorted((r for r in rows if r[1]), key=lambda r: -r[1])


def filters(q: dict[str, str]) -> dict[str, list[str]]:
    return {k: [q[k]] for k in ("city", "skill") if k in q}


def run(
    index_dir: Path,
    queries: Iterable[dict[str, str]],
    trace: bool,
    root: Path,
    as_json: bool = False,
) -> None:
    sys.path.insert(0, str(root))
    start = status()
    from search import JobIndex

    imported = status()
    index = JobIndex.open(index_dir)
    opened = status()
    t = time.perf_counter()
    index.search("machine learning engineer")
    first = time.perf_counter() - t
    after_first = status()
    if trace:
        tracemalloc.start()
    worst = (0, "")
    times = []
    for q in queries:
        if trace:
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
        t = time.perf_counter()
        index.search(q["q"], **filters(q))  # type: ignore[arg-type]
        times.append(time.perf_counter() - t)
        if trace:
            peak = tracemalloc.get_traced_memory()[1] - base
            if peak > worst[0]:
                worst = (peak, json.dumps(q))
    end = status()
    if as_json:
        times.sort()
        figures = {"first_s": first, "p50_s": times[len(times) // 2]}
        figures["p95_s"] = times[int(len(times) * 0.95)]
        print(json.dumps({**figures, **end, "opened_rss": opened["VmRSS"]}))
        return
    print(f"{'':32}{'VmRSS':>13}{'RssAnon':>13}{'RssFile':>13}{'VmHWM':>13}")
    for label, s in [
        ("start", start),
        ("imported", imported),
        ("opened", opened),
        (f"first search ({first * 1000:.0f} ms)", after_first),
        (f"after {len(times)} queries", end),
    ]:
        print(f"{label:32}{mib(s['VmRSS'])}{mib(s['RssAnon'])}{mib(s['RssFile'])}{mib(s['VmHWM'])}")
    times.sort()
    if times:
        p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
        print(f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    if trace:
        print(f"largest per-query allocation peak (tracemalloc): {mib(worst[0])} for {worst[1]}")
    print("file-backed resident pages by file:")
    for name, n in mapped_files()[:12]:
        print(f"  {name:30}{mib(n)}")
    view = index._read().index
    rows = held(view)
    print(f"held by the snapshot's Index ({view.size:,} documents): {mib(sum(n for _, n in rows))}")
    for name, n in rows:
        print(f"  {name:30}{mib(n)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("queries", type=Path, nargs="?", default=QUERIES)
    parser.add_argument("--trace", action="store_true", help="per-query peaks (slower)")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the checkout to import search from (a before)"
    )
    parser.add_argument("--json", action="store_true", help="one line of figures, for scripts")
    args = parser.parse_args()
    run(args.index, json.loads(args.queries.read_text()), args.trace, args.root, args.json)


if __name__ == "__main__":
    main()
