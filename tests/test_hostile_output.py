"""Hostile text in postings, file names and user input prints inert (issue 8).

Each test fails on the code before the fix: rich markup in a string crashed the table
(MarkupError) or became a live hyperlink, ESC sequences and bidi overrides reached the
terminal, user text on stderr was read as markup, and CSV cells went to spreadsheets
as formulas. The real CLI runs through click's CliRunner, and once as a subprocess with
a colour terminal forced, against real indexes built in temporary directories.
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
from search.cli.safe import clean, csv_cell
from tests.conftest import ROOT, IndexFactory

ESC_TITLE = "Data Engineer \x1b[2J\x1b]0;pwned\x07 [/x] \u202eeman"
LINK_COMPANY = "Acme [link=file:///etc/passwd]click[/link]"
LINK_PLACE = "Zzyzx [/x] [link=file:///etc/passwd]x[/link] \x1b[31m"
DESCRIPTION = (
    "Python and SQL. \x1b]8;;file:///etc/passwd\x07link\x1b]8;;\x07 [bold]bold[/bold] "
    "\x9b31m C1 \x1b[31mred\x1b[0m :smile: \u2066isolate\u2069"
)
HOSTILE = {
    "id": "evil-1",
    "title": ESC_TITLE,
    "company": LINK_COMPANY,
    "location": LINK_PLACE,
    "description": DESCRIPTION,
    "url": "https://example.com/\x1b[2J",
}
#: Characters a terminal acts on; none may reach it from data.
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\u202e", "\u2066")
FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd", "-cmd", "@SUM(1)"]


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def hostile_index(index_of: IndexFactory) -> Path:
    """One posting full of ESC sequences, bidi overrides and rich markup."""
    return index_of([HOSTILE], "hostile").path


@pytest.fixture(scope="module")
def formula_index(index_of: IndexFactory) -> Path:
    """Postings whose titles a spreadsheet would run as formulas."""
    rows = [
        {"id": f"f{i}", "title": title, "description": f"Spreadsheet role number {i}."}
        for i, title in enumerate(FORMULAS)
    ]
    return index_of(rows, "formulas").path


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def assert_inert(text: str) -> None:
    for char in RAW_CONTROLS:
        assert char not in text, f"{char!r} reached the terminal"


# -- user text and file names on stderr -----------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "[/x]"], "no posting with id '[/x]'"),
        (["show", "[red]nope"], "no posting with id '[red]nope'"),
        (["similar", "[/x]"], "no posting with id '[/x]'"),
        (["search", "--level", "[/x]"], "unknown level '[/x]'"),
        (["search", "--near", "[/x]"], "unknown place '[/x]'"),
        (["show", "\x1b[2Jx\u202e"], "no posting with id '\\x1b[2Jx\\u202e'"),
    ],
)
def test_user_text_in_errors_is_text(
    runner: CliRunner, sample_index_dir: Path, args: list[str], message: str
) -> None:
    """Markup in user text crashed with a MarkupError or named the wrong id."""
    code, out, err = invoke(runner, *args, "--index", str(sample_index_dir))
    assert code == 1 and out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert_inert(err)


def test_file_names_are_reported_as_written(runner: CliRunner, tmp_path: Path) -> None:
    """A file named x[red]y.jsonl was reported as xy.jsonl; ESC in a name was echoed."""
    markup = tmp_path / "x[red]y.jsonl"
    markup.write_text("{not json\n", encoding="utf-8")
    escape = tmp_path / "e\x1b]0;t\x07.jsonl"
    escape.write_text("{not json\n", encoding="utf-8")
    code, _, err = invoke(runner, "index", str(markup), str(escape), "--index", str(tmp_path / "i"))
    assert code == 1
    assert f"{markup}:1:" in err
    assert "e\\x1b]0;t\\x07.jsonl:1:" in err
    assert_inert(err)


# -- postings in the table, show, facets and stats -----------------------------------


def test_hostile_posting_prints_inert_in_the_table(runner: CliRunner, hostile_index: Path) -> None:
    """Its location's [/x] crashed every table search returning it (MarkupError)."""
    code, out, _ = invoke(runner, "search", "python", "--index", str(hostile_index))
    assert code == 0
    assert_inert(out)
    assert "[/x]" in out and "[link=file:///etc/passwd]" in out  # shown, not obeyed
    assert "\\x1b[2J" in out and "\\u202e" in out  # visible, escaped


def test_show_prints_every_field_inert(runner: CliRunner, hostile_index: Path) -> None:
    code, out, _ = invoke(runner, "show", "evil-1", "--index", str(hostile_index))
    assert code == 0
    assert_inert(out)
    for shown in ("[link=file:///etc/passwd]click[/link]", "[bold]bold[/bold]", ":smile:"):
        assert shown in out
    assert "\\x1b]8;;file:///etc/passwd\\x07" in out


