"""CSV read exactly as Python's csv module reads it (issue 14); only a really broken file
is recovered from, and then no piece of a broken cell becomes a posting.

Every valid table here is written by ``csv.writer`` in the shape of a real export
(Glassdoor, LinkedIn, Naukri: their headers, made-up rows), and the oracle is the csv
module itself: each row it reads, through ``export_record``, at its row's first line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.cli.commands import main
from search.ingest import RawRecord, Rejection, read_records
from search.ingest.csvrecovery import Shapes, lenient_open, quote_fault
from search.ingest.exports import export_record
from search.ingest.records import FieldError, Item


def table(header: list[str], rows: list[list[str]], newline: str = "\r\n") -> tuple[str, list[int]]:
    """The CSV text ``csv.writer`` makes of the rows, and the line each row starts on."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    starts = []
    for row in rows:
        starts.append(out.getvalue().count("\n") + 1)
        writer.writerow(row)
    return out.getvalue(), starts


def oracle(path: Path, header: list[str], rows: list[list[str]], starts: list[int]) -> list[Item]:
    """What each row must read as: its record, or the rejection of its content."""
    expected: list[Item] = []
    for row, line in zip(rows, starts, strict=True):
        try:
            expected.append(export_record(zip(header, row, strict=True), str(path), line))
        except FieldError as exc:
            expected.append(Rejection(str(path), line, str(exc)))
    return expected


def write(path: Path, text: str, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def summary(path: Path) -> list[tuple[int, object]]:
    return [
        (it.line, it.fields if isinstance(it, RawRecord) else it.reason)
        for it in read_records([path])
    ]


# --- valid exports: every row the csv module reads is one record --------------------------

GLASSDOOR = ["", "Job Title", "Salary Estimate", "Job Description", "Rating", "Company Name"]
#: Lines inside a quoted description with exactly as many commas as the header has
#: columns less one, some of them well-formed rows on their own: they stay in the cell.
DESCRIPTION = (
    "We build forecasting models.\n\n"
    "Requirements:\n"
    "MSc, PhD, or BSc in Statistics, Mathematics, Physics, or a related field\n"
    "Furthermore, we offer: health, dental, vision, 401k, and more\n"
    '7,Data Scientist,"$53K-$91K",text,3.8,Acme\n'
    "regardless of race, religion, colour, sex, age, or disability."
)
LINKEDIN = ["job_id", "company_name", "title", "description", "pay_period", "location"]
NAUKRI = ["Job Role", "Company", "Job Type", "Location", "Description", "Apply link"]

EXPORTS = {
    "glassdoor": (
        GLASSDOOR,
        [
            ["0", "Data Scientist", "$53K-$91K (Glassdoor est.)", DESCRIPTION, "3.8", "Acme\n3.8"],
            ["1", "Analyst", "-1", "Short one.", "-1", "Initech"],
            ["2", "ML Engineer", "$90K-$120K", DESCRIPTION.upper(), "4.1", "Hooli\n4.1"],
        ],
        "\n",
    ),
    "linkedin": (
        LINKEDIN,
        [
            [
                "921716",
                "n/naka",
                "Service Manager",
                'He said "data is destiny",\nand, more, text,\nok',
                "",
                "",
            ],
            [
                "921717",
                "Acme",
                "Analyst",
                "Hours:\nconsistent late nights, and weekends, as needed, too",
                "YEARLY",
                "Austin, TX",
            ],
        ],
        "\n",
    ),
    "naukri (BOM, CRLF)": (
        NAUKRI,
        [
            [
                "Data Analyst",
                "Acme",
                "work from office",
                "Chennai, Coimbatore ",
                "SQL, Excel...",
                "https:www.naukri.comjob-1",
            ],
            [
                "BI Analyst",
                "Initech",
                "Hybrid",
                "Chennai",
                "Power BI dashboards...",
                "https:www.naukri.comjob-2",
            ],
        ],
        "\r\n",
    ),
}


@pytest.mark.parametrize("name", list(EXPORTS))
def test_a_valid_export_reads_row_for_row(tmp_path: Path, name: str) -> None:
    header, rows, newline = EXPORTS[name]
    text, starts = table(header, rows, newline)
    path = write(tmp_path / "export.csv", text, bom="BOM" in name)
    found = list(read_records([path]))
    assert found == oracle(path, header, rows, starts)
    assert all(isinstance(it, RawRecord) for it in found) and len(found) == len(rows)


def test_a_valid_export_indexes_every_row(tmp_path: Path) -> None:
    header, rows, newline = EXPORTS["glassdoor"]
    path = write(tmp_path / "glassdoor.csv", table(header, rows, newline)[0])
    result = CliRunner().invoke(main, ["index", str(path), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.stderr
    assert f"{path}: csv, 3 read, 3 kept, 0 merged, 0 rejected" in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # spaces after a closing quote are read as the csv module reads them
            'title,description\n"Analyst" ,Reports\n',
            [(2, {"title": "Analyst", "description": "Reports"})],
        ),
        (  # a quote inside an unquoted cell is a character
            'title,description\nTV 5" screen,Fine\n',
            [(2, {"title": 'TV 5" screen', "description": "Fine"})],
        ),
        (  # blank lines, and a last row without a line end
            'title,description\n\nA,"one\ntwo"\n\n\nB,three',
            [
                (3, {"title": "A", "description": "one\ntwo"}),
                (7, {"title": "B", "description": "three"}),
            ],
        ),
        (  # lone CRs (an old Mac file) end rows, as for the csv module; lines count "\n"
            'title,description\rA,"one\rtwo"\rB,three\r',
            [
                (1, {"title": "A", "description": "one\rtwo"}),
                (1, {"title": "B", "description": "three"}),
            ],
        ),
    ],
)
def test_what_the_csv_module_reads_is_read(
    tmp_path: Path, text: str, expected: list[tuple[int, object]]
) -> None:
    assert summary(write(tmp_path / "t.csv", text)) == expected


