"""The employment type and posted facets through the command line: the ``facets`` table,
the summary under ``search``, JSON and CSV rows, and ``stats``' top values.

The postings are dated back from today, so the posted bands ("past week") hold some of
them whatever day the tests run on.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli.commands import main
from search.query.facets import POSTED_BANDS
from tests.conftest import IndexFactory


def _rows() -> list[dict[str, object]]:
    today = date.today()
    rows: list[dict[str, object]] = []
    for n, (age, kind) in enumerate(
        [(0, "contract"), (2, "full-time"), (5, "full-time"), (20, None), (90, "part-time")]
    ):
        row: dict[str, object] = {
            "id": f"job-{n}",
            "title": f"Data Engineer {n}",
            "company": "Initech",
            "location": "Seattle, WA",
            "posted": (today - timedelta(days=age)).isoformat(),
            "description": f"Initech builds data pipelines in Python, team {n}.",
        }
        if kind:
            row["employment_type"] = kind
        rows.append(row)
    rows.append(
        {
            "id": "job-undated",
            "title": "Data Analyst",
            "company": "Initech",
            "location": "Seattle, WA",
            "description": "Initech needs an analyst for SQL reports.",
        }
    )
    return rows


@pytest.fixture(scope="module")
def dated_index(index_of: IndexFactory) -> Path:
    return index_of(_rows(), f"cli-dated-{date.today().isoformat()}").path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env={"COLUMNS": "160"})
    return result.exit_code, result.stdout, result.stderr


def test_facets_json_counts_type_and_posted_as_their_filters_find(dated_index: Path) -> None:
    code, out, err = run("facets", "--format", "json", "--index", str(dated_index))
    assert code == 0, err
    facets = json.loads(out)["facets"]
    # job-3 and the analyst state no type: unknown, never a default
    types = {"full-time": 2, "contract": 1, "part-time": 1, "unknown": 2}
    assert facets["employment_type"] == types
    for kind in ("full-time", "contract", "part-time"):
        code, out, err = run(
            "search", "--type", kind, "--format", "json", "--index", str(dated_index)
        )
        assert code == 0, err
        assert json.loads(out)["total"] == types[kind], kind
    assert facets["posted"] == {
        "past day": 1,
        "past 3 days": 2,
        "past week": 3,
        "past month": 4,
        "unknown": 1,
    }
    for band, since in POSTED_BANDS:
        code, out, err = run(
            "search", "--since", since, "--format", "json", "--index", str(dated_index)
        )
        assert code == 0, err
        assert json.loads(out)["total"] == facets["posted"][band], band


def test_the_facets_table_and_the_search_summary_show_type_and_posted(dated_index: Path) -> None:
    code, out, err = run("facets", "--index", str(dated_index))
    assert code == 0, err
    lines = out.splitlines()
    assert any("employment_type" in line and "full-time" in line for line in lines), out
    assert any("posted" in line and "past day" in line for line in lines), out
    for label in ("past 3 days", "past week", "past month"):
        assert any(label in line for line in lines), label
    code, out, err = run("search", "data", "--index", str(dated_index))
    assert code == 0, err
    summary = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "full-time (2)" in summary["employment_type"]
    assert "past day (1)" in summary["posted"] and "past week (3)" in summary["posted"]


def test_csv_rows_and_stats_carry_type_and_posted(dated_index: Path) -> None:
    code, out, err = run("facets", "--format", "csv", "--index", str(dated_index))
    assert code == 0, err
    rows = {(r["facet"], r["value"]): r["count"] for r in csv.DictReader(io.StringIO(out))}
    assert rows["employment_type", "full-time"] == "2"
    assert rows["posted", "past month"] == "4" and rows["posted", "unknown"] == "1"
    code, out, err = run("stats", "--format", "json", "--index", str(dated_index))
    assert code == 0, err
    top = json.loads(out)["top"]
    assert top["employment_type"]["full-time"] == 2 and top["posted"]["past week"] == 3
