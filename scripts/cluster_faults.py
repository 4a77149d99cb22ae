"""Kill the leader of a 3-node Typesense cluster under writes and searches; print what held.

    python scripts/cluster_faults.py                      # the sample postings (data/)
    python scripts/cluster_faults.py --file ../shared/corpus/jobs.jsonl.gz
    python scripts/cluster_faults.py --json               # the figures as one JSON object

Starts three nodes on 127.0.0.1-3 as the tests do (``tests/cluster.py``), builds the
collection from the postings, then runs one writer (one new posting per request, through
``search.cluster.writer.upsert``) and one searcher (``JobIndex.search`` on the cluster URL)
side by side. After a few acknowledged writes the Raft leader is killed with SIGKILL, as
a crash would. The stream goes on until writes have resumed, then:

1. every write the cluster acknowledged is looked up on the new leader;
2. the killed node is started again on its data and timed until it counts every posting;
3. two of the three nodes are killed: the survivor answers searches until it notices
   it has no leader (about 10 s; Typesense then answers "not ready" until a majority
   is back), and a write fails at once with a one-line ``ClusterError``, never hanging
   or crashing; then a search fails in one line too.

Every figure is printed (time without writes, searches failed, catch-up time...);
``tests/test_cluster_faults.py`` runs this scenario and checks each guarantee.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from search import JobIndex, load_postings  # noqa: E402
from search.cluster import writer  # noqa: E402
from search.cluster.client import connect  # noqa: E402
from search.errors import ClusterError  # noqa: E402
from search.model import JobPosting  # noqa: E402
from tests.cluster import LocalCluster, running_cluster  # noqa: E402

SAMPLE = ROOT / "data"
COLLECTION = "jobs"
QUERIES = ("machine learning", "scientist", "python", "software engineer", "research")
#: Acknowledged writes before the kill, and after it before the stream stops.
WRITES_BEFORE = 5
WRITES_AFTER = 5
#: The stream runs at least this long after the kill (searches through the election).
AFTER_KILL = 10.0
#: How long the stream, a catch-up or an election may take before the run gives up.
PATIENCE = 120.0


@dataclass
class Figures:
    """What one run measured; every time in seconds."""

    postings: int = 0
    killed_leader: int = 0
    new_leader: int = 0
    writes_acknowledged: int = 0
    writes_acknowledged_after_kill: int = 0
    writes_failed: int = 0
    write_errors: list[str] = field(default_factory=list)
    #: The longest wait between two acknowledged writes once the leader was killed.
    seconds_without_writes: float = 0.0
    searches: int = 0
    searches_failed: int = 0
    search_errors: list[str] = field(default_factory=list)
    search_p50_ms_before_kill: float = 0.0
    searches_after_kill: int = 0
    search_p50_ms_after_kill: float = 0.0
    search_max_ms_after_kill: float = 0.0
    acknowledged_missing: list[str] = field(default_factory=list)
    leader_count: int = 0
    #: From the restart of the killed node until it counted every posting.
    seconds_to_catch_up: float = 0.0
    restarted_count: int = 0
    two_down_searches: int = 0
    two_down_searches_answered: int = 0
    two_down_write_error: str = ""
    two_down_write_seconds: float = 0.0
    #: From the second kill until the survivor refused a search (it has no leader).
    two_down_answered_seconds: float = 0.0
    two_down_search_error: str = ""


def leader(cluster: LocalCluster) -> int | None:
    """The node (1 to 3) that says it is the Raft leader, if any."""
    with connect(cluster.url(COLLECTION)) as client:
        at = client.leader()
    return None if at is None else at + 1


def wait_leader(cluster: LocalCluster, within: float = PATIENCE) -> int:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = leader(cluster)
        if found is not None:
            return found
        time.sleep(0.2)
    raise RuntimeError(f"no leader within {within:.0f} s")


def node_count(cluster: LocalCluster, n: int, name: str) -> int | None:
    """Node ``n``'s own count of the collection (None when it does not answer)."""
    with connect(cluster.url(COLLECTION)) as client:
        return client.node_count(name, n - 1)


def new_posting(template: JobPosting, n: int) -> JobPosting:
    """A new posting (a new id) made from a sample one: what a feed would add."""
    return replace(template, id=f"fault-write-{n:05d}", title=f"{template.title} {n}")


