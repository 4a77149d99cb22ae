"""Queries as people type them: "senior rust engineer berlin" is a senior Rust role in Berlin.

People type a whole wish into one box. ``read`` splits such text into the words to rank
(``Reading.text``) and the conditions it states (``Reading.conditions``): a place (city,
state, country or region), a level, a workplace and an employment type. Filler words of
such searches ("jobs", "roles", "in" before a place) are dropped.

The vocabularies are the extractors': a level word counts only where the role
extractor reads that level from the words around it ("staff engineer" is principal,
"staff accountant" no level; "product manager" is no manager), an employment type only
where it reads the type ("contract recruiter", not "contract manager"). Places are the
index's own keys (``Places``), which the gazetteer wrote at index time, so a typed
"Berlin" means what ``--city Berlin`` means.

A word stays text where reading it as a condition would be wrong:

* words in quotes, ``-word``, ``+word``, and every word of a query using operators
  (AND/OR/NOT), parentheses or ``title:`` (such a query is written as meant);
* a level word naming the job itself, last after other words ("engineering manager",
  "marketing intern", "tech lead");
* a word of a known phrase that is not a condition ("remote sensing", "lead generation",
  "hybrid cloud"), and place words inside an employer's name the index knows
  ("Portland General Electric");
* a place name that is an ordinary word of titles more often than a place of postings
  ("mobile"), and short codes typed in lower case ("in", "or", "it", "me", "ai"; "us",
  "uk", "eu", "sf", "la", "dc", "ny", "nyc" excepted).

Pure: no index, no numpy; what a place or an employer is comes from ``Places``. It is
search policy (``tests/test_layers.py``): a backend reads the text with its own
``Places`` and answers ``Backend.understand``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

from search.extract.roles import classify_employment_type, classify_level
from search.extract.text import normalize_key

__all__ = ["Condition", "Places", "Reading", "read"]

Kind = Literal["city", "state", "country", "region", "level", "workplace", "type"]
#: The kinds that are a place; several place conditions of one query are ANDed
#: ("berlin germany"), several values of one kind ORed.
PLACE_KINDS: tuple[Kind, ...] = ("city", "state", "country", "region")
#: Longest place name tried, in words ("san francisco bay area").
MAX_PLACE_WORDS = 4

#: Words of such searches that say nothing about the job.
FILLERS = frozenset(
    {"job", "jobs", "role", "roles", "position", "positions", "opening", "openings", "vacancies"}
)
#: Words dropped only right before a place: "jobs in berlin", "near seattle", "at nyc".
PLACE_LEADS = frozenset({"in", "near", "at", "around"})

#: Level words of queries -> the phrase the role extractor reads for them. "mid" alone is
#: no level in a title ("Mid-Market"), but a seeker typing it means mid-level.
_LEVEL_WORDS: dict[str, str] = {
    "intern": "intern",
    "interns": "intern",
    "internship": "internship",
    "internships": "internship",
    "junior": "junior",
    "jr": "jr",
    "entry level": "entry level",
    "entry-level": "entry level",
    "mid": "mid level",
    "mid level": "mid level",
    "mid-level": "mid level",
    "midlevel": "mid level",
    "senior": "senior",
    "sr": "sr",
    "staff": "staff",
    "lead": "lead",
    "principal": "principal",
    "manager": "manager",
    "new grad": "new grad",
}
#: Level words that also name a job: last after other words they are the job itself
#: ("engineering manager", "tech lead"), and stay text. An intern is a level even so:
#: a "marketing intern" is an intern in marketing.
_HEAD_LEVEL_WORDS = frozenset({"manager", "lead", "principal"})
_WORKPLACE_WORDS: dict[str, str] = {
    "remote": "remote",
    "remotely": "remote",
    "fully remote": "remote",
    "remote work": "remote",
    "work from home": "remote",
    "wfh": "remote",
    "hybrid": "hybrid",
    "onsite": "onsite",
    "on-site": "onsite",
    "on site": "onsite",
    "in office": "onsite",
    "in-office": "onsite",
}
_TYPE_WORDS = (
    "part time",
    "part-time",
    "parttime",
    "full time",
    "full-time",
    "fulltime",
    "contract",
    "contractor",
    "contract to hire",
    "freelance",
    "freelancer",
    "temporary",
    "temp",
)
#: Phrases in which a condition word is part of a name, not a condition.
_NOT_CONDITIONS = frozenset(
    {
        "remote sensing",
        "remote patient",
        "remote monitoring",
        "remote access",
        "hybrid cloud",
        "hybrid vehicle",
        "hybrid vehicles",
        "lead generation",
        "lead gen",
        "lead poisoning",
        "temp agency",
        "contract law",
    }
)
#: Short words read as a place even in lower case: what people type for these places.
_SHORT_PLACES = frozenset({"us", "usa", "uk", "eu", "sf", "la", "dc", "ny", "nyc", "uae"})
#: Codes that are also a job word even in capitals ("IT support", "AI engineer").
_CODE_WORDS = frozenset(
    {
        "IT", "IN", "OR", "ME", "AI", "HI", "OK", "ID", "OH", "PA", "AR", "HR", "QA", "PM",
        "ML", "CS", "DS", "MS", "MD", "DO", "SE", "BI", "UI", "UX", "PR", "AM", "AS", "AT",
        "BE", "BY", "GO", "IS", "NO", "ON", "SO", "TO", "UP", "VR", "CV", "RL", "GA", "CAN",
        "AND", "PER", "ARE", "MAR", "BEN", "LIE", "GEO", "SEO", "TUR", "COL", "BEL", "DOM",
    }
)  # fmt: skip
#: A query using these is written as meant: searched as typed.
_SYNTAX = re.compile(r"\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b|[()]|\b[A-Za-z_]+:\S")
_TOKENS = re.compile(r'"[^"]*"?|\S+')
_EDGE = re.compile(r"^[,;.!?]+|[,;.!?]+$")


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition read from query text: its kind, its value as the index names it
    (a place key, a region's name, a level, a workplace, an employment type), and the
    words typed for it."""

    kind: Kind
    value: str
    words: str

    @property
    def shown(self) -> str:
        """ "city Berlin", "level senior", "workplace remote"."""
        if self.kind == "region":
            return f"region {self.value}"
        if self.kind in PLACE_KINDS:
            typed = self.words
            if not any(c.isupper() for c in typed):
                typed = typed.upper() if len(typed) <= 3 else typed.title()
                *head, last = typed.split(" ")
                if head and len(last) == 2:  # a state or country code: "Austin TX"
                    typed = " ".join([*head, last.upper()])
            return f"{self.kind} {typed}"
        return f"{self.kind} {self.value}"


