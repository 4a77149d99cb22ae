"""Benchmark jobsearch beside a plain SQLite FTS5 baseline, in one run; prints figures.

    python scripts/benchmark.py synthetic --size 100000      # ../shared/bench corpus
    python scripts/benchmark.py corpus                        # the 9,387 real postings

``synthetic`` generates (and caches) ``--size`` postings with ../shared/bench/gen.py,
builds both indexes (FTS5, ours, FTS5 again: the machine is shared, so the baseline is
measured on both sides of ours), then measures in separate processes: the 200 fixed
queries (gen.py --queries) through the library, ours and FTS5's interleaved query by
query, ours with exact totals and facets; the first search after opening the index;
whole ``jobsearch search`` processes; adding and deleting 1,000 postings. Peak memory
is the sum of the resident sizes of a process and its children, sampled every 50 ms.
Asserts nothing: speed targets are read from the figures, not tested.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench"
CORPUS = SHARED / "corpus" / "jobs.jsonl.gz"
WORST = "machine learning engineer"
CLI_QUERIES = [
    ["machine learning engineer"],
    ["python", "--city", "Seattle"],
    ["data scientist", "--skill", "sql"],
]

# -- measuring -----------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every descendant (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        child, parent = int(stat.parent.name), int(fields[1])
        children.setdefault(parent, []).append(child)
        rss[child] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, ()))
    return total


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _time_cli(index: Path, runs: int) -> list[float]:
    """Seconds of whole ``jobsearch search`` processes over ``index``, one per run."""
    times = []
    for i in range(runs):
        argv = [sys.executable, "-m", "search", "search", *CLI_QUERIES[i % len(CLI_QUERIES)]]
        start = time.perf_counter()
        subprocess.run([*argv, "--index", str(index)], check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return times


def run_measured(argv: list[str]) -> tuple[float, int, str]:
    """Run a command; (wall seconds, peak resident bytes of its process tree, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(argv)}")
    return elapsed, peak, out


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def mib(n: float) -> str:
    return f"{n / 1_048_576:,.0f} MiB"


# -- the measured programs (run in child processes) -----------------------------------

SEARCH_PROGRAM = """
import json, resource, sys, time
sys.path.insert(0, {bench!r}); sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from search import JobIndex
from fts5_baseline import Baseline
t1 = time.perf_counter()
index = JobIndex.open({index!r})
first = index.search({worst!r})
t2 = time.perf_counter()
base = Baseline({db!r})
queries = json.load(open({queries!r}))
ours, fts = [], []
def filters(q):
    return {{k: [q[k]] for k in ("city", "skill") if k in q}}
for q in queries:
    s = time.perf_counter(); r = index.search(q["q"], **filters(q))
    ours.append(time.perf_counter() - s)
    s = time.perf_counter(); base.query(q)
    fts.append(time.perf_counter() - s)
worst = []
for _ in range(5):
    s = time.perf_counter(); r = index.search({worst!r}); worst.append(time.perf_counter() - s)
print(json.dumps({{"imports": t1 - t0, "first": t2 - t1, "ours": ours, "fts": fts,
    "worst": worst, "worst_total": r.total, "facets": bool(r.facets),
    "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}}))
"""

UPDATE_PROGRAM = """
import json, sys, time
sys.path.insert(0, {root!r})
from search import JobIndex, load_postings
index = JobIndex.open({index!r})
before = len(index)
s = time.perf_counter(); summary = index.add(load_postings({extra!r}))
added = time.perf_counter() - s
s = time.perf_counter(); seen = index.search("", limit=1).total
search = time.perf_counter() - s
ids = [json.loads(line)["id"] for line in open({extra!r})]
s = time.perf_counter(); deleted = index.delete(ids); delete = time.perf_counter() - s
print(json.dumps({{"added": summary.added, "add_s": added, "search_s": search, "before": before,
    "after_add": seen, "deleted": deleted, "delete_s": delete, "after_delete": len(index)}}))
"""


def _python(program: str, **values: object) -> list[str]:
    return [sys.executable, "-c", program.format(**{k: str(v) for k, v in values.items()})]


# -- synthetic ------------------------------------------------------------------------


def _generate(work: Path, size: int) -> tuple[Path, Path, Path]:
    """The corpus of ``size`` postings, 1,000 more for the update test, and the queries."""
    corpus, extra, queries = (
        work / f"syn{size}.jsonl",
        work / f"syn{size}.extra.jsonl",
        work / "queries.json",
    )
    gen = [sys.executable, str(BENCH / "gen.py")]
    if not corpus.exists() or not extra.exists():
        full = work / f"syn{size + 1000}.jsonl"
        subprocess.run([*gen, str(size + 1000), str(full)], check=True)
        with full.open() as lines, corpus.open("w") as head, extra.open("w") as tail:
            for n, line in enumerate(lines):
                (head if n < size else tail).write(line)
        full.unlink()
    if not queries.exists():
        subprocess.run([*gen, "--queries", str(queries)], check=True)
    return corpus, extra, queries


def _build_fts5(corpus: Path, db: Path) -> float:
    code = (
        f"import sys; sys.path.insert(0, {str(BENCH)!r}); from fts5_baseline import build; "
        f"print(build({str(corpus)!r}, {str(db)!r}))"
    )
    _, _, out = run_measured([sys.executable, "-c", code])
    return float(out.strip().splitlines()[-1])


