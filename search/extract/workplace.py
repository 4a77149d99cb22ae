"""Where the work happens: remote, hybrid or onsite, as a job board's filter names it.

The location field is trusted first: "San Francisco-Hybrid", "Remote - US", "NYC
(On-site)" state it outright, with the remote words locations.py uses, so a posting that
module calls remote is remote or hybrid here (hybrid where the field says "Hybrid").
A field naming only a place or an office ("San Francisco Office") says nothing.

Then the title ("Senior Engineer (Remote)"), then the description, read for statements
about this job (vocabulary in ``vocab/workplace.toml``): "This is a hybrid role",
"3 days a week in the office", "this role is fully remote", "#LI-Remote", "must be able
to work onsite"; a remote statement after a negation ("this is not a remote position")
makes it onsite. Statements about the employer ("we're a remote-first company", "we're
an in-office company") count only when none about the job does, and mere mentions
("remote-friendly culture", "we have offices and remote employees") count never.
Precision first: None is the answer whenever the text does not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from search.extract.text import (
    CASE_JOIN,
    in_spans,
    load_vocab,
    lower_in_place,
    lowered,
    restore_breaks,
    unwanted_spans,
    word_pattern,
)

__all__ = ["extract_workplace"]

_BACK = 80  # how far before an anchor word a statement may start
_AHEAD = 60  # and how far after the anchor it may end
_REACH = 90  # how far either side of "3 days a week" its sentence is read
_NUMBER_WORDS = {"one": 1, "two": 2, "twice": 2, "three": 3, "four": 4, "five": 5}
#: Words one of which every text statement contains; text away from them is never read.
#: A count of office days is read only near them too: it needs presence or remote words.
_ANCHORS = (
    "remote",
    "hybrid",
    "site",
    "person",
    "office",
    "anchor day",
    "from anywhere",
    "from home",
    "from-home",
    "wfh",
)
_DAYS_REACH = 90  # how far from an anchor a count of days a week may stand
_SENTENCE_END = re.compile(r"[.!?\n]")
#: Remote statements that a perk of an office job also makes ("work from anywhere for 4
#: weeks a year", "two weeks of fully remote work per year").
_PERK_LIKE = re.compile(r"from (?:home|anywhere)|remote work$")
#: How much text either side of such an anchor is read with its words set apart.
_CONTEXT = max(_BACK, _DAYS_REACH) + _REACH


@dataclass(frozen=True, slots=True)
class _Vocab:
    field_hybrid: re.Pattern[str]
    field_onsite: re.Pattern[str]
    field_remote: re.Pattern[str]
    title_remote: re.Pattern[str]
    title_not: re.Pattern[str]
    #: Per anchor word: the statements about the job, and about the employer, naming it.
    role: dict[str, re.Pattern[str] | None]
    company: dict[str, re.Pattern[str] | None]
    days: tuple[re.Pattern[str], ...]
    office: re.Pattern[str]
    days_remote: re.Pattern[str]
    perks: re.Pattern[str]
    negation: re.Pattern[str]
    limited: re.Pattern[str]


def _by_anchor(table: dict[str, list[str]]) -> dict[str, re.Pattern[str] | None]:
    """For each anchor word, one pattern of the statements that contain it.

    A named group per kind (remote, hybrid, onsite) says which kind matched. Running only
    the few statements an anchor can start keeps the scan of a long description cheap.
    """
    compiled: dict[str, re.Pattern[str] | None] = {}
    unread = {p for patterns in table.values() for p in patterns}
    for anchor in _ANCHORS:
        parts = []
        for kind, patterns in table.items():
            mine = [p for p in patterns if anchor in p]
            unread -= set(mine)
            if mine:
                parts.append(f"(?P<{kind}>{'|'.join(mine)})")
        body = "|".join(parts)
        compiled[anchor] = re.compile(r"(?<!\w)(?:" + body + r")(?!\w)") if parts else None
    if unread:
        raise ValueError(f"workplace.toml: no anchor word in {sorted(unread)}")
    return compiled


@cache
def _vocab() -> _Vocab:
    """Compile workplace.toml (and the remote words of place_aliases.toml) once."""
    raw = load_vocab("workplace")
    places = load_vocab("place_aliases")  # the gazetteer's copy: parsed once for both
    remote = [re.escape(w) for w in places["remote"]]
    unrestricted = [re.escape(w) for w in places["unrestricted"]]
    return _Vocab(
        field_hybrid=word_pattern(raw["location"]["hybrid"]),
        field_onsite=word_pattern(raw["location"]["onsite"]),
        field_remote=word_pattern(remote + unrestricted),
        title_remote=word_pattern(remote),
        title_not=word_pattern(raw["location"]["title_not"]),
        role=_by_anchor(raw["text"]["role"]),
        company=_by_anchor(raw["text"]["company"]),
        days=tuple(word_pattern([p]) for p in raw["days"]["count"]),
        office=word_pattern([raw["days"]["office"]]),
        days_remote=word_pattern([raw["days"]["remote"]]),
        perks=word_pattern([raw["days"]["perks"]]),
        negation=re.compile(raw["negation"]["before"]),
        limited=word_pattern([raw["days"]["limited"]]),
    )


def extract_workplace(location_text: str, text: str, title: str = "") -> str | None:
    """ "remote", "hybrid", "onsite", or None when neither field nor text says.

    ``location_text`` is the posting's location field, ``text`` its description and
    ``title`` its title (optional: a title saying "(Remote)" is as good as the field).
    """
    vocab = _vocab()
    kind = _from_field(location_text, vocab.field_remote, vocab) if location_text else None
    if kind is None and title:
        kind = _from_field(vocab.title_not.sub(" ", title.lower()), vocab.title_remote, vocab)
    if kind is None and text:
        kind = _statement(text, vocab)[0]
    return kind


def _from_field(field: str, remote_words: re.Pattern[str], vocab: _Vocab) -> str | None:
    """A location string or title: hybrid, remote, onsite, or both remote and onsite.

    "in-office; remote eligible after 90 days" offers both, which is hybrid.
    """
    low = field.lower()
    if vocab.field_hybrid.search(low):
        return "hybrid"
    remote = remote_words.search(low) is not None
    onsite = vocab.field_onsite.search(low) is not None
    if remote and onsite:
        return "hybrid"
    if remote:
        return "remote"
    return "onsite" if onsite else None


def _statement(text: str, vocab: _Vocab) -> tuple[str | None, int]:
    """The kind and offset of the first statement about the job, else about the employer.

    Around an anchor whose words run together ("bossLocation: RemotePosition Type:", an
    export that lost its line breaks), the text is read with those line breaks put back.
    A remote statement in a list of what the job is not ("This role isn't for you if: -
    You want fully remote work") is none.
    """
    low = lowered(text)
    role: list[tuple[int, str]] = []
    company: list[tuple[int, str]] = []
    for anchor in _ANCHORS:
        at = low.find(anchor)
        while at >= 0:
            if CASE_JOIN.search(text, max(0, at - _BACK), at + len(anchor) + _AHEAD):
                first = max(0, at - _CONTEXT)
                part = text[first : at + len(anchor) + _CONTEXT]
                shift = len(CASE_JOIN.findall(part, 0, at - first + 1))
                apart = lower_in_place(restore_breaks(part))
                _read(apart, at - first + shift, anchor, vocab, role, company, first)
            else:
                _read(low, at, anchor, vocab, role, company, 0)
            at = low.find(anchor, at + len(anchor))
    if any(kind == "remote" for _, kind in role):  # but not "Not for you if: - You want
        unwanted = unwanted_spans(low)  # fully remote work"
        role = [(at, kind) for at, kind in role if kind != "remote" or not in_spans(unwanted, at)]
    found = min(role) if role else min(company) if company else None
    return (found[1], found[0]) if found else (None, -1)


def _read(
    low: str,
    at: int,
    anchor: str,
    vocab: _Vocab,
    role: list[tuple[int, str]],
    company: list[tuple[int, str]],
    offset: int,
) -> None:
    """Add the statements around the anchor at ``low[at]`` to ``role`` and ``company``,
    at their offset in ``low`` plus ``offset``."""
    role_re, company_re = vocab.role[anchor], vocab.company[anchor]
    start, end = max(0, at - _BACK), at + len(anchor) + _AHEAD
    if role_re is not None:
        for match in role_re.finditer(low, start, end):
            kind = _role_kind(low, match, vocab)
            if kind is not None:
                role.append((offset + match.start(), kind))
    if company_re is not None:
        for match in company_re.finditer(low, start, end):
            company.append((offset + match.start(), str(match.lastgroup)))
    days = _days(low, max(0, at - _DAYS_REACH), at + _DAYS_REACH, vocab)
    role += [(offset + pos, kind) for pos, kind in days]


def _role_kind(low: str, match: re.Match[str], vocab: _Vocab) -> str | None:
    """The kind a statement about the job states, read with its sentence; None when the
    sentence makes it no statement.

    "this is not a remote position" is onsite; "work from our office in Bangalore in a
    hybrid manner" is hybrid; "work from anywhere for up to 4 weeks a year" is a perk of
    an office job.
    """
    kind = str(match.lastgroup)
    if kind == "remote" and vocab.negation.search(low, max(0, match.start() - 30), match.start()):
        return "onsite"
    sentence = _sentence(low, match.start(), match.end())
    if kind != "hybrid" and "hybrid" in sentence:
        return "hybrid"
    if kind == "remote" and _PERK_LIKE.search(match.group()) and vocab.limited.search(sentence):
        return None
    return kind


def _days(low: str, start: int, end: int, vocab: _Vocab) -> list[tuple[int, str]]:
    """Counts of office days a week in ``low[start:end]``, each read as hybrid or onsite."""
    found: list[tuple[int, str]] = []
    if low.find("week", start, end) < 0 and low.find("wk", start, end) < 0:
        return found  # every count names a week: most windows are skipped unread
    for pattern in vocab.days:
        for days in pattern.finditer(low, start, end):
            kind = _days_kind(low, days, vocab)
            if kind is not None:
                found.append((days.start(), kind))
    return found


def _sentence(low: str, start: int, end: int) -> str:
    """The sentence around ``low[start:end]``, at most ``_REACH`` either side."""
    left = _SENTENCE_END.split(low[max(0, start - _REACH) : start])[-1]
    right = _SENTENCE_END.split(low[end : end + _REACH])[0]
    return left + low[start:end] + right


def _days_kind(low: str, days: re.Match[str], vocab: _Vocab) -> str | None:
    """ "3 days a week in the office" -> hybrid, "in person 5 days a week" -> onsite.

    The count needs presence words in its sentence (five days: onsite; fewer, or "4-5":
    hybrid) or remote words ("Remote policy: 1 day a week": hybrid). Perks are no
    statement: "lunch in the SF office 5 days a week", "dinners 3x per week".
    """
    sentence = _sentence(low, days.start(), days.end())
    if vocab.perks.search(sentence):
        return None
    count = days.group("n")
    five = _NUMBER_WORDS.get(count) == 5 or re.findall(r"\d", count) == ["5"]
    if vocab.office.search(sentence):
        return "onsite" if five else "hybrid"
    if vocab.days_remote.search(sentence) and not five:
        return "hybrid"
    return None