@dataclass(frozen=True, slots=True)
class Reading:
    """How a query was read: the text still to rank and the conditions it states."""

    typed: str
    text: str
    conditions: tuple[Condition, ...] = ()

    @property
    def ranked(self) -> str:
        """Words read as a level that still rank, without being required: a title
        saying "Senior" is the one typed for, a "Lead Data Engineer" no less senior."""
        return " ".join(c.words for c in self.conditions if c.kind == "level")

    @property
    def understood(self) -> bool:
        """Whether anything was read other than as typed."""
        return bool(self.conditions) or self.text != self.typed

    def of(self, *kinds: Kind) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.kind in kinds)

    @property
    def shown(self) -> str:
        """ "rust engineer · level senior · city Berlin" (the words first, then each
        condition)."""
        parts = [self.text] if self.text else []
        return " · ".join([*parts, *(c.shown for c in self.conditions)])


class Places(Protocol):
    """What the index knows of places and employers, by normalised key."""

    def place(self, key: str) -> tuple[Kind, str] | None:
        """The kind and value of a typed place ("new york" -> ("city", "new york"),
        "europe" -> ("region", "Europe")); None when it is no place of the index, or a
        word of titles more often than a place of postings."""
        ...

    def company(self, key: str) -> bool:
        """Whether postings of an employer of this name are in the index."""
        ...

    def name_word(self, key: str) -> bool:
        """Whether a word is rare in job titles and names no skill: after a place, a
        word of a name ("General", "Scientific"), not of a job ("Software", "Python")."""
        ...


