"""Issue 11, output: what a person sees in the table, and what a program gets from every
format, including pipes that close early, pages past the end and exports of every match.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli.commands import main
from search.cli.render import score_label
from tests.conftest import ROOT, IndexFactory
from tests.terminal import on_a_terminal

FORMATS = ("table", "json", "jsonl", "csv")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "search", *args]


def environment(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, "PYTHONPATH": str(ROOT), **more}


@pytest.fixture(scope="module")
def places_index(index_of: IndexFactory) -> Path:
    """Postings with two, three and five places, and one stating a remote scope."""
    rows = [
        {
            "id": "two-places",
            "title": "Platform Engineer",
            "locations": ["Seattle, WA", "Boston, MA"],
            "description": "Kubernetes platform work. Full-time.",
        },
        {
            "id": "five-places",
            "title": "Site Reliability Engineer",
            "locations": ["Seattle, WA", "Boston, MA", "Austin, TX", "Denver, CO", "Miami, FL"],
            "description": "Kubernetes reliability work. Full-time.",
        },
    ]
    return index_of(rows, "cli-places").path


# -- the table --------------------------------------------------------------------


def test_matched_words_stay_visible_without_colour(sample_index_dir: Path) -> None:
    """With NO_COLOR (or a pipe) styles vanish; the marks must not vanish with them."""
    code, out, _ = run(
        "search", "robotics", "--index", str(sample_index_dir), env={"NO_COLOR": "1"}
    )
    assert code == 0 and "«robotics»" in out


def test_a_colour_terminal_gets_styled_matches_not_marks(sample_index_dir: Path) -> None:
    proc = subprocess.run(
        command("search", "robotics", "--index", str(sample_index_dir)),
        capture_output=True,
        text=True,
        check=False,
        env=environment(FORCE_COLOR="1", TERM="xterm-256color", COLUMNS="160"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "«" not in proc.stdout and "\x1b[1;4;33mrobotics" in proc.stdout


def cells(table: str, column: str) -> list[str]:
    """The text of one column of the hits table, a string per row (lines joined)."""
    lines = table.splitlines()
    head = next(line for line in lines if line.startswith("┃"))
    at = [name.strip() for name in head.split("┃")].index(column)
    rows: list[str] = [""]
    for line in lines:
        if line.startswith(("├", "└")):
            rows.append("")
        elif line.startswith("│"):
            rows[-1] = (rows[-1] + " " + line.split("│")[at].strip()).strip()
    return [row for row in rows if row]


def test_places_are_joined_the_same_way_whatever_their_count(places_index: Path) -> None:
    """Two places were joined by ", " (as if one place), more than three by "; "."""
    code, out, _ = run("search", "kubernetes", "--index", str(places_index), env={"COLUMNS": "200"})
    assert code == 0
    assert sorted(cells(out, "Where")) == [
        "Seattle, WA, US; Boston, MA, US",
        "Seattle, WA, US; Boston, MA, US; Austin, TX, US +2 more",
    ]


def test_the_level_column_shows_only_the_level(sample_index_dir: Path) -> None:
    code, out, _ = run(
        "search", "--level", "intern", "--index", str(sample_index_dir), env={"COLUMNS": "200"}
    )
    assert code == 0
    assert set(cells(out, "Level")) == {"intern"}
    assert "internship" in out  # shown with the other facts of the posting


def test_a_page_past_the_last_says_so(sample_index_dir: Path) -> None:
    code, out, _ = run("search", "--page", "999", "--index", str(sample_index_dir))
    assert code == 0 and "page 999 is past the last page (1)" in out
    code, out, err = run(
        "search", "--page", "999", "--format", "jsonl", "--index", str(sample_index_dir)
    )
    assert (code, out) == (0, "") and "page 999 is past the last page" in err
    code, out, _ = run(
        "search", "--page", "999", "--format", "json", "--index", str(sample_index_dir)
    )
    assert json.loads(out)["notes"] == ["page 999 is past the last page (1)"]


# -- pipes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["facets"],
        ["search"],
        ["search", "--format", "json"],
        ["search", "--format", "csv"],
        ["search", "--all-results", "--format", "jsonl"],
        ["stats"],
        ["show", "hc716bbe"],
    ],
)
def test_a_reader_that_has_gone_ends_the_command_quietly(
    sample_index_dir: Path, args: list[str]
) -> None:
    """`jobsearch facets | head -1` exited 1 with nothing on stderr: a closed pipe is
    the reader saying it has enough, which is success. Here the reader is gone before
    the first write, which is the case that fails deterministically."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            command(*args, "--index", str(sample_index_dir)),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env=environment(),
        )
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr) == (0, "")


def test_head_reads_the_first_line(sample_index_dir: Path) -> None:
    pipeline = f"{sys.executable} -m search facets --index {sample_index_dir} | head -1"
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", pipeline],
        capture_output=True,
        text=True,
        check=False,
        env=environment(),
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "10 matching postings\n"


# -- machine formats ------------------------------------------------------------------