# --- property: any table csv.writer writes reads back exactly ------------------------------

HEADER = ["id", "title", "company", "description"]
#: A line with exactly as many commas as the header has columns less one.
ROW_LIKE = st.lists(st.text(alphabet='ab "', max_size=4), min_size=4, max_size=4).map(",".join)
LINE = st.one_of(st.text(alphabet='ab ,"\r-', max_size=10), ROW_LIKE, st.just(""))
CELL = st.tuples(st.lists(LINE, min_size=1, max_size=4), st.sampled_from(["\n", "\r\n"])).map(
    lambda parts: parts[1].join(parts[0])
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(CELL, min_size=4, max_size=4), min_size=1, max_size=8),
    newline=st.sampled_from(["\r\n", "\n"]),
    bom=st.booleans(),
)
def test_any_table_csv_writer_writes_reads_back_exactly(
    tmp_path: Path, rows: list[list[str]], newline: str, bom: bool
) -> None:
    if newline == "\n":  # csv.writer quotes a lone CR only when it ends lines with CR LF
        rows = [[cell.replace("\r", "") for cell in row] for row in rows]
    text, starts = table(HEADER, rows, newline)
    path = write(tmp_path / "t.csv", text, bom)
    assert list(read_records([path])) == oracle(path, HEADER, rows, starts)


# --- broken files: rejected where broken, and no fragment kept -----------------------------

AGAIN = "; the lines after its first are read again as rows"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a stray quote would swallow the rest: the rows after it are kept
            'id,title,description\na1,T,"broken\na2,T,fine\na3,T,fine\n',
            [
                (2, "unclosed quote: the file ends inside it" + AGAIN),
                (3, {"id": "a2", "title": "T", "description": "fine"}),
                (4, {"id": "a3", "title": "T", "description": "fine"}),
            ],
        ),
        (  # ... up to a later quote, which it closes
            'id,title,description\na1,T,"broken\na2,T,fine\na3,T,"two\nlines"\n',
            [
                (2, "text after a closing quote" + AGAIN),
                (3, {"id": "a2", "title": "T", "description": "fine"}),
                (4, {"id": "a3", "title": "T", "description": "two\nlines"}),
            ],
        ),
        (  # the file ends inside a description: its lines are not rows
            'id,title,description\na1,T,fine\na2,T,"cut short\nand more prose\n',
            [
                (2, {"id": "a1", "title": "T", "description": "fine"}),
                (3, "unclosed quote: the file ends inside it" + AGAIN),
                (4, "row has 1 fields, header has 3"),
            ],
        ),
        (  # ... even a line as wide as a row
            'id,title,description\na1,T,fine\na2,T,"cut short\nand, more, prose\n',
            [
                (2, {"id": "a1", "title": "T", "description": "fine"}),
                (3, "unclosed quote: the file ends inside it" + AGAIN),
                (
                    4,
                    "may be part of the broken row at line 3 (its 'title' starts with a space,"
                    " as no 'title' read cleanly does); skipped",
                ),
            ],
        ),
        (  # quotes not doubled inside a quoted cell: its other lines are not rows
            'id,title,description\na1,T,"He said "hi" there\nmore, prose, here\nend"\na2,T,fine\n',
            [
                (2, "text after a closing quote"),
                (
                    3,
                    "may be part of the broken row at line 2 (a broken row follows it,"
                    " at line 4); skipped",
                ),
                (4, "row has 1 fields, header has 3"),
                (5, {"id": "a2", "title": "T", "description": "fine"}),
            ],
        ),
        (  # a closing quote followed by text: the next row is kept
            'id,title,description\na1,T,"broken\nprose" and more\na2,T,fine\n',
            [
                (2, "text after a closing quote" + AGAIN),
                (3, "row has 1 fields, header has 3"),
                (4, {"id": "a2", "title": "T", "description": "fine"}),
            ],
        ),
        (  # a row wider than the header costs only itself
            "id,title,description\na1,T,one, two\na2,T,fine\n",
            [
                (2, "row has 4 fields, header has 3"),
                (3, {"id": "a2", "title": "T", "description": "fine"}),
            ],
        ),
        (  # a header that is not CSV: nothing can be aligned with it
            'id,"title,description\na1,T,fine\n',
            [
                (
                    1,
                    "header row unreadable: unclosed quote: the file ends inside it;"
                    " stopped reading the file",
                )
            ],
        ),
    ],
)
def test_a_broken_row_costs_only_itself(
    tmp_path: Path, text: str, expected: list[tuple[int, object]]
) -> None:
    assert summary(write(tmp_path / "b.csv", text)) == expected


