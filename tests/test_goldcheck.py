"""Measuring facts against an export's own columns: the gold readers, the counts, the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import main
from search.errors import InputError
from search.goldcheck import (
    GoldPlace,
    gold_date,
    gold_levels,
    gold_pay_text,
    gold_place,
    gold_workplace,
    measure_gold,
    parse_gold_map,
)

GOLD = Path(__file__).parent / "data" / "gold"
LINKEDIN = GOLD / "linkedin_shape.csv"
LINKEDIN_MAP = [
    "location=location",
    "company=company_name",
    "remote=remote_allowed",
    "pay_min=min_salary",
    "pay_max=max_salary",
    "pay_median=med_salary",
    "pay_period=pay_period",
    "pay_currency=currency",
    "employment_type=formatted_work_type",
    "level=formatted_experience_level",
    "posted=listed_time",
]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Maumee, OH", GoldPlace("Maumee", "OH", "US")),
        ("Burbank, California", GoldPlace("Burbank", "CA", "US")),
        ("San Francisco, CA 94124", GoldPlace("San Francisco", "CA", "US")),
        ("San Francisco, CA, US", GoldPlace("San Francisco", "CA", "US")),
        ("Toronto, ON, Canada", GoldPlace("Toronto", "ON", "CA")),
        ("Paris, Île-de-France, France", GoldPlace("Paris", None, "FR")),
        ("Paris, A8, FR", GoldPlace("Paris", None, "FR")),
        ("Virginia, United States", GoldPlace(None, "VA", "US")),
        ("United States", GoldPlace(None, None, "US")),
        ("Remote, US", GoldPlace(None, None, "US")),
        ("Greater Seattle Area", None),
        ("Chennai", None),
        ("", None),
    ],
)
def test_gold_place(cell: str, expected: GoldPlace | None) -> None:
    assert gold_place(cell) == expected


@pytest.mark.parametrize(
    ("cell", "low", "high", "period", "currency", "estimate"),
    [
        ("$53K-$91K (Glassdoor est.)", 53_000, 91_000, "year", "USD", True),
        ("$17-$24 Per Hour(Glassdoor est.)", 17, 24, "hour", "USD", True),
        ("Employer Provided Salary:$80K-$100K", 80_000, 100_000, "year", "USD", False),
        ("$79K-$106K(Employer est.)", 79_000, 106_000, "year", "USD", False),
        ("600000 - 1000000", 600_000, 1_000_000, "year", None, None),
        ("up to 300000", None, 300_000, "year", None, None),
        ("$130,000+", 130_000, None, "year", "USD", None),
        ("$90 - $150 /hour", 90, 150, "hour", "USD", None),
    ],
)
def test_gold_pay_text(
    cell: str,
    low: float | None,
    high: float | None,
    period: str,
    currency: str | None,
    estimate: bool | None,
) -> None:
    parsed = gold_pay_text(cell)
    assert parsed is not None
    pay, said = parsed
    assert (pay.min, pay.max, pay.period, pay.currency, said) == (
        low,
        high,
        period,
        currency,
        estimate,
    )


@pytest.mark.parametrize("cell", ["competitive salary plus RSUs", "", "Not disclosed"])
def test_gold_pay_text_without_figures(cell: str) -> None:
    assert gold_pay_text(cell) is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1713400000000.0", date(2024, 4, 18)),
        ("1711745908000", date(2024, 3, 29)),
        ("1711745908", date(2024, 3, 29)),
        ("2024-05-06", date(2024, 5, 6)),
        ("30+ Days Ago", None),
    ],
)
def test_gold_date(cell: str, expected: date | None) -> None:
    assert gold_date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Mid-Senior level", {"mid", "senior"}),
        ("Entry level", {"entry"}),
        ("Entry-Level, Junior", {"entry"}),
        ("Internship", {"intern"}),
        ("Not Applicable", set()),
        ("Any", set()),
    ],
)
def test_gold_levels(cell: str, expected: set[str]) -> None:
    assert gold_levels(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("work from office", "onsite"),
        ("Permanent Remote", "remote"),
        ("Hybrid", "hybrid"),
        ("REMOTE", "remote"),
        ("", None),
    ],
)
def test_gold_workplace(cell: str, expected: str | None) -> None:
    assert gold_workplace(cell) == expected


def test_measure_counts_only_what_the_gold_states() -> None:
    report = measure_gold(LINKEDIN, parse_gold_map(LINKEDIN_MAP))
    assert (report.rows, report.unusable) == (4, 0)
    scores = report.scores
    # Gold side: an empty remote_allowed cell is not a negative; "United States" has no city.
    assert scores["remote", "text"].labelled == 2
    assert scores["city", "text"].labelled == 3
    assert scores["country", "text"].labelled == 4
    # Three rows state pay (one as a single figure); two say it in their own words.
    assert scores["pay", "text"].labelled == 3
    assert scores["pay", "text"].stated == 2
    assert scores["remote", "text"].stated == 1
    # "Not Applicable"/empty levels are not judged; Associate accepts entry or mid.
    assert scores["level", "text"].labelled == 3
    # Columns only a reader can give are not judged from the text.
    assert ("company", "text") not in scores
    assert scores["company", "indexed"].correct == 4
    # The type column is read by the indexer; the text names one type (a contract).
    assert scores["employment_type", "indexed"].recall == 1.0
    assert scores["employment_type", "text"].stated == 1
    for score in scores.values():
        assert score.correct <= score.found
        assert score.stated_correct <= score.stated <= score.labelled


def test_text_mode_withholds_the_gold_and_fact_columns(tmp_path: Path) -> None:
    """A type stated only in a column is found as indexed, never from the text."""
    path = tmp_path / "jobs.jsonl"
    rows = [
        {"title": "Welder", "description": "Join our shop floor team.", "job_type": "Contract"},
        {"title": "Baker", "description": "Early mornings, great bread.", "job_type": "Part-time"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    report = measure_gold(path, parse_gold_map(["employment_type=job_type"]))
    assert report.scores["employment_type", "indexed"].correct == 2
    assert report.scores["employment_type", "text"].found == 0


def test_pay_must_agree_on_period_and_figures(tmp_path: Path) -> None:
    path = tmp_path / "pay.csv"
    path.write_text(
        "title,description,salary\n"
        'Cook,"Pay: $20.00 - $24.00 per hour, weekends off.",$20 - $24 per hour\n'
        'Chef,"Pay: $20.00 - $24.00 per hour, weekends off.","$60,000 - $70,000"\n',
        encoding="utf-8",
    )
    report = measure_gold(path, parse_gold_map(["pay=salary", "pay_currency==USD"]))
    text = report.scores["pay", "text"]
    assert (text.labelled, text.found, text.correct) == (2, 2, 1)
    assert text.stated == 1


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (["location"], "expected FACT=COLUMN"),
        (["salary=Pay"], "unknown fact 'salary'"),
        ([], "at least one"),
    ],
)
def test_bad_map(pairs: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_gold_map(pairs)


def test_constant_map_values() -> None:
    spec = parse_gold_map(["pay=Salary", "pay_currency==USD"])
    assert spec.columns == {"pay": "Salary"}
    assert spec.constants == {"pay_currency": "USD"}
    assert spec.facts == ("pay", "pay_estimate")


def test_cli_prints_the_table() -> None:
    args = ["evaluate", "--facts", "--gold", str(LINKEDIN)]
    for pair in LINKEDIN_MAP:
        args += ["--map", pair]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "| fact | labelled | text found" in result.stdout
    assert "| city | 3 |" in result.stdout
    assert "4 rows judged" in result.stderr


def test_cli_errors_list_disagreements(tmp_path: Path) -> None:
    path = tmp_path / "jobs.csv"
    path.write_text("title,description,seniority\nBarista,Pour coffee.,Executive\n", "utf-8")
    result = CliRunner().invoke(
        main, ["evaluate", "--facts", "--gold", str(path), "--map", "level=seniority", "--errors"]
    )
    assert result.exit_code == 0, result.output
    assert "text\tlevel\t2\tBarista\tfound=None\tgold=['manager']" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["evaluate", "--gold", str(LINKEDIN), "--map", "location=location"], "add --facts"),
        (["evaluate", "--facts", "--map", "location=location"], "add --gold FILE"),
        (["evaluate", "--facts", "--gold", str(LINKEDIN)], "at least one --map"),
        (["evaluate", "--facts", "--gold", str(LINKEDIN), "--map", "city=location"], "unknown"),
        (["evaluate", "--facts", "--gold", str(LINKEDIN), "--map", "level=Seniority"], "none of"),
        (["evaluate", "--facts", "--gold", "nowhere.csv", "--map", "level=x"], "no such file"),
    ],
)
def test_cli_bad_input_is_one_line(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
