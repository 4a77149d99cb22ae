"""Exports of job sites: their columns mean what the site means.

``tests/data/job_sites/`` holds hand-written files with the headers (and quirks) of real
exports, rows made up: Glassdoor (a rating line under the company name, "-1" for
missing, "Salary Estimate"), LinkedIn 2024 postings (epoch milliseconds as floats, pay
columns, an empty remote flag), JobSpy (company_* bookkeeping, a LinkedIn row without a
description), Naukri (BOM, CRLF, "Job Type" holding the workplace), a 2018 LinkedIn
scrape (seniority, "Not Applicable") and the RemoteOK, Remotive and Jobicy APIs.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from search.ingest import RawRecord, read_records
from search.ingest.columns import level_of
from search.ingest.dates import date_of
from search.ingest.factcolumns import company_and_rating, is_true
from search.ingest.money import is_estimate, pay_of_text
from search.ingest.postings import load_postings
from search.ingest.report import LoadReport
from search.model import JobPosting, Pay

SITES = Path(__file__).parent / "data" / "job_sites"


def postings(name: str) -> dict[str, JobPosting]:
    """The postings of one fixture, by title."""
    return {p.title: p for p in load_postings(SITES / name, on_reject=lambda _r: None)}


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


# --- what each site's columns give --------------------------------------------------------

USD_YEAR = {"currency": "USD", "period": "year"}

#: (file, title, facts the posting must have); a fact given as None must be unknown.
EXPECTED: list[tuple[str, str, dict[str, object]]] = [
    (
        "glassdoor_jobs.csv",
        "Data Scientist",
        {
            "company": "Bluefin Security",
            "pay": Pay(53000.0, 91000.0, "USD", "year", "$53K-$91K (Glassdoor est.)", True),
            "extra": {"company_rating": "4.8"},
            "location_text": "Tampa, FL",
        },
    ),
    (
        "glassdoor_jobs.csv",
        "Lab Data Analyst",
        {
            "company": "Copper Hill Labs",
            "pay": Pay(21.0, 34.0, "USD", "hour", "$21-$34 Per Hour(Glassdoor est.)", True),
            # "Type of ownership: Contract" is the company's, not the job's.
            "employment_type": None,
        },
    ),
    (
        "glassdoor_jobs.csv",
        "Machine Learning Engineer",
        {"pay": Pay(80000.0, 120000.0, "USD", "year", "Employer Provided Salary:$80K-$120K")},
    ),
    (
        "glassdoor_jobs.csv",
        "Senior Data Engineer",
        {
            "company": "Northwind Rail",
            "pay": Pay(90000.0, 124000.0, "USD", "year", "$90K-$124K(Employer est.)"),
            "extra": {},
        },
    ),
    ("glassdoor_jobs.csv", "Research Analyst", {"pay": None, "company": "Pinecrest Institute"}),
    (
        "linkedin_postings.csv",
        "Marketing Data Analyst",
        {
            "id": "9000001",
            "company": "Harbor Analytics",
            "pay": Pay(75000.0, 95000.0, "USD", "year"),
            "employment_type": "full-time",
            "level": "senior",
            "posted": date(2024, 4, 18),
            "closes": date(2024, 5, 15),
            "url": "https://www.linkedin.com/jobs/view/9000001/",
            "extra": {"apply_url": "https://jobs.harbor.example/apply/77"},
            "remote": False,
            "workplace": None,
        },
    ),
    (
        "linkedin_postings.csv",
        "Medical Receptionist",
        {
            "pay": Pay(19.0, 24.0, "USD", "hour"),
            "remote": True,
            "workplace": "remote",
            "employment_type": "part-time",
            "level": "entry",
            # closed_time (the day it was taken down) wins over the planned expiry.
            "closes": date(2024, 4, 19),
        },
    ),
    (
        "linkedin_postings.csv",
        "Volunteer Tutor",
        {"pay": Pay(350.0, 350.0, "USD", "month"), "company": None, "employment_type": None},
    ),
    ("linkedin_postings.csv", "Director of Operations", {"level": "manager", "pay": None}),
    (
        "jobspy_jobs.csv",
        "Backend Engineer",
        {
            "company": "Orbit Payments",
            "pay": Pay(140000.0, 180000.0, "USD", "year"),
            "employment_type": "full-time",
            "workplace": "hybrid",
            "remote": False,
            "level": "senior",
            "experience_years": 3,
            "posted": date(2024, 4, 28),
            "url": "https://www.indeed.com/viewjob?jk=1a2b3c",
            "extra": {
                "company_rating": "4.2",
                "apply_url": "https://careers.orbit.example/jobs/88",
            },
        },
    ),
    (
        "jobspy_jobs.csv",
        "Machine Learning Intern",
        {
            "description": "Machine Learning Intern",
            "employment_type": "internship",
            "level": "intern",
            "remote": True,
        },
    ),
    ("jobspy_jobs.csv", "Data Engineer", {"remote": False, "workplace": None, "pay": None}),
    (
        "naukri_jobs.csv",
        "Data Analyst",
        {
            "company": "Kaveri Insights Pvt. Ltd",
            "workplace": "onsite",
            "employment_type": None,
            "experience_years": 3,
            "experience_text": "3-8 Yrs",
            "pay": Pay(600000.0, 1000000.0, None, "year", "600000 - 1000000"),
        },
    ),
    (
        "naukri_jobs.csv",
        "Business Analyst",
        {"workplace": "hybrid", "pay": Pay(None, 300000.0, None, "year", "up to 300000")},
    ),
    ("naukri_jobs.csv", "Senior Data Scientist", {"workplace": "remote", "remote": True}),
    ("naukri_jobs.csv", "MIS Executive", {"workplace": "remote"}),
    ("linkedin_2018.csv", "Data Analyst", {"level": "mid", "employment_type": "full-time"}),
    ("linkedin_2018.csv", "Analytics Consultant", {"level": None, "employment_type": "contract"}),
    ("linkedin_2018.csv", "Summer Data Intern", {"level": "intern"}),
    (
        "remoteok.json",
        "Platform Engineer",
        {"pay": Pay(150000.0, 180000.0, None, "year"), "posted": date(2026, 3, 16)},
    ),
    ("remoteok.json", "Support Agent", {"pay": None}),
    (
        "remotive_jobs.json",
        "Senior Frontend Developer",
        {"pay": Pay(78000.0, 85000.0, "EUR", "year", "€78k-€85k"), "employment_type": "full-time"},
    ),
    (
        "remotive_jobs.json",
        "Contract QA Tester",
        {"pay": Pay(50.0, 65.0, "USD", "hour", "$50 - $65 /hour"), "employment_type": "contract"},
    ),
    ("remotive_jobs.json", "Account Executive", {"pay": None}),
    ("jobicy_jobs.json", "Product Designer", {"level": "mid", "employment_type": "full-time"}),
    ("jobicy_jobs.json", "Junior Support Engineer", {"level": "entry"}),
]


@pytest.mark.parametrize(("name", "title", "facts"), EXPECTED, ids=lambda v: str(v)[:30])
def test_each_site_column_gives_its_fact(name: str, title: str, facts: dict[str, object]) -> None:
    posting = postings(name)[title]
    for fact, expected in facts.items():
        assert getattr(posting, fact) == expected, fact


def test_company_bookkeeping_is_not_posting_text() -> None:
    """A company's headquarters, size and description never reach the posting's text,
    so the HQ city is not taken for the place of work."""
    glassdoor = postings("glassdoor_jobs.csv")["Data Scientist"]
    assert [p.label() for p in glassdoor.places] == ["Tampa, FL, US"]
    for word in ("Boston", "employees", "Company - Private", "-1"):
        assert word not in glassdoor.description
    assert "Industry: Security Services" in glassdoor.description
    jobspy = postings("jobspy_jobs.csv")["Backend Engineer"]
    assert "Boston" not in jobspy.description and "Go, PostgreSQL" in jobspy.description
    assert [p.city for p in jobspy.places] == ["New York City"]


def test_a_text_stated_salary_wins_over_an_estimate() -> None:
    posting = postings("glassdoor_jobs.csv")["Data Analyst"]
    assert posting.pay is not None and not posting.pay.estimate
    assert (posting.pay.min, posting.pay.max) == (95000.0, 105000.0)


def test_an_api_header_element_is_no_posting(tmp_path: Path) -> None:
    found = list(read_records([SITES / "remoteok.json"]))
    assert [type(item).__name__ for item in found] == ["Rejection", "RawRecord", "RawRecord"]


def test_a_company_cell_on_the_fast_path_loses_its_rating_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    rows = [
        {"title": "Analyst", "company": "KnowBe4\n4.8", "description": "Analyse."},
        {"title": "Engineer", "company": "Web 2.0", "description": "Build."},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows))
    assert [p.company for p in load_postings(path)] == ["KnowBe4", "Web 2.0"]


def test_the_field_map_still_names_the_column(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "m.csv",
        [
            ["title", "description", "Comp", "Salary", "Grade"],
            ["Analyst", "Analyse.", "$70K-$90K (Glassdoor est.)", "$1 a year", "Senior"],
        ],
    )
    [posting] = load_postings(path, field_map=["pay_text=Comp", "level=Grade"])
    assert posting.pay == Pay(70000.0, 90000.0, "USD", "year", "$70K-$90K (Glassdoor est.)", True)
    assert posting.level == "senior"
    assert "Salary: $1 a year" in posting.description


def test_an_amount_of_zero_is_not_disclosed_pay(tmp_path: Path) -> None:
    path = tmp_path / "z.json"
    path.write_text(json.dumps([{"description": "D", "salary_min": 0, "salary_max": "0"}]))
    [record] = read_records([path])
    assert isinstance(record, RawRecord) and record.facts.pay is None
    assert not [use for use in record.columns if use[0] == "pay"]


# --- the cell readers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "header", "expected"),
    [
        ("$53K-$91K (Glassdoor est.)", "", (53000.0, 91000.0, "USD", "year", True)),
        ("$21-$34 Per Hour(Glassdoor est.)", "", (21.0, 34.0, "USD", "hour", True)),
        ("Employer Provided Salary:$17-$24 Per Hour", "", (17.0, 24.0, "USD", "hour", False)),
        ("$90K-$124K(Employer est.)", "", (90000.0, 124000.0, "USD", "year", False)),
        ("Estimated: $50K - $70K a year", "", (50000.0, 70000.0, "USD", "year", True)),
        ("600000 - 1000000", "Salary per annual", (600000.0, 1000000.0, None, "year", False)),
        ("up to 300000", "Salary per annual", (None, 300000.0, None, "year", False)),
        ("$130,000+", "salary", (130000.0, None, "USD", "year", False)),
        ("$70-80/hour", "salary", (70.0, 80.0, "USD", "hour", False)),
        ("$53-91K", "", (53000.0, 91000.0, "USD", "year", False)),
        ("€74k - 87k", "", (74000.0, 87000.0, "EUR", "year", False)),
        ("USD 50,000 - 70,000", "", (50000.0, 70000.0, "USD", "year", False)),
        ("Rs. 3,00,000 - 5,00,000 PA", "", (300000.0, 500000.0, "INR", "year", False)),
        ("6-10 Lacs P.A.", "", (600000.0, 1000000.0, None, "year", False)),
        ("From $20 an hour", "", (20.0, None, "USD", "hour", False)),
        ("4,500 - 6,000", "Monthly Salary", (4500.0, 6000.0, None, "month", False)),
        ("competitive salary plus rsus", "salary", None),
        ("$25", "salary", None),  # no period, and too small for a year's pay
        ("$31,2k- $72,8k", "salary", None),  # a decimal comma is not read as thousands
        ("3 a year", "", None),
        ("0", "salary", None),
    ],
)
def test_a_salary_cell(
    cell: str, header: str, expected: tuple[float | None, float | None, str | None, str, bool]
) -> None:
    pay = pay_of_text(cell, header)
    if expected is None:
        assert pay is None
        return
    assert pay is not None
    assert (pay.min, pay.max, pay.currency, pay.period, pay.estimate) == expected
    assert pay.text == cell


@pytest.mark.parametrize(
    ("cell", "estimate"),
    [
        ("$53K-$91K (Glassdoor est.)", True),
        ("$53K-$91K (est.)", True),
        ("Estimated $50K-$70K a year", True),
        ("$90K-$124K(Employer est.)", False),
        ("Employer Provided Salary:$80K-$120K", False),
        ("Employer estimated: $80K", False),
        ("$80K-$120K", False),
    ],
)
def test_an_estimate_is_a_site_s_figure_not_the_employer_s(cell: str, estimate: bool) -> None:
    assert is_estimate(cell) is estimate


@pytest.mark.parametrize(
    ("cell", "name", "rating"),
    [
        ("KnowBe4\n4.8", "KnowBe4", 4.8),
        ("Tecolote Research\n3.8", "Tecolote Research", 3.8),
        ("Acme\r\n4", "Acme", 4.0),
        ("Acme Corp\n3.9 ★", "Acme Corp", 3.9),
        ("Web 2.0", "Web 2.0", None),
        ("KnowBe4 4.8", "KnowBe4 4.8", None),  # one line: the name as written
        ("Studio\n54", "Studio\n54", None),  # not a rating
        ("\n4.5", "\n4.5", None),
    ],
)
def test_a_company_cell(cell: str, name: str, rating: float | None) -> None:
    assert company_and_rating(cell) == (name, rating)


@pytest.mark.parametrize(
    ("label", "level"),
    [
        ("Internship", "intern"),
        ("Entry level", "entry"),
        ("Associate", "mid"),
        ("Mid-Senior level", "senior"),
        ("mid-senior level", "senior"),
        ("Director", "manager"),
        ("Executive", "manager"),
        ("Midweight", "mid"),
        ("Entry-Level, Junior", "entry"),
        ("Senior", "senior"),
        ("Not Applicable", None),
        ("Any", None),
    ],
)
def test_a_site_s_level_label(label: str, level: str | None) -> None:
    assert level_of(label) == level


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        ("1.0", True),
        ("1", True),
        ("True", True),
        (True, True),
        (1, True),
        ("", False),
        ("False", False),
        ("0.0", False),
        (False, False),
        (None, False),
    ],
)
def test_a_remote_flag(value: object, flag: bool) -> None:
    assert is_true(value) is flag


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("1713400000000.0", date(2024, 4, 18)),
        ("1711745908000.0", date(2024, 3, 29)),
        ("1773619203", date(2026, 3, 16)),
        ("1713400000000.5", None),
    ],
)
def test_epoch_times_as_data_frames_write_them(written: str, day: date | None) -> None:
    assert date_of(written) == day


# --- the per-file report ---------------------------------------------------------------------


def test_the_report_names_the_column_of_each_fact() -> None:
    report = LoadReport()
    list(load_postings(SITES, report=report, on_reject=lambda _r: None))
    lines = {Path(f.source).name: f.columns_line() for f in report.files}
    assert lines["glassdoor_jobs.csv"] == (
        "columns: title=Job Title, description=Job Description, company=Company Name "
        "(5 rating lines dropped), location=Location, pay=Salary Estimate (5 of 6; "
        "3 estimates), company_rating=Rating (5 of 6); kept as text: Industry, Sector; "
        "ignored: '', Headquarters, Size, Founded, Type of ownership, Revenue, Competitors"
    )
    naukri = lines["naukri_jobs.csv"]
    for part in ("title=Job Role", "url=Apply link", "pay=Salary per annual"):
        assert part in naukri
    assert "workplace=Job Type" in naukri and "employment_type" not in naukri
    linkedin = lines["linkedin_postings.csv"]
    assert "employment_type=formatted_work_type, work_type (3 of 4; 1 unread" in linkedin
    assert "posted=listed_time" in linkedin and "closes=expiry, closed_time" in linkedin
    assert "remote=remote_allowed (1 of 4)" in linkedin
    [glassdoor] = [f for f in report.files if f.source.endswith("glassdoor_jobs.csv")]
    pay = next(c for c in glassdoor.columns if c.fact == "pay")
    assert (pay.columns, pay.records, pay.notes) == (("Salary Estimate",), 5, {"estimate": 3})


def test_feeds_report_no_columns(tmp_path: Path) -> None:
    path = tmp_path / "board.json"
    entry = {
        "id": 1,
        "title": "T",
        "absolute_url": "https://boards.greenhouse.io/a/jobs/1",
        "internal_job_id": 9,
        "content": "Do.",
    }
    path.write_text(json.dumps({"jobs": [entry]}))
    report = LoadReport()
    list(load_postings(path, report=report))
    assert report.files[0].columns == [] and report.files[0].columns_line() == ""