def glassdoor_rows(count: int) -> list[list[str]]:
    """Made-up rows in the Glassdoor export's shape, each description over many lines."""
    return [
        [
            str(n),
            f"Data Scientist {n}",
            f"${50 + n}K-${90 + n}K (Glassdoor est.)",
            f'Team {n} builds "{n}" models.\n\n{DESCRIPTION}\nApply by {n} May.',
            "3.8",
            f"Acme {n}\n3.8",
        ]
        for n in range(count)
    ]


def break_export(text: str, starts: list[int], how: str) -> tuple[str, set[int]]:
    """The export broken one way around its 10th row, and the rows that may be lost."""
    lines = text.splitlines(keepends=True)
    first, last = starts[10] - 1, starts[11] - 2  # 0-based lines of the 10th row
    if how == "truncated":
        return "".join(lines[: first + 3]), set(range(10, len(starts)))
    if how == "closing quote lost":
        closing = lines[last - 1]  # the description's last line: 'Apply by 10 May."\n'
        lines[last - 1] = closing.replace('"', "", 1)
    elif how == "stray quote":
        lines[first] = lines[first].replace(",Data", ',"Data', 1)
    elif how == "quotes not doubled":
        lines[first] = lines[first].replace('""10""', '"10"')
    elif how == "extra cell":
        lines[last] = lines[last].replace("\n", ",x\n")
    return "".join(lines), {10}


@pytest.mark.parametrize(
    "how",
    ["truncated", "closing quote lost", "stray quote", "quotes not doubled", "extra cell"],
)
def test_a_broken_export_keeps_every_other_row_and_no_fragment(tmp_path: Path, how: str) -> None:
    rows = glassdoor_rows(20)
    text, starts = table(GLASSDOOR, rows, "\n")
    broken, may_lose = break_export(text, starts, how)
    assert broken != text
    path = write(tmp_path / "broken.csv", broken)
    whole = dict(zip(starts, oracle(path, GLASSDOOR, rows, starts), strict=True))
    found = list(read_records([path]))
    records = [it for it in found if isinstance(it, RawRecord)]
    assert all(whole.get(it.line) == it for it in records)  # no fragment, no changed row
    kept = {starts.index(it.line) for it in records}
    assert kept >= set(range(20)) - may_lose
    assert any(isinstance(it, Rejection) and starts.index(it.line) == 10 for it in found)


# --- the parts: how quotes are read, what a column looks like -------------------------------


@pytest.mark.parametrize(
    ("lines", "fault"),
    [
        (['a,"b",c\n'], ""),
        (['a,"b" ,c\n'], ""),
        (['a,"b""c",d\n'], ""),
        (['a,"b\n', 'c",d\n'], ""),
        (['a,"b"c,d\n'], "text after a closing quote"),
        (['a,"b\n', "c\n"], "unclosed"),
        (['a,b"c,"d"\n'], ""),
    ],
)
def test_quote_fault_follows_the_csv_module(lines: list[str], fault: str) -> None:
    assert quote_fault(lines) == fault


@pytest.mark.parametrize(
    ("line", "quoted", "still_open"),
    [
        ('a,"He said "hi" there\n', False, True),  # quotes before text are text
        ('end"\n', True, False),  # a quote before the line's end closes
        ('x", next\n', True, False),  # ... and before a comma
        ('say ""a"" ok\n', True, True),
        ("a,b\n", False, False),
    ],
)
def test_lenient_open_reads_undoubled_quotes_as_text(
    line: str, quoted: bool, still_open: bool
) -> None:
    assert lenient_open(line, quoted) is still_open


@pytest.mark.parametrize(
    ("cells", "why"),
    [
        (["4", "Engineer", "https://x.test/4"], ""),
        (["4", " with commas", "https://x.test/4"], "its 'title' starts with a space"),
        (["4", "regardless of race", "https://x.test/4"], "its 'title' starts in lower case"),
        (["Four", "Engineer", "https://x.test/4"], "its 'id' is not a number"),
        (["4", "Engineer", "see above"], "its 'url' is not a link"),
    ],
)
def test_shapes_tell_a_row_from_prose(cells: list[str], why: str) -> None:
    shapes = Shapes(["id", "title", "url"])
    for n in range(3):
        shapes.learn([str(n), f"Analyst {n}", f"https://x.test/{n}"])
    assert shapes.misfit(cells).startswith(why)
