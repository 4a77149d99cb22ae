"""Dates as exports and feeds write them, read into ``datetime.date``.

Feeds disagree: ISO dates and timestamps with offsets (Greenhouse, Ashby, JSON-LD),
milliseconds since 1970 (Lever's ``createdAt``; LinkedIn exports write them as floats,
"1713400000000.0", after a trip through a data frame), RFC 2822 (RSS-style XML feeds),
and "May 6, 2025" in scraped exports. One reader for all of them means a posting's date
never depends on which board it came from.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

#: Epoch values above this are milliseconds (1e11 s is the year 5138).
_MS_THRESHOLD = 1e11
_WRITTEN_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d", "%Y.%m.%d")
#: Epoch seconds or milliseconds as text, also as a float with a zero fraction.
_EPOCH_TEXT = re.compile(r"\d{9,13}(?:\.0*)?")
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b")


def date_of(value: object) -> date | None:
    """The date a value stands for, or None when it is not one we can read for sure.

    Numbers are epoch seconds or milliseconds. Day/month orders that could be either
    (``05/06/2025``) are not guessed.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    return _from_text(text)


def _from_epoch(seconds: float) -> date | None:
    if seconds > _MS_THRESHOLD:
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).date()
    except (OverflowError, OSError, ValueError):
        return None


def _from_text(text: str) -> date | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    if _EPOCH_TEXT.fullmatch(text):
        return _from_epoch(float(text))
    written = _ORDINAL.sub("", text.replace(",", ", ").replace("  ", " "))
    for pattern in _WRITTEN_FORMATS:
        try:
            return datetime.strptime(written, pattern).date()
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def iso_date(value: object) -> str:
    """``date_of`` as ``YYYY-MM-DD``, or "" when the value is not a readable date."""
    found = date_of(value)
    return found.isoformat() if found else ""
