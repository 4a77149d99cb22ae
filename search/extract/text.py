"""Small text helpers shared by extractors and by query-time code.

``normalize_key`` is the one key form for places and employers, used when a posting is
indexed and when a user types a filter, so both sides always agree. Importing this
module is cheap: query-time code uses it without loading the gazetteer, and a vocabulary
is read only when an extractor asks for it (``load_vocab``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Any

_DROPPED = re.compile(r"[.'’`]")
_SEPARATORS = re.compile(r"[\W_]+")


def normalize_key(text: str) -> str:
    """Casefold, strip accents and collapse punctuation: one key form for users and data.

    Dots and apostrophes are dropped rather than spaced so that "U.S." == "us",
    "D.C." == "dc" and "St. Louis" == "st louis".
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _DROPPED.sub("", folded)
    return " ".join(_SEPARATORS.split(folded)).strip()


def lower_in_place(text: str) -> str:
    """``text`` in lower case with every character where it was, so offsets carry over.

    ``str.lower`` can change a string's length ("İ" becomes two characters); a match
    found in the lowered text must point at the same span of the original.
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


@lru_cache(maxsize=2)
def lowered(text: str) -> str:
    """``lower_in_place(text)``, cached: the workplace, experience, degree and
    employment-type extractors of one posting all read the same description in lower
    case (~13 µs each)."""
    return lower_in_place(text)


def distance_km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in kilometres (haversine), for radius search."""
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dp = p2 - p1
    dl = math.radians(b_lon - a_lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@cache
def load_vocab(name: str) -> dict[str, Any]:
    """``search/extract/vocab/<name>.toml``, parsed once per process; do not modify it."""
    import tomllib
    from importlib import resources

    path = resources.files("search.extract").joinpath(f"vocab/{name}.toml")
    return tomllib.loads(path.read_text("utf-8"))


def word_pattern(words: Iterable[str], *, end: str = r"\b", flags: int = 0) -> re.Pattern[str]:
    r"""One alternation of (regular-expression) words, each starting at a word boundary.

    ``end`` is what must follow a match: a word boundary by default, ``(?!\w)`` for words
    that may end in punctuation ("a plus."), "" for a prefix.
    """
    return re.compile(r"\b(?:" + "|".join(words) + ")" + end, flags)
