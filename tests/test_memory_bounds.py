"""What keeps a searching process small as the index grows, held to the old behaviour.

Hits' stored fields are read from the memory-mapped file and the pages read are then
released (``mapped.RELEASED_SUFFIX``): every read must still give Whoosh's own bytes,
and the pages must not stay resident.

Postings are read by positioned reads (``sidecar.FileArray``), not through the memory
map, so the pages a search reads stay out of the process: every term's postings, weights
and positions must be the bytes the map gives. Their document numbers are checked as they
are read, not all at once when a table opens: a damaged posting must still be refused
with the clean error. The caches of dense arrays are bounded by bytes: a search whose
common terms miss the cache must answer exactly as one that finds them there.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from search import JobIndex, load_postings
from search.cli import main
from search.errors import JobSearchError
from search.query import view
from search.results import SearchResults
from search.store import mapped
from search.store.reading import Snapshot
from search.store.sidecar import SegmentTables

QUERIES = [
    "data",
    "data engineer",
    "senior python developer",
    "engineer OR manager",
    "sales -manager",
    '"data engineer"',
    '"customer support" remote',
    "machine learning",
    "nurse",
    "the of and",
]
FILTERED = [("engineer", {"skill": ["sql"]}), ("manager", {"city": ["Seattle"]})]


@pytest.fixture(scope="module")
def index_dir(corpus_head: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,500 corpus postings in two commits (two segments)."""
    folder = tmp_path_factory.mktemp("memory")
    path = folder / "index"
    with JobIndex.create(path) as index:
        for n, rows in enumerate((corpus_head[:900], corpus_head[900:])):
            source = folder / f"rows{n}.jsonl"
            source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
            index.add(load_postings(source))
    return path


@pytest.fixture()
def snapshot(index_dir: Path) -> Iterator[Snapshot]:
    snap = Snapshot(index_dir)
    yield snap
    snap.close()


def _tables(snapshot: Snapshot) -> list[SegmentTables]:
    return [part.tables for part in snapshot.parts]


def test_postings_read_by_slices_are_the_mapped_bytes(snapshot: Snapshot) -> None:
    checked = 0
    for tables in _tables(snapshot):
        for field in sorted(tables.field_names):
            table = tables.table(field)
            assert table is not None
            mapped_docs = tables.array(f"{field}.docs")
            mapped_w = tables.array(f"{field}.w") if table.weights is not None else None
            assert np.array_equal(table.all_docs, mapped_docs)
            for row, term in enumerate(table.terms.tolist()):
                start, end = int(table.ptr[row]), int(table.ptr[row + 1])
                docs, weights = table.postings(term)
                assert docs.dtype == mapped_docs.dtype
                assert np.array_equal(docs, mapped_docs[start:end])
                if mapped_w is None:
                    assert weights is None
                else:
                    assert weights is not None and weights.dtype == mapped_w.dtype
                    assert np.array_equal(weights, mapped_w[start:end])
                checked += 1
    assert checked > 10_000


def test_positions_read_by_slices_are_the_mapped_bytes(snapshot: Snapshot) -> None:
    checked = 0
    for tables in _tables(snapshot):
        if not tables.positioned("description"):
            continue
        table = tables.table("description")
        assert table is not None
        starts, mapped = tables.array("description.posptr"), tables.array("description.pos")
        for row, term in enumerate(table.terms.tolist()[:400]):
            found = tables.term_positions("description", term)
            assert found is not None
            at = mapped[int(starts[row]) : int(starts[row + 1])]
            assert np.array_equal(found.positions, at) and found.positions.dtype == at.dtype
            checked += 1
    assert checked


def _damage(index_dir: Path, tmp_path: Path, field: str, term: bytes) -> Path:
    """A copy of the index where ``term``'s first posting in ``field`` names a document
    past the end of its segment."""
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    snap = Snapshot(copy)
    try:
        for tables in _tables(snap):
            table = tables.table(field)
            row = table.find(term) if table is not None else -1
            if row < 0:
                continue
            assert table is not None
            meta = json.loads((tables.folder / "tables.json").read_text())
            offset = meta["arrays"][f"{field}.docs"]["offset"] + 4 * int(table.ptr[row])
            data = tables.folder / "tables.bin"
            raw = bytearray(data.read_bytes())
            raw[offset : offset + 4] = np.uint32(tables.doc_count + 7).tobytes()
            data.unlink()  # files are written once: replace, never change in place
            data.write_bytes(bytes(raw))
            return copy
    finally:
        snap.close()
    raise AssertionError(f"no {term!r} in {field}")


