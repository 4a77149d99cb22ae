"""A live index: the server keeps answering while other processes rebuild and add.

Clients search in a loop against a real ``jobsearch serve`` while ``jobsearch index
--rebuild`` and then ``jobsearch index`` run as separate processes on the same index.
No request may fail, and what each commit brings is served once it has landed: the
server reads the last committed snapshot and opens the next one on the next request.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from search import JobIndex, load_postings
from tests.serving import Server, serve

#: How long to wait for a commit to be served: a safety net so a server that never
#: sees it fails the test, not a measurement.
SERVED_WITHIN_S = 60.0

QUERIES = (
    {"q": "data engineer"},
    {"q": "python", "workplace": "remote"},
    {"country": "US", "sort": "newest", "limit": "20"},
    {"q": "senior software engineer", "page": "2"},
)

EXTRA = {
    "id": "live-xylophonist-1",
    "title": "Xylophonist in residence",
    "company": "Live Index Orchestra",
    "location": "Seattle, WA",
    "description": "Play the xylophone while the index is rebuilt under you.",
}


class Clients:
    """Threads searching in a loop, counting statuses, until told to stop."""

    def __init__(self, server: Server, threads: int = 2) -> None:
        self.server = server
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self.done = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)
        ]

    def _run(self, n: int) -> None:
        turn = n
        while not self._stop.is_set():
            paths = ("/api/search", "/api/facets", "/api/stats")
            query = QUERIES[turn % len(QUERIES)]
            path = paths[turn % len(paths)]
            if path == "/api/stats":
                query = {}
            elif path == "/api/facets":
                query = {k: v for k, v in query.items() if k in ("q", "country")}
            turn += 1
            try:
                answer = self.server.get(path, query)
                status, text = answer.status, answer.text[:300]
            except OSError as exc:
                status, text = 0, repr(exc)
            with self._lock:
                self.statuses[status] += 1
                self.done += 1
                if status != 200:
                    self.failures.append(f"{path} {query}: {status} {text}")

    def __enter__(self) -> Clients:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)


def jobsearch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "search", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def write_rows(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def wait_for(server: Server, check: object, what: str) -> None:
    deadline = time.monotonic() + SERVED_WITHIN_S
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not served: {what}"
        time.sleep(0.1)


def test_searches_go_on_through_a_rebuild_and_an_add(
    corpus_head: list[dict[str, str]], tmp_path: Path
) -> None:
    first = write_rows(tmp_path / "first.jsonl", list(corpus_head[:200]))
    everything = write_rows(tmp_path / "everything.jsonl", list(corpus_head[:800]))
    extra = write_rows(tmp_path / "extra.jsonl", [EXTRA])
    index_dir = tmp_path / "index"
    with JobIndex.create(index_dir) as index:
        index.add(load_postings(first))
        before = len(index)

    with serve(index_dir) as server:
        assert server.get("/api/stats").json()["postings"] == before
        with Clients(server) as clients:
            wait_for(server, lambda: clients.done >= 10, "the clients' first answers")
            at_start = clients.done
            rebuilt = jobsearch("index", "--rebuild", "--index", str(index_dir), str(everything))
            assert rebuilt.returncode == 0, rebuilt.stderr
            during_rebuild = clients.done - at_start
            with JobIndex.open(index_dir) as index:
                after_rebuild = len(index)
            assert after_rebuild > before
            wait_for(
                server,
                lambda: server.get("/api/stats").json()["postings"] == after_rebuild,
                "the rebuilt index",
            )

            at_add = clients.done
            added = jobsearch("index", "--index", str(index_dir), str(extra))
            assert added.returncode == 0, added.stderr
            during_add = clients.done - at_add
            wait_for(
                server,
                lambda: server.get("/api/search", {"q": "xylophonist"}).json()["total"] == 1,
                "the added posting",
            )
            assert server.get("/api/postings/live-xylophonist-1").json()["title"] == EXTRA["title"]
            assert server.get("/api/stats").json()["postings"] == after_rebuild + 1
        # Stop the clients only after a few more answers from the newest snapshot.
        assert clients.failures == [], clients.failures[:5]
        assert set(clients.statuses) == {200}
        assert during_rebuild > 0 and during_add > 0, (during_rebuild, during_add)
    assert server.returncode == 0


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_rebuild_to_fewer_postings_is_served_without_errors(
    corpus_head: list[dict[str, str]], tmp_path: Path, workers: str
) -> None:
    everything = write_rows(tmp_path / "everything.jsonl", list(corpus_head[:300]))
    fewer = write_rows(tmp_path / "fewer.jsonl", list(corpus_head[:50]))
    index_dir = tmp_path / "index"
    with JobIndex.create(index_dir) as index:
        index.add(load_postings(everything))
    with serve(index_dir, "--workers", workers) as server, Clients(server, threads=3) as clients:
        wait_for(server, lambda: clients.done >= 10, "the clients' first answers")
        rebuilt = jobsearch("index", "--rebuild", "--index", str(index_dir), str(fewer))
        assert rebuilt.returncode == 0, rebuilt.stderr
        with JobIndex.open(index_dir) as index:
            expected = len(index)
        # Every worker process must see it: ask more times than there are workers.
        for _ in range(6):
            wait_for(
                server,
                lambda: server.get("/api/stats").json()["postings"] == expected,
                "the smaller index",
            )
    assert clients.failures == [], clients.failures[:5]
    assert server.returncode == 0
