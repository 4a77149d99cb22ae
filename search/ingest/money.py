"""Pay that a feed states as data: amounts, currency codes and periods, checked.

Boards spell the period a dozen ways (``per-year-salary``, ``1 YEAR``, ``HOUR``,
"United Kingdom Annual Pay Range"); ``period_of`` folds them onto the periods of
``search.model.PERIODS_PER_YEAR``. Reading pay from prose is the extractors' job; this
module only trusts numbers the feed put in fields of their own: amount columns, and a
salary column's one phrase (``pay_of_text``: "$53K-$91K (Glassdoor est.)").
"""

from __future__ import annotations

import math
import re
from functools import cache

import pycountry

from search.model import PERIODS_PER_YEAR, Pay

#: Words of a period name, checked in this order: "hour" before "yr" (no false year).
_PERIOD_WORDS: tuple[tuple[str, str], ...] = (
    ("hour", "hour"),
    ("daily", "day"),
    ("day", "day"),
    ("week", "week"),
    ("month", "month"),
    ("annual", "year"),
    ("year", "year"),
    ("yr", "year"),
)
_SYMBOLS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}
_CODE = re.compile(r"[A-Za-z]{3}")
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*([kK])?")


def period_of(text: object, default: str | None = None) -> str | None:
    """``per-year-salary``/``1 YEAR``/``Annual Pay Range`` -> ``year``; ``default`` if unknown."""
    if not isinstance(text, str):
        return default
    folded = text.casefold()
    for word, period in _PERIOD_WORDS:
        if word in folded:
            return period
    return default


def currency_of(value: object) -> str | None:
    """An ISO 4217 code from ``usd``, ``USD`` or a symbol with one obvious meaning."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if _CODE.fullmatch(text):
        return text.upper()
    return _SYMBOLS.get(text)


def amount_of(value: object) -> float | None:
    """A positive amount from a number or text such as ``120,000`` or ``$95k``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        amount = float(value)
    elif isinstance(value, str):
        match = _AMOUNT.search(value.replace(",", ""))
        if match is None:
            return None
        amount = float(match[1]) * (1000 if match[2] else 1)
    else:
        return None
    return amount if math.isfinite(amount) and amount > 0 else None


def make_pay(low: object, high: object, currency: object, period: str | None) -> Pay | None:
    """A ``Pay`` from a feed's fields, or None when it states no usable amount.

    A lone figure stays one-sided (``Pay`` reads it as both ends); reversed ends are put
    in order, since a typo in a feed should not hide the posting from a pay filter. An
    unknown period is not guessed.
    """
    if period not in PERIODS_PER_YEAR:
        return None
    lo, hi = amount_of(low), amount_of(high)
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return Pay(min=lo, max=hi, currency=currency_of(currency), period=period)


# --- pay written out in one cell ---------------------------------------------------------

#: Words that name a period in a pay cell or a column name, as whole words.
_PERIOD_TOKENS: dict[str, str] = {
    **dict.fromkeys(("hour", "hours", "hourly", "hr", "hrs"), "hour"),
    **dict.fromkeys(("day", "days", "daily"), "day"),
    **dict.fromkeys(("week", "weeks", "weekly", "wk"), "week"),
    **dict.fromkeys(("month", "months", "monthly", "mo", "mth"), "month"),
    **dict.fromkeys(("year", "years", "yearly", "annual", "annually", "annum", "yr"), "year"),
    **dict.fromkeys(("pa", "lpa"), "year"),
}
_WORDS = re.compile(r"[a-z]+")
#: "(Glassdoor est.)", "(Employer est.)", "(est.)": who made the figure.
_EST_MARK = re.compile(r"\(\s*([^()]*?)\s*\best(?:imated?)?\b\.?\s*\)", re.IGNORECASE)
_EST_WORD = re.compile(r"\bestimated?\b", re.IGNORECASE)
_EMPLOYER = re.compile(r"\bemployer\b", re.IGNORECASE)
#: 120,000 or 12,00,000 (Indian grouping) or 120000, with decimals; never part of a longer one.
_NUMBER = r"(?:\d{1,3}(?:,\d{2,3})*,\d{3}|\d+)(?:\.\d+)?(?!,?\d)"
_SIGN = r"(?:[$£€₹¥]|rs\.?\s?|[a-z]{3}\s?)?"
_SCALE = r"(?:\s*(k|thousand|lakhs?|lacs?|crores?|cr)\b)?"
_RANGE = re.compile(
    r"(\bup\s*to\b|\bmax(?:imum)?\b|\bfrom\b|\bmin(?:imum)?\b|<|>)?\s*"
    rf"({_SIGN})({_NUMBER}){_SCALE}"
    rf"(?:\s*(?:-|–|—|~|\bto\b)\s*({_SIGN})({_NUMBER}){_SCALE})?(\s*\+)?",
    re.IGNORECASE,
)
_SCALES = {"k": 1e3, "thousand": 1e3, "lakh": 1e5, "lac": 1e5, "crore": 1e7, "cr": 1e7}
#: A figure without a period is a year's pay only from this size on (as in extract.pay).
ANNUAL_FROM = 10_000
#: Less than this a year is no salary: the cell was misread.
_YEAR_AT_LEAST = 1_000


