"""Benchmark jobsearch on the real corpus: indexing time, index size, search latency.

    python scripts/benchmark.py [--corpus ../shared/corpus/jobs.jsonl.gz] [--runs 5]

Prints figures; asserts nothing. Search latency is measured over a fixed set of queries
with filters and facets through one open ``JobIndex`` (as a library user would), and
over whole ``jobsearch search`` processes (as a terminal user would).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search import JobIndex, load_postings  # noqa: E402

QUERIES: list[tuple[str, dict[str, object]]] = [
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
CLI_ARGS = [
    ["machine learning", "--city", "San Francisco"],
    ["python", "--skill", "pytorch", "--country", "US"],
    ["--city", "London"],
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpus/jobs.jsonl.gz")
    parser.add_argument("--runs", type=int, default=5, help="passes over the query set")
    parser.add_argument("--cli-runs", type=int, default=10)
    parser.add_argument("--index", type=Path, help="reuse (or keep) the index here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="jobsearch-bench-"))
    path = args.index or workdir / "index"
    if not JobIndex.exists(path):
        start = time.perf_counter()
        summary = JobIndex.rebuild(path, load_postings(args.corpus))
        elapsed = time.perf_counter() - start
        print(
            f"indexed {summary.added} postings in {elapsed:.1f} s "
            f"({summary.added / elapsed:.0f} postings/s)"
        )
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    print(f"index size: {size / 1_048_576:.1f} MiB")

    with JobIndex.open(path) as index:
        print(f"postings: {len(index)}")
        index.search("warm up")
        timings = []
        for _ in range(args.runs):
            for text, filters in QUERIES:
                start = time.perf_counter()
                index.search(text, **filters)  # type: ignore[arg-type]
                timings.append((time.perf_counter() - start) * 1000)
    print(
        f"library search with facets and snippets ({len(timings)} searches): "
        f"p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms"
    )

    cli = []
    exe = [sys.executable, "-m", "search"]
    for i in range(args.cli_runs):
        argv = [*exe, "search", *CLI_ARGS[i % len(CLI_ARGS)], "--index", str(path)]
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
        cli.append((time.perf_counter() - start) * 1000)
    print(
        f"whole `jobsearch search` process ({len(cli)} runs): "
        f"p50 {percentile(cli, 0.5):.0f} ms, p95 {percentile(cli, 0.95):.0f} ms"
    )


if __name__ == "__main__":
    main()
