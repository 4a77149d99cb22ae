"""Turning postings into new segments, on every core.

Each worker process takes chunks of work, builds postings (when it is given raw records,
the extraction runs there too), analyses them, and writes its own segments; the parent
reads the input, hands out the chunks and commits the segments it gets back. A posting
whose stored digest equals the index's is skipped where it is built. Workers are tied to
the parent: if the parent dies, the kernel kills them (``PR_SET_PDEATHSIG``), so a killed
build leaves no process behind and no lock (the lock is the parent's).

Small inputs are built in the calling process: starting workers costs more than it saves.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import multiprocessing as mp
import os
import queue
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from whoosh.codec.whoosh3 import W3Segment

from search.model import JobPosting
from search.store import untrusted
from search.store.analysis import FastTextAnalysis
from search.store.documents import content_hash, to_document
from search.store.schema import shared_schema
from search.store.segments import SegmentBuilder

#: Documents per segment: bounds a worker's memory (about 400 MB at its peak) and the
#: cost of a segment's side tables; a search reads every segment, so fewer is faster.
SEGMENT_DOCS = 40_000
CHUNK = 256
#: Posting id -> (content digest, first indexed at); a digest of "" never matches, so a
#: rebuild writes every posting while keeping the times it first entered the index.
Known = dict[str, tuple[str, float]]
#: What ``stage`` is told when reading is done and the last segments are being written.
WRITING = "writing the index"
#: Below this many postings everything runs in the calling process.
PARALLEL_MIN = 3_000


@runtime_checkable
class Deferred(Protocol):
    """Postings whose building (extraction) can run in worker processes.

    ``pending`` yields the raw items in the calling process (reading files); ``make``
    turns one item into a posting, or into a rejection reason, anywhere.
    """

    def pending(self) -> Iterator[object]: ...

    def make(self, item: object) -> JobPosting | str: ...

    def rejected(self, item: object, reason: str) -> None: ...


@dataclass(slots=True)
class Built:
    """What building one chunk gave: new documents (by input sequence) and the rest."""

    segment: W3Segment | None = None
    #: (sequence number, posting id, document number in ``segment``)
    docs: list[tuple[int, str, int]] = field(default_factory=list)
    #: (sequence number, posting id) of postings identical to the indexed ones
    unchanged: list[tuple[int, str]] = field(default_factory=list)
    #: (sequence number, item, reason) of items that did not make a posting
    rejected: list[tuple[int, object, str]] = field(default_factory=list)


class _Worker:
    """Builds segments from chunks; lives in a worker process or in the caller."""

    def __init__(
        self,
        folder: Path,
        existing: Known,
        make: Callable[[object], JobPosting | str],
    ) -> None:
        self.storage = untrusted.IndexStorage(folder)
        self.side = folder / "side"
        self.existing = existing
        self.make = make
        self.analysis = FastTextAnalysis()
        self.builder: SegmentBuilder | None = None
        self.pending = Built()
        #: The first-indexed time of the postings new to the index in this run.
        self.started = time.time()

    def add(self, chunk: list[tuple[int, object]]) -> Built | None:
        """Add a chunk; returns a finished segment's result when the segment is full."""
        for seq, item in chunk:
            posting = self.make(item)
            if isinstance(posting, str):
                self.pending.rejected.append((seq, item, posting))
                continue
            known = self.existing.get(posting.id)
            digest = content_hash(posting) if known is not None else None
            if known is not None and known[0] == digest:
                self.pending.unchanged.append((seq, posting.id))
                continue
            if self.builder is None:
                self.builder = SegmentBuilder(self.storage, shared_schema(), self.side)
            first = known[1] if known is not None else self.started
            docnum = self.builder.add(to_document(posting, self.analysis, digest, first))
            self.pending.docs.append((seq, posting.id, docnum))
        if self.builder is not None and len(self.builder) >= SEGMENT_DOCS:
            return self.finish()
        return None

    def finish(self) -> Built:
        done = self.pending
        if self.builder is not None:
            done.segment = self.builder.finish()
        self.builder, self.pending = None, Built()
        return done


def _as_posting(item: object) -> JobPosting | str:
    assert isinstance(item, JobPosting)
    return item


def _die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux)."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _run_worker(
    folder: Path,
    existing: Known,
    make: Callable[[object], JobPosting | str],
    tasks: Any,
    results: Any,
    parent: int,
) -> None:
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above ran
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C means
    worker = _Worker(folder, existing, make)
    try:
        while (chunk := tasks.get()) is not None:
            done = worker.add(chunk)
            if done is not None:
                results.put(("built", done))
        results.put(("built", worker.finish()))
        results.put(("end", None))
    except BaseException as exc:  # report, never hang the parent
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def _numbered(items: Iterable[object]) -> Iterator[list[tuple[int, object]]]:
    numbered = enumerate(items)
    while chunk := list(islice(numbered, CHUNK)):
        yield chunk


