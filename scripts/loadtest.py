"""Load benchmark of ``jobsearch serve``: searches/s and latency under concurrent clients.

    python scripts/loadtest.py --postings 100000     # synthetic postings (../shared/bench)
    python scripts/loadtest.py --corpus              # the 9,387 real postings
    python scripts/loadtest.py --index DIR [--data PATHS...]

Starts ``jobsearch serve --port 0`` itself (once per ``--workers`` value), then drives it
from this process with a bounded closed loop: N client threads, each with one keep-alive
HTTP/1.1 connection, each sending the next of the fixed 200 queries of
../shared/bench/gen.py (with their city or skill filter) as soon as its previous answer
is read, for ``--seconds``. A last run loads the server while ``jobsearch index --rebuild``
of the same data replaces the served index in another process: it must fail no request,
and the new snapshot must be served afterwards.

Reports, per configuration, searches/s, p50/p95/p99 latency, failed requests (a status
other than 200, or a connection error), the CPU the server used (in all, and per search:
the figure least moved by other work on a shared machine), the CPU this load generator
used (so a reader can see that it did not starve the server), and the load average.
A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GENERATOR = SHARED / "bench" / "gen.py"
CORPUS = SHARED / "corpus" / "jobs.jsonl.gz"
#: The query-set fields that are filters of /api/search (same names there).
FILTER_FIELDS = ("city", "skill")
START_TIMEOUT = 300.0


# -- data ---------------------------------------------------------------------------------


def _generator() -> Path:
    if not GENERATOR.is_file():
        raise SystemExit(
            f"the benchmark kit is absent: {GENERATOR} not found.\n"
            "It provides the fixed query set (and the synthetic postings); put the shared "
            "folder beside the repository (../shared/bench/gen.py)."
        )
    return GENERATOR


def query_paths(work: Path, fixed: bool = False) -> list[str]:
    """The request targets: the fixed query set in its order, or (by default) 20,000
    distinct searches made from it, so that no cache of the server (parsed queries,
    snippets, postings read) answers a repeated request: each fixed query with one word
    of another query added, its filters kept."""
    queries = work / "queries.json"
    if not queries.exists():
        subprocess.run([sys.executable, str(_generator()), "--queries", str(queries)], check=True)
    fixed_set = json.loads(queries.read_text())
    words = sorted({w for q in fixed_set for w in q["q"].split()})
    chosen = random.Random(20261207)
    searches = list(fixed_set)
    if not fixed:
        searches = []
        seen: set[tuple[str, ...]] = set()
        while len(searches) < 20_000:
            q = chosen.choice(fixed_set)
            text = f"{q['q']} {chosen.choice(words)}"
            key = (text, *(str(q.get(k)) for k in FILTER_FIELDS))
            if key not in seen:
                seen.add(key)
                searches.append({**q, "q": text})
    paths = []
    for q in searches:
        pairs = [("q", q["q"]), *((k, q[k]) for k in FILTER_FIELDS if k in q)]
        paths.append("/api/search?" + urlencode(pairs))
    return paths


def _jobsearch(*args: str) -> list[str]:
    return [sys.executable, "-m", "search", *args]


def _build(data: Sequence[Path], index: Path) -> None:
    """Index ``data`` into ``index`` unless that index is there already."""
    if (index / "jobsearch.json").exists():
        print(f"using the index built earlier: {index}", flush=True)
        return
    print(f"indexing {', '.join(map(str, data))} into {index} ...", flush=True)
    start = time.perf_counter()
    subprocess.run(
        _jobsearch("index", *map(str, data), "--index", str(index)),
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    print(f"indexed in {time.perf_counter() - start:,.0f} s", flush=True)


def prepare(args: argparse.Namespace, work: Path) -> tuple[str, Path, list[Path]]:
    """(label, index to serve, data a rebuild reads: empty when unknown)."""
    if args.index:
        return f"index {args.index}", Path(args.index), [Path(p) for p in args.data]
    if args.corpus:
        if not CORPUS.is_file():
            raise SystemExit(f"the corpus is absent: {CORPUS} not found")
        index = work / "corpus-index"
        _build([CORPUS], index)
        return "corpus (9,387 postings)", index, [CORPUS]
    size = args.postings
    data = work / f"syn{size}.jsonl"
    if not data.exists():
        print(f"generating {size:,} synthetic postings into {data} ...", flush=True)
        part = data.with_suffix(".part")
        subprocess.run([sys.executable, str(_generator()), str(size), str(part)], check=True)
        part.rename(data)
    index = work / f"syn{size}-index"
    _build([data], index)
    return f"{size:,} synthetic postings", index, [data]


# -- the server ---------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its live descendants."""
    children: dict[int, list[int]] = {}
    used: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        child = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(child)
        used[child] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += used.get(current, 0.0)
        todo.extend(children.get(current, ()))
    return total


