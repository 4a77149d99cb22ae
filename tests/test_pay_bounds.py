"""An upper bound of pay ("up to $220,000") through the index and the command line.

It is shown as "up to", carries no bottom figure, and a pay filter keeps it when its top
reaches the asked amount (the job may pay that much) and leaves it out when it does not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli.commands import main
from tests.conftest import IndexFactory

ROWS: list[dict[str, object]] = [
    {
        "id": "upto-1",
        "title": "Director, Human Resource Business Partner",
        "location": "San Francisco, CA - US",
        "description": "You will partner with our leaders.\n\nCompensation Range\n\n"
        "Compensation will be paid in the range of up to $220,000 a year.",
    },
    {
        "id": "range-2",
        "title": "HR Business Partner",
        "location": "San Francisco, CA - US",
        "description": "You will partner with our teams.\n\nThe salary range for this role "
        "is $150,000 - $180,000.",
    },
    {
        "id": "hourly-3",
        "title": "Social Media Intern",
        "location": "New York, NY",
        "description": "You will make short videos.\n\nHourly rate: up to $30",
    },
]


@pytest.fixture(scope="module")
def index(index_of: IndexFactory) -> Path:
    return index_of(ROWS, "pay-bounds").path


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def ids(index: Path, *args: str) -> list[str]:
    out = run("search", *args, "--format", "json", "--index", str(index))
    return sorted(h["id"] for h in json.loads(out)["hits"])


@pytest.mark.parametrize(
    ("salary", "expected"),
    [
        ("150k", ["range-2", "upto-1"]),
        ("200k", ["upto-1"]),  # only the bound can reach 200k
        ("230k", []),  # nothing pays that much: the bound is a top, not a guess
        ("60k", ["hourly-3", "range-2", "upto-1"]),  # $30 an hour is $62,400 a year
    ],
)
def test_filter_reads_the_top_of_a_bound(index: Path, salary: str, expected: list[str]) -> None:
    assert ids(index, "--salary-min", salary, "--currency", "USD") == expected


def test_show_says_up_to(index: Path) -> None:
    out = run("show", "upto-1", "--index", str(index))
    assert "up to USD 220,000 a year" in out
    assert "USD 220,000-" not in out and "220,000-220,000" not in out
    out = run("show", "hourly-3", "--index", str(index))
    assert "up to USD 30 an hour" in out and "up to USD 62,400" in out


def test_json_has_no_bottom_figure(index: Path) -> None:
    out = run("show", "upto-1", "--format", "json", "--index", str(index))
    pay = json.loads(out)["pay"]
    assert (pay["min"], pay["max"]) == (None, 220000)
    assert (pay["annual_min"], pay["annual_max"]) == (None, 220000)
