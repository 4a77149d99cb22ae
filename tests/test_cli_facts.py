"""Issue 9 through the command line: employer, pay, workplace, experience and degree as
filters, sort keys, facets and shown facts, in every output format.

The postings are written the way real ones state their facts (a salary sentence, "3
days a week in office", "5+ years"), so each test runs the extractors, the index and
the CLI together.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli.commands import main
from tests.conftest import IndexFactory

FACT_ROWS: list[dict[str, object]] = [
    {
        "id": "acme-ml-1",
        "title": "Machine Learning Engineer",
        "company": "Acme AI",
        "url": "https://jobs.example.com/acme/1",
        "location": "Seattle, WA (Hybrid)",
        "posted": "2025-05-01",
        "closes": "2025-07-31",
        "description": "Acme AI builds models. We are hiring a machine learning engineer. "
        "The base salary range is $150,000 - $200,000 per year. This is a hybrid role, "
        "3 days a week in office. You have 5+ years of experience with Python. A "
        "Bachelor's degree in computer science is required. This is a full-time role.",
    },
    {
        "id": "globex-2",
        "title": "Data Analyst",
        "company": "Globex",
        "url": "https://jobs.example.com/globex/2",
        "location": "Remote - US",
        "posted": "2025-04-01",
        "description": "Globex is hiring a data analyst to work with SQL. Pay: $45/hr. "
        "Fully remote. 1-2 years of experience in analytics.",
    },
    {
        "id": "initech-3",
        "title": "Backend Engineer",
        "company": "Initech",
        "location": "London, UK",
        "posted": "2025-03-01",
        "description": "Initech needs a backend engineer for Go and Postgres. Salary £60k - "
        "£80k. You will work from our London office five days a week. At least 3 years "
        "of experience.",
    },
    {
        "id": "hooli-4",
        "title": "Research Scientist, Machine Learning",
        "company": "Hooli",
        "location": "Boston, MA",
        "posted": "2025-02-01",
        "description": "Hooli research: machine learning for search. A PhD in computer "
        "science is required. Publications at NeurIPS.",
    },
]


@pytest.fixture(scope="module")
def facts_index(index_of: IndexFactory) -> Path:
    return index_of(FACT_ROWS, "cli-facts").path


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


def ids(index: Path, *args: str) -> list[str]:
    code, out, err = run("search", *args, "--format", "json", "--index", str(index))
    assert code == 0, err
    return [h["id"] for h in json.loads(out)["hits"]]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--company", "acme ai"], ["acme-ml-1"]),
        (["--company", "ACME-AI", "--company", "Globex"], ["acme-ml-1", "globex-2"]),
        (["machine", "learning", "--exclude-company", "Acme AI"], ["hooli-4"]),
        (["--workplace", "hybrid"], ["acme-ml-1"]),
        (["--workplace", "remote", "--workplace", "hybrid"], ["acme-ml-1", "globex-2"]),
        (["--remote"], ["globex-2"]),
        (["--on-site"], ["initech-3"]),  # says so; hooli-4 names a city only: unknown
        (["--workplace", "onsite", "--workplace", "hybrid"], ["acme-ml-1", "initech-3"]),
        (["--max-years", "3"], ["globex-2", "initech-3"]),
        (["--degree", "bachelor"], ["acme-ml-1", "globex-2", "initech-3"]),
        (["--salary-min", "150k", "--currency", "USD"], ["acme-ml-1"]),
        (["--salary-min", "70000", "--currency", "GBP"], ["initech-3"]),
    ],
)
def test_issue9_filters(facts_index: Path, args: list[str], expected: list[str]) -> None:
    assert sorted(ids(facts_index, *args)) == expected


def test_sort_by_pay_puts_the_highest_yearly_pay_first(facts_index: Path) -> None:
    order = ids(facts_index, "--sort", "pay")
    assert order[0] == "acme-ml-1" and order[-1] == "hooli-4"


def test_postings_left_out_for_lacking_pay_are_counted_in_a_note(facts_index: Path) -> None:
    code, out, _ = run("search", "--salary-min", "10k", "--index", str(facts_index))
    assert code == 0
    assert "no pay" in out and "left out" in out  # the library's note, in the table
    code, _, err = run(
        "search", "--max-years", "9", "--format", "jsonl", "--index", str(facts_index)
    )
    assert "no years of experience" in err and "left out" in err  # on stderr


@pytest.mark.parametrize(
    ("args", "total", "note"),
    [
        (["--on-site"], 1, "1 posting that states no workplace (remote, hybrid or onsite)"),
        (["--workplace", "hybrid"], 1, "1 posting that states no workplace"),
        (["--type", "full-time"], 1, "3 postings that state no employment type were left out"),
        (["--level", "senior"], 0, "4 postings that state no level were left out"),
        (["--degree", "bachelor"], 3, "2 postings that state no degree were kept"),
    ],
)
def test_fact_filters_say_how_many_unknown_postings_they_left_out(
    facts_index: Path, args: list[str], total: int, note: str
) -> None:
    code, out, _ = run("search", *args, "--format", "json", "--index", str(facts_index))
    assert code == 0
    data = json.loads(out)
    assert data["total"] == total
    assert any(n.startswith(note) for n in data["notes"]), data["notes"]


def test_invalid_fact_filters_are_the_library_s_errors(facts_index: Path) -> None:
    for args, message in (
        (["--workplace", "moon"], "unknown workplace 'moon'"),
        (["--salary-min", "lots"], "unreadable amount 'lots'"),
        (["--currency", "dollars"], "unknown currency 'dollars'"),
        (["--max-years", "many"], "unreadable number of years 'many'"),
        (["--degree", "wizard"], "unknown degree 'wizard'"),
    ):
        code, out, err = run("search", *args, "--index", str(facts_index))
        assert (code, out) == (1, ""), args
        assert message in err and len(err.strip().splitlines()) == 1


def test_show_prints_every_fact(facts_index: Path) -> None:
    code, out, _ = run("show", "acme-ml-1", "--index", str(facts_index), env={"COLUMNS": "200"})
    assert code == 0
    for shown in (
        "Acme AI",
        "hybrid",
        "USD 150,000-200,000 a year",
        '"The base salary range is $150,000 - $200,000 per year"',
        '5+ years ("You have 5+ years of experience with Python")',
        "bachelor's",
        "full-time",
        "closes",
        "2025-07-31",
        "https://jobs.example.com/acme/1",
    ):
        assert shown in out, shown
    code, out, _ = run("show", "globex-2", "--index", str(facts_index), env={"COLUMNS": "200"})
    assert "USD 45 an hour" in out and "pay a year" in out and "USD 93,600" in out
    assert "remote (US)" in out


def test_the_table_shows_company_pay_years_workplace(facts_index: Path) -> None:
    code, out, _ = run(
        "search", "machine", "learning", "--index", str(facts_index), env={"COLUMNS": "160"}
    )
    assert code == 0
    assert "Acme AI" in out and "USD 150,000-200,000 a year" in out and "5+ years" in out
    assert "hybrid" in out and "Seattle, WA, US" in out
    for facet in ("company", "workplace", "pay", "experience"):
        assert f"\n{facet} " in out, facet


def test_json_and_csv_carry_the_facts(facts_index: Path) -> None:
    code, out, _ = run(
        "search", "--company", "Acme AI", "--format", "json", "--index", str(facts_index)
    )
    assert code == 0
    hit = json.loads(out)["hits"][0]
    assert hit["company"] == "Acme AI" and hit["workplace"] == "hybrid"
    assert hit["pay"]["min"] == 150000 and hit["pay"]["currency"] == "USD"
    assert hit["pay"]["period"] == "year" and hit["pay"]["annual_max"] == 200000
    assert hit["experience_years"] == 5 and hit["degree"] == "bachelor"
    assert hit["closes"] == "2025-07-31" and hit["url"].startswith("https://")
    code, out, _ = run(
        "search", "--company", "Globex", "--format", "csv", "--index", str(facts_index)
    )
    assert code == 0
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["company"] == "Globex" and row["workplace"] == "remote"
    assert row["pay"] == "USD 45 an hour" and row["pay_period"] == "hour"
    assert row["experience_years"] == "1" and row["remote"] == "true"


def test_facets_count_company_workplace_pay_and_experience(facts_index: Path) -> None:
    code, out, _ = run("facets", "--format", "json", "--index", str(facts_index))
    assert code == 0
    facets = json.loads(out)["facets"]
    assert facets["company"] == {"Acme AI": 1, "Globex": 1, "Hooli": 1, "Initech": 1}
    # hooli-4 names Boston and says nothing of where the work happens: unknown, not onsite
    assert facets["workplace"] == {"hybrid": 1, "onsite": 1, "remote": 1, "unknown": 1}
    assert sum(facets["pay"].values()) == 3 and sum(facets["experience"].values()) == 3
    code, out, _ = run("facets", "--index", str(facts_index), env={"COLUMNS": "120"})
    assert code == 0
    for shown in ("company", "Acme AI", "workplace", "hybrid", "pay", "experience"):
        assert shown in out


def test_evaluate_facts_prints_the_factcheck_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Precision and recall of the extractors, printed by a command."""
    from search import factcheck

    corpus = tmp_path / "corpus.jsonl"
    judged = tmp_path / "judged.jsonl"
    row = FACT_ROWS[0]
    corpus.write_text(json.dumps(row) + "\n", encoding="utf-8")
    label = {
        "id": row["id"],
        "pay": {"min": 150000, "max": 200000, "currency": "USD", "period": "year"},
        "workplace": "hybrid",
        "experience_years": 5,
        "degree": "bachelor",
        "employment_type": "full-time",
        "level": None,
    }
    judged.write_text(json.dumps(label) + "\n", encoding="utf-8")
    monkeypatch.setattr(factcheck, "JUDGED", judged)
    code, out, err = run("evaluate", "--facts", "--corpus", str(corpus))
    assert code == 0, err
    assert "| fact |" in out and "precision" in out and "recall" in out
    assert "| pay | 1 | 1 | 1 | 1 |" in out
    code, _, err = run("evaluate", "--facts", "--corpus", str(tmp_path / "none.jsonl"))
    assert code == 1 and "none.jsonl" in err


def test_corpus_company_filter_finds_that_employer_only(
    corpus_index_dir: Path, corpus_rows: list[dict[str, str]]
) -> None:
    """`--company Ramp` finds Ramp's postings and only those; `--exclude-company Ramp`
    takes them out of a search for "Stripe" (which Ramp's blurb names)."""
    ramp = {r["id"] for r in corpus_rows if r["company"].casefold() == "ramp"}
    code, out, _ = run(
        "search",
        "--company",
        "Ramp",
        "--all-results",
        "--format",
        "jsonl",
        "--index",
        str(corpus_index_dir),
    )
    assert code == 0
    found = [json.loads(line) for line in out.splitlines()]
    assert {h["company"].casefold() for h in found} == {"ramp"}
    listed = {i for h in found for i in (h["id"], *h["duplicates"])}
    assert listed == ramp
    code, out, _ = run(
        "search",
        "Stripe",
        "--exclude-company",
        "Ramp",
        "--all-results",
        "--format",
        "csv",
        "--index",
        str(corpus_index_dir),
    )
    assert code == 0
    assert "ramp" not in {row["company"].casefold() for row in csv.DictReader(io.StringIO(out))}
