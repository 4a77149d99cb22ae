"""Pay read from prose: real phrases of the corpus, sums that are not pay, any text."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.extract.pay import extract_pay
from search.model import PERIODS_PER_YEAR
from tests.conftest import CORPUS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ranges, with and without a stated period
        ("The salary range for this role is $150,000 - $200,000", (150000, 200000, "USD", "year")),
        ("- Salary Range: $190k - $220k", (190000, 220000, "USD", "year")),
        ("$275K – $350K", (275000, 350000, "USD", "year")),
        ("Annual salary range: $170-195,000", (170000, 195000, "USD", "year")),
        (
            "Compensation will be paid in the range of $180k - $230k per year",
            (180000, 230000, "USD", "year"),
        ),
        (
            "The typical base pay range for this role across the U.S. is: "
            "$70,000/year - $110,000/year",
            (70000, 110000, "USD", "year"),
        ),
        (
            "The annual base salary for this role is between $145,000 USD and $196,000 USD , plus",
            (145000, 196000, "USD", "year"),
        ),
        ("Pay: $18.00 - $25.00 per hour", (18, 25, "USD", "hour")),
        ("Hourly wage: $19.00 - 21.00", (19, 21, "USD", "hour")),
        ("Compensation will be paid in the range of $26 - $30/Hr. Stock", (26, 30, "USD", "hour")),
        ("We offer an hourly rate between $30-$34/hr", (30, 34, "USD", "hour")),
        ("compensation will be paid out $500/monthly", (500, 500, "USD", "month")),
        # single figures
        ("Compensation: $27.00/hour", (27, 27, "USD", "hour")),
        ("We pay $20.00 an hour, plus commission", (20, 20, "USD", "hour")),
        (
            "This is a full time exempt position with an expected salary of $110,000/year.",
            (110000, 110000, "USD", "year"),
        ),
        # thousands separators of either style, codes and symbols
        ("Gehalt: EUR 90.000-100.000", (90000, 100000, "EUR", "year")),
        ("SALARY: 15 000- 18 000 PLN gross/monthly", (15000, 18000, "PLN", "month")),
        (
            "Compensation: Base pay range of 54,000 – 84,000 GBP in the UK; "
            "64,000 – 100,000 Euro in the EU",
            (54000, 84000, "GBP", "year"),
        ),
        ("The salary for this role is £60k - £75k", (60000, 75000, "GBP", "year")),
        ("Salary: USD 120K–150K", (120000, 150000, "USD", "year")),
        (
            "The estimated salary for this role ranges from CA$190,000 - CA$220,000 based on",
            (190000, 220000, "CAD", "year"),
        ),
        ("Salary ranging from 50k to 110k€ depending on seniority", (50000, 110000, "EUR", "year")),
        (
            "the approximate yearly compensation will be the following:\n\n - Netherlands: "
            "78.000 EUR.\n\n - UK: 75.000 GBP.\n\n - Spain: 65.000 EUR.",
            (65000, 78000, "EUR", "year"),
        ),
        (
            "VERTRAGSDETAILS: Startdatum: 2026 // Jahresgehalt: ca. 34.500€",
            (34500, 34500, "EUR", "year"),
        ),
        ("- your salary: 19.420€ (yearly gross salary)", (19420, 19420, "EUR", "year")),
        (
            "Compensation: Base pay range of R$265,000- R$370,000 BRL + Series C equity",
            (265000, 370000, "BRL", "year"),
        ),
        (
            "Starting salary for this role is budgeted to be $5,000 SGD monthly plus other "
            "benefits",
            (5000, 5000, "SGD", "month"),
        ),
        # a bare "$" is CAD or AUD where the line says so
        (
            "For all other locations in Canada, the salary range is $188,891 - $218,588 CAD "
            "+ equity",
            (188891, 218588, "CAD", "year"),
        ),
        ("Canada: the base salary range is $120,000 - $150,000", (120000, 150000, "CAD", "year")),
        # several ranges: the lowest minimum and highest maximum of the first currency/period
        (
            "For candidates located in NYC or SF, the pay range for this role is $171,400 - "
            "$235,600. For candidates located in all other locations, the pay range for this "
            "role is $154,200 - $212,100.",
            (154200, 235600, "USD", "year"),
        ),
        (
            "Pay: $18-22/hour for direct client contact work, $13/hour for indirect work",
            (13, 22, "USD", "hour"),
        ),
        # base wins over on-target earnings; OTE alone is taken
        (
            "The budgeted base salary for this role is $90,000 with an OTE of $150,000-165,000.",
            (90000, 90000, "USD", "year"),
        ),
        (
            "The base salary for this role is $150,000 + $60,000 variable compensation.",
            (150000, 150000, "USD", "year"),
        ),
        ("$150K-$200K On-Target Earnings", (150000, 200000, "USD", "year")),
        ("Pay: $55,000.00 - $65,000.00 per year OTE", (55000, 65000, "USD", "year")),
        (
            "COMPENSATION AND BENEFITS\n\n$190,000 - $220,000 Base Salary + Equity",
            (190000, 220000, "USD", "year"),
        ),
        (
            "We pay $20.00 an hour, plus commission.\n\n"
            "- The average on-target wage of our Sales Representatives is $36/hour.",
            (20, 20, "USD", "hour"),
        ),
    ],
)
def test_reads_pay(text: str, expected: tuple[float, float, str, str]) -> None:
    pay = extract_pay(text)
    assert pay is not None
    assert (pay.min, pay.max, pay.currency, pay.period) == expected


@pytest.mark.parametrize(
    "text",
    [
        "In January 2025, we raised a $180 million Series C round, valuing the company at $3.3B.",
        "Backed by a recent $70M Series C, we're hiring to build clinical AI.",
        "We've raised $123m+ from top-tier investors",
        "Healthcare is a $4.5 trillion industry with more than $500 billion spent annually",
        "Minimum annual quota of $1.6M of SaaS revenue (ARR) in previous roles",
        "We've scaled from $0 -> $XM ARR in 3 months",
        "- $500 learning stipend",
        "- Technology stipend equivalent to $100 net/month",
        "Company paid commuter benefit; $300/month",
        "- Remote-friendly: $1,500 to purchase home office equipment",
        "- Professional development: up to $5,000/year",
        "- Fertility HRA (up to $5,000 per year)",
        "We offer a $10,000 signing bonus and a $5,000 referral bonus",
        "- 401(k) with 4% match; 401k plan",
        "- Equity: 0.5% - 1.0% of the company",
        "Founded in 2019, we grew 2024-2025 by 300%",
        "- $150/month in Diversified Botanics product + 50% employee discount thereafter",
        "No employee at Directive Mexico makes less than the living wage of $2,500 MXN per month",
        "Proven track record of managing paid campaigns at a scale of $250K",
        "$10-15k average deal value",
        "- Manage complex sales cycles and negotiate contracts with ACVs of €50k+.",
        "- Logistics: managing a budget of €300k to bring Alaners together",
        "We offer substantial support for relocation (10k€ signing bonus)",
        "Read our 5-10 minute guide",
        "",
    ],
)
def test_rejects_sums_that_are_not_pay(text: str) -> None:
    assert extract_pay(text) is None


def test_text_is_the_phrase_it_came_from() -> None:
    text = "Benefits below.\n\nThe salary range for this role is $140,000 - $150,000. We also"
    pay = extract_pay(text)
    assert pay is not None
    assert pay.text == "The salary range for this role is $140,000 - $150,000"
    assert pay.annual_min == 140000


def test_hourly_pay_annualises() -> None:
    pay = extract_pay("Pay: $20.00 - $30.00 per hour")
    assert pay is not None and pay.annual_max == 30 * PERIODS_PER_YEAR["hour"]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    extract_pay(text)


money = st.sampled_from(["$", "£", "€", "USD ", "CA$", ""])
figure = st.integers(min_value=0, max_value=10**9).map(lambda n: f"{n:,}")
glue = st.sampled_from([" - ", "–", " to ", "k-", "K/yr ", " per hour ", ", ", "\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(money, figure, glue), max_size=6))
def test_never_raises_on_money_like_text(parts: list[tuple[str, str, str]]) -> None:
    text = "Salary range: " + "".join(a + b + c for a, b, c in parts)
    pay = extract_pay(text)
    if pay is not None:
        assert pay.min is not None and pay.max is not None and pay.min <= pay.max
        assert pay.period in PERIODS_PER_YEAR


def test_corpus() -> None:
    """Measured: 1,992 of 9,387 descriptions state pay; every figure is plausible."""
    if not CORPUS.exists():
        pytest.skip(f"corpus absent: {CORPUS}")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        found = [extract_pay(json.loads(line)["description"]) for line in lines]
    pays = [p for p in found if p is not None]
    assert len(pays) > 1800
    usd_years = [p for p in pays if p.currency == "USD" and p.period == "year"]
    assert len(usd_years) > 1400
    assert all(10_000 <= p.min <= p.max <= 5_000_000 for p in usd_years if p.min and p.max)
