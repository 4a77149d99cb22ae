"""Issue 17, output for scripts: a stream of every match carries the short ids a page
carries, CSV writes whole sums as integers, and quoted pay phrases carry no list bullet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli.commands import main
from search.extract.pay import extract_pay
from tests.conftest import IndexFactory


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def paid_index(index_of: IndexFactory) -> Path:
    rows = [
        {
            "id": "aaaa1111-paid",
            "title": "Data Engineer",
            "location": "Seattle, WA",
            "description": "Build pipelines in Python.\n\nBenefits:\n"
            "- Annual salary range: $120,000 - $150,000 per year\n- Health insurance",
        },
        {
            "id": "aaaa2222-cents",
            "title": "Data Technician",
            "location": "Seattle, WA",
            "description": "Python data entry. Pay: $45.50 per hour.",
        },
    ]
    return index_of(rows, "script-output").path


def test_streamed_jsonl_has_the_short_ids_of_a_page(paid_index: Path) -> None:
    code, page, _ = run("search", "python", "--format", "jsonl", "--index", str(paid_index))
    assert code == 0
    code, stream, _ = run(
        "search", "python", "--all-results", "--format", "jsonl", "--index", str(paid_index)
    )
    assert code == 0
    paged = {r["id"]: r["short_id"] for r in map(json.loads, page.splitlines())}
    streamed = {r["id"]: r["short_id"] for r in map(json.loads, stream.splitlines())}
    assert len(streamed) == 2
    assert streamed == paged
    assert all(short and full.startswith(short) for full, short in streamed.items())


def test_csv_writes_whole_sums_as_integers_and_keeps_cents(paid_index: Path) -> None:
    code, out, _ = run("search", "python", "--format", "csv", "--index", str(paid_index))
    assert code == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["aaaa1111-paid"]["pay_min"] == "120000"
    assert rows["aaaa1111-paid"]["pay_max"] == "150000"
    assert rows["aaaa2222-cents"]["pay_min"] == "45.5"


def test_pay_text_in_csv_starts_with_words_not_a_bullet(paid_index: Path) -> None:
    code, out, _ = run("search", "python", "--format", "csv", "--index", str(paid_index))
    assert code == 0
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["aaaa1111-paid"]["pay_text"] == (
        "Annual salary range: $120,000 - $150,000 per year"
    )


@pytest.mark.parametrize("bullet", ["-", "*", "•", "–"])
def test_the_quoted_pay_phrase_drops_a_list_bullet(bullet: str) -> None:
    pay = extract_pay(f"Perks:\n{bullet} Base salary: $90,000 - $110,000 per year\n")
    assert pay is not None
    assert pay.text == "Base salary: $90,000 - $110,000 per year"


def test_a_formula_looking_pay_text_is_still_neutralised() -> None:
    from search.cli.safe import csv_cell

    assert str(csv_cell("-1+2 a year")).startswith("'")


def test_watch_list_shows_a_flag_filter_as_a_word(paid_index: Path, tmp_path: Path) -> None:
    import shutil

    index = tmp_path / "index"
    shutil.copytree(paid_index, index)
    code, out, _ = run("watch", "add", "ml", "python", "--remote", "--index", str(index))
    assert code == 0
    assert "remote True" not in out
    code, out, _ = run("watch", "list", "--format", "csv", "--index", str(index))
    assert code == 0
    assert next(csv.DictReader(io.StringIO(out)))["filters"] == "remote"


def test_a_typo_in_watch_add_suggests_the_whole_command(paid_index: Path) -> None:
    result = CliRunner().invoke(
        main, ["watch", "add", "x", "python", "--citty", "Seattle", "--index", str(paid_index)]
    )
    assert result.exit_code == 2
    assert "jobsearch watch add NAME -- --citty" in result.stderr
    assert "jobsearch add" not in result.stderr


@pytest.fixture(scope="module")
def europe_index(index_of: IndexFactory) -> Path:
    rows = [
        {"id": "berlin", "title": "Python Engineer", "location": "Berlin, Germany",
         "description": "Python work on site in Berlin."},
        {"id": "emea", "title": "Python Engineer", "location": "Remote - EMEA",
         "description": "Python work. Fully remote, open to candidates in EMEA."},
        {"id": "europe", "title": "Python Engineer", "location": "Remote - Europe",
         "description": "Python work. Fully remote within Europe."},
        {"id": "us", "title": "Python Engineer", "location": "Remote - US",
         "description": "Python work. Remote within the US."},
    ]  # fmt: skip
    return index_of(rows, "script-europe").path


def ids_for(index: Path, *args: str) -> set[str]:
    code, out, _ = run("search", "python", *args, "--format", "jsonl", "--index", str(index))
    assert code == 0
    return {json.loads(line)["id"] for line in out.splitlines()}


def test_country_europe_includes_its_countries_and_remote_postings_open_to_it(
    europe_index: Path,
) -> None:
    assert ids_for(europe_index, "--country", "Europe") == {"berlin", "emea", "europe"}
    assert ids_for(europe_index, "--country", "DE") == {"berlin", "emea", "europe"}
    assert ids_for(europe_index, "--country", "US") == {"us"}


def test_a_region_says_how_many_remote_postings_it_counted(europe_index: Path) -> None:
    code, out, _ = run("search", "python", "--country", "Europe", "--index", str(europe_index))
    assert code == 0
    assert "2 remote postings open to Europe counted as in Europe" in " ".join(out.split())
    code, out, _ = run("search", "python", "--country", "DE", "--index", str(europe_index))
    assert "counted as in" not in out