def test_csv_carries_every_fact_and_plain_booleans(sample_index_dir: Path) -> None:
    code, out, _ = run("search", "--format", "csv", "--index", str(sample_index_dir))
    assert code == 0
    reader = csv.DictReader(io.StringIO(out))
    wanted = {
        "company",
        "url",
        "location_text",
        "remote_scope",
        "workplace",
        "pay",
        "experience_years",
        "degree",
        "employment_type",
        "partial",
    }
    assert reader.fieldnames is not None and wanted <= set(reader.fieldnames)
    rows = list(reader)
    assert {r["remote"] for r in rows} == {"false"} and {r["partial"] for r in rows} == {"false"}
    assert all(r["location_text"] for r in rows)
    assert "True" not in out and "False" not in out


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["show", "facets", "stats"])
def test_show_facets_and_stats_write_every_format(
    sample_index_dir: Path, name: str, fmt: str
) -> None:
    args = [name, "hc716bbe"] if name == "show" else [name]
    code, out, err = run(*args, "--format", fmt, "--index", str(sample_index_dir))
    assert code == 0, err
    if fmt == "json":
        data = json.loads(out)
        assert {"show": "description", "facets": "facets", "stats": "postings"}[name] in data
    elif fmt == "jsonl":
        lines = [json.loads(line) for line in out.splitlines()]
        keys = {"show": {"id", "description"}, "facets": {"facet", "value", "count"}}
        assert lines and keys.get(name, {"name", "value"}) <= lines[0].keys()
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        first = {"show": "id", "facets": "facet", "stats": "name"}[name]
        assert rows and rows[0][first]
    else:
        assert out.strip() and "{" not in out.splitlines()[0]


def test_stats_rows_name_the_top_values(sample_index_dir: Path) -> None:
    code, out, _ = run("stats", "--format", "jsonl", "--index", str(sample_index_dir))
    assert code == 0
    rows = {r["name"]: r["value"] for r in map(json.loads, out.splitlines())}
    assert rows["postings"] == 10 and rows["top.city.Seattle"] == 7


def test_facets_top_counts_more_than_ten_values(sample_index_dir: Path) -> None:
    code, out, _ = run("facets", "--format", "json", "--index", str(sample_index_dir))
    assert code == 0 and len(json.loads(out)["facets"]["city"]) == 10
    code, out, _ = run(
        "facets", "--top", "50", "--format", "json", "--index", str(sample_index_dir)
    )
    assert len(json.loads(out)["facets"]["city"]) == 13
    code, out, _ = run("facets", "--top", "2", "--format", "csv", "--index", str(sample_index_dir))
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["value"] for r in rows if r["facet"] == "city"] == ["Seattle", "Bellevue"]


def test_limit_is_not_capped(sample_index_dir: Path) -> None:
    code, out, _ = run(
        "search", "--limit", "5000", "--format", "json", "--index", str(sample_index_dir)
    )
    assert code == 0 and len(json.loads(out)["hits"]) == 10


@pytest.mark.parametrize("every", [["--all-results"], ["--limit", "0"]])
def test_every_match_streams_as_jsonl_and_csv(sample_index_dir: Path, every: list[str]) -> None:
    code, out, _ = run("search", *every, "--format", "jsonl", "--index", str(sample_index_dir))
    assert code == 0
    assert len({json.loads(line)["id"] for line in out.splitlines()}) == 10
    code, out, _ = run("search", "intern", "--format", "json", "--index", str(sample_index_dir))
    total = json.loads(out)["total"]
    code, out, _ = run(
        "search", "intern", *every, "--format", "csv", "--index", str(sample_index_dir)
    )
    assert code == 0 and len(list(csv.DictReader(io.StringIO(out)))) == total
    code, _, err = run("search", *every, "--index", str(sample_index_dir))
    assert code == 2 and "--format jsonl" in err


# -- the pager ------------------------------------------------------------------------


def test_a_long_posting_opens_in_the_pageron_a_terminal(
    sample_index_dir: Path, tmp_path: Path
) -> None:
    paged = tmp_path / "paged.txt"
    pager = f'{sys.executable} -c \'import sys; open("{paged}", "w").write(sys.stdin.read())\''
    env = environment(PAGER=pager, LINES="20", COLUMNS="80", TERM="xterm")
    on_a_terminal(command("show", "hc716bbe", "--index", str(sample_index_dir)), env)
    assert "Applied Science Intern" in paged.read_text()
    paged.unlink()
    shown = on_a_terminal(
        command("show", "hc716bbe", "--no-pager", "--index", str(sample_index_dir)), env
    )
    assert not paged.exists() and "Applied Science Intern" in shown
    short = on_a_terminal(command("stats", "--index", str(sample_index_dir)), env)
    assert not paged.exists() and "postings" in short


def test_a_shown_correction_is_said_once(sample_index_dir: Path) -> None:
    code, out, _ = run(
        "search", "reinforcment lerning", "--index", str(sample_index_dir), env={"COLUMNS": "200"}
    )
    assert code == 0 and "showing results for 'reinforcement learning'" in out
    assert "did you mean" not in out  # the note already says what was searched
    code, out, _ = run("search", "robotics", "--page", "99", "--index", str(sample_index_dir))
    assert out.count("page 99 is past the last page") == 1


@pytest.mark.parametrize(
    ("score", "shown"),
    [(None, "—"), (12.345, "12.35"), (0.0, "0.00"), (3.461e18, "3.46e+18"), (1e6, "1e+06")],
)
def test_a_large_score_is_shown_short(score: float | None, shown: str) -> None:
    """A cluster's text-match score (a 64-bit integer, for words matched with typos)
    would otherwise take the table's width from the postings."""
    assert score_label(score) == shown