def synthetic(args: argparse.Namespace) -> None:
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus, extra, queries = _generate(work, args.size)
    index, db = work / f"index{args.size}", work / f"fts{args.size}.db"
    shutil.rmtree(index, ignore_errors=True)
    print(f"## {args.size:,} synthetic postings ({corpus})\n", flush=True)
    fts_a = _build_fts5(corpus, db)
    cli = [sys.executable, "-m", "search"]
    build_s, build_rss, _ = run_measured(
        [*cli, "index", str(corpus), "--index", str(index), "--rebuild"]
    )
    fts_b = _build_fts5(corpus, db)
    fts_build = (fts_a + fts_b) / 2
    _, search_rss, out = run_measured(
        _python(
            SEARCH_PROGRAM, bench=BENCH, root=ROOT, index=index, db=db, queries=queries, worst=WORST
        )
    )
    found = json.loads(out)
    whole = _time_cli(index, args.cli_runs)
    python_start = _python_start()
    _, _, out = run_measured(_python(UPDATE_PROGRAM, root=ROOT, index=index, extra=extra))
    update = json.loads(out)
    ours, fts = found["ours"], found["fts"]
    rows = [
        (
            "index build",
            f"{build_s:,.1f} s ({build_s / fts_build:.1f}x FTS5)",
            f"{fts_build:,.1f} s",
        ),
        ("index size", mib(du(index)), mib(db.stat().st_size)),
        ("peak memory of the build (all processes)", mib(build_rss), "-"),
        (
            "search p50 (200 queries, totals + facets)",
            ms(percentile(ours, 0.5)),
            ms(percentile(fts, 0.5)),
        ),
        ("search p95", ms(percentile(ours, 0.95)), ms(percentile(fts, 0.95))),
        ("search max", ms(max(ours)), ms(max(fts))),
        (
            f'worst query "{WORST}" ({found["worst_total"]:,} matches), median of 5',
            ms(statistics.median(found["worst"])),
            "-",
        ),
        ("first search after opening the index", ms(found["first"]), "-"),
        (
            "whole `jobsearch search` process, p50 / max",
            f"{ms(percentile(whole, 0.5))} / {ms(max(whole))}",
            f"python start-up: {ms(python_start)}",
        ),
        ("peak memory of a searching process", mib(max(search_rss, found["rss"])), "-"),
        (
            "add 1,000 postings (library), then a search sees them",
            f"{update['add_s']:.1f} s; {update['after_add'] - update['before']:+,} postings",
            "-",
        ),
        ("delete those 1,000", f"{update['delete_s']:.2f} s; {update['after_delete']:,} left", "-"),
    ]
    _table(("at " + f"{args.size:,}", "jobsearch", "FTS5 baseline"), rows)


def _python_start() -> float:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _table(head: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(flush=True)


# -- the real corpus --------------------------------------------------------------------

CORPUS_QUERIES: list[tuple[str, dict[str, object]]] = [
    ("machine learning", {}),
    ("machine learning", {"city": ["San Francisco"]}),
    ("python", {"country": ["US"]}),
    ("LLM", {"remote": True}),
    ("NLP", {}),
    ("kubernetes", {"skill": ["aws"]}),
    ('"computer vision"', {}),
    ("senior software engineer", {"city": ["New York"]}),
    ("data scientist", {"level": ["senior"]}),
    ("sales", {"country": ["GB"]}),
    ("backend engineer -frontend", {}),
    ("product manager", {"city": ["London", "Berlin"]}),
    ("", {"city": ["Seattle"]}),
    ("", {"skill": ["pytorch"]}),
    ("reinforcement learning", {"employment_type": ["full-time"]}),
    ("account executive", {"state": ["CA"]}),
    ("rust", {}),
    ("design", {"remote": True, "country": ["US"]}),
    ("intern", {"level": ["intern"]}),
    ("security engineer", {}),
]


def corpus(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    from search import JobIndex

    work = Path(tempfile.mkdtemp(prefix="jobsearch-bench-"))
    index = work / "index"
    cli = [sys.executable, "-m", "search"]
    build_s, build_rss, _ = run_measured([*cli, "index", str(args.corpus), "--index", str(index)])
    timings: list[float] = []
    with JobIndex.open(index) as opened:
        count = len(opened)
        opened.search("warm up")
        for _ in range(args.runs):
            for text, filters in CORPUS_QUERIES:
                start = time.perf_counter()
                opened.search(text, **filters)  # type: ignore[arg-type]
                timings.append(time.perf_counter() - start)
    whole = _time_cli(index, args.cli_runs)
    print(f"## the real corpus: {count:,} postings ({args.corpus})\n")
    _table(
        ("what", "figure"),
        [
            (
                "index build (read, extract, write; all cores)",
                f"{build_s:.1f} s ({count / build_s:,.0f} postings/s)",
            ),
            ("peak memory of the build", mib(build_rss)),
            ("index size", mib(du(index))),
            (
                f"library search, {len(CORPUS_QUERIES)} queries with filters, facets and "
                f"snippets, x{args.runs}",
                f"p50 {ms(percentile(timings, 0.5))}, p95 {ms(percentile(timings, 0.95))}",
            ),
            (
                f"whole `jobsearch search` process, {len(whole)} runs",
                f"p50 {ms(percentile(whole, 0.5))}, max {ms(max(whole))}",
            ),
        ],
    )
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    syn = modes.add_parser("synthetic", help="gen.py postings beside FTS5")
    syn.add_argument("--size", type=int, default=100_000)
    syn.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "jobsearch-bench"))
    syn.add_argument("--cli-runs", type=int, default=10)
    real = modes.add_parser("corpus", help="the real corpus")
    real.add_argument("--corpus", type=Path, default=CORPUS)
    real.add_argument("--runs", type=int, default=5)
    real.add_argument("--cli-runs", type=int, default=10)
    args = parser.parse_args()
    mode: Callable[[argparse.Namespace], None] = synthetic if args.mode == "synthetic" else corpus
    mode(args)


if __name__ == "__main__":
    main()
