"""One ``JobIndex`` shared by many threads while another process changes the index.

Eight threads search one ``JobIndex`` over and over while a writer process adds,
updates, deletes and rebuilds. Every posting names its generation as its employer, so a
search's total and its employer counts together say which committed state it read: each
search must match one committed state exactly (a search that mixed two snapshots, or read
a reader closed under it, fails here), and every hit must belong to that state.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import traceback
from collections import Counter
from pathlib import Path

from search import JobIndex
from search.model import JobPosting

THREADS = 8
SEARCHES = 1_000
PAGE = 5

#: The writer process: it waits for "go" on stdin, then runs each step (one commit).
WRITER = """
import json, sys
from search import JobIndex
from search.model import JobPosting

path, steps = sys.argv[1], json.loads(sys.argv[2])
sys.stdin.readline()
for kind, rows in steps:
    if kind == "delete":
        JobIndex.open(path).delete(rows)
        continue
    postings = [JobPosting(id=i, title=t, description=d, company=c) for i, t, d, c in rows]
    if kind == "add":
        JobIndex.open(path).add(postings)
    else:
        JobIndex.rebuild(path, postings)
"""

Row = tuple[str, str, str, str]


def row(posting_id: str, generation: int) -> Row:
    title = f"Marker analyst {posting_id.replace('-', ' ')}"
    description = f"marker work of generation {generation} on item {posting_id}"
    return (posting_id, title, description, f"Gen{generation}")


def plan() -> tuple[list[Row], list[tuple[str, list]], list[dict[str, str]]]:
    """The first postings, the writer's steps, and each committed state (id -> employer)."""
    first = [row(f"g0-{i}", 0) for i in range(40)]
    live = {r[0]: r[3] for r in first}
    steps: list[tuple[str, list]] = []
    states = [dict(live)]
    for gen in range(1, 13):
        if gen % 4 == 0:  # rebuild from what is live, less the oldest three
            kept = sorted(live, key=lambda i: (int(i[1:].split("-")[0]), i))[3:]
            rows = [row(i, int(live[i][3:])) for i in kept]
            steps.append(("rebuild", rows))
            live = {r[0]: r[3] for r in rows}
        elif gen % 3 == 0:  # delete four postings
            gone = sorted(live)[gen : gen + 4]
            steps.append(("delete", gone))
            for i in gone:
                del live[i]
        else:  # add new postings and move two old ones to this generation (updates)
            moved = sorted(live)[gen * 2 : gen * 2 + 2]
            rows = [row(f"g{gen}-{i}", gen) for i in range(3 + gen % 5)]
            rows += [row(i, gen) for i in moved]
            steps.append(("add", rows))
            live.update({r[0]: r[3] for r in rows})
        states.append(dict(live))
    return first, steps, states


def signature(total: int, employers: dict[str, int]) -> tuple[int, tuple[tuple[str, int], ...]]:
    return total, tuple(sorted(employers.items()))


def test_threads_search_while_another_process_writes(tmp_path: Path) -> None:
    first, steps, states = plan()
    expected = {signature(len(s), dict(Counter(s.values()))): set(s) for s in states}
    assert len(expected) == len(states)  # every state tells itself apart
    index = JobIndex.create(tmp_path / "index")
    index.add([JobPosting(id=i, title=t, description=d, company=c) for i, t, d, c in first])

    failures: list[str] = []
    seen: Counter[tuple[int, tuple[tuple[str, int], ...]]] = Counter()
    writer_done = threading.Event()
    started = threading.Barrier(THREADS + 1)

    def search(_: int) -> None:
        for n in range(1, 10**6):
            if n == 2:
                started.wait()
            if n > SEARCHES and writer_done.is_set():
                return
            try:
                results = index.search("marker", limit=PAGE, collapse=False, facet_top=100)
                sig = signature(results.total, results.facets.get("company", {}))
                ids = {h.posting.id for h in results.hits}
                state = expected.get(sig)
                if state is None:
                    failures.append(f"a state never committed: {sig}")
                elif not ids <= state or len(ids) != min(PAGE, results.total):
                    failures.append(f"hits {sorted(ids)} are not of the state {sig}")
                seen[sig] += 1
            except Exception:
                failures.append(traceback.format_exc())
            if len(failures) > 20:
                return

    threads = [threading.Thread(target=search, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path / "index"), json.dumps(steps)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started.wait(timeout=60)  # every thread has searched the first state
        _, errors = writer.communicate("go\n", timeout=120)
    finally:
        writer_done.set()
        for thread in threads:
            thread.join(timeout=300)
        if writer.poll() is None:
            writer.kill()
    index.close()

    assert writer.returncode == 0, errors
    assert not failures, failures[:3]
    assert sum(seen.values()) >= THREADS * SEARCHES
    last = states[-1]
    assert seen[signature(len(last), dict(Counter(last.values())))] >= THREADS
    assert seen[signature(len(states[0]), dict(Counter(states[0].values())))] >= THREADS


def test_close_leaves_a_running_search_working(tmp_path: Path) -> None:
    """``close`` (or a change that reopens the index) never closes what a search in
    progress reads: an export being streamed finishes, and the next search reopens."""
    index = JobIndex.create(tmp_path / "index")
    index.add([JobPosting(*row(f"g0-{i}", 0)[:3], company="Gen0") for i in range(30)])
    stream = index.search_all("marker", collapse=False)
    first = next(stream)
    index.close()
    rest = list(stream)
    assert len({first.posting.id, *(h.posting.id for h in rest)}) == 30
    index.add([JobPosting(*row("g1-0", 1)[:3], company="Gen1")])
    assert index.search("marker").total == 31
    index.close()


def test_threads_read_stored_postings_of_one_reader_at_once(tmp_path: Path) -> None:
    """Whoosh reads a stored posting by moving a file's position and reading there; two
    threads doing so through one reader must each read their own posting. Switching
    threads very often makes a shared position show (a wrong posting, a zlib error)."""
    index = JobIndex.create(tmp_path / "index")
    ids = [f"p{i}" for i in range(300)]
    index.add(
        [
            JobPosting(id=i, title=f"Title {n} " + "word " * n, description=f"text {n} " * 60)
            for n, i in enumerate(ids)
        ]
    )
    failures: list[str] = []

    def read(t: int) -> None:
        for n in range(500):
            wanted = ids[(n * 7 + t * 13) % len(ids)]
            try:
                got = index.get(wanted)
                if got.id != wanted or not got.title.startswith(f"Title {wanted[1:]} "):
                    failures.append(f"{wanted} read as {got.id}")
            except Exception:
                failures.append(traceback.format_exc())
            if len(failures) > 5:
                return

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        threads = [threading.Thread(target=read, args=(t,)) for t in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        sys.setswitchinterval(interval)
        index.close()
    assert not failures, failures[:3]
