"""Years of experience and the degree a posting requires.

Years: "5+ years", "3-5 years", "at least two years", "minimum of 4 years", "5 or more
years". Postings are full of other years ("founded 10 years ago", "2 years of runway",
"within 1 year you will", "after 5 years of employment"), so a count is read only where
its clause speaks of experience ("5+ years of product design experience", "Experience:
2-4 years") or where it opens a bullet ("- 5+ years in B2B sales"). Counts in a clause
or under a heading that makes them a wish ("preferred", "Nice to have") are not
required; when only such counts exist the answer is None. Of several required counts
the first is the main one (postings list the overall figure first), skipping counts
about leading people ("with 3+ years managing designers") when another exists.

Degree: the lowest level named in a required clause ("BS/MS in CS" -> bachelor, "PhD or
Master's" -> master, "PhD required" -> phd); optional ("preferred", "a plus"), student
("pursuing a Bachelor's") and substitutable ("degree or diploma") mentions are None.

Vocabulary in ``vocab/experience.toml``. Only text near the words "year"/"month" and the
degree words is read, so a long description costs a few scans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from search.extract.text import load_vocab, lowered, word_pattern
from search.model import DEGREES

__all__ = ["extract_degree", "extract_experience"]

_UNITS = ("year", "yr", "month")
#: Words near which a degree clause is read, besides the cased abbreviations ("BS", "PhD",
#: "Ph.D"); a doctorate is named with "PhD" or "doctoral degree" in practice.
_DEGREE_WORDS = ("bachelor", "master", "degree")
_MAX_YEARS = 25  # no posting requires more; larger counts are a team's or a company's
_LINE_REACH = 160  # how far a clause is read either side of a count
_HEADING_REACH = 2500  # how far back the heading of a count's section is looked for
_BULLET = re.compile(r"^\s*(?:[-•*·▪◦‣]|\d{1,2}[.)])?\s*")
#: What a wish word may qualify: the count's own part of the clause, without asides.
#: "2-5 years in a sales role (SaaS preferred)" and "5+ years of X, preferably Y" are
#: requirements; "3+ years of X preferred" is a wish.
_ASIDE = re.compile(r"\([^)]*\)?")
_FIRST_PART = re.compile(r"[,;:]|\s[–—-]\s")
_DEGREE_AFTER = re.compile(
    r"/|\s+(?:in|or|and|with|from|degree|required|preferred|or higher)\b|\s*[,)]|\s*$",
    re.MULTILINE,
)
_STATE_LIST = re.compile(r"[A-Z]{2}, [A-Z]{2}\b")
_CLAUSE_END = re.compile(r"(?<![A-Za-z]\.[A-Za-z])[.;!?](?=\s|$)|\n")


@dataclass(frozen=True, slots=True)
class _Vocab:
    count: re.Pattern[str]
    numbers: dict[str, int]
    experience: re.Pattern[str]
    not_after: re.Pattern[str]
    not_before: re.Pattern[str]
    bullet_lead: re.Pattern[str]
    preferred: re.Pattern[str]
    preferred_heading: re.Pattern[str]
    managerial: re.Pattern[str]
    degree_anchor: re.Pattern[str]
    degree_cased: dict[str, str]
    degree_levels: tuple[tuple[str, re.Pattern[str]], ...]
    degree_generic: re.Pattern[str]
    not_required: re.Pattern[str]
    required: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Count:
    years: int
    start: int
    end: int
    preferred: bool
    managerial: bool


def _words(patterns: list[str]) -> re.Pattern[str]:
    """Whole words that may end in punctuation ("nice-to-have:", "a plus.")."""
    return word_pattern(patterns, end=r"(?!\w)")


@cache
def _vocab() -> _Vocab:
    """Compile experience.toml once."""
    raw = load_vocab("experience")
    years, degree = raw["years"], raw["degree"]
    numbers: dict[str, int] = dict(raw["numbers"])
    number = r"(?:\d{1,2}|" + "|".join(numbers) + ")"
    count = (
        r"(?:(?P<lead>" + "|".join(years["lead"]) + r")\s*)?"
        rf"(?P<n>{number})(?:\s*\+|[- ]plus)?"
        rf"(?:\s*(?:-|–|—|to)\s*(?P<m>{number})\s*\+?)?"
        r"(?:\s+or\s+more)?\s*(?:full\s+)?(?P<unit>years?|yrs?|months?)\b\s*\+?"
    )
    cased = {form: level for level in DEGREES for form in degree["cased_" + level]}
    return _Vocab(
        count=re.compile(r"(?<![\w.$€£-])" + count),
        numbers=numbers,
        experience=_words(years["experience"]),
        not_after=re.compile(r"\s*['’]?\s*(?:" + "|".join(years["not_after"]) + r")\b"),
        not_before=re.compile(r"\b(?:" + "|".join(years["not_before"]) + r")\s*$"),
        bullet_lead=re.compile(r"^(?:(?:" + "|".join(years["bullet_lead"]) + r")\s+)?$"),
        preferred=_words(years["preferred"]),
        preferred_heading=_words(years["preferred_heading"]),
        managerial=_words(years["managerial"]),
        # A bare alternation, longest first: ``re`` scans it with a first-character filter;
        # a look-behind or named groups make the scan over ten times slower. Context is
        # checked after a match.
        degree_anchor=re.compile(
            "|".join(re.escape(c) for c in sorted(cased, key=len, reverse=True))
        ),
        degree_cased=cased,
        degree_levels=tuple((level, _words(degree[level])) for level in DEGREES),
        degree_generic=_words(degree["generic"]),
        not_required=_words(degree["not_required"]),
        required=_words(degree["required"]),
    )


def extract_experience(text: str) -> tuple[int, str] | None:
    """The minimum years of experience required, and the phrase it was read from.

    None when the text requires no number of years (or only wishes for one).
    """
    vocab = _vocab()
    low = lowered(text)
    counts = _counts(low, vocab)
    required = [c for c in counts if not c.preferred]
    if not required:
        return None
    main = next((c for c in required if not c.managerial), required[0])
    return main.years, _phrase(text, main)


def _counts(low: str, vocab: _Vocab) -> list[_Count]:
    """Every count of years of experience, in text order."""
    found: dict[int, _Count] = {}
    for unit in _UNITS:
        at = low.find(unit)
        while at >= 0:
            window_start = max(0, at - 45)
            for match in vocab.count.finditer(low, window_start, at + len(unit) + 2):
                if match.start("unit") <= at < match.end("unit") and match.start() not in found:
                    count = _read(low, match, vocab)
                    if count is not None:
                        found[match.start()] = count
            at = low.find(unit, at + len(unit))
    return [found[k] for k in sorted(found)]


def _read(low: str, match: re.Match[str], vocab: _Vocab) -> _Count | None:
    """A count of experience years from a match, or None when it is another kind of time."""
    start, end = match.span()
    line_start = low.rfind("\n", 0, start) + 1
    before = low[max(line_start, start - _LINE_REACH) : start]
    after = _clause_after(low, end)
    if vocab.not_after.match(low, end):
        return None
    bullet = vocab.bullet_lead.match(_BULLET.sub("", before, count=1)) is not None
    said = vocab.experience.search(after) or vocab.experience.search(_clause_tail(before))
    if not said and (not bullet or match.group("unit").startswith("month")):
        return None  # "- 3 months of paid family leave"
    if not bullet and vocab.not_before.search(before) and not match.group("lead"):
        return None
    n = _number(match.group("n"), vocab)
    if match.group("unit").startswith("month"):
        n //= 12
    if n > _MAX_YEARS:
        return None  # "over 50 years of combined experience" is the team's
    wish = _clause_tail(before) + low[start:end] + _FIRST_PART.split(_ASIDE.sub("", after), 1)[0]
    return _Count(
        years=n,
        start=line_start if bullet else start - len(_clause_tail(before)),
        end=end + len(after),
        preferred=bool(vocab.preferred.search(wish)) or _under_preferred(low, line_start, vocab),
        managerial=bool(vocab.managerial.search(after[:60])),
    )


def _number(word: str, vocab: _Vocab) -> int:
    return int(word) if word.isdigit() else vocab.numbers[word]


def _clause_after(low: str, end: int) -> str:
    window = low[end : end + _LINE_REACH]
    stop = _CLAUSE_END.search(window)
    return window[: stop.start()] if stop else window


def _clause_tail(before: str) -> str:
    """The part of ``before`` in the same clause as what follows it."""
    ends = [m.end() for m in _CLAUSE_END.finditer(before)]
    return before[ends[-1] :] if ends else before


def _under_preferred(low: str, line_start: int, vocab: _Vocab) -> bool:
    """Whether the nearest heading above ``line_start`` names optional qualifications.

    A heading is a short line that is not a bullet and does not end a sentence: "Nice to
    have:", "PREFERRED QUALIFICATIONS", "Bonus points if you have".
    """
    end = line_start - 1
    floor = max(0, line_start - _HEADING_REACH)
    while end > floor:
        start = low.rfind("\n", floor, end) + 1
        line = low[start:end].strip()
        if line and _is_heading(line):
            return bool(vocab.preferred_heading.search(line))
        end = start - 1
    return False


def _is_heading(line: str) -> bool:
    return len(line) <= 80 and line[0] not in "-•*·▪◦‣" and not line.endswith((".", ";", ","))


def _phrase(text: str, count: _Count) -> str:
    return " ".join(_BULLET.sub("", text[count.start : count.end], count=1).split())


def extract_degree(text: str) -> str | None:
    """The lowest degree level a required clause names ("bachelor", "master", "phd")."""
    vocab = _vocab()
    low = lowered(text)
    levels: set[str] = set()
    for start, end in _degree_clauses(text, low, vocab):
        clause = low[start:end]
        if vocab.not_required.search(clause):
            continue
        if vocab.preferred.search(_drop_asides(clause, vocab)) and not vocab.required.search(
            clause
        ):
            continue
        if _under_preferred(low, low.rfind("\n", 0, start) + 1, vocab):
            continue
        level = _clause_level(text[start:end], clause, vocab)
        if level is not None:
            levels.add(level)
    return min(levels, key=DEGREES.index) if levels else None


def _degree_clauses(text: str, low: str, vocab: _Vocab) -> list[tuple[int, int]]:
    """Spans of the short clauses that name a degree (a bullet, a line, a sentence)."""
    spans: set[tuple[int, int]] = set()
    anchors = [m.start() for m in _cased_degrees(text, vocab)]
    for word in _DEGREE_WORDS:
        at = low.find(word)
        while at >= 0:
            anchors.append(at)
            at = low.find(word, at + len(word))
    for at in anchors:
        line_start = low.rfind("\n", 0, at) + 1
        line_end = low.find("\n", at)
        line_end = len(low) if line_end < 0 else line_end
        if line_end - line_start > 300:  # a paragraph of prose, not a requirement
            continue
        ends = [m.end() for m in _CLAUSE_END.finditer(low, line_start, at)]
        stop = _CLAUSE_END.search(low, at, line_end)
        spans.add((ends[-1] if ends else line_start, stop.start() if stop else line_end))
    return sorted(spans)


def _drop_asides(clause: str, vocab: _Vocab) -> str:
    """The clause without asides that name no degree: in "JD with active bar membership
    (New York preferred)" the wish is about the bar; "(MS or PhD preferred)" stays."""

    def keep(aside: re.Match[str]) -> str:
        text = aside.group()
        if any(p.search(text) for _, p in vocab.degree_levels) or vocab.degree_generic.search(text):
            return text
        return ""

    return _ASIDE.sub(keep, clause)


