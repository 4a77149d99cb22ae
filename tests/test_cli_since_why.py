"""Issue 17: a date limit that leaves nothing says why (the newest posting's date and
how many match with no date limit), from the library, so JSON and the library get it."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from search.cli.commands import main
from search.jobindex import JobIndex
from search.model import JobPosting
from tests.conftest import IndexFactory

TODAY = date.today()


def _old_index(index_of: IndexFactory) -> Path:
    """Three postings, the newest 40 days old, and one undated."""
    rows: list[dict[str, object]] = [
        {
            "id": f"age-{days}",
            "title": f"Data Engineer {days}",
            "posted": (TODAY - timedelta(days=days)).isoformat(),
            "description": "Spark pipelines." if days < 100 else "Kafka streams.",
        }
        for days in (40, 90, 400)
    ]
    rows.append({"id": "undated", "title": "Data Engineer", "description": "Spark pipelines."})
    return index_of(rows, "since-why").path


def test_a_since_that_leaves_nothing_says_why(index_of: IndexFactory) -> None:
    index = _old_index(index_of)
    newest = (TODAY - timedelta(days=40)).isoformat()
    since = (TODAY - timedelta(days=7)).isoformat()
    result = CliRunner().invoke(
        main, ["search", "spark", "--since", "7d", "--format", "json", "--index", str(index)]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"] == 0
    why = f"no posting is dated on or after {since} (the newest is from {newest}); "
    assert why + "3 postings match with no date limit" in data["notes"]  # age-40, 90, undated
    table = CliRunner().invoke(
        main, ["search", "spark", "--since", "7d", "--index", str(index)], env={"COLUMNS": "200"}
    )
    assert "No postings match." in table.stdout and why in table.stdout


def test_the_library_gives_the_same_note(index_of: IndexFactory) -> None:
    with JobIndex.open(_old_index(index_of)) as opened:
        results = opened.search("kafka", since=TODAY - timedelta(days=7))
        assert results.total == 0
        assert any(n.endswith("1 posting matches with no date limit") for n in results.notes)
        found = opened.search("kafka", since=TODAY - timedelta(days=500))
        assert found.total == 1 and not any("no date limit" in n for n in found.notes)


def test_stats_shows_the_posted_dates_and_when_the_index_was_written(
    index_of: IndexFactory,
) -> None:
    index = _old_index(index_of)
    result = CliRunner().invoke(main, ["stats", "--format", "json", "--index", str(index)])
    assert result.exit_code == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["posted_first"] == (TODAY - timedelta(days=400)).isoformat()
    assert stats["posted_last"] == (TODAY - timedelta(days=40)).isoformat()
    written = datetime.fromisoformat(stats["written"])
    newest_file = max(p.stat().st_mtime for p in index.rglob("*") if p.is_file())
    assert written.timestamp() == int(newest_file)  # to the second, in UTC
    table = CliRunner().invoke(main, ["stats", "--index", str(index)], env={"COLUMNS": "120"})
    assert f"posted last     {stats['posted_last']}" in table.stdout
    assert stats["written"] in table.stdout


def test_stats_of_undated_postings_says_so(tmp_path: Path) -> None:
    with JobIndex.create(tmp_path / "ix") as index:
        index.add([JobPosting(id="a", title="Data engineer", description="python")])
        stats = index.stats()
    assert (stats.posted_first, stats.posted_last) == (None, None) and stats.written
    table = CliRunner().invoke(main, ["stats", "--index", str(tmp_path / "ix")])
    assert "no posting states a date" in table.stdout
