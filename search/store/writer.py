"""Create, add to, delete from and rebuild an index; every change is one atomic step.

Within a build folder a change is committed by writing a new Whoosh table of contents
(atomic rename): new segments and deletions appear together or not at all, and ``add``
commits each finished segment, so an interrupted run keeps what it finished. A rebuild
fills a new build folder and swaps the pointer file (``search.store.layout``); it never
replaces a good index with an empty one. Every change holds the index's lock.

``JOBSEARCH_FAULT=<step>`` makes a writer kill itself at a named step, so the tests can
check that any crash leaves the old state or the new one (see ``FAULT_STEPS``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.codec.whoosh3 import W3Segment
from whoosh.index import TOC

from search.errors import InputError, JobSearchError
from search.model import JobPosting
from search.store import fields as f
from search.store import layout, untrusted
from search.store.building import Built, Deferred, build
from search.store.layout import INDEX_NAME
from search.store.reading import Snapshot, read_toc
from search.store.schema import SCHEMA_VERSION, shared_schema

#: Where a writer can be made to die, in the order they happen.
FAULT_STEPS = (
    "add:segment-written",
    "add:committed",
    "delete:marked",
    "rebuild:built",
    "rebuild:switched",
)
_SEGMENT_FILE = re.compile(rf"^{INDEX_NAME}_([0-9a-z]+)\.")
_TOC_FILE = re.compile(rf"^_{INDEX_NAME}_([0-9]+)\.toc$")


def fault(step: str) -> None:
    """Die here, as a crash would, when the environment asks for it (tests only)."""
    if os.environ.get("JOBSEARCH_FAULT") == step:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(slots=True)
class AddSummary:
    """What an add or rebuild did, counted by posting id.

    ``merged`` counts records that repeated an id seen earlier in the same run (the last
    one is kept). ``ids`` are the ids that were added or updated.
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    merged: int = 0
    #: Postings removed because the file they came from no longer holds them.
    pruned: int = 0
    ids: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


@dataclass(slots=True)
class _Doc:
    seq: int
    segment: W3Segment | None  # None: the posting already in the index, unchanged
    docnum: int


class _Run:
    """One add or rebuild in progress: new segments, and which copy of each id wins."""

    def __init__(
        self,
        folder: Path,
        snapshot: Snapshot | None,
        on_reject: Callable[[object, str], None] | None,
    ) -> None:
        self.folder = folder
        self.storage = untrusted.IndexStorage(folder)
        self.segments: list[W3Segment] = list(read_toc(folder).segments)
        self.old = snapshot.locations() if snapshot is not None else {}
        self.existing = snapshot.digests() if snapshot is not None else {}
        self.latest: dict[str, _Doc] = {}
        self.losers: list[_Doc] = []
        self.summary = AddSummary()
        self.on_reject = on_reject

    def built(self, done: Built) -> None:
        """Take a finished segment, settle which copy of each id wins, commit."""
        for _seq, item, reason in done.rejected:
            self.summary.rejected += 1
            if self.on_reject is not None:
                self.on_reject(item, reason)
        for seq, posting_id in done.unchanged:
            self._offer(posting_id, _Doc(seq, None, -1))
        if done.segment is not None:
            for seq, posting_id, docnum in done.docs:
                self._offer(posting_id, _Doc(seq, done.segment, docnum))
            self.segments.append(done.segment)
            fault("add:segment-written")
        if done.segment is not None or done.unchanged:
            self.commit()

    def _offer(self, posting_id: str, doc: _Doc) -> None:
        current = self.latest.get(posting_id)
        if current is not None:
            self.summary.merged += 1
            loser, doc = (doc, current) if current.seq > doc.seq else (current, doc)
            self.losers.append(loser)
        self.latest[posting_id] = doc

    def commit(self) -> None:
        """Mark what lost, write the table of contents, remove what nothing uses.

        The index's own copy of an id is deleted while a new copy wins, and kept (or
        restored) when the last record of that id was identical to it.
        """
        for doc in self.losers:
            if doc.segment is not None:
                doc.segment.delete_document(doc.docnum)
        self.losers.clear()
        by_id = {s.segment_id(): s for s in self.segments}
        for posting_id, doc in self.latest.items():
            old = self.old.get(posting_id)
            if old is None:
                continue
            segment = by_id[old[0]]
            if doc.segment is not None:
                segment.delete_document(old[1])
            elif segment._deleted:
                segment._deleted.discard(old[1])
        commit(self.folder, self.segments)
        fault("add:committed")

    def finish(self) -> AddSummary:
        s = self.summary
        for posting_id, doc in self.latest.items():
            if doc.segment is None:
                s.unchanged += 1
            elif posting_id in self.existing:
                s.updated += 1
                s.ids.append(posting_id)
            else:
                s.added += 1
                s.ids.append(posting_id)
        return s


