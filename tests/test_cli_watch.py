"""Saved searches and what is new (issue 11): ``watch add|list|remove`` and ``new``,
through the real command, on an index that grows between checks.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli.commands import main
from tests.conftest import DATA


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env={"COLUMNS": "160"})
    return result.exit_code, result.stdout, result.stderr


def rows_file(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def ml_posting(n: int, city: str = "Seattle, WA") -> dict[str, object]:
    return {
        "id": f"new-ml-{n}",
        "title": f"Machine Learning Engineer {n}",
        "location": city,
        "description": f"Machine learning models for search, team {n}. PyTorch and Python.",
    }


@pytest.fixture()
def index(tmp_path: Path) -> Path:
    """An index of the sample postings, private to the test."""
    where = tmp_path / "index"
    assert run("index", str(DATA), "--index", str(where))[0] == 0
    return where


def new_ids(index: Path, *args: str) -> dict[str, list[str]]:
    code, out, err = run("new", *args, "--format", "json", "--index", str(index))
    assert code == 0, err
    return {name: [h["id"] for h in hits] for name, hits in json.loads(out).items()}


def test_a_watch_lists_exactly_the_new_matching_postings(index: Path, tmp_path: Path) -> None:
    """The acceptance of issue 11, as a user would run it."""
    code, _, err = run(
        "watch", "add", "ml", "machine learning", "--city", "Seattle", "--index", str(index)
    )
    assert code == 0 and "ml" in err
    assert new_ids(index, "ml") == {"ml": []}  # the sample was there before the watch
    batch = [ml_posting(1), ml_posting(2), ml_posting(3), ml_posting(4, "Boston, MA")]
    batch.append({**ml_posting(5), "title": "Recruiter", "description": "Hiring people."})
    source = rows_file(tmp_path / "batch.jsonl", batch)
    assert run("index", str(source), "--index", str(index))[0] == 0
    assert sorted(new_ids(index, "ml")["ml"]) == ["new-ml-1", "new-ml-2", "new-ml-3"]
    assert new_ids(index, "ml") == {"ml": []}  # checked: nothing is new any more
    assert run("index", str(source), "--index", str(index))[0] == 0
    assert new_ids(index) == {"ml": []}  # the same postings again are not new
    assert run("index", str(DATA), str(source), "--rebuild", "--index", str(index))[0] == 0
    assert new_ids(index) == {"ml": []}  # nor after a rebuild


def test_peek_does_not_record_the_check(index: Path, tmp_path: Path) -> None:
    run("watch", "add", "ml", "machine learning", "--index", str(index))
    run("index", str(rows_file(tmp_path / "one.jsonl", [ml_posting(1)])), "--index", str(index))
    assert new_ids(index, "--peek") == {"ml": ["new-ml-1"]}
    assert new_ids(index) == {"ml": ["new-ml-1"]}
    assert new_ids(index) == {"ml": []}


def test_new_in_every_format(index: Path, tmp_path: Path) -> None:
    run("watch", "add", "ml", "machine learning", "--index", str(index))
    run("watch", "add", "boston", "--city", "Boston", "--index", str(index))
    batch = [ml_posting(1), ml_posting(2, "Boston, MA")]
    run("index", str(rows_file(tmp_path / "b.jsonl", batch)), "--index", str(index))
    code, out, _ = run("new", "--peek", "--format", "jsonl", "--index", str(index))
    lines = [json.loads(line) for line in out.splitlines()]
    assert sorted((x["watch"], x["id"]) for x in lines) == [
        ("boston", "new-ml-2"),
        ("ml", "new-ml-1"),
        ("ml", "new-ml-2"),
    ]
    code, out, _ = run("new", "--peek", "--format", "csv", "--index", str(index))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["watch"] for r in rows} == {"ml", "boston"} and rows[0]["id"].startswith("new-ml")
    code, out, _ = run("new", "--index", str(index))
    assert code == 0
    assert "boston: 1 new posting" in out and "ml: 2 new postings" in out
    assert "new-ml-1" in out
    code, out, _ = run("new", "--index", str(index))
    assert "ml: no new postings" in out


def test_watches_are_listed_and_removed(index: Path) -> None:
    run("watch", "add", "ml", "machine learning", "--city", "Seattle", "--index", str(index))
    run("watch", "add", "recent", "--since", "7d", "--workplace", "remote", "--index", str(index))
    code, out, _ = run("watch", "list", "--format", "json", "--index", str(index))
    listed = {w["name"]: w for w in json.loads(out)}
    assert listed["ml"]["query"] == "machine learning"
    assert listed["ml"]["filters"] == {"city": ["Seattle"]} and listed["ml"]["checked"] is None
    assert listed["recent"]["filters"]["since"] == "7d"  # kept relative
    code, out, _ = run("watch", "list", "--index", str(index), "--format", "csv")
    assert [r["name"] for r in csv.DictReader(io.StringIO(out))] == ["ml", "recent"]
    code, out, _ = run("watch", "list", "--index", str(index))
    assert "machine learning" in out and "city Seattle" in out
    code, _, err = run("watch", "remove", "ml", "--index", str(index))
    assert code == 0 and "removed" in err
    code, out, _ = run("watch", "list", "--format", "jsonl", "--index", str(index))
    assert [json.loads(line)["name"] for line in out.splitlines()] == ["recent"]


def test_watches_live_beside_the_index(index: Path) -> None:
    run("watch", "add", "ml", "machine learning", "--index", str(index))
    assert (index / "watches.json").is_file()
    moved = index.parent / "moved"
    shutil.copytree(index, moved)
    assert [
        w["name"]
        for w in json.loads(run("watch", "list", "--format", "json", "--index", str(moved))[1])
    ] == ["ml"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "nope"], "nope"),
        (["watch", "remove", "nope"], "nope"),
        (["watch", "add", "x", "--level", "wizard"], "unknown level 'wizard'"),
        (["watch", "add", "bad name!", "python"], "bad name!"),
        (["watch", "add", "ml\n", "python"], "bad name for a saved search: 'ml\\n'"),
        (["watch", "add", "ml\x1b]0;x\x07", "python"], "'ml\\x1b]0;x\\x07'"),
    ],
)
def test_watch_mistakes_are_one_line_errors(index: Path, args: list[str], message: str) -> None:
    code, out, err = run(*args, "--index", str(index))
    assert (code, out) == (1, "")
    assert message in err and len(err.strip().splitlines()) == 1
