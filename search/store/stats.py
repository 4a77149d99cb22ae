"""Size and make-up of an index, for ``jobsearch stats``."""

from __future__ import annotations

from pathlib import Path

from whoosh.reading import IndexReader

from search.store import fields as f
from search.store.columns import ForwardTable
from search.store.schema import SCHEMA_VERSION


def index_stats(reader: IndexReader, path: Path, table: ForwardTable) -> dict[str, object]:
    """Postings, size on disk, segments, distinct places and skills, top facet values."""
    size = sum(child.stat().st_size for child in path.iterdir() if child.is_file())
    everything = set(reader.all_doc_ids())
    return {
        "index": str(path),
        "postings": reader.doc_count(),
        "size_bytes": size,
        "schema_version": SCHEMA_VERSION,
        "segments": len(reader.leaf_readers()) if hasattr(reader, "leaf_readers") else 1,
        "cities": len(list(reader.lexicon(f.CITY))),
        "countries": len(list(reader.lexicon(f.COUNTRY))),
        "skills": len(list(reader.lexicon(f.SKILL))),
        "remote": reader.doc_frequency(f.REMOTE, True),
        "top": table.count(everything, f.FACET_FIELDS, top=10),
    }
