"""A real ``jobsearch serve`` process for the web page's tests, and an index to serve
that holds hostile postings beside the sample ones.

The server binds a free loopback port (``--port 0``) and its address is read from the
first line it prints; it is always stopped (SIGTERM, then kill) when the block ends.
"""

from __future__ import annotations

import contextlib
import http.client
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from search import JobIndex, load_postings
from tests.serving import serve

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
TOKEN = "web-test-token-0123456789"

SCRIPT_TITLE = "<script>window.pwned=1</script>"
IMG_COMPANY = '<img src=x onerror="window.pwned=1">'
HOSTILE_URL = "javascript:alert(1)"

#: Postings that try to run script wherever their text is shown. Their words overlap so
#: each is "similar" to the other, and a search for "pwned" finds both.
HOSTILE_ROWS = [
    {
        "id": "hostile-script",
        "title": SCRIPT_TITLE,
        "company": IMG_COMPANY,
        "location": "Seattle, WA",
        "url": HOSTILE_URL,
        "description": (
            f"{SCRIPT_TITLE} Applied scientist pwned role in machine learning.\n"
            f"{IMG_COMPANY} <em>fake mark</em> </em> <a href=javascript:alert(1)>click</a>\n\n"
            "We build deep learning models for search. Python, PyTorch, pwned."
        ),
    },
    {
        "id": "hostile-img",
        "title": IMG_COMPANY,
        "company": SCRIPT_TITLE,
        "location": "Seattle, WA",
        "url": "https://example.com/jobs/1?a=1&b=<x>",
        "description": (
            f"{IMG_COMPANY} Applied scientist pwned role in machine learning. {SCRIPT_TITLE}\n"
            "We build deep learning models for search. Python, PyTorch, pwned."
        ),
    },
]


def build_index(folder: Path) -> Path:
    """An index of the ten sample postings and the hostile ones, in ``folder``."""
    path = folder / "index"
    rows = folder / "hostile.jsonl"
    rows.write_text("".join(json.dumps(r) + "\n" for r in HOSTILE_ROWS), encoding="utf-8")
    with JobIndex.create(path) as index:
        index.add(load_postings(DATA))
        rejected: list[object] = []
        index.add(load_postings(rows, on_reject=rejected.append))
        assert rejected == [], rejected
    return path


@dataclass(frozen=True)
class Server:
    address: str

    @property
    def host(self) -> str:
        return urlsplit(self.address).netloc

    def request(
        self,
        method: str,
        target: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, str]:
        """One request sent as given (the target is not normalised): status, headers,
        body text."""
        parts = urlsplit(self.address)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        try:
            conn.request(method, target, body=body, headers=headers or {})
            answer = conn.getresponse()
            return answer.status, answer.headers, answer.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def get(
        self, target: str, headers: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPMessage, str]:
        return self.request("GET", target, headers=headers)


@contextlib.contextmanager
def serving(index: Path, *args: str) -> Iterator[Server]:
    """``jobsearch serve`` on a free loopback port over ``index``, stopped at the end
    (started and stopped by ``tests.serving.serve``, the one server runner)."""
    with serve(index, *args) as running:
        yield Server(running.url)
