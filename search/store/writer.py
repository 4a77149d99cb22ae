"""Create and open the index directory; upsert and delete postings by id; commit safely.

Whoosh commits are atomic (a new table of contents per generation), so a crash or Ctrl-C
between commits leaves the last committed index readable. ``add`` commits in batches so
that a long run keeps what it has done.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import FileIndex
from whoosh.writing import IndexWriter, LockError

from search.errors import IndexLockedError, IndexNotFoundError, SchemaVersionError
from search.model import JobPosting
from search.store import fields as f
from search.store.documents import to_document
from search.store.schema import SCHEMA_VERSION, build_schema
from search.version import __version__

META_FILE = "jobsearch.json"
#: Files of ours kept in the index directory beside Whoosh's.
OWN_FILES = (META_FILE, "forward.pickle")
BATCH_SIZE = 20_000
LOCK_TIMEOUT_S = 2.0


@dataclass(slots=True)
class AddSummary:
    """What ``JobIndex.add`` did: counts by outcome, and the ids it touched."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    ids: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def _read_meta(path: Path) -> dict[str, object]:
    try:
        return json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def exists(path: Path) -> bool:
    return path.is_dir() and whoosh_index.exists_in(str(path))


def open_index(path: Path) -> FileIndex:
    """Open an existing index, checking the schema version stored beside it."""
    if not exists(path):
        raise IndexNotFoundError(
            f"no index at {path}", hint=f"run `jobsearch index --index {path} data/` first"
        )
    version = _read_meta(path).get("schema_version")
    if version != SCHEMA_VERSION:
        raise SchemaVersionError(
            f"the index at {path} has schema version {version}, this jobsearch uses "
            f"{SCHEMA_VERSION}",
            hint=f"rebuild it: jobsearch index --rebuild --index {path} PATH",
        )
    return whoosh_index.open_dir(str(path))


def _index_files(path: Path) -> list[Path]:
    """The files of an index directory that belong to the index (not .gitkeep and such)."""
    return [
        child
        for child in path.iterdir()
        if child.is_file()
        and (child.name in OWN_FILES or child.name.startswith(("_MAIN_", "MAIN_")))
    ]


def snapshot_stamp(generation: int, path: Path) -> str:
    """Identifies one committed state of the index, for caches kept beside it.

    The generation number alone repeats after a rebuild; with the commit file's
    modification time it does not.
    """
    toc = path / f"_MAIN_{generation}.toc"
    try:
        return f"{generation}:{toc.stat().st_mtime_ns}"
    except OSError:
        return f"{generation}:?"


def create_index(path: Path) -> FileIndex:
    """Create an empty index at ``path``, replacing any index there.

    Only index files are removed; other files a user keeps in the directory stay.
    """
    path.mkdir(parents=True, exist_ok=True)
    for child in _index_files(path):
        if child.name != "MAIN_WRITELOCK":
            child.unlink()
    ix = whoosh_index.create_in(str(path), build_schema())
    meta = {"schema_version": SCHEMA_VERSION, "jobsearch_version": __version__}
    (path / META_FILE).write_text(json.dumps(meta) + "\n", encoding="utf-8")
    return ix


def open_writer(ix: FileIndex, path: Path) -> IndexWriter:
    try:
        return ix.writer(timeout=LOCK_TIMEOUT_S)
    except LockError:
        raise IndexLockedError(
            f"the index at {path} is locked by another writer",
            hint="wait for the other `jobsearch index` to finish, then retry",
        ) from None


def upsert(
    ix: FileIndex,
    path: Path,
    postings: Iterable[JobPosting],
    progress: Callable[[JobPosting], None] | None = None,
) -> AddSummary:
    """Insert new postings, replace changed ones, skip identical ones; commit in batches."""
    summary = AddSummary()
    seen: dict[str, str] = {}
    writer = open_writer(ix, path)
    pending = 0
    try:
        searcher = ix.searcher()
        try:
            for posting in postings:
                doc = to_document(posting)
                previous = seen.get(posting.id)
                if previous is not None and previous != doc[f.CONTENT_HASH] and pending:
                    # The same id twice in one run: a buffered document cannot be
                    # replaced, so commit it first and let the update delete it.
                    writer.commit()
                    writer, pending = open_writer(ix, path), 0
                if previous is None:
                    stored = searcher.document(**{f.ID: posting.id})
                    previous = stored[f.CONTENT_HASH] if stored else None
                if previous == doc[f.CONTENT_HASH]:
                    summary.unchanged += 1
                else:
                    if previous is None:
                        summary.added += 1
                        writer.add_document(**doc)
                    else:
                        summary.updated += 1
                        writer.update_document(**doc)
                    pending += 1
                seen[posting.id] = doc[f.CONTENT_HASH]
                summary.ids.append(posting.id)
                if progress:
                    progress(posting)
                if pending >= BATCH_SIZE:
                    writer.commit()
                    writer, pending = open_writer(ix, path), 0
        finally:
            searcher.close()
    except BaseException:
        writer.cancel()
        raise
    if pending:
        writer.commit()
    else:
        writer.cancel()
    return summary


def rebuild(
    path: Path,
    postings: Iterable[JobPosting],
    progress: Callable[[JobPosting], None] | None = None,
) -> AddSummary:
    """Build a new index beside ``path`` and swap it in only when it is complete.

    The old index stays searchable (and locked against other writers) during the build;
    an interrupted rebuild leaves it untouched.
    """
    lock = None
    if exists(path):
        lock = open_writer(whoosh_index.open_dir(str(path)), path)
    staging = path.parent / f".{path.name}.rebuild"
    try:
        shutil.rmtree(staging, ignore_errors=True)
        summary = upsert(create_index(staging), staging, postings, progress)
        path.mkdir(parents=True, exist_ok=True)
        for old in _index_files(path):
            if old.name != "MAIN_WRITELOCK":
                old.unlink()
        for new in _index_files(staging):
            if new.name != "MAIN_WRITELOCK":
                shutil.move(str(new), path / new.name)
    finally:
        if lock is not None:
            lock.cancel()
        shutil.rmtree(staging, ignore_errors=True)
    return summary


def delete(ix: FileIndex, path: Path, ids: Iterable[str]) -> int:
    writer = open_writer(ix, path)
    try:
        count = sum(writer.delete_by_term(f.ID, posting_id) for posting_id in ids)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return count
