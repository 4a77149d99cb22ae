"""Size and make-up of an index, for ``jobsearch stats``."""

from __future__ import annotations

from search.query import facets
from search.query.view import Index
from search.results import IndexStats
from search.store import fields as f
from search.store.schema import SCHEMA_VERSION


def index_stats(index: Index) -> IndexStats:
    """Postings, size on disk, segments, distinct places and skills, top facet values."""
    snapshot = index.snapshot
    size = sum(p.stat().st_size for p in snapshot.folder.rglob("*") if p.is_file())
    remote, _ = index.docs(f.REMOTE, b"t")
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
        top=facets.count(index, index.live, f.FACET_FIELDS, top=10, fold=False),
    )