def commit(folder: Path, segments: list[W3Segment]) -> None:
    """Write the next table of contents for ``segments`` and drop the older ones.

    Readers read a table of contents whole when they open, so an older one is never
    needed again; segment files are not touched (other segments of this run may still
    be being written).
    """
    storage = untrusted.IndexStorage(folder)
    generation = TOC._latest_generation(storage, INDEX_NAME) + 1
    TOC(shared_schema(), segments, generation).write(storage, INDEX_NAME)
    for child in folder.iterdir():
        toc = _TOC_FILE.match(child.name)
        if toc and int(toc.group(1)) < generation:
            _remove(child)


def clean_orphans(folder: Path) -> None:
    """Remove files of segments that no table of contents refers to.

    Called by a writer holding the lock, before it writes anything: a segment nobody
    refers to then was left by a writer that was killed before its commit. Segments are
    never merged away, so a reader never needs one that the current table omits.
    """
    live = {s.segment_id() for s in read_toc(folder).segments}
    for child in folder.iterdir():
        name = child.name
        seg = _SEGMENT_FILE.match(name)
        stray = name.startswith(f"{INDEX_NAME}.tmp") or (
            name.startswith(f"_{INDEX_NAME}_") and ".toc." in name
        )
        if stray or (seg and f"{INDEX_NAME}_{seg.group(1)}" not in live):
            _remove(child)
    side = folder / "side"
    if side.is_dir() and not side.is_symlink():
        for child in side.iterdir():
            if child.name not in live:
                _remove(child)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _empty_build(path: Path) -> Path:
    folder = layout.new_generation(path)
    TOC.create(untrusted.IndexStorage(folder), shared_schema(), INDEX_NAME)
    return folder


def create_index(path: Path) -> None:
    """Make ``path`` an empty index (an index already there is replaced, atomically)."""
    with layout.locked(path):
        meta = layout.read_meta(path)
        folder = _empty_build(path)
        layout.point_to(path, folder, SCHEMA_VERSION)
        layout.sweep(path, {folder.name, str(meta.get("generation"))})
        layout.remove_legacy(path, meta)


def upsert(
    path: Path,
    postings: Iterable[JobPosting] | Deferred,
    progress: Callable[[int], None] | None = None,
    on_reject: Callable[[object, str], None] | None = None,
    prune: Iterable[str] = (),
    stage: Callable[[str], None] | None = None,
) -> AddSummary:
    """Insert new postings, replace changed ones, skip identical ones.

    ``prune`` names files (absolute paths) being read again in full: their postings that
    this run did not see are deleted, in the same commit as the last segment.
    """
    with layout.locked(path):
        folder = layout.current(path, SCHEMA_VERSION)
        clean_orphans(folder)
        with Snapshot(path) as snapshot:
            run = _Run(folder, snapshot, _reject_to(postings, on_reject))
            build(folder, postings, run.existing, run.built, progress, stage=stage)
            gone = _unseen(snapshot, set(prune), run.latest)
        if gone:
            by_id = {s.segment_id(): s for s in run.segments}
            for segment_id, docnum in gone:
                by_id[segment_id].delete_document(docnum)
            commit(folder, run.segments)
        summary = _count_reading(run.finish(), postings)
        summary.pruned = len(gone)
        return summary


