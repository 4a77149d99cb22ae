"""Size and make-up of an index, for ``jobsearch stats``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from search.query import facets
from search.query.view import Index
from search.results import IndexStats
from search.store import fields as f
from search.store.documents import EPOCH
from search.store.layout import META_FILE
from search.store.schema import SCHEMA_VERSION


def index_stats(index: Index) -> IndexStats:
    """Postings, size on disk, segments, distinct places and skills, top facet values
    and how many postings each posted band holds."""
    snapshot = index.snapshot
    files = [p.stat() for p in snapshot.folder.rglob("*") if p.is_file()]
    size = sum(s.st_size for s in files)
    remote, _ = index.docs(f.REMOTE, b"t")
    first, last = _posted_range(index)
    return IndexStats(
        index=str(snapshot.path),
        postings=int(index.live.sum()),
        size_bytes=size,
        schema_version=SCHEMA_VERSION,
        segments=len(snapshot.parts),
        cities=len(index.terms(f.CITY)),
        countries=len(index.terms(f.COUNTRY)),
        skills=len(index.terms(f.SKILL)),
        remote=int(index.live[remote].sum()),
        posted_first=first,
        posted_last=last,
        written=_written(max((s.st_mtime for s in files), default=None), snapshot.path),
        top={
            **facets.count(index, index.live, f.FACET_FIELDS, top=10, fold=False),
            facets.POSTED: facets.posted(index, index.live, fold=False),
        },
    )


def _posted_range(index: Index) -> tuple[str | None, str | None]:
    """The earliest and latest posting dates the live postings state (ISO dates), so a
    ``--since`` that leaves nothing can be understood; None when none states one."""
    posted = index.column("posted")[index.live]
    posted = posted[posted >= 0]
    if not len(posted):
        return None, None
    first, last = (EPOCH + timedelta(days=int(day)) for day in (posted.min(), posted.max()))
    return first.isoformat(), last.isoformat()


def _written(mtime: float | None, path: Path) -> str | None:
    """When the index was last written (UTC, to the second): its newest file's time,
    the pointer file's when that is later."""
    times = [mtime] if mtime is not None else []
    pointer = path / META_FILE
    if pointer.is_file():
        times.append(pointer.stat().st_mtime)
    if not times:
        return None
    return datetime.fromtimestamp(max(times), UTC).isoformat(timespec="seconds")
