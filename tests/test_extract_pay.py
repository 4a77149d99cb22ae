"""Pay read from prose: real phrases of the corpus, sums that are not pay, any text."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.extract.pay import extract_pay
from search.ingest.postings import build_posting
from search.ingest.records import RawRecord
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
        # exports that lost their line breaks: a word runs straight into the next item
        (
            "Competitive salary commensurate with experienceSalary: $140,000- $175,000Benefits: "
            "401k, Medical, Dental",
            (140000, 175000, "USD", "year"),
        ),
        (
            "Job Type: Full-timePay: $44.00 - $47.00 per hourBenefits:Continuing education",
            (44, 47, "USD", "hour"),
        ),
        (
            "Hours: 22.5hrs/weekSalary: $23.00/hrBenefits: Prorated sick days",
            (23, 23, "USD", "hour"),
        ),
        (
            "Position Type: F/T 40 hours per weekHourly Rate: $25Schedule: Monday – Friday",
            (25, 25, "USD", "hour"),
        ),
        ("Paid InternshipRate: $20 per hourHours: Scheduled", (20, 20, "USD", "hour")),
        # a capitalised heading after a sum starts the next item; it is no cue for the sum
        ("Pay Scale: $24.30 per hour Benefits: Health Insurance", (24.3, 24.3, "USD", "hour")),
        ("Content Writer Internship (Paid $17.00/Hour) – Bellevue", (17, 17, "USD", "hour")),
        # wage-sized figures that pay words announce, without a period, are hourly
        (
            "Schedule: Monday - Friday (6am - 2:30pm)Pay rate: $25 - $27Job Summary",
            (25, 27, "USD", "hour"),
        ),
        ("Starting pay - $17.25 plus tips", (17.25, 17.25, "USD", "hour")),
        ("Compensation will be paid in the range of $20 - $34.", (20, 34, "USD", "hour")),
        # an hourly or yearly figure needs no cue word: the period says it is pay
        ("The details:\n\n- 4-6 month commitment\n\n- $30 / hour", (30, 30, "USD", "hour")),
        (
            "missions sent your way; generally $90-$150+/hr, with vetted clients",
            (90, 150, "USD", "hour"),
        ),
        # "+" written onto a figure: pay added to it, or an open-ended sum that is no pay
        (
            "Compensation will be paid in the range of up to $204,000 -$240,000+ Bonus.",
            (204000, 240000, "USD", "year"),
        ),
        (
            "COMPENSATION & BENEFITS\n\n- Base Salary: $140k-160k\n\n- Equity: Generous\n\n"
            "You will own mid-market customers ($50k-$100k+ ACV).",
            (140000, 160000, "USD", "year"),
        ),
        (
            "Compensation: $150,000 - $180,000\n- Manage deals in the $50K–$150K+ range.",
            (150000, 180000, "USD", "year"),
        ),
        (
            "Bonus points: You have a Goodreads account\nLogistics12-week program25 "
            "hours/week$25/hrHybrid",
            (25, 25, "USD", "hour"),
        ),
        # money that is not pay is never merged into it: equity, bonus, funding
        ("Base salary: $150k-$180k. Plus $20k-$40k in equity.", (150000, 180000, "USD", "year")),
        (
            "Base salary: $150k-$180k, and $50,000 in RSUs vesting over four years.",
            (150000, 180000, "USD", "year"),
        ),
        ("Salary and equity: $150,000 - $180,000", (150000, 180000, "USD", "year")),
        (
            "Base salary $150,000 - $180,000; annual bonus target $15,000 - $30,000",
            (150000, 180000, "USD", "year"),
        ),
        (
            "Salary range: $150k-$180k. We have raised $25M. Our last round valued us at $300M.",
            (150000, 180000, "USD", "year"),
        ),
        # "up to" states only the top of the pay
        (
            "Compensation will be paid in the range of up to $220,000 a year.",
            (None, 220000, "USD", "year"),
        ),
        ("Hourly rate: up to $30", (None, 30, "USD", "hour")),
        ("Salary up to 65K€ based on xp + 15K€ bonus", (None, 65000, "EUR", "year")),
        (
            "Clear pay: Up to$30/hour, paid twice per month via Remote",
            (None, 30, "USD", "hour"),
        ),
        # "U.S." names the US: a bare "$" stays USD though the posting names Canada
        (
            "a trust raising Canadian equity to acquire centers in select U.S. markets.\n\n"
            "Compensation:$55,000-$75,000/year",
            (55000, 75000, "USD", "year"),
        ),
    ],
)
def test_reads_pay(text: str, expected: tuple[float | None, float, str, str]) -> None:
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
        "- Experience managing deals in the $50K–$150K+ range.",
        "This role is eligible for a $8/hour shift differential.",
        "Compensation: $50 per session",
        "SALARY: $ 55, 000 - $ 65, 000",  # thousands typed apart: not $55-$65 an hour
        "Initial compensation is up to $0.06 per word. This is $30 or $17 per page of 500 words.",
        "Keep 100% of what you earn: if you charge $120/hr, you get $120/hr.",
        "- $500/month to be used for dependent health insurance coverage",
        "you'll get $100 per month to support projects you care about.",
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
        assert pay.max is not None and (pay.min is None or pay.min <= pay.max)
        assert pay.period in PERIODS_PER_YEAR


def test_upper_bound_is_no_point() -> None:
    """ "up to $220,000": the top is known, the bottom is not (a filter reads the top)."""
    pay = extract_pay("The salary is up to $220,000 per year.")
    assert pay is not None
    assert (pay.min, pay.max, pay.annual_min, pay.annual_max) == (None, 220000, None, 220000)


@pytest.mark.parametrize(
    ("country", "currency"), [(None, "CAD"), ("US", "USD"), ("CA", "CAD"), ("DE", "CAD")]
)
def test_dollar_of_the_jobs_country(country: str | None, currency: str) -> None:
    """A bare "$" is the dollar of the country the job is in; without one (or in a
    country without a dollar) the posting's words decide."""
    text = "Our Canadian clients love us.\n\nCompensation: $55,000 - $75,000 per year"
    pay = extract_pay(text, country)
    assert pay is not None and pay.currency == currency


CANADIAN_WORDS = "We raise Canadian equity.\n\nCompensation:$55,000-$75,000/year"
PLAIN = "Job Type: Full-time\n\nPay: $120,000.00 - $160,000.00 per year"


@pytest.mark.parametrize(
    ("location", "text", "currency"),
    [
        ("Denver, CO", CANADIAN_WORDS, "USD"),
        ("Toronto, ON", CANADIAN_WORDS, "CAD"),
        ("Remote - US", CANADIAN_WORDS, "USD"),
        ("", CANADIAN_WORDS, "CAD"),
        ("Toronto, ON", PLAIN, "CAD"),
        ("Canada Remote", PLAIN, "CAD"),
        # a bare code names no country for certain ("CA, US" is California)
        ("CA, US", PLAIN, "USD"),
    ],
)
def test_posting_passes_its_country(location: str, text: str, currency: str) -> None:
    fields = {"title": "Marketing & Office Coordinator", "location": location, "description": text}
    posting = build_posting(RawRecord({k: v for k, v in fields.items() if v}, "t", 1))
    assert posting.pay is not None and posting.pay.currency == currency


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