def _cased_degrees(text: str, vocab: _Vocab) -> list[re.Match[str]]:
    """ "BS in", "BS/MS", "MS or PhD", "(MBA)": abbreviations that stand for a degree.

    After a slash any ending counts ("BA/BS"); otherwise what follows must be "/", " in",
    " or", ",", " degree", ")" or the line end, which rules out "MS Office" and "MA".
    """
    found = []
    for match in vocab.degree_anchor.finditer(text):
        start, end = match.span()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        if end < len(text) and text[end].isalnum():
            continue
        if _STATE_LIST.match(text, max(0, start - 4)) and _STATE_LIST.match(text, end - 2):
            continue  # "AK, AR, ME, MS, NM": a list of US states
        if (start and text[start - 1] == "/") or _DEGREE_AFTER.match(text, end):
            found.append(match)
    return found


def _clause_level(raw: str, clause: str, vocab: _Vocab) -> str | None:
    """The lowest level a clause names; a degree of unnamed level is a bachelor's."""
    named = {level for level, pattern in vocab.degree_levels if pattern.search(clause)}
    named.update(vocab.degree_cased[m.group()] for m in _cased_degrees(raw, vocab))
    if named:
        return min(named, key=DEGREES.index)
    return "bachelor" if vocab.degree_generic.search(clause) else None