@dataclass(slots=True)
class _Word:
    raw: str  # as typed (a quoted phrase whole)
    key: str  # normalize_key of the word, "" when not eligible
    eligible: bool  # may be read as a condition
    used: bool = False  # read as a condition or dropped


def _words(text: str) -> list[_Word]:
    out = []
    for raw in _TOKENS.findall(text):
        plain = _EDGE.sub("", raw)
        eligible = bool(plain) and raw[0] not in '"-+' and "*" not in raw and "?" not in plain
        out.append(_Word(raw, normalize_key(plain) if eligible else "", eligible))
    return out


def word_keys(text: str) -> list[str]:
    """The keys of the words of ``text`` that may be read as conditions, in order."""
    return [w.key for w in _words(text) if w.eligible]


def read(text: str, places: Places, skip: frozenset[Kind] = frozenset()) -> Reading:
    """``text`` read as a job seeker means it (see the module's docstring); as typed when
    it reads no condition. Words of the kinds in ``skip`` (set by an explicit filter,
    which wins) are not read."""
    if not text.strip() or _SYNTAX.search(_unquoted(text)):
        return Reading(text, text)
    words = _words(text)
    conditions: list[tuple[int, Condition]] = []
    if not set(PLACE_KINDS) <= skip:
        _read_places(words, places, conditions, skip)
    _read_vocabulary(words, conditions, skip)
    if not conditions:
        return Reading(text, text)
    for w in words:
        if w.eligible and w.key in FILLERS:
            w.used = True
    rest = " ".join(w.raw for w in words if not w.used)
    ordered = tuple(c for _, c in sorted(conditions, key=lambda pair: pair[0]))
    return Reading(text, rest, ordered)


def _unquoted(text: str) -> str:
    return re.sub(r'"[^"]*"?', " ", text)


def _phrase_at(words: list[_Word], at: int, phrases: dict[str, str] | tuple[str, ...]) -> int:
    """How many words from ``at`` form one of ``phrases`` (longest first); 0 for none."""
    for size in (3, 2, 1):
        run = words[at : at + size]
        free = len(run) == size and all(w.eligible and not w.used for w in run)
        if free and " ".join(w.key for w in run) in phrases:
            return size
    return 0


def _part_of_name(words: list[_Word], at: int, size: int) -> bool:
    """Whether the words at ``at`` begin or end a phrase that is no condition."""
    after = " ".join(w.key for w in words[at : at + size + 1])
    before = " ".join(w.key for w in words[max(at - 1, 0) : at + size])
    return after in _NOT_CONDITIONS or before in _NOT_CONDITIONS


def _text_after(words: list[_Word], at: int) -> str:
    """The words from ``at`` up to the next word already read, as a title to classify."""
    run = []
    for w in words[at:]:
        if w.used or not w.eligible:
            break
        run.append(w.key)
    return " ".join(run)


def _read_vocabulary(
    words: list[_Word], found: list[tuple[int, Condition]], skip: frozenset[Kind]
) -> None:
    """Workplace, employment type and level words, where the extractors agree; levels
    last, so that a level word's place among the other words is known ("product
    manager remote": "manager" is the job's last word)."""
    for i in range(len(words)):
        if words[i].used or not words[i].eligible:
            continue
        size = 0 if "workplace" in skip else _phrase_at(words, i, _WORKPLACE_WORDS)
        if size and not _part_of_name(words, i, size):
            key = " ".join(w.key for w in words[i : i + size])
            _take(words, i, size, found, "workplace", _WORKPLACE_WORDS[key])
            continue
        size = 0 if "type" in skip else _phrase_at(words, i, _TYPE_WORDS)
        if size and not _part_of_name(words, i, size):
            kind = classify_employment_type(_text_after(words, i), level=None)
            if kind is not None:
                _take(words, i, size, found, "type", kind)
    for i in range(len(words)):
        if words[i].used or not words[i].eligible:
            continue
        size = 0 if "level" in skip else _phrase_at(words, i, _LEVEL_WORDS)
        if size and not _part_of_name(words, i, size) and not _names_job(words, i, size):
            key = " ".join(w.key for w in words[i : i + size])
            level = classify_level(_LEVEL_WORDS[key])
            after = _text_after(words, i + size)
            title = " ".join(filter(None, (_LEVEL_WORDS[key], after)))
            if level is not None and classify_level(title) == level:
                _take(words, i, size, found, "level", level)


