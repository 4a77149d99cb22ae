"""How long the web page takes to answer a search, beside the search alone; prints figures.

    python scripts/page_speed.py INDEX [--queries queries.json] [--rounds 3]

For each query of the fixed set (``../shared/bench/gen.py --queries``: keywords, with a
city, with a skill), interleaved query by query after one warm-up pass:

* ``search``: ``JobIndex.search`` with the arguments the page reads from its address
  (facets on, 10 hits), in this process;
* ``page``: the page's handler for ``GET /?q=...`` called in this process (reading the
  address, the search, short ids, facet links, rendering the HTML): the page's own work,
  without the network or the HTTP server;
* ``own``: the page's handler again, handed the result of the ``search`` above instead
  of searching: the page's own work alone;
* ``http``: the same address from a ``jobsearch serve`` process over loopback, first
  byte to last (uvicorn and the network included).

``page - search`` per query is what the page adds to the search (noisier than ``own``
on a busy machine, as it subtracts two timings). Asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from search import JobIndex
from search.serve import pages, params
from search.serve.app import create_app
from search.serve.service import Service

ROOT = Path(__file__).resolve().parents[1]
GEN = ROOT.parent / "shared" / "bench" / "gen.py"


def queries(path: Path | None) -> list[list[tuple[str, str]]]:
    if path is None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "queries.json"
            subprocess.run([sys.executable, str(GEN), "--queries", str(path)], check=True)
            rows = json.loads(path.read_text())
    else:
        rows = json.loads(path.read_text())
    out = []
    for row in rows:
        pairs = [("q", row["q"])]
        pairs += [(k, row[k]) for k in ("city", "skill") if row.get(k)]
        out.append(pairs)
    return out


def page_request(app: Any, pairs: list[tuple[str, str]]) -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "raw_path": b"/",
        "query_string": urlencode(pairs).encode(),
        "headers": [(b"host", b"127.0.0.1")],
        "app": app,
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
    }
    return Request(scope)


def ms(seconds: list[float]) -> str:
    ordered = sorted(seconds)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return (
        f"p50 {statistics.median(ordered) * 1000:7.1f} ms  p95 {at(0.95):7.1f} ms  "
        f"p99 {at(0.99):7.1f} ms  mean {statistics.fmean(ordered) * 1000:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--queries", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-http", action="store_true", help="skip the server process")
    args = parser.parse_args()
    wanted = queries(args.queries)
    index = JobIndex.open(args.index)
    service = Service(index)
    app = create_app(service)
    proc = None
    conn = None
    if not args.no_http:
        proc = subprocess.Popen(
            [sys.executable, "-m", "search", "serve", "--index", str(args.index), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        found = re.search(r"http://([\d.]+):(\d+)", proc.stdout.readline())
        assert found, "the server did not start"
        conn = http.client.HTTPConnection(found.group(1), int(found.group(2)), timeout=60)
    times: dict[str, list[float]] = {"search": [], "page": [], "own": [], "http": []}
    searching = pages._run_search
    extra: list[float] = []
    try:
        for round_ in range(args.rounds + 1):
            for pairs in wanted:
                read = params.read(pairs, params.SEARCH, params.FILTERS)
                start = time.perf_counter()
                results = searching(service, read)
                searched = time.perf_counter() - start
                start = time.perf_counter()
                response = pages.home(page_request(app, pairs))
                paged = time.perf_counter() - start
                assert response.status_code == 200, pairs
                pages._run_search = lambda *_, found=results: found  # type: ignore[assignment]
                try:
                    start = time.perf_counter()
                    pages.home(page_request(app, pairs))
                    own = time.perf_counter() - start
                finally:
                    pages._run_search = searching
                http_time = None
                if conn is not None:
                    start = time.perf_counter()
                    conn.request("GET", "/?" + urlencode(pairs))
                    answer = conn.getresponse()
                    answer.read()
                    http_time = time.perf_counter() - start
                    assert answer.status == 200, pairs
                if round_ == 0:
                    continue  # warm-up
                times["search"].append(searched)
                times["page"].append(paged)
                times["own"].append(own)
                extra.append(paged - searched)
                if http_time is not None:
                    times["http"].append(http_time)
    finally:
        if conn is not None:
            conn.close()
        if proc is not None:
            proc.terminate()
            proc.wait(15)
        index.close()
    print(f"{index_size(args.index)}; {len(wanted)} queries x {args.rounds} rounds")
    for name, values in times.items():
        if values:
            print(f"{name:7s} {ms(values)}")
    print(f"page - search per query: {ms(extra)}")


def index_size(path: Path) -> str:
    with JobIndex.open(path) as index:
        return f"{path}: {len(index):,} postings"


if __name__ == "__main__":
    main()
