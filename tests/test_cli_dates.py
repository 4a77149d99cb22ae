"""Dates through the command line (issue 11): ``--since`` as people say it, the note
about undated postings it leaves out, and when each posting was first indexed.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli.commands import main
from tests.conftest import IndexFactory

TODAY = date.today()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env={"COLUMNS": "160"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def dated_index(index_of: IndexFactory) -> Path:
    """Postings from today, yesterday, 10, 40 and 400 days ago, and one undated."""
    rows: list[dict[str, object]] = [
        {
            "id": f"age-{days}",
            "title": f"Data Engineer {days}",
            "posted": (TODAY - timedelta(days=days)).isoformat(),
            "description": "Spark pipelines.",
        }
        for days in (0, 1, 10, 40, 400)
    ]
    rows.append({"id": "undated", "title": "Data Engineer", "description": "Spark pipelines."})
    return index_of(rows, "cli-dates").path


def since(index: Path, when: str) -> tuple[list[str], list[str]]:
    code, out, err = run("search", "--since", when, "--format", "json", "--index", str(index))
    assert code == 0, err
    data = json.loads(out)
    return sorted(h["id"] for h in data["hits"]), data["notes"]


@pytest.mark.parametrize(
    ("when", "ages"),
    [
        ("today", [0]),
        ("yesterday", [0, 1]),
        ("7d", [0, 1]),
        ("2w", [0, 1, 10]),
        ("2m", [0, 1, 10, 40]),
        ((TODAY - timedelta(days=40)).isoformat(), [0, 1, 10, 40]),
    ],
)
def test_since_takes_what_people_type(dated_index: Path, when: str, ages: list[int]) -> None:
    """Only YYYY-MM-DD was accepted; "yesterday" and "7d" were usage errors."""
    found, notes = since(dated_index, when)
    assert found == sorted(f"age-{days}" for days in ages)
    assert any("no posting date" in note and "left out" in note for note in notes)


def test_the_note_about_undated_postings_is_shown(dated_index: Path) -> None:
    """Every --since on undated data returned 0 hits and said nothing."""
    code, out, _ = run("search", "--since", "7d", "--index", str(dated_index))
    assert code == 0 and "1 posting" in out and "no posting date" in out
    code, _, err = run("search", "--since", "7d", "--format", "csv", "--index", str(dated_index))
    assert code == 0 and "no posting date" in err


def test_an_unreadable_date_is_a_one_line_error(dated_index: Path) -> None:
    code, out, err = run("search", "--since", "someday", "--index", str(dated_index))
    assert (code, out) == (1, "") and "unreadable date 'someday'" in err
    assert len(err.strip().splitlines()) == 1


def test_show_says_when_a_posting_was_first_indexed(dated_index: Path) -> None:
    code, out, _ = run("show", "age-0", "--format", "json", "--index", str(dated_index))
    assert code == 0
    first = datetime.fromisoformat(json.loads(out)["indexed_at"])
    assert first.tzinfo is not None and datetime.now(UTC) - first < timedelta(days=1)
    code, out, _ = run("show", "age-0", "--index", str(dated_index))
    assert code == 0 and "first indexed" in out and first.strftime("%Y-%m-%d %H:%M UTC") in out
