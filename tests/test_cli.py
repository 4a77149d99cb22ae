"""The real ``jobsearch`` command through click's CliRunner: exit codes and output."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli.commands import main
from tests.conftest import DATA, ROOT


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, index: Path | None = None) -> tuple[int, str, str]:
    argv = list(args) + (["--index", str(index)] if index else [])
    result = runner.invoke(main, argv, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def search_json(runner: CliRunner, index: Path, *args: str) -> dict:
    code, out, _ = run(runner, "search", *args, "--format", "json", "--limit", "50", index=index)
    assert code == 0
    return json.loads(out)


def test_index_reports_a_summary_and_is_idempotent(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "ix"
    code, _, err = run(runner, "index", str(DATA), index=index)
    assert code == 0
    assert "added 10, updated 0, unchanged 0, rejected 0" in err
    code, _, err = run(runner, "index", str(DATA), index=index)
    assert code == 0
    assert "added 0, updated 0, unchanged 10, rejected 0" in err
    code, _, err = run(runner, "index", str(DATA), "--rebuild", index=index)
    assert code == 0 and "holds 10 postings" in err


def test_acceptance_through_the_cli(runner: CliRunner, sample_index_dir: Path) -> None:
    assert search_json(runner, sample_index_dir, "--city", "Seattle")["total"] == 7
    assert search_json(runner, sample_index_dir, "--city", "Boston")["total"] == 5
    de = search_json(runner, sample_index_dir, "--country", "DE")
    assert de["total"] == 1
    assert {"city": "London", "state": None, "country": "GB"}.items() <= de["hits"][0]["locations"][
        0
    ].items()
    pytorch = search_json(runner, sample_index_dir, "--skill", "pytorch")
    assert [h["locations"][0]["city"] for h in pytorch["hits"]] == ["San Francisco"]


def test_search_json_has_the_documented_shape(runner: CliRunner, sample_index_dir: Path) -> None:
    data = search_json(runner, sample_index_dir, "machine", "learning", "--city", "Seattle")
    assert {"query", "filters", "total", "page", "hits", "facets"} <= data.keys()
    assert data["query"] == "machine learning"
    assert data["filters"] == {"city": ["Seattle"]}
    hit = data["hits"][0]
    expected = {
        "id",
        "title",
        "role",
        "level",
        "employment_type",
        "locations",
        "remote",
        "skills",
        "posted",
        "score",
        "snippet",
    }
    assert expected <= hit.keys()
    assert set(data["facets"]) == {
        "city",
        "country",
        "skill",
        "role",
        "level",
        "employment_type",
        "company",
        "workplace",
        "pay",
        "experience",
        "posted",
    }
    assert data["facets"]["city"]["Seattle"] == data["total"]


def test_jsonl_and_csv(runner: CliRunner, sample_index_dir: Path) -> None:
    code, out, _ = run(
        runner,
        "search",
        "--level",
        "intern",
        "--format",
        "jsonl",
        "--limit",
        "50",
        index=sample_index_dir,
    )
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 7 and all(h["level"] == "intern" for h in lines)
    code, out, _ = run(runner, "search", "NLP", "--format", "csv", index=sample_index_dir)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and rows[0]["id"] and "<em>" not in rows[0]["snippet"]
    assert "\x1b[" not in out


def test_table_output_for_people(runner: CliRunner, sample_index_dir: Path) -> None:
    total = search_json(runner, sample_index_dir, "robotics")["total"]
    assert total == 2  # the robotics internship, and the London one listing robotics
    code, out, _ = run(runner, "search", "robotics", index=sample_index_dir)
    assert code == 0
    assert "2 postings match" in out
    assert "San Francisco" in out
    code, out, _ = run(runner, "search", "--skill", "pytorch", index=sample_index_dir)
    assert "1 posting matches" in out


def test_show_similar_facets_stats(runner: CliRunner, sample_index_dir: Path) -> None:
    first = search_json(runner, sample_index_dir, "robotics")["hits"][0]["id"]
    code, out, _ = run(runner, "show", first, "--format", "json", index=sample_index_dir)
    assert code == 0 and json.loads(out)["id"] == first
    code, out, _ = run(runner, "show", first, index=sample_index_dir)
    assert code == 0 and "San Francisco" in out
    code, out, _ = run(runner, "similar", first, "--format", "json", index=sample_index_dir)
    assert code == 0 and first not in {h["id"] for h in json.loads(out)["hits"]}
    code, out, _ = run(
        runner, "facets", "--city", "Boston", "--format", "json", index=sample_index_dir
    )
    assert code == 0 and json.loads(out)["facets"]["level"] == {"intern": 5}
    code, out, _ = run(runner, "stats", "--format", "json", index=sample_index_dir)
    assert code == 0 and json.loads(out)["postings"] == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nope"], "no posting with id 'nope'"),
        (["similar", "nope"], "no posting with id 'nope'"),
        (["search", "--level", "wizard"], "unknown level 'wizard'"),
        (["search", "--type", "forever"], "unknown employment type"),
    ],
)
def test_user_errors_exit_1_with_one_line(
    runner: CliRunner, sample_index_dir: Path, args: list[str], message: str
) -> None:
    code, out, err = run(runner, *args, index=sample_index_dir)
    assert code == 1
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_missing_index_given_explicitly_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = run(runner, "search", "python", index=tmp_path / "none")
    assert code == 1 and "no index at" in err and "jobsearch index" in err


def test_usage_errors_exit_2(runner: CliRunner, sample_index_dir: Path) -> None:
    assert run(runner, "search", "--page", "0", index=sample_index_dir)[0] == 2
    assert run(runner, "search", "--limit", "-1", index=sample_index_dir)[0] == 2
    assert run(runner, "facets", "--top", "0", index=sample_index_dir)[0] == 2
    assert run(runner, "search", "--sort", "salary", index=sample_index_dir)[0] == 2
    assert run(runner, "search", "--format", "xml", index=sample_index_dir)[0] == 2
    assert run(runner, "frobnicate")[0] == 2


def test_bad_rows_are_reported_and_valid_rows_kept(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "mixed.jsonl"
    source.write_text(
        '{"id": "a", "title": "Data Engineer", "description": "Spark and Kafka."}\n'
        "{not json\n"
        '{"id": "b", "title": "Recruiter"}\n'
        '{"id": "c", "title": "Backend Engineer", "description": "Go and Postgres."}\n',
        encoding="utf-8",
    )
    index = tmp_path / "ix"
    code, _, err = run(runner, "index", str(source), index=index)
    assert code == 0
    assert f"{source}:2:" in err and "invalid JSON" in err
    assert f"{source}:3:" in err and "missing description" in err
    assert "added 2" in err and "rejected 2" in err
    code, _, err = run(runner, "index", str(source), "--strict", index=tmp_path / "strict")
    assert code == 1 and f"{source}:2:" in err
    assert not (tmp_path / "strict").exists() or not any((tmp_path / "strict").glob("*.toc"))


def test_missing_input_path_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    code, _, err = run(runner, "index", str(tmp_path / "nope.jsonl"), index=tmp_path / "ix")
    assert code == 1 and "nope.jsonl" in err


def test_environment_variable_selects_the_index(runner: CliRunner, sample_index_dir: Path) -> None:
    result = runner.invoke(
        main, ["stats", "--format", "json"], env={"JOBSEARCH_INDEX": str(sample_index_dir)}
    )
    assert result.exit_code == 0 and json.loads(result.stdout)["postings"] == 10


def test_search_builds_the_default_index_on_first_use(tmp_path: Path) -> None:
    """A fresh checkout: `jobsearch search` with no index builds index/ from data/."""
    shutil.copytree(DATA, tmp_path / "data")
    proc = subprocess.run(
        [sys.executable, "-m", "search", "search", "--city", "Seattle", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "building it from data/" in proc.stderr
    assert json.loads(proc.stdout)["total"] == 7
    assert (tmp_path / "index").is_dir()


def test_radius_explain_and_all_through_the_cli(runner: CliRunner, sample_index_dir: Path) -> None:
    near = search_json(runner, sample_index_dir, "--near", "Seattle", "--radius", "20km")
    assert near["total"] == 7
    assert all(h["distance_km"] == 0.0 for h in near["hits"])
    assert near["filters"]["near"] == "Seattle" and near["filters"]["radius_km"] == 20.0
    sunnyvale = search_json(runner, sample_index_dir, "--near", "Sunnyvale", "--radius", "15mi")
    assert sunnyvale["total"] > near["total"] - 7  # Sunnyvale, Santa Clara, Palo Alto ...
    code, out, _ = run(
        runner, "search", "NLP", "--explain", "--format", "json", index=sample_index_dir
    )
    assert code == 0
    parts = json.loads(out)["hits"][0]["explanation"]["parts"]
    assert {"field", "term", "score"} <= parts[0].keys()
    argv = ["search", "NLP", "--explain", "--index", str(sample_index_dir)]
    wide = runner.invoke(main, argv, env={"COLUMNS": "200"})
    assert wide.exit_code == 0
    assert "description:nlp" in wide.stdout and "skill:natural language" in wide.stdout
    assert search_json(runner, sample_index_dir, "--all")["total"] == 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "--near", "Seattle", "--radius", "far"], "unreadable radius 'far'"),
        (["search", "--radius", "5km"], "a radius needs a place"),
        (["search", "--near", "Xyzzyville"], "unknown place 'Xyzzyville'"),
    ],
)
def test_radius_errors(
    runner: CliRunner, sample_index_dir: Path, args: list[str], message: str
) -> None:
    code, _, err = run(runner, *args, index=sample_index_dir)
    assert code == 1 and message in err and "Traceback" not in err


def test_evaluate_prints_our_figures_beside_bm25(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search import evaluate

    monkeypatch.setattr(evaluate, "CORPUS", tmp_path / "absent.jsonl.gz")
    code, out, err = run(runner, "evaluate")
    assert code == 0, err
    assert "sample queries only" in err
    rows = [line.split() for line in out.splitlines() if line.startswith("sample")]
    assert [r[2] for r in rows] == ["ours", "bm25"]
    ours, bm25 = (float(r[3]) for r in rows)
    assert ours > bm25
    assert run(runner, "evaluate", "--corpus", str(tmp_path / "nope.gz"))[0] == 1


def test_a_file_with_no_valid_posting_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_bytes(b"garbage\x00\xff\xfe\n")
    code, _, err = run(runner, "index", str(source), index=tmp_path / "ix")
    assert code == 1
    assert f"{source}:1:" in err and "no valid postings" in err


def test_messages_read_well(runner: CliRunner, tmp_path: Path, sample_index_dir: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text('{"id": "1", "title": "Data Engineer", "description": "Spark."}\n')
    assert "holds 1 posting\n" in run(runner, "index", str(source), index=tmp_path / "ix")[2]
    near = search_json(runner, sample_index_dir, "--near", "Seattle", "--radius", "10mi")
    assert "within 16.1 km of Seattle, WA, US" in near["notes"]
