"""A real ``jobsearch serve`` process on a loopback port, for tests of the service.

``serve(index)`` starts ``python -m search serve --port 0 --index DIR`` (plus any
arguments), reads the address from the first line it prints, and yields a ``Server``;
when the block ends the process gets SIGTERM, then a kill if it has not stopped, so no
test leaves a server behind. ``Server.request`` speaks HTTP with the standard library
only (``http.client``), so a test can send exactly the bytes it means: odd headers, a
long address, a body of any type.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

__all__ = ["Answer", "Server", "serve"]

#: Longest wait for a server to print its address, or to stop after SIGTERM. A safety
#: net so that a broken server fails the test instead of hanging it, not a measurement.
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0

_ADDRESS = re.compile(r" at (http://\S+)$")


@dataclass
class Answer:
    """One HTTP answer: status, headers (names in lower case) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        assert self.headers.get("content-type", "").startswith("application/json"), self
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Server:
    """A running ``jobsearch serve``: its address, its first line and its process
    (what it prints goes to two files in a folder of its own, ``remove_output``)."""

    url: str
    first_line: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path
    token: str | None = None
    returncode: int | None = field(default=None)

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def request(
        self,
        method: str,
        path: str,
        query: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        *,
        body: bytes | str | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        token: str | None = None,
        timeout: float = 60.0,
    ) -> Answer:
        """Send one request; ``token`` goes as ``Authorization: Bearer``, ``json_body``
        as JSON with its content type."""
        target = path + (f"?{urlencode(query, doseq=True)}" if query else "")
        sent = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
            sent.setdefault("Content-Type", "application/json")
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        connection = http.client.HTTPConnection(self.host, timeout=timeout)
        try:
            connection.request(method, target, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
            got = {name.lower(): value for name, value in response.getheaders()}
            return Answer(response.status, got, data)
        finally:
            connection.close()

    def get(self, path: str, query: Any = None, **kwargs: Any) -> Answer:
        return self.request("GET", path, query, **kwargs)

    def stop(self) -> int:
        """SIGTERM, then a kill if it does not stop in time; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.returncode = self.process.returncode
        return self.returncode

    def remove_output(self) -> None:
        """Delete the files the process printed to (once it has stopped)."""
        shutil.rmtree(self.stdout.parent, ignore_errors=True)

    def output(self) -> tuple[str, str]:
        """What the process printed so far: (stdout, stderr)."""
        return (
            self.stdout.read_text(encoding="utf-8", errors="replace"),
            self.stderr.read_text(encoding="utf-8", errors="replace"),
        )


def command(index: Path | str, *args: str) -> list[str]:
    """The command line of a server on any free loopback port."""
    return [sys.executable, "-m", "search", "serve", "--port", "0", "--index", str(index), *args]


def start(
    index: Path | str, *args: str, token: str | None = None, env: Mapping[str, str] | None = None
) -> Server:
    """Start a server and wait for its address; the caller must ``stop`` it."""
    folder = Path(tempfile.mkdtemp(prefix="jobsearch-serve-"))
    stdout, stderr = folder / "stdout", folder / "stderr"
    environment = {**os.environ, **(env or {})}
    environment.pop("JOBSEARCH_TOKEN", None)
    environment.setdefault("PYTHONUNBUFFERED", "1")
    argv = command(index, *args, *(["--token", token] if token else []))
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=environment)
    server = Server("", "", process, stdout, stderr, token)
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        printed = stdout.read_text(encoding="utf-8", errors="replace")
        if "\n" in printed:
            line = printed.split("\n", 1)[0]
            found = _ADDRESS.search(line)
            if found is None:
                server.stop()
                server.remove_output()
                raise AssertionError(f"no address in the first line: {line!r}")
            server.url, server.first_line = found.group(1), line
            return server
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            printed_all = server.output()
            server.remove_output()
            raise AssertionError(f"the server did not start: {printed_all}")
        time.sleep(0.05)


@contextlib.contextmanager
def serve(
    index: Path | str, *args: str, token: str | None = None, env: Mapping[str, str] | None = None
) -> Iterator[Server]:
    """A server over ``index`` for the block, stopped (SIGTERM, then kill) at its end."""
    server = start(index, *args, token=token, env=env)
    try:
        yield server
    finally:
        server.stop()
        server.remove_output()