class Server:
    """A ``jobsearch serve --port 0`` process of our own, stopped on leaving."""

    def __init__(self, index: Path, workers: int, log: Path) -> None:
        self.index, self.workers, self.log = index, workers, log
        self.proc: subprocess.Popen[str] | None = None
        self.host, self.port = "127.0.0.1", 0
        self.banner = ""

    def __enter__(self) -> Server:
        argv = _jobsearch("serve", "--index", str(self.index), "--port", "0")
        argv += ["--workers", str(self.workers)]
        with self.log.open("w") as err:
            # A session of its own: its worker processes can be stopped with it.
            self.proc = subprocess.Popen(
                argv,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                start_new_session=True,
            )
        out = self.proc.stdout
        assert out is not None
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(out.readline()), daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        if not lines or " at http" not in lines[0]:
            self.__exit__()
            raise SystemExit(f"the server did not start; its log:\n{self.log.read_text()}")
        self.banner = lines[0].strip()
        where = urlsplit(self.banner.rsplit(" at ", 1)[1])
        self.host, self.port = where.hostname or "127.0.0.1", where.port or 80
        # Keep reading its standard output so that it can never block on a full pipe.
        threading.Thread(target=out.read, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this script started
            proc.wait()

    def cpu(self) -> float:
        return _cpu_seconds(self.proc.pid) if self.proc else 0.0

    def get(self, path: str) -> tuple[int, bytes]:
        """One request on a new connection."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request("GET", path)
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            conn.close()


# -- the load generator -------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Figures:
    """What one configuration measured."""

    name: str
    workers: int
    clients: int
    seconds: float
    searches: int
    failed: int
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    server_cpu_pct: float
    server_cpu_ms: float
    client_cpu_pct: float
    load_average: float
    failures: list[str] = field(default_factory=list)
    note: str = ""


#: Where the next request is taken from ``paths`` (next() on a count is atomic under the
#: GIL); shared by every run, so the distinct searches are not repeated from one
#: configuration to the next.
_FOLLOWING = itertools.count()


def run_load(
    server: Server,
    paths: Sequence[str],
    clients: int,
    until: Callable[[float], bool],
) -> tuple[list[float], int, list[str], float, float, float]:
    """Closed-loop load until ``until(elapsed)`` says stop.

    Returns (latencies of answered searches, failed requests, the first failures,
    wall seconds, server CPU seconds, this process's CPU seconds)."""
    following = _FOLLOWING  # one count over every run: a server never sees a path twice
    gate = threading.Barrier(clients + 1)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failed = [0] * clients
    reasons: list[str] = []
    start = 0.0

    def client(me: int) -> None:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
        mine = latencies[me]
        gate.wait()
        while not until(time.perf_counter() - start):
            path = paths[next(following) % len(paths)]
            sent = time.perf_counter()
            try:
                conn.request("GET", path)
                answer = conn.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException) as exc:
                failed[me] += 1
                reasons.append(f"{type(exc).__name__}: {exc} ({path})")
                conn.close()
                conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
                continue
            if status == 200:
                mine.append(time.perf_counter() - sent)
            else:
                failed[me] += 1
                reasons.append(f"status {status} ({path})")
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    cpu_before, server_before = _own_cpu(), server.cpu()
    start = time.perf_counter()
    gate.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    answered = [t for mine in latencies for t in mine]
    return (
        answered,
        sum(failed),
        reasons[:5],
        wall,
        server.cpu() - server_before,
        _own_cpu() - cpu_before,
    )


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(
    name: str,
    server: Server,
    paths: Sequence[str],
    clients: int,
    until: Callable[[float], bool],
) -> Figures:
    load = os.getloadavg()[0]
    answered, failed, reasons, wall, server_cpu, own_cpu = run_load(server, paths, clients, until)
    return Figures(
        name=name,
        workers=server.workers,
        clients=clients,
        seconds=round(wall, 2),
        searches=len(answered),
        failed=failed,
        per_second=round(len(answered) / wall, 1),
        p50_ms=round(percentile(answered, 0.50) * 1000, 1),
        p95_ms=round(percentile(answered, 0.95) * 1000, 1),
        p99_ms=round(percentile(answered, 0.99) * 1000, 1),
        server_cpu_pct=round(100 * server_cpu / wall),
        server_cpu_ms=round(1000 * server_cpu / max(len(answered) + failed, 1), 1),
        client_cpu_pct=round(100 * own_cpu / wall),
        load_average=round(load, 2),
        failures=reasons,
    )


def _for(seconds: float) -> Callable[[float], bool]:
    return lambda elapsed: elapsed >= seconds


def _written(server: Server) -> str:
    status, body = server.get("/api/stats")
    return str(json.loads(body).get("written")) if status == 200 else f"status {status}"


def during_rebuild(
    server: Server,
    paths: Sequence[str],
    clients: int,
    index: Path,
    data: Sequence[Path],
    after: float,
) -> Figures:
    """Load while ``jobsearch index --rebuild`` replaces the served index, and ``after``
    seconds more; then ask fresh connections which snapshot they are served."""
    before = _written(server)
    log = server.log.with_name(f"{index.name}.rebuild.log")
    with log.open("w") as out:
        rebuild = subprocess.Popen(
            _jobsearch("index", "--rebuild", *map(str, data), "--index", str(index)),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    finished: list[float] = []

    def until(elapsed: float) -> bool:
        if not finished and rebuild.poll() is not None:
            finished.append(elapsed)
        return bool(finished) and elapsed >= finished[0] + after

    try:
        figures = measure("during rebuild", server, paths, clients, until)
    finally:
        if rebuild.poll() is None:
            rebuild.terminate()
        rebuild.wait()
    answers = [_written(server) for _ in range(8 * server.workers)]
    fresh = sum(a != before and not a.startswith("status") for a in answers)
    figures.note = (
        f"rebuild exit {rebuild.returncode} after {finished[0] if finished else 0:,.0f} s; "
        f"new snapshot served by {fresh}/{len(answers)} fresh connections"
    )
    return figures


# -- report -------------------------------------------------------------------------------

COLUMNS = (
    ("run", "name"),
    ("workers", "workers"),
    ("clients", "clients"),
    ("searches/s", "per_second"),
    ("p50 ms", "p50_ms"),
    ("p95 ms", "p95_ms"),
    ("p99 ms", "p99_ms"),
    ("failed", "failed"),
    ("searches", "searches"),
    ("server CPU %", "server_cpu_pct"),
    ("server CPU ms/search", "server_cpu_ms"),
    ("load-gen CPU %", "client_cpu_pct"),
    ("load avg", "load_average"),
)


def _cell(value: object) -> str:
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def table(rows: Sequence[Figures]) -> str:
    """The figures as a markdown table."""
    head = [h for h, _ in COLUMNS]
    body = [[_cell(getattr(r, key)) for _, key in COLUMNS] for r in rows]
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(COLUMNS))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|"
    lines = [line(head), rule, *(line(row) for row in body)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    data = parser.add_mutually_exclusive_group(required=True)
    data.add_argument("--postings", type=int, help="generate N synthetic postings and index them")
    data.add_argument("--corpus", action="store_true", help="index ../shared/corpus/jobs.jsonl.gz")
    data.add_argument("--index", help="serve this index as it is")
    parser.add_argument("--data", nargs="*", default=[], help="with --index: what a rebuild reads")
    parser.add_argument("--work", default="/tmp/jobsearch-load", help="generated data and indexes")
    parser.add_argument("--seconds", type=float, default=10.0, help="of load per configuration")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured load at start")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients, comma-separated")
    parser.add_argument("--workers", default="1,2", help="server processes, comma-separated")
    parser.add_argument("--rebuild-clients", type=int, default=8)
    parser.add_argument("--rebuild-workers", type=int, default=1)
    parser.add_argument("--no-rebuild", action="store_true", help="skip the run during a rebuild")
    parser.add_argument(
        "--fixed",
        action="store_true",
        help="cycle the 200 fixed queries (repeats: the server's caches answer them) "
        "instead of 20,000 distinct searches made from them",
    )
    parser.add_argument(
        "--json", metavar="FILE", help="also write the figures as JSON ('-': stdout)"
    )
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    started = os.getloadavg()
    print(
        f"load average at start: {' '.join(f'{x:.2f}' for x in started)} ({os.cpu_count()} cores)"
    )
    paths = query_paths(work, args.fixed)
    label, index, sources = prepare(args, work)
    clients = [int(c) for c in args.clients.split(",")]
    rows: list[Figures] = []
    for workers in (int(w) for w in args.workers.split(",")):
        with Server(index, workers, work / f"{index.name}.serve.log") as server:
            print(server.banner, flush=True)
            measure("warm-up", server, paths, max(clients), _for(args.warmup))
            for n in clients:
                rows.append(measure("steady", server, paths, n, _for(args.seconds)))
                shown = table(rows[-1:]).splitlines()
                print("\n".join(shown if len(rows) == 1 else shown[-1:]), flush=True)
    if args.no_rebuild:
        pass
    elif not sources:
        print("no rebuild run: give --data with --index to say what the index is built from")
    else:
        log = work / f"{index.name}.serve.log"
        with Server(index, args.rebuild_workers, log) as server:
            measure("warm-up", server, paths, args.rebuild_clients, _for(args.warmup))
            rows.append(
                during_rebuild(server, paths, args.rebuild_clients, index, sources, after=3.0)
            )
    ended = os.getloadavg()
    kind = "fixed queries cycling" if args.fixed else "distinct searches, none repeated"
    print(f"\n## {label}: GET /api/search, {len(paths):,} {kind}\n")
    print(table(rows))
    for row in rows:
        for line in ([row.note] if row.note else []) + row.failures:
            print(f"- {row.name}, {row.workers} worker(s), {row.clients} clients: {line}")
    print(f"\nload average at start {started[0]:.2f}, at end {ended[0]:.2f}")
    if args.json:
        document = {
            "data": label,
            "index": str(index),
            "load_average": {"start": started, "end": ended},
            "cores": os.cpu_count(),
            "runs": [asdict(r) for r in rows],
        }
        text = json.dumps(document, indent=1)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
