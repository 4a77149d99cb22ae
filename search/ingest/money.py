"""Pay that a feed states as data: amounts, currency codes and periods, checked.

Boards spell the period a dozen ways (``per-year-salary``, ``1 YEAR``, ``HOUR``,
"United Kingdom Annual Pay Range"); ``period_of`` folds them onto the periods of
``search.model.PERIODS_PER_YEAR``. Reading pay from prose is the extractors' job; this
module only trusts numbers the feed put in fields of their own.
"""

from __future__ import annotations

import math
import re

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
