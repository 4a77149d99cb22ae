"""What one serving process holds: the index it answers from and the token that allows
changes. Writes are run one at a time in a worker thread, so a slow add never holds up
the event loop and two adds from this process never race for the index lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from search.jobindex import JobIndex

__all__ = ["Service"]

T = TypeVar("T")


class Service:
    """The index a serving process answers from, and its token (None: read-only)."""

    def __init__(self, index: JobIndex, token: str | None = None) -> None:
        self.index = index
        self.token = token or None
        self._writes = threading.Lock()

    @property
    def path(self) -> Path:
        return self.index.path

    @property
    def writable(self) -> bool:
        return self.token is not None

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` in a worker thread, one change at a time."""

        def locked() -> T:
            with self._writes:
                return call(*args)

        return await run_in_threadpool(locked)
