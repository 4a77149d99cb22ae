"""Exports of job sites end to end: ``jobsearch index`` says which column fed which fact,
and the facts read from columns are searched, filtered and shown (estimates as such).

The index is built from ``tests/data/job_sites/`` (hand-written rows in the shapes of
Glassdoor, LinkedIn, JobSpy, Naukri and the remote boards) through the real CLI.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import JobIndex
from search.cli.commands import main
from search.errors import InvalidFilterError
from search.filters import Filters

SITES = Path(__file__).parent / "data" / "job_sites"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The index of every fixture, and what ``index`` printed."""
    index = tmp_path_factory.mktemp("job-sites") / "index"
    code, _, err = run("index", str(SITES), "--index", str(index))
    assert code == 0, err
    return index, err


def search(index: Path, *args: str) -> dict[str, object]:
    code, out, err = run(
        "search", *args, "--format", "json", "--limit", "50", "--index", str(index)
    )
    assert code == 0, err
    found: dict[str, object] = json.loads(out)
    return found


def titles(found: dict[str, object]) -> list[str]:
    hits = found["hits"]
    assert isinstance(hits, list)
    return sorted(hit["title"] for hit in hits)


def test_index_names_the_column_of_each_fact(indexed: tuple[Path, str]) -> None:
    _, err = indexed
    assert "glassdoor_jobs.csv: csv, 6 read, 6 kept, 0 merged, 0 rejected" in err
    assert "company=Company Name (5 rating lines dropped)" in err
    assert "pay=Salary Estimate (5 of 6; 3 estimates)" in err
    assert "ignored: '', Headquarters, Size" in err
    assert "title=Job Role" in err and "workplace=Job Type" in err
    assert "level=formatted_experience_level (3 of 4)" in err
    # A feed-less JSON export says its columns too; the API's header element is rejected.
    assert "remoteok.json: json, 3 read, 2 kept, 0 merged, 1 rejected" in err
    assert "pay=salary_min, salary_max (1 of 2)" in err


def test_a_company_is_found_by_its_name_without_the_rating(indexed: tuple[Path, str]) -> None:
    index, _ = indexed
    found = search(index, "--company", "Bluefin Security")
    assert titles(found) == ["Data Analyst", "Data Scientist"]
    hits = found["hits"]
    assert isinstance(hits, list)
    assert {hit["company"] for hit in hits} == {"Bluefin Security"}
    assert {hit["company_rating"] for hit in hits} == {4.8}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--level", "manager"], ["Director of Operations"]),
        (["--level", "intern"], ["Machine Learning Intern", "Summer Data Intern"]),
        (["--type", "part-time"], ["Junior Support Engineer", "Medical Receptionist"]),
        (["--workplace", "hybrid"], ["Backend Engineer", "Business Analyst"]),
        (["--company", "kaveri insights pvt ltd"], ["Data Analyst"]),
        (["--since", "2026-01-01"], ["Platform Engineer", "Support Agent"]),
    ],
)
def test_column_facts_filter(
    indexed: tuple[Path, str], args: list[str], expected: list[str]
) -> None:
    index, _ = indexed
    assert titles(search(index, *args)) == expected


def test_estimates_are_left_out_of_a_pay_filter_unless_asked(indexed: tuple[Path, str]) -> None:
    index, _ = indexed
    args = ("--salary-min", "60k", "--currency", "USD")
    found = search(index, *args)
    assert titles(found) == [
        "Backend Engineer",
        "Contract QA Tester",  # $50 - $65 /hour
        "Data Analyst",  # its text states $95,000 - $105,000: no estimate
        "Machine Learning Engineer",
        "Marketing Data Analyst",
        "Senior Data Engineer",
    ]
    notes = found["notes"]
    assert isinstance(notes, list)
    assert (
        "2 postings whose pay is only an estimate were left out (--estimates counts them)" in notes
    )
    with_estimates = search(index, *args, "--estimates")
    assert set(titles(with_estimates)) - set(titles(found)) == {
        "Data Scientist",
        "Lab Data Analyst",
    }
    assert not any("estimate" in note for note in with_estimates["notes"])  # type: ignore[union-attr]


def test_an_estimate_is_shown_as_one(indexed: tuple[Path, str]) -> None:
    index, _ = indexed
    hits = search(index, "--company", "Bluefin Security")["hits"]
    assert isinstance(hits, list)
    [hit] = [hit for hit in hits if hit["title"] == "Data Scientist"]
    assert hit["pay"]["estimate"] is True and hit["pay"]["text"] == "$53K-$91K (Glassdoor est.)"
    code, out, _ = run("show", hit["id"], "--no-pager", "--index", str(index))
    assert code == 0
    assert "USD 53,000-91,000 a year (estimate)" in out
    assert '"$53K-$91K (Glassdoor est.)"' in out and "company rating" in out
    code, out, _ = run("search", "--company", "Bluefin Security", "--index", str(index))
    assert code == 0 and "(estimate)" in out
    code, out, _ = run(
        "search", "--company", "Bluefin Security", "--format", "csv", "--index", str(index)
    )
    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows["Data Scientist"]["pay_estimate"] == "true"
    assert rows["Data Scientist"]["pay"] == "USD 53,000-91,000 a year (estimate)"
    assert rows["Data Analyst"]["pay_estimate"] == "false"


def test_apply_links_and_page_links(indexed: tuple[Path, str]) -> None:
    index, _ = indexed
    [hit] = search(index, "--company", "Orbit Payments")["hits"]  # type: ignore[misc]
    assert hit["url"] == "https://www.indeed.com/viewjob?jk=1a2b3c"
    assert hit["apply_url"] == "https://careers.orbit.example/jobs/88"


def test_the_library_takes_the_estimates_filter(indexed: tuple[Path, str]) -> None:
    index, _ = indexed
    with JobIndex.open(index) as jobs:
        strict = jobs.search("", salary_min=60000, currency="USD", limit=50)
        loose = jobs.search("", salary_min=60000, currency="USD", estimates=True, limit=50)
    assert loose.total == strict.total + 2
    assert Filters.of(estimates=True).as_dict() == {"estimates": True}
    assert Filters.of(estimates=False).as_dict() == {}
    with pytest.raises(InvalidFilterError, match="filter 'estimates' takes True or False"):
        Filters.of(estimates="yes")