def _reject_to(
    postings: object, on_reject: Callable[[object, str], None] | None
) -> Callable[[object, str], None] | None:
    """Where records that fail to build go: the caller's handler, else the source's own
    (``load_postings`` counts them per file and reports them)."""
    if on_reject is None and isinstance(postings, Deferred):
        return postings.rejected
    return on_reject


def _count_reading(summary: AddSummary, postings: object) -> AddSummary:
    """Records rejected while reading (unreadable rows) count as rejected too."""
    report = getattr(postings, "report", None)
    files = getattr(report, "files", None)
    if files:
        summary.rejected = max(summary.rejected, sum(f.rejected for f in files))
    return summary


def _unseen(
    snapshot: Snapshot, files: set[str], seen: Mapping[str, object]
) -> list[tuple[str, int]]:
    """(segment, document) of live postings read from ``files`` whose id was not seen."""
    out = []
    for part in snapshot.parts:
        table = part.tables.table(f.SOURCE_FILE)
        if table is None or not files:
            continue
        ids = part.tables.array("ids")
        for name in files:
            docs, _ = table.postings(name.encode("utf-8"))
            for docnum in docs.tolist():
                if docnum not in part.deleted and ids[docnum].decode("utf-8") not in seen:
                    out.append((part.segment_id, docnum))
    return out


def rebuild(
    path: Path,
    postings: Iterable[JobPosting] | Deferred,
    progress: Callable[[int], None] | None = None,
    on_reject: Callable[[object, str], None] | None = None,
    stage: Callable[[str], None] | None = None,
) -> AddSummary:
    """Build a new index from ``postings`` beside the old one, then swap it in.

    The old index stays searchable during the build. When the new one would hold no
    posting, nothing is swapped and ``InputError`` says the old index was kept.
    """
    with layout.locked(path):
        meta = layout.read_meta(path)
        previous = meta.get("generation") or (meta and "legacy")
        first_seen = _first_seen(path) if meta else {}
        folder = _empty_build(path)
        try:
            run = _Run(folder, None, _reject_to(postings, on_reject))
            build(folder, postings, first_seen, run.built, progress, stage=stage)
            summary = _count_reading(run.finish(), postings)
            if not summary.total:
                kept = "the index was kept" if previous else "no index was made"
                raise InputError(f"no valid postings to index: {kept}")
            fault("rebuild:built")
            layout.point_to(path, folder, SCHEMA_VERSION)
        except BaseException:
            _remove(folder)
            raise
        fault("rebuild:switched")
        layout.sweep(path, {folder.name, str(previous)})
        layout.remove_legacy(path, meta)
        return summary


def _first_seen(path: Path) -> dict[str, tuple[str, float]]:
    """When each posting of the current index first entered it (digests blanked, so a
    rebuild writes every posting anew but keeps those times); {} if it cannot be read."""
    try:
        with Snapshot(path) as snapshot:
            return {key: ("", first) for key, (_, first) in snapshot.digests().items()}
    except JobSearchError:
        return {}


def delete(path: Path, ids: Iterable[str]) -> int:
    """Delete postings by id; returns how many were deleted."""
    with layout.locked(path):
        folder = layout.current(path, SCHEMA_VERSION)
        with Snapshot(path) as snapshot:
            where = snapshot.locations()
            segments = list(read_toc(folder).segments)
            by_id = {s.segment_id(): s for s in segments}
            count = 0
            for posting_id in dict.fromkeys(ids):
                found = where.get(posting_id)
                if found is not None:
                    by_id[found[0]].delete_document(found[1])
                    count += 1
        if count:
            fault("delete:marked")
            commit(folder, segments)
        return count
