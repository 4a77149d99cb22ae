"""Quoted phrases: one- and two-phrase searches timed beside SQLite FTS5, in one run.

    python scripts/phrase_bench.py --postings /tmp/load-bench/syn100000.jsonl \\
        --work /tmp/phrase-bench [--before /tmp/load-bench/syn100000-index]

Builds (once, kept in ``--work``) our index of ``--postings`` and an FTS5 database of
them (``../shared/bench/fts5_baseline.py``), then times each query of ``QUERIES`` in
turn: ours through ``JobIndex.search`` (exact totals and facets), the first search of the
query (its phrases not yet matched in this snapshot) and the same search again (kept),
and FTS5's top 10 for the same phrases (FTS5 keeps positions; its tokenizer drops no
stop words, so "bachelor of science" needs "of" there). ``--before`` names an index
written without word positions (as before they were kept): its phrases are checked in
stored text, and the same queries are timed on it too, in the same process, so the
figures are a before/after pair on one machine at one time. Prints a table per query
and p50/max per column. Asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"

#: (our query, the FTS5 MATCH expression for the same phrases)
QUERIES: list[tuple[str, str]] = [
    # one phrase
    ('"data pipelines"', '"data pipelines"'),
    ('"cloud infrastructure" python', '"cloud infrastructure" python'),
    ('"software development engineer"', '"software development engineer"'),
    ('"bachelor of science"', '"bachelor of science"'),  # a stop word inside
    ('title:"data engineer"', 'title : "data engineer"'),
    ('"millions of customers"', '"millions of customers"'),
    ('python -"consumer devices"', 'python NOT "consumer devices"'),
    ('"machine learning"', '"machine learning"'),  # a skill phrase: a phrase term
    # two phrases
    ('"machine learning" "data pipelines"', '"machine learning" "data pipelines"'),
    ('"senior software engineer" "new york"', '"senior software engineer" "new york"'),
    ('"the team" "of the"', '"the team" "of the"'),  # stop words: the worst for FTS5
    ('"prime video" "consumer devices"', '"prime video" "consumer devices"'),
    ('"data platform" "real time"', '"data platform" "real time"'),
    (
        '"software development engineer" "millions of customers"',
        '"software development engineer" "millions of customers"',
    ),
    ('"looking for" "you will"', '"looking for" "you will"'),
    ('"software engineer" -"on call"', '"software engineer" NOT "on call"'),
]


def _plain(postings: Path, work: Path) -> Path:
    """The postings as an uncompressed file (FTS5's builder reads plain JSON lines)."""
    if postings.suffix != ".gz":
        return postings
    plain = work / postings.with_suffix("").name
    if not plain.exists():
        with gzip.open(postings, "rb") as src, plain.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    return plain


def _build(postings: Path, work: Path) -> tuple[Path, Path]:
    index, db = work / "index", work / "fts.db"
    if not (index / "jobsearch.json").exists():
        shutil.rmtree(index, ignore_errors=True)
        cli = [sys.executable, "-m", "search", "index", str(postings), "--index", str(index)]
        start = time.perf_counter()
        subprocess.run(cli, check=True, stdout=subprocess.DEVNULL)
        print(f"built our index in {time.perf_counter() - start:.1f} s", flush=True)
    if not db.exists():
        sys.path.insert(0, str(BENCH))
        from fts5_baseline import build

        print(f"built the FTS5 baseline in {build(str(_plain(postings, work)), str(db)):.1f} s")
    return index, db


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postings", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--before", type=Path, help="an index written without positions")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    index_path, db = _build(args.postings, args.work)

    import sqlite3

    from search import JobIndex

    ours = JobIndex.open(index_path)
    ours.search("warm up")
    before = JobIndex.open(args.before) if args.before else None
    if before is not None:
        before.search("warm up")
    fts = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    top = "SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY bm25(fts, 2.0, 1.0) LIMIT 10"
    columns = ["first", "again", "fts5"] + (["before first", "before again"] if before else [])
    times: dict[str, list[float]] = {c: [] for c in columns}
    head = f"{'query':58} {'total':>8} " + " ".join(f"{c + ' ms':>14}" for c in columns)
    print(f"\n{head}\n{'-' * len(head)}")
    for text, match in QUERIES:
        row: dict[str, float] = {}
        start = time.perf_counter()
        found = ours.search(text)
        row["first"] = time.perf_counter() - start
        start = time.perf_counter()
        ours.search(text)
        row["again"] = time.perf_counter() - start
        start = time.perf_counter()
        fts.execute(top, (match,)).fetchall()
        row["fts5"] = time.perf_counter() - start
        total, after = f"{found.total:,}", ""
        if before is not None:
            start = time.perf_counter()
            old = before.search(text)
            row["before first"] = time.perf_counter() - start
            start = time.perf_counter()
            before.search(text)
            row["before again"] = time.perf_counter() - start
            if old.total != found.total:
                after = f"  before: {old.total:,}" + (" (bounded)" if old.notes else "")
        for c in columns:
            times[c].append(row[c])
        cells = " ".join(f"{_ms(row[c]):>14}" for c in columns)
        print(f"{text[:58]:58} {total:>8} {cells}{after}")
    print("-" * len(head))
    for name, pick in (("p50", statistics.median), ("max", max)):
        cells = " ".join(f"{_ms(pick(times[c])):>14}" for c in columns)
        print(f"{name:58} {'':>8} {cells}")


if __name__ == "__main__":
    main()