@pytest.mark.parametrize(
    ("field", "term", "query"),
    [("description", b"data", "data"), ("skill", b"sql", "engineer")],
    ids=["a searched word", "a facet counted whole"],
)
def test_a_posting_past_the_last_document_is_refused_cleanly(
    index_dir: Path, tmp_path: Path, field: str, term: bytes, query: str
) -> None:
    damaged = _damage(index_dir, tmp_path, field, term)
    with JobIndex.open(damaged) as index, pytest.raises(JobSearchError):
        index.search(query)
    result = CliRunner().invoke(main, ["search", query, "--index", str(damaged)])
    assert result.exit_code == 1
    assert "side tables" in result.stderr and "Traceback" not in result.stderr


def _answers(index: JobIndex) -> list[object]:
    out: list[object] = []
    searches: list[tuple[str, dict[str, list[str]]]] = [(q, {}) for q in QUERIES] + FILTERED
    for text, filters in searches * 2:  # twice: the second time from whatever is cached
        r: SearchResults = index.search(text, filters, limit=20)
        hits = [(h.posting.id, repr(h.score), h.snippet, h.duplicates) for h in r.hits]
        out.append((text, r.total, r.partial_total, r.facets, r.notes, hits))
    return out


def test_bounded_caches_answer_as_the_unbounded(
    index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with JobIndex.open(index_dir) as index:
        cached = _answers(index)
        held = index._read().index
        assert held.dense.bytes and held.term_masks.bytes  # the common terms were kept
    # One document's worth of bytes: no dense array of a common term is ever kept.
    monkeypatch.setattr(view, "DENSE_BYTES", 1)
    monkeypatch.setattr(view, "TERM_MASK_BYTES", 1)
    with JobIndex.open(index_dir) as index:
        assert _answers(index) == cached
        held = index._read().index
        assert held.dense.bytes == 0 and held.term_masks.bytes == 0


def test_a_recent_cache_stays_within_its_bytes() -> None:
    recent: view.Recent[int, np.ndarray] = view.Recent(100, 1000, lambda a: a.nbytes)
    for n in range(50):
        recent.put(n, np.zeros(30 + n, dtype=np.uint8))
        assert recent.bytes <= 1000
        assert recent.bytes == sum(a.nbytes for a in recent._items.values())
    assert recent.get(49) is not None and recent.get(0) is None
    recent.put(99, np.zeros(2000, dtype=np.uint8))  # larger than the whole: not kept
    assert recent.get(99) is None and recent.get(49) is not None


def _resident(suffix: str) -> int:
    """Resident bytes of this process's mappings of files whose name ends so."""
    total, name = 0, ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
            name = head[5] if len(head) > 5 else ""
        elif head and head[0] == "Rss:" and name.endswith(suffix):
            total += int(head[1]) * 1024
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads /proc/self/smaps")
def test_stored_fields_read_from_the_map_are_whooshs_and_leave_no_pages(index_dir: Path) -> None:
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import FileIndex

    from search.store.layout import INDEX_NAME
    from search.store.schema import shared_schema

    before = _resident(mapped.RELEASED_SUFFIX)  # mappings left by the build, if any
    snap = Snapshot(index_dir)
    plain = FileIndex(FileStorage(str(snap.folder)), shared_schema(), INDEX_NAME).reader()
    try:
        count = snap.reader.doc_count_all()
        expected = [plain.stored_fields(d) for d in range(count)]
        assert len(expected) == 1500 and all(expected)

        def read_all(out: list[bool]) -> None:
            out.append(all(snap.reader.stored_fields(d) == expected[d] for d in range(count)))

        agreed: list[bool] = []
        threads = [threading.Thread(target=read_all, args=(agreed,)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert agreed == [True, True, True]
        size = sum(p.stat().st_size for p in snap.folder.glob(f"*{mapped.RELEASED_SUFFIX}"))
        # Without the release, reading every posting leaves the whole file resident.
        assert _resident(mapped.RELEASED_SUFFIX) - before < size // 4
    finally:
        plain.close()
        snap.close()


def test_columns_copied_whole_keep_their_values_after_the_map_lets_go(index_dir: Path) -> None:
    snap = Snapshot(index_dir)
    try:
        before = {
            name: np.concatenate([p.tables.array(name).copy() for p in snap.parts])
            for name in ("posted", "dup", "pay_high", "description.len")
        }
        held = view.Index(snap)
        for name in ("posted", "dup", "pay_high"):
            assert np.array_equal(held.column(name), before[name], equal_nan=True)
        docs = np.arange(held.size)
        lengths = held.lengths("description", docs)
        assert np.array_equal(lengths, view._BYTE_LENGTH[before["description.len"]])
        # The mapped views, released, still read the file's values.
        for name in ("posted", "dup", "pay_high"):
            again = np.concatenate([p.tables.array(name) for p in snap.parts])
            assert np.array_equal(again, before[name], equal_nan=True)
    finally:
        snap.close()