def test_facets_and_stats_of_a_hostile_index_are_inert(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "rows.jsonl"
    source.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    odd = tmp_path / "ix [red]\x1b]0;t\x07"
    code, _, err = invoke(runner, "index", str(source), "--index", str(odd))
    assert code == 0
    assert_inert(err)
    for command in (["stats"], ["facets", "python"]):
        code, out, err = invoke(runner, *command, "--index", str(odd))
        assert code == 0, err
        assert_inert(out + err)
    assert "[red]\\x1b]0;t\\x07" in invoke(runner, "stats", "--index", str(odd))[1]


def test_a_colour_terminal_gets_no_sequence_from_the_data(hostile_index: Path) -> None:
    """The real command, with colours forced: styles are ours, never the posting's."""
    env = {**os.environ, "FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "120"}
    env["PYTHONPATH"] = str(ROOT)
    for args in (["search", "python"], ["show", "evil-1"]):
        proc = subprocess.run(
            [sys.executable, "-m", "search", *args, "--index", str(hostile_index)],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr
        assert "\x1b[" in proc.stdout  # colour is on
        for sequence in ("\x1b[2J", "\x1b]", "\x07", "\x9b", "\u202e", "\x1b[31mred"):
            assert sequence not in proc.stdout


# -- machine formats ---------------------------------------------------------------


def test_json_keeps_hostile_text_as_data(runner: CliRunner, hostile_index: Path) -> None:
    code, out, _ = invoke(
        runner, "search", "python", "--format", "json", "--index", str(hostile_index)
    )
    assert code == 0
    assert_inert(out)  # escaped as \u001b, \u009b, \u202e ...
    hit = json.loads(out)["hits"][0]
    assert hit["title"] == ESC_TITLE and hit["company"] == LINK_COMPANY
    assert hit["location_text"] == LINK_PLACE
    code, out, _ = invoke(
        runner, "show", "evil-1", "--format", "json", "--index", str(hostile_index)
    )
    assert json.loads(out)["description"] == DESCRIPTION
    assert_inert(out)
    code, out, _ = invoke(
        runner, "search", "python", "--format", "jsonl", "--index", str(hostile_index)
    )
    assert json.loads(out.splitlines()[0])["title"] == ESC_TITLE
    assert_inert(out)


def _csv_titles(out: str) -> set[str]:
    return {row["title"] for row in csv.DictReader(io.StringIO(out, newline=""))}


def test_csv_cells_that_are_formulas_are_neutralised(
    runner: CliRunner, formula_index: Path
) -> None:
    """=HYPERLINK(...), +cmd, -cmd and @SUM(1) went to spreadsheets verbatim."""
    args = ["search", "spreadsheet", "--format", "csv", "--limit", "50"]
    code, out, _ = invoke(runner, *args, "--index", str(formula_index))
    assert code == 0
    assert _csv_titles(out) == {"'" + title for title in FORMULAS}
    scores = [row["score"] for row in csv.DictReader(io.StringIO(out, newline=""))]
    assert all(float(s) > 0 for s in scores)  # numbers stay numbers
    code, out, _ = invoke(runner, *args, "--csv-raw", "--index", str(formula_index))
    assert code == 0 and _csv_titles(out) == set(FORMULAS)


def test_csv_raw_is_documented(runner: CliRunner) -> None:
    for command in ("search", "similar"):
        assert "--csv-raw" in invoke(runner, command, "--help")[1]


# -- the helper itself -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("clear\x1b[2J", "clear\\x1b[2J"),
        ("title\x1b]0;pwned\x07", "title\\x1b]0;pwned\\x07"),
        (
            "\x1b]8;;file:///etc/passwd\x07x\x1b]8;;\x07",
            "\\x1b]8;;file:///etc/passwd\\x07x\\x1b]8;;\\x07",
        ),
        ("c1 \x9b31m \x85", "c1 \\x9b31m \\x85"),
        ("abc\u202edef\u2067", "abc\\u202edef\\u2067"),
        ("one\ntwo\tthree\r", "one\\ntwo\\tthree\\r"),
        ("[bold]x[/bold] café", "[bold]x[/bold] café"),
    ],
)
def test_clean_escapes_what_a_terminal_obeys(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_clean_keeps_line_breaks_where_text_has_lines() -> None:
    assert clean("a\r\nb\rc\n\td\x1b", lines=True) == "a\nb\nc\n\td\\x1b"


@pytest.mark.parametrize("value", [*FORMULAS, "=1+1", "\tcmd", "\rcmd"])
def test_csv_cell_quotes_formulas(value: str) -> None:
    assert csv_cell(value) == "'" + value
    assert csv_cell(value, raw=True) == value


@pytest.mark.parametrize("value", ["Data Engineer", "a=b", "", -1.5, 3, None])
def test_csv_cell_leaves_other_values(value: object) -> None:
    assert csv_cell(value) == value