class Stream:
    """One writer and one searcher thread, recording every request's outcome."""

    def __init__(self, url: str, templates: list[JobPosting]) -> None:
        self.url = url
        self.templates = templates
        self.stop = threading.Event()
        self.acked: list[tuple[str, float]] = []
        self.write_errors: list[tuple[str, float]] = []
        self.searches: list[tuple[float, float, str | None]] = []  # (start, seconds, error)
        self.unexpected: list[str] = []
        self._threads = [
            threading.Thread(target=self._write, name="writer"),
            threading.Thread(target=self._search, name="searcher"),
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join()

    def _write(self) -> None:
        n = 0
        while not self.stop.is_set():
            posting = new_posting(self.templates[n % len(self.templates)], n)
            n += 1
            try:
                summary = writer.upsert(self.url, [posting])
            except ClusterError as exc:
                self.write_errors.append((str(exc), time.monotonic()))
                continue
            except Exception as exc:  # a traceback a user would see: the run fails
                self.unexpected.append(f"write: {type(exc).__name__}: {exc}")
                return
            if summary.ids == [posting.id]:
                self.acked.append((posting.id, time.monotonic()))
            else:
                self.write_errors.append((f"not written: {summary.failures}", time.monotonic()))

    def _search(self) -> None:
        index = JobIndex.open(self.url)
        try:
            k = 0
            while not self.stop.is_set():
                query = QUERIES[k % len(QUERIES)]
                k += 1
                start = time.monotonic()
                error: str | None = None
                try:
                    index.search(query, limit=10)
                except ClusterError as exc:
                    error = str(exc)
                except Exception as exc:
                    self.unexpected.append(f"search: {type(exc).__name__}: {exc}")
                    return
                self.searches.append((start, time.monotonic() - start, error))
        finally:
            index.close()

    def acked_count(self) -> int:
        return len(self.acked)


def _wait(what: str, done: Any, within: float = PATIENCE) -> float:
    """Seconds until ``done()`` is true; RuntimeError after ``within``."""
    start = time.monotonic()
    while not done():
        if time.monotonic() - start > within:
            raise RuntimeError(f"{what}: not within {within:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - start


def missing_ids(url: str, ids: list[str]) -> list[str]:
    """The ids of ``ids`` the cluster does not hold (read through any node)."""
    missing = []
    with connect(url) as client:
        for doc_id in ids:
            if client.get_document(COLLECTION, doc_id) is None:
                missing.append(doc_id)
    return missing


def run(cluster: LocalCluster, postings: list[JobPosting]) -> Figures:
    """The whole scenario on a healthy 3-node ``cluster``; the figures it measured."""
    figures = Figures(postings=len(postings))
    url = cluster.url(COLLECTION)
    writer.rebuild(url, postings)

    stream = Stream(url, postings[:10])
    stream.start()
    try:
        _wait("writes before the kill", lambda: stream.acked_count() >= WRITES_BEFORE)
        figures.killed_leader = wait_leader(cluster)
        acked_before = stream.acked_count()
        cluster.kill(figures.killed_leader)
        killed_at = time.monotonic()
        _wait(
            "writes after the kill",
            lambda: (
                stream.acked_count() >= acked_before + WRITES_AFTER
                and time.monotonic() - killed_at >= AFTER_KILL
            ),
        )
    finally:
        stream.join()
    if stream.unexpected:
        raise RuntimeError("; ".join(stream.unexpected))

    after = [t for _, t in stream.acked if t > killed_at]
    figures.writes_acknowledged = len(stream.acked)
    figures.writes_acknowledged_after_kill = len(after)
    # The longest wait between two acknowledgements once the leader was killed (a write
    # in flight at the kill may still be acknowledged at once).
    times = sorted(t for _, t in stream.acked)
    figures.seconds_without_writes = round(
        max(b - a for a, b in pairwise(times) if b > killed_at), 2
    )
    figures.writes_failed = len(stream.write_errors)
    figures.write_errors = sorted({error for error, _ in stream.write_errors})
    figures.searches = len(stream.searches)
    figures.search_errors = sorted({e for _, _, e in stream.searches if e is not None})
    figures.searches_failed = sum(1 for _, _, e in stream.searches if e is not None)
    early = [s * 1000 for start, s, e in stream.searches if start < killed_at and e is None]
    if early:
        figures.search_p50_ms_before_kill = round(statistics.median(early), 1)
    late = [s * 1000 for start, s, e in stream.searches if start >= killed_at and e is None]
    figures.searches_after_kill = len(late)
    if late:
        figures.search_p50_ms_after_kill = round(statistics.median(late), 1)
        figures.search_max_ms_after_kill = round(max(late), 1)

    figures.new_leader = wait_leader(cluster)
    expected = len(postings) + len({doc_id for doc_id, _ in stream.acked})
    figures.acknowledged_missing = missing_ids(url, [doc_id for doc_id, _ in stream.acked])
    figures.leader_count = node_count(cluster, figures.new_leader, COLLECTION) or 0

    # The killed node comes back on its data and catches up from the leader.
    restart = figures.killed_leader
    with connect(url) as client:
        name = client.resolve(COLLECTION) or COLLECTION
    cluster.restart(restart)
    figures.seconds_to_catch_up = round(
        _wait(
            "the restarted node's catch-up",
            lambda: (
                node_count(cluster, restart, name) == figures.leader_count
                and cluster.healthy(restart)
            ),
        ),
        2,
    )
    figures.restarted_count = node_count(cluster, restart, name) or 0
    if figures.leader_count < expected:
        figures.acknowledged_missing.append(
            f"the leader counts {figures.leader_count} of {expected} postings"
        )

    # Two of three down: the survivor answers searches until it notices it has no
    # leader (then it refuses them, as Typesense does); a write fails in one line.
    survivor = figures.killed_leader
    for n in (1, 2, 3):
        if n != survivor:
            cluster.kill(n)
    down_at = time.monotonic()
    index = JobIndex.open(url)
    try:
        for query in QUERIES * 2:
            figures.two_down_searches += 1
            try:
                index.search(query, limit=10)
                figures.two_down_searches_answered += 1
            except ClusterError:
                pass
        start = time.monotonic()
        try:
            writer.upsert(url, [new_posting(postings[0], 99_999)])
            figures.two_down_write_error = "(the write was acknowledged)"
        except ClusterError as exc:
            figures.two_down_write_error = str(exc)
        figures.two_down_write_seconds = round(time.monotonic() - start, 1)
        while time.monotonic() - down_at < PATIENCE:
            try:
                index.search(QUERIES[0], limit=10)
            except ClusterError as exc:
                figures.two_down_search_error = str(exc)
                break
            time.sleep(0.2)
        figures.two_down_answered_seconds = round(time.monotonic() - down_at, 1)
    finally:
        index.close()
    return figures


def show(figures: Figures) -> None:
    f = figures
    lines = [
        f"postings at the start: {f.postings:,}; leader killed (SIGKILL): node {f.killed_leader};"
        f" new leader: node {f.new_leader}",
        f"writes acknowledged: {f.writes_acknowledged} ({f.writes_acknowledged_after_kill} after"
        f" the kill); failed: {f.writes_failed} {f.write_errors or ''}",
        f"time without writes after the kill: {f.seconds_without_writes:.1f} s",
        f"searches: {f.searches}, failed: {f.searches_failed} {f.search_errors or ''};"
        f" p50 {f.search_p50_ms_before_kill:.1f} ms before the kill; after it:"
        f" {f.searches_after_kill}, p50 {f.search_p50_ms_after_kill:.1f} ms,"
        f" slowest {f.search_max_ms_after_kill:.0f} ms",
        f"acknowledged writes missing afterwards: {len(f.acknowledged_missing)}"
        f" (leader counts {f.leader_count:,})",
        f"restarted node {f.killed_leader} caught up in {f.seconds_to_catch_up:.1f} s"
        f" ({f.restarted_count:,} postings)",
        f"two of three nodes down: {f.two_down_searches_answered} of {f.two_down_searches}"
        f" searches answered; a write failed after {f.two_down_write_seconds:.1f} s with:"
        f" {f.two_down_write_error}",
        f"the survivor answered searches for {f.two_down_answered_seconds:.1f} s, then:"
        f" {f.two_down_search_error or '(it never stopped)'}",
    ]
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=SAMPLE, help="postings (default: data/)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    postings = list(load_postings(args.file))
    with tempfile.TemporaryDirectory() as root, running_cluster(Path(root)) as cluster:
        figures = run(cluster, postings)
    if args.json:
        print(json.dumps(asdict(figures)))
    else:
        show(figures)


if __name__ == "__main__":
    main()