def build(
    folder: Path,
    postings: Iterable[JobPosting] | Deferred,
    existing: Known,
    on_built: Callable[[Built], None],
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    stage: Callable[[str], None] | None = None,
) -> None:
    """Build new segments in ``folder`` from ``postings``; ``on_built`` gets each one.

    ``existing`` maps the index's posting ids to their digests, so unchanged postings are
    skipped. ``progress`` is told how many items each chunk held; ``stage`` is told when
    every input has been read and the last segments are being written.
    """
    if isinstance(postings, Deferred):
        items: Iterable[object] = postings.pending()
        make: Callable[[object], JobPosting | str] = postings.make
    else:
        items, make = postings, _as_posting
    chunks = _numbered(items)
    head = list(islice(chunks, PARALLEL_MIN // CHUNK))
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count < 2 or len(head) < PARALLEL_MIN // CHUNK:
        _build_here(folder, existing, make, [*head, *chunks], on_built, progress, stage)
        return
    _build_parallel(folder, existing, make, [*head], chunks, on_built, progress, count, stage)


def _build_here(
    folder: Path,
    existing: Known,
    make: Callable[[object], JobPosting | str],
    chunks: Iterable[list[tuple[int, object]]],
    on_built: Callable[[Built], None],
    progress: Callable[[int], None] | None,
    stage: Callable[[str], None] | None,
) -> None:
    worker = _Worker(folder, existing, make)
    for chunk in chunks:
        done = worker.add(chunk)
        if progress:
            progress(len(chunk))
        if done is not None:
            on_built(done)
    if stage:
        stage(WRITING)
    on_built(worker.finish())


def _build_parallel(
    folder: Path,
    existing: Known,
    make: Callable[[object], JobPosting | str],
    head: list[list[tuple[int, object]]],
    rest: Iterator[list[tuple[int, object]]],
    on_built: Callable[[Built], None],
    progress: Callable[[int], None] | None,
    count: int,
    stage: Callable[[str], None] | None,
) -> None:
    ctx = mp.get_context("fork")
    tasks = ctx.Queue(maxsize=count * 4)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=_run_worker,
            args=(folder, existing, make, tasks, results, os.getpid()),
            daemon=True,
        )
        for _ in range(count)
    ]
    for proc in procs:
        proc.start()
    finished = False
    try:
        # Streamed: the reader stays at most a few chunks ahead of the workers.
        for chunk in itertools.chain(head, rest):
            _put(tasks, chunk, results, on_built, procs)
            if progress:
                progress(len(chunk))
        for _ in procs:
            _put(tasks, None, results, on_built, procs)
        if stage:
            stage(WRITING)
        ended = 0
        while ended < count:
            ended += _drain(results, on_built, block=True)
            if ended < count:
                _check_workers(procs)
        for proc in procs:
            proc.join()
        finished = True
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()
        if not finished:
            # Items left in the queues' pipes must not keep this process from exiting
            # (Ctrl-C, an error): the workers that would read them are gone.
            tasks.cancel_join_thread()
            results.cancel_join_thread()
        tasks.close()
        results.close()


def _check_workers(procs: list[Any]) -> None:
    """A worker that died (killed, out of memory) fails the build instead of hanging it."""
    for proc in procs:
        if proc.exitcode not in (None, 0):
            raise RuntimeError(f"a build worker stopped (exit code {proc.exitcode})")


def _put(
    tasks: Any, chunk: object, results: Any, on_built: Callable[[Built], None], procs: list[Any]
) -> None:
    """Queue a chunk, handling finished segments while the workers are busy."""
    while True:
        try:
            tasks.put(chunk, timeout=0.2)
            return
        except queue.Full:
            _drain(results, on_built, block=False)
            _check_workers(procs)


def _drain(results: Any, on_built: Callable[[Built], None], block: bool) -> int:
    """Handle what workers sent; returns how many workers ended."""
    ended = 0
    while True:
        try:
            kind, value = results.get(timeout=0.5) if block else results.get_nowait()
        except queue.Empty:
            return ended
        if kind == "built":
            on_built(value)
        elif kind == "end":
            ended += 1
        else:
            raise RuntimeError(f"a build worker failed: {value}")
        if block:
            return ended
