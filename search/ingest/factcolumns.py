"""An export's fact columns -> the facts they state, and which column fed which.

Exports of job sites state as data what a job seeker filters on: pay (amounts in columns
of their own, or one cell such as "$53K-$91K (Glassdoor est.)"), where the work happens,
the employment type, the level, the years of experience, the closing date, where to
apply and the employer's rating. Each is read here by a rule of its format. A value that
says nothing we can read stays as text under its column's name, so no words are lost;
and unknown stays unknown: an empty flag, a false remote flag or "Not Applicable" state
nothing, and nothing is filled in by a default.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from search.extract.experience import extract_experience
from search.ingest.columns import clean, employment_type_of, level_of, workplace_of
from search.ingest.dates import date_of
from search.ingest.draft import Draft
from search.ingest.money import ANNUAL_FROM, amount_of, make_pay, pay_of_text, period_of
from search.model import Pay

#: (rank: lower wins, column as the file names it, value)
Candidate = tuple[int, str, object]

_TRUE = frozenset({"true", "yes", "y", "1", "1.0"})
#: The last line of a company cell that is the site's rating of the employer: "4.8",
#: "3.9 ★" (Glassdoor and Indeed exports put it under the name).
_RATING_LINE = re.compile(r"\s*([0-5](?:\.\d)?)\s*[★☆]?\s*")
#: A fact cell longer than this is prose: it is kept as text even when a fact is read.
_SHORT_CELL = 40


def company_and_rating(text: str) -> tuple[str, float | None]:
    """A company cell's name, and the rating written on a line of its own under it.

    "KnowBe4\\n4.8" is the employer KnowBe4 rated 4.8; a name on one line is returned as
    it is, so a company called "Web 2.0" keeps its name.
    """
    name, sep, last = text.rstrip().rpartition("\n")
    if not sep or not name.strip():
        return text, None
    match = _RATING_LINE.fullmatch(last)
    if match is None:
        return text, None
    return " ".join(name.split()), float(match[1])


def rating_of(value: object) -> float | None:
    """A rating above 0 and at most 5 from a number or its text ("4.8"); else None."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        amount = float(value)
    except ValueError:
        return None
    return amount if 0 < amount <= 5 else None