def period_in(text: str) -> str | None:
    """The period a pay cell or a column name names as a word ("Per Hour", "/hour",
    "Salary per annual", "LPA"); None when it names none."""
    for word in _WORDS.findall(text.casefold()):
        found = _PERIOD_TOKENS.get(word)
        if found:
            return found
    return None


def is_estimate(text: str) -> bool:
    """Whether a pay cell marks its figure as a job site's estimate.

    "(Glassdoor est.)", "(est.)" and "Estimated" are estimates; the employer's own
    figure is not, however it is marked ("(Employer est.)", "Employer Provided Salary:").
    """
    marks = _EST_MARK.findall(text)
    if marks:
        return not all(_EMPLOYER.search(who) for who in marks)
    return bool(_EST_WORD.search(text)) and not _EMPLOYER.search(text)


@cache
def _is_currency_code(code: str) -> bool:
    return pycountry.currencies.get(alpha_3=code) is not None


def _currency(sign: str) -> str | None:
    sign = sign.strip().rstrip(".").strip()
    if not sign:
        return None
    if sign.casefold() == "rs":
        return "INR"
    if len(sign) == 3 and sign.isalpha():
        code = sign.upper()
        return code if _is_currency_code(code) else None
    return _SYMBOLS.get(sign)


def _scale(word: str | None) -> float:
    return _SCALES.get((word or "").casefold().removesuffix("s"), 1.0)


def _ends(match: re.Match[str]) -> tuple[float, float | None]:
    """The figure(s) of a match; a scale written once ("$53-91K") applies to both."""
    first, scale1 = float(match[3].replace(",", "")), _scale(match[4])
    if match[6] is None:
        return first * scale1, None
    second, scale2 = float(match[6].replace(",", "")), _scale(match[7])
    if match[4] is None and match[7] is not None and first * scale2 <= second * scale2:
        scale1 = scale2
    return first * scale1, second * scale2


def pay_of_text(text: str, header: str = "") -> Pay | None:
    """The pay one salary cell states, or None when it states no figure we can read.

    A range ("$53K-$91K", "600000 - 1000000"), one end ("up to 300000" gives only the
    top, "$130,000+" only the bottom) or one figure. The period is the one the cell
    names, else the one the column's name (``header``) names ("Salary per annual"),
    else a year when the figures are of a year's size, else unknown (None). The
    currency is a sign or ISO code in the cell, else None: an export that states none
    is not given one. ``estimate`` follows ``is_estimate``; ``text`` keeps the cell.
    """
    cell = " ".join(text.split())
    body = _EST_MARK.sub(" ", cell)
    match = next((m for m in _RANGE.finditer(body) if float(m[3].replace(",", "")) > 0), None)
    if match is None:
        return None
    first, second = _ends(match)
    if match[4] is None and match[7] is None and "lpa" in _WORDS.findall(body.casefold()):
        # "6-10 LPA": lakhs per annum.
        first, second = first * 1e5, (second * 1e5 if second is not None else None)
    low: float | None
    high: float | None
    lead = (match[1] or "").casefold()
    if second is not None:
        low, high = min(first, second), max(first, second)
    elif lead.startswith(("up", "max", "<")):
        low, high = None, first
    elif lead.startswith(("from", "min", ">")) or match[8]:
        low, high = first, None
    else:
        low = high = first
    period = period_in(body) or period_in(header)
    if period is None:
        if max(first, second or 0.0) < ANNUAL_FROM:
            return None
        period = "year"
    if period == "year" and max(first, second or 0.0) < _YEAR_AT_LEAST:
        return None
    currency = _currency(match[2]) or _currency(match[5] or "")
    return Pay(
        min=low,
        max=high,
        currency=currency,
        period=period,
        text=cell,
        estimate=is_estimate(cell),
    )
