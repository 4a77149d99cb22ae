"""Dates a person types, when postings entered the index, and saved searches ("watches").

Every test builds a real index in a temporary directory, changes it with real writes
(``JobIndex.add``, ``rebuild``) and reads what the library says.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from search import Filters, InvalidFilterError, JobIndex, JobSearchError, WatchNotFoundError
from search.ingest.postings import load_postings


def _row(key: str, title: str, location: str, posted: str | None = None, **more: str) -> dict:
    text = more.pop("description", f"{title} in {location}. We build machine learning systems.")
    row = {"id": key, "title": title, "location": location, "description": text, **more}
    if posted:
        row["posted"] = posted
    return row


def _add(index: JobIndex, folder: Path, rows: list[dict], name: str) -> None:
    source = folder / f"{name}.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    summary = index.add(load_postings(source))
    assert not summary.rejected


@pytest.fixture
def index(tmp_path: Path) -> JobIndex:
    made = JobIndex.create(tmp_path / "index")
    _add(
        made,
        tmp_path,
        [
            _row("a1", "Machine Learning Engineer", "Seattle, WA", "2026-11-30"),
            _row("a2", "Data Scientist", "Boston, MA", "2026-10-01"),
            _row("a3", "Store Associate", "Seattle, WA", description="Retail shifts."),
        ],
        "first",
    )
    return made


# -- dates as people type them --------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "days_back"),
    [("today", 0), ("yesterday", 1), ("7d", 7), ("2w", 14), ("3m", 90), ("10 days", 10)],
)
def test_since_takes_relative_dates(typed: str, days_back: int) -> None:
    assert Filters.of(since=typed).since == date.today() - timedelta(days=days_back)


def test_since_takes_dates_and_iso_text() -> None:
    assert Filters.of(since="2025-01-01").since == date(2025, 1, 1)
    assert Filters.of(since=date(2025, 1, 1)).since == date(2025, 1, 1)
    assert Filters.of(since=datetime(2025, 1, 1, 8, tzinfo=UTC)).since == date(2025, 1, 1)


@pytest.mark.parametrize("bad", ["last week", "7x", "2025-13-01", 7, ["7d"]])
def test_unreadable_since_is_a_clear_error(bad: object) -> None:
    with pytest.raises(InvalidFilterError, match="unreadable date"):
        Filters.of(since=bad)


def test_since_says_how_many_undated_postings_it_left_out(index: JobIndex) -> None:
    results = index.search("", since="2026-11-01")
    assert [h.posting.id for h in results.hits] == ["a1"]
    assert "1 posting that states no posting date was left out" in results.notes


def test_library_since_as_text_is_not_a_type_error(index: JobIndex) -> None:
    assert index.search("", since="2025-01-01").total == 2


# -- when a posting first entered the index -------------------------------------------


def test_postings_record_when_they_were_first_indexed(index: JobIndex, tmp_path: Path) -> None:
    first = index.get("a1").indexed_at
    assert first is not None and abs(first.timestamp() - time.time()) < 120
    time.sleep(0.01)
    _add(
        index,
        tmp_path,
        [_row("a1", "Senior Machine Learning Engineer", "Seattle, WA", "2026-11-30")],
        "update",
    )
    assert index.get("a1").title == "Senior Machine Learning Engineer"
    assert index.get("a1").indexed_at == first  # an update keeps the first time


def test_a_rebuild_keeps_first_indexed_times(index: JobIndex, tmp_path: Path) -> None:
    before = {k: index.get(k).indexed_at for k in ("a1", "a2")}
    source = tmp_path / "again.jsonl"
    source.write_text(
        json.dumps(_row("a1", "Machine Learning Engineer", "Seattle, WA", "2026-11-30"))
        + "\n"
        + json.dumps(_row("b1", "Data Engineer", "Austin, TX"))
        + "\n",
        encoding="utf-8",
    )
    JobIndex.rebuild(tmp_path / "index", load_postings(source))
    reopened = JobIndex.open(tmp_path / "index")
    assert reopened.get("a1").indexed_at == before["a1"]
    newcomer = reopened.get("b1").indexed_at
    assert newcomer is not None and before["a1"] is not None and newcomer > before["a1"]


# -- saved searches -------------------------------------------------------------------


def test_a_watch_lists_what_is_new_then_nothing(index: JobIndex, tmp_path: Path) -> None:
    watch = index.watches.add("ml", "machine learning", city="Seattle")
    assert watch.filters.city == ("Seattle",)
    assert index.watches.new() == {"ml": ()}  # what was there before is not new
    time.sleep(0.01)
    _add(
        index,
        tmp_path,
        [
            _row("n1", "ML Engineer", "Seattle, WA"),
            _row("n2", "Applied Scientist, Machine Learning", "Seattle"),
            _row("n3", "Machine Learning Intern", "Seattle, Washington"),
            _row("n4", "Machine Learning Engineer", "Boston, MA"),
            _row("n5", "Barista", "Seattle, WA", description="Coffee."),
        ],
        "more",
    )
    found = index.watches.new()
    assert sorted(h.posting.id for h in found["ml"]) == ["n1", "n2", "n3"]
    assert index.watches.new() == {"ml": ()}
    checked = index.watches.get("ml").checked
    assert checked is not None


def test_reindexing_the_same_postings_makes_nothing_new(index: JobIndex, tmp_path: Path) -> None:
    index.watches.add("all")
    rows = [_row("a1", "Machine Learning Engineer", "Seattle, WA", "2026-11-30")]
    _add(index, tmp_path, rows, "same")
    rows[0]["title"] = "Staff Machine Learning Engineer"
    _add(index, tmp_path, rows, "changed")
    assert index.watches.new("all") == {"all": ()}


def test_peek_does_not_record_the_check(index: JobIndex, tmp_path: Path) -> None:
    index.watches.add("any")
    _add(index, tmp_path, [_row("p1", "Engineer", "Paris")], "p")
    assert len(index.watches.new(mark=False)["any"]) == 1
    assert len(index.watches.new("any")["any"]) == 1
    assert index.watches.new("any") == {"any": ()}


def test_a_check_is_recorded_only_when_its_block_ends_well(index: JobIndex, tmp_path: Path) -> None:
    """``checking``: what failed to be delivered (an error in the block) stays new."""
    index.watches.add("any")
    _add(index, tmp_path, [_row("p1", "Engineer", "Paris")], "p")
    with pytest.raises(OSError), index.watches.checking() as found:
        assert len(found["any"]) == 1
        raise OSError(28, "No space left on device")
    with index.watches.checking() as found:
        assert len(found["any"]) == 1
    assert index.watches.new() == {"any": ()}


def test_watches_survive_reopening_and_rebuilds(index: JobIndex, tmp_path: Path) -> None:
    index.watches.add("recent", "", since="7d", workplace="remote")
    JobIndex.rebuild(tmp_path / "index", load_postings(tmp_path / "first.jsonl"))
    watch = JobIndex.open(tmp_path / "index").watches.get("recent")
    assert watch.given == {"since": "7d", "workplace": "remote"}  # stays relative
    assert watch.filters.since == date.today() - timedelta(days=7)
    assert [w.name for w in index.watches.list()] == ["recent"]


def test_watch_names_and_removal(index: JobIndex) -> None:
    index.watches.add("b-side")
    index.watches.add("a.one", "data")
    index.watches.add("a.one", "data scientist")  # replaces
    assert [(w.name, w.text) for w in index.watches.list()] == [
        ("a.one", "data scientist"),
        ("b-side", ""),
    ]
    index.watches.remove("b-side")
    with pytest.raises(WatchNotFoundError, match="no saved search named 'b-side'"):
        index.watches.remove("b-side")
    with pytest.raises(WatchNotFoundError, match=r"saved: a\.one"):
        index.watches.new("nope")
    # A final newline passed a ``$`` anchor; any control character is refused too.
    for bad in ("", "../x", "a b", "\x1b[2J", "x" * 65, "ml\n", "ml\r", "m\x07l", "ml\u202e"):
        with pytest.raises(InvalidFilterError, match="bad name"):
            index.watches.add(bad)


def test_a_watch_with_a_bad_filter_or_query_is_not_saved(index: JobIndex) -> None:
    with pytest.raises(InvalidFilterError):
        index.watches.add("x", "", since="someday")
    with pytest.raises(JobSearchError):
        index.watches.add("y", '"a b" "c d" "e f"')
    assert index.watches.list() == []


@pytest.mark.parametrize(
    "content",
    [b"not json", b'{"watches": [{"name": "x"}]}', b'{"watches": 3}', b"[" * 100_000],
)
def test_a_damaged_watches_file_is_a_clear_error(
    index: JobIndex, tmp_path: Path, content: bytes
) -> None:
    (tmp_path / "index" / "watches.json").write_bytes(content)
    with pytest.raises(JobSearchError, match=r"saved searches in .* cannot be read"):
        index.watches.list()
    assert index.search("machine learning").total == 2  # the index itself still works