def is_true(value: object) -> bool:
    """A flag set: True, 1, "1.0", "yes". Anything else (empty, false) says nothing."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return isinstance(value, str) and value.strip().casefold() in _TRUE


def _given(value: object) -> bool:
    if value is None:
        return False
    return bool(clean(value)) if isinstance(value, str) else not isinstance(value, list | dict)


def _ordered(candidates: list[Candidate]) -> list[Candidate]:
    """Candidates with a value, best rank first (the file's order among equals)."""
    return sorted((c for c in candidates if _given(c[2])), key=lambda c: c[0])


def _first(facts: Mapping[str, list[Candidate]], name: str) -> tuple[str, object] | None:
    found = _ordered(facts.get(name, []))
    return (found[0][1], found[0][2]) if found else None


def read_facts(facts: Mapping[str, list[Candidate]], draft: Draft) -> None:
    """Set on ``draft`` every fact its fact columns state; note each in ``draft.uses``."""
    _type_and_workplace(facts, draft)
    remote = _first(facts, "remote")
    if remote is not None and is_true(remote[1]):
        draft.remote = True
        draft.workplace = draft.workplace or "remote"
        draft.uses.append(("remote", remote[0], ""))
    _level_and_experience(facts, draft)
    closes = _first(facts, "closes")
    if closes is not None:
        draft.closes = date_of(closes[1])
        _noted(draft, "closes", closes, draft.closes is not None)
    _apply_url(facts, draft)
    _pay(facts, draft)
    rating = _first(facts, "company_rating")
    if rating is not None:
        draft.company_rating = rating_of(rating[1])
        _noted(draft, "company_rating", rating, draft.company_rating is not None)


def _noted(draft: Draft, fact: str, column: tuple[str, object], read: bool) -> None:
    """Note a fact column's use; one that could not be read is kept as text."""
    draft.uses.append((fact, column[0], "" if read else "unread"))
    if not read:
        draft.add_section(*column)


def _type_and_workplace(facts: Mapping[str, list[Candidate]], draft: Draft) -> None:
    """Employment type and workplace, from columns of either kind: boards file one under
    the other ("Job Type: work from office"), so each value is read as what it says."""
    columns = [
        (rank, key, value, own)
        for own in ("employment_type", "workplace")
        for rank, key, value in _ordered(facts.get(own, []))
    ]
    for _rank, key, value, own in sorted(columns, key=lambda c: c[0]):
        text = value if isinstance(value, str) else ""
        kind = employment_type_of(text) if text else None
        place = workplace_of(text) if text else None
        if own == "workplace" and place:
            kind = None
        elif kind:
            place = None
        if kind and draft.employment_type is None:
            draft.employment_type = kind
            draft.uses.append(("employment_type", key, ""))
        elif place and draft.workplace is None:
            draft.workplace = place
            draft.uses.append(("workplace", key, ""))
        elif not kind and not place:
            _noted(draft, own, (key, value), False)


def _level_and_experience(facts: Mapping[str, list[Candidate]], draft: Draft) -> None:
    """The level a level column names; the years an experience column states ("3-8
    Yrs"), or the level it names when it names one instead ("Mid-Senior level")."""
    level = _first(facts, "level")
    if level is not None:
        text = level[1] if isinstance(level[1], str) else ""
        draft.level = level_of(text) if text else None
        _noted(draft, "level", level, draft.level is not None)
    experience = _first(facts, "experience")
    if experience is None:
        return
    key, value = experience
    text = value.strip() if isinstance(value, str) else ""
    years = extract_experience(text) if text else None
    if years is not None:
        draft.experience_years, draft.experience_text = years
        draft.uses.append(("experience", key, ""))
        if len(text) > _SHORT_CELL:
            draft.add_section(key, value)
        return
    named = level_of(text) if text and len(text) <= _SHORT_CELL else None
    if named and draft.level is None:
        draft.level = named
        draft.uses.append(("level", key, ""))
    else:
        _noted(draft, "experience", experience, False)


def _apply_url(facts: Mapping[str, list[Candidate]], draft: Draft) -> None:
    """Where to apply, taken as written, as the url is (Naukri's lost its slashes)."""
    link = _first(facts, "apply_url")
    if link is None:
        return
    text = clean(link[1]) if isinstance(link[1], str) else ""
    if text:
        draft.apply_url = text
    _noted(draft, "apply_url", link, bool(text))


def _pay(facts: Mapping[str, list[Candidate]], draft: Draft) -> None:
    """Pay from amount columns (with their period and currency), else from a salary cell.

    One figure alone (LinkedIn's ``med_salary``) is both ends. Without a period column
    the figures are a year's only when they are of a year's size (from 10,000), as in
    ``search.extract.pay``; a period column that names no period leaves the pay unread.
    """
    ends = {name: _first(facts, name) for name in ("pay_min", "pay_max", "pay_single")}
    amounts = [column for column in ends.values() if column is not None and _stated(column)]
    if amounts:
        low, high = (_value(ends[n]) for n in ("pay_min", "pay_max"))
        single = ends["pay_single"]
        if amount_of(low) is None and amount_of(high) is None and single is not None:
            low = high = single[1]
        draft.pay, said = _amounts(low, high, facts)
        note = "" if draft.pay is not None else "unread"
        draft.uses.extend(("pay", column[0], note) for column in [*amounts, *said])
        if draft.pay is None:
            for column in amounts:
                draft.add_section(*column)
    text = _first(facts, "pay_text")
    if text is None or draft.pay is not None:
        return
    value = text[1]
    draft.pay = pay_of_text(value, text[0]) if isinstance(value, str) else None
    note = "estimate" if draft.pay is not None and draft.pay.estimate else ""
    if draft.pay is None:
        _noted(draft, "pay", text, False)
    else:
        draft.uses.append(("pay", text[0], note))


def _stated(column: tuple[str, object]) -> bool:
    """An amount column states pay unless it holds zero (RemoteOK: not disclosed)."""
    value = column[1]
    text = value.strip() if isinstance(value, str) else value
    return not (text == 0 or (isinstance(text, str) and text.strip("0.") == ""))


def _value(column: tuple[str, object] | None) -> object:
    return column[1] if column is not None else None


def _amounts(
    low: object, high: object, facts: Mapping[str, list[Candidate]]
) -> tuple[Pay | None, list[tuple[str, object]]]:
    """The pay of amount columns, and the period and currency columns that said more."""
    said = [c for c in (_first(facts, "pay_period"), _first(facts, "pay_currency")) if c]
    period_column = _first(facts, "pay_period")
    if period_column is not None:
        period = period_of(period_column[1])
    else:
        figures = [a for a in (amount_of(low), amount_of(high)) if a is not None]
        period = "year" if figures and max(figures) >= ANNUAL_FROM else None
    currency = _first(facts, "pay_currency")
    return make_pay(low, high, currency[1] if currency else None, period), said