def _names_job(words: list[_Word], at: int, size: int) -> bool:
    """Whether a level word is the job itself: last of its run, after a text word
    ("engineering manager", "data science intern")."""
    key = " ".join(w.key for w in words[at : at + size])
    if key not in _HEAD_LEVEL_WORDS or at == 0:
        return False
    before = words[at - 1]
    nxt = words[at + size] if at + size < len(words) else None
    last = nxt is None or nxt.used or not nxt.eligible or nxt.key in FILLERS
    return last and before.eligible and not before.used and before.key not in FILLERS


def _take(
    words: list[_Word],
    at: int,
    size: int,
    found: list[tuple[int, Condition]],
    kind: Kind,
    value: str,
) -> None:
    typed = " ".join(_EDGE.sub("", w.raw) for w in words[at : at + size])
    for w in words[at : at + size]:
        w.used = True
    if at and words[at - 1].key in PLACE_LEADS and kind in PLACE_KINDS:
        words[at - 1].used = True
    found.append((at, Condition(kind, value, typed)))


def _may_be_place(run: list[_Word]) -> bool:
    """Whether these words may name a place: no filler; and short words are codes,
    in lower case mostly other words ("in", "it", "or"), so a short word alone counts
    only in capitals or as a code people type ("us", "nyc"). After other words it may
    qualify them in lower case too ("austin tx", "boston ma"), unless it is also a word
    ("portland or"): the index still has to hold the city in that state or country."""
    if any(w.key in FILLERS or w.key in PLACE_LEADS for w in run):
        return False
    last = run[-1]
    plain = _EDGE.sub("", last.raw)
    if len(last.key) > 3 or last.key in _SHORT_PLACES:
        return True
    if plain.upper() in _CODE_WORDS:
        return False
    return plain.isupper() or (len(run) > 1 and len(plain) > 1)


def _read_places(
    words: list[_Word],
    places: Places,
    found: list[tuple[int, Condition]],
    skip: frozenset[Kind],
) -> None:
    """Places, longest name first; none inside an employer's name the index knows."""
    i = 0
    while i < len(words):
        for size in range(MAX_PLACE_WORDS, 0, -1):
            run = words[i : i + size]
            if len(run) < size or not all(w.eligible and not w.used for w in run):
                continue
            if not _may_be_place(run):
                continue
            key = " ".join(w.key for w in run)
            place = places.place(key)
            if place is None or place[0] in skip or _in_name(words, i, size, places):
                continue
            _take(words, i, size, found, place[0], place[1])
            i += size - 1
            break
        i += 1


def _in_name(words: list[_Word], at: int, size: int, places: Places) -> bool:
    """Whether the place words at ``at`` are part of a name with the words around them:
    a known employer's ("portland general electric" when the index has its postings),
    or, typed capitalised, followed by a capitalised word of names rather than of job
    titles or skills ("Portland General Electric", "Boston Scientific", not "Berlin
    Software Engineer" or "Berlin Python Developer")."""
    nxt = words[at + size] if at + size < len(words) else None
    if (
        nxt is not None
        and nxt.eligible
        and words[at].raw[:1].isupper()
        and nxt.raw[:1].isupper()
        and places.name_word(nxt.key)
    ):
        return True
    for start in range(max(at - 2, 0), at + 1):
        for end in range(at + size, min(at + size + 3, len(words)) + 1):
            if end - start <= size:
                continue
            run = words[start:end]
            if all(w.eligible for w in run) and places.company(" ".join(w.key for w in run)):
                return True
    return False
