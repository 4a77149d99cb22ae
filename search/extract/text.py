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


#: Endings of a heading that lists what the job is not ("This role isn't for you if:",
#: "NOT A GREAT FIT IF…", "You should not apply if you:"), found as plain text first.
_UNWANTED_ENDS = ("fit if", "match if", "for you if", "apply if", "apply to this role if")
_UNWANTED_NEGATION = re.compile(r"\b(?:not|never)\b|n['’]t\b")
_BULLET = re.compile(r"[ \t]*(?:[-–•*·▪◦‣]|\d{1,2}[.)])")
_UNWANTED_REACH = 1500  # the most text a list of what the job is not is read to cover
_LIST_OPENS = re.compile(r"(?:\s*you)?\s*(?::|…|\.\.\.|\n)")
_SENTENCE_STOP = re.compile(r"[.!?\n]")


@lru_cache(maxsize=2)
def unwanted_spans(low: str) -> tuple[tuple[int, int], ...]:
    """Spans of a lowered text that say what the job is not: a heading such as "Not a
    great fit if…" with the list under it ("- You're looking for short-term contract
    work", "- You want fully remote work"). A statement there is the opposite of one
    about the job, so extractors skip it.

    The list runs over the heading's line and the bullets after it (blank lines between
    them allowed); without bullets, over the lines up to the next blank line. A heading
    in running prose covers its sentence.
    """
    spans = []
    for ending in _UNWANTED_ENDS:
        at = low.find(ending)
        while at >= 0:
            line_start = low.rfind("\n", 0, at) + 1
            end = at + len(ending)
            if _UNWANTED_NEGATION.search(low, max(line_start, at - 40), at):
                if _LIST_OPENS.match(low, end):
                    spans.append((line_start, _list_end(low, end)))
                else:  # in prose: "Don't apply if you want a contract role."
                    stop = _SENTENCE_STOP.search(low, end)
                    starts = [m.end() for m in _SENTENCE_STOP.finditer(low, line_start, at)]
                    begin = starts[-1] if starts else line_start
                    spans.append((begin, stop.start() if stop else len(low)))
            at = low.find(ending, end)
    return tuple(sorted(spans))


def _list_end(low: str, start: int) -> int:
    """Where the list that a heading ending at ``start`` opens ends."""
    limit = min(len(low), start + _UNWANTED_REACH)
    end = low.find("\n", start, limit)
    if end < 0:
        return limit
    bullets = None  # whether the list is bulleted, once its first line is seen
    while end < limit:
        line_end = low.find("\n", end + 1, limit)
        line_end = limit if line_end < 0 else line_end
        line = low[end + 1 : line_end]
        if line.strip():
            bulleted = _BULLET.match(line) is not None
            if bullets is None:
                bullets = bulleted
            elif bullets and not bulleted:
                return end
        elif bullets is False:
            return end
        end = line_end
    return limit


def in_spans(spans: tuple[tuple[int, int], ...], at: int) -> bool:
    """Whether ``at`` lies in one of ``spans`` (few, sorted)."""
    return any(start <= at < end for start, end in spans)


#: Where a lower-case letter runs straight into a capital: a word boundary that an export
#: without line breaks lost ("Location: RemotePosition Type: Full-timeLocation: Austin").
CASE_JOIN = re.compile(r"(?<=[a-z])(?=[A-Z])")


def restore_breaks(text: str) -> str:
    """``text`` with the line breaks an export lost put back where words run together.

    A line break where both words have four letters or more ("PotentialWork From
    HomeWorld Class", "RemoteDuration:", "DescriptionThis is"); a space inside a name
    written in camel case ("WeWork", "LinkedIn", "HubSpot"). Meant for short parts of a
    text around a cue: offsets after the first join move.
    """
    return CASE_JOIN.sub(_lost_break, text)


def _lost_break(join: re.Match[str]) -> str:
    text, at = join.string, join.start()
    left = at
    while left > 0 and text[left - 1].isalpha():
        left -= 1
    right = at + 1
    while right < len(text) and text[right].islower():
        right += 1
    return "\n" if at - left >= 4 and right - at >= 4 else " "
