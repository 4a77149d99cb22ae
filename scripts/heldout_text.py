"""Facts read from TEXT, measured on held-out exports of other job sites.

Usage: ``python scripts/heldout_text.py HELDOUT_DIR [--errors FACT] [--dataset NAME]``

``HELDOUT_DIR`` is a folder laid out as ``/work/heldout`` (see its SOURCES.md): LinkedIn
(arshkon samples, 2018 data jobs), JobSpy, Naukri and the remote boards. The data is never
part of this repository; this script only reads it.

Each posting goes through ``build_posting`` as a record holding only its title,
description, location and company: the structured columns that state the facts are hidden
from the extractors and serve as gold. Per dataset and fact the table gives labelled,
extracted, correct, precision (correct / extracted) and recall (correct / labelled):

* remote -- gold: LinkedIn ``remote_allowed`` = 1.0 (empty = unknown), JobSpy ``is_remote``,
  Naukri ``Job Type`` (Temp.WFH and Permanent Remote remote; work from office and Hybrid
  not), and the remote boards (every job remote). Labelled = gold-remote postings whose
  title, description or location mentions remote work at all ("remote", "work from home",
  "work from anywhere", "telecommut", "wfh"); recall is over those. Extracted and correct
  count over every posting with a gold answer (``posting.remote``), so precision is defined
  only where gold has negatives (JobSpy, Naukri).
* pay -- gold: LinkedIn min/max/med salary, pay period and currency; JobSpy min/max
  amount, interval and currency. Labelled = gold-pay postings whose description states
  one of the gold figures in a usual form (140000, 140,000, 140K, 140.000, 140,000.00;
  44.00 or 44 after a currency sign or before a currency or one period: "44/hr", "44 an
  hour", not "40 hours"); recall is over those. Extracted and correct
  count over every posting with gold pay. Correct: same period, same currency, and each
  end within 1% of the gold's (a single gold figure is both ends). An upper bound ("up to
  $220,000", no minimum) is correct when its maximum matches and the gold states no other
  minimum (a single figure, or only a maximum). ``pay_agreed`` is the same measure over
  the postings whose description states every gold figure: there the text and the gold
  agree, and an error is the extractor's (elsewhere the text often states other figures
  than the site's columns: "$18-20/hour" against a gold 17-20).
* employment_type -- gold: LinkedIn ``formatted_work_type``, LinkedIn 2018
  ``employment_type``, JobSpy ``job_type``, Remotive ``job_type`` (freelance = contract;
  Volunteer, Other and empty are unknown and not counted). Labelled = postings whose
  title or description names the gold type at all ("full-time", "part time", "contract",
  "freelance", "intern", "temporary", ...); recall is over those. Extracted and correct
  count over every posting with a gold type.
* level -- gold: LinkedIn ``formatted_experience_level``, LinkedIn 2018 ``seniority``,
  Jobicy ``job_level``, mapped to the ladder as: Internship -> intern, Entry level ->
  entry, Associate -> entry or mid, Mid-Senior level -> mid or senior, Director -> manager
  or principal, Executive -> manager; Jobicy Entry-Level/Junior -> entry, Midweight -> mid,
  Senior -> senior, Director -> manager or principal; Not Applicable, Any and empty are
  unknown and not counted.

For level, labelled, extracted and correct count over postings with a gold level.
The ``all`` rows add up the datasets; their extracted and correct count only datasets
whose gold has negatives, so that their precision is one.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

try:
    from search.ingest.htmltext import html_to_text
    from search.ingest.postings import build_posting
    from search.ingest.records import RawRecord
    from search.model import JobPosting, Pay
except ModuleNotFoundError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from search.ingest.htmltext import html_to_text
    from search.ingest.postings import build_posting
    from search.ingest.records import RawRecord
    from search.model import JobPosting, Pay

FACTS = ("remote", "pay", "pay_agreed", "employment_type", "level")
TOLERANCE = 0.01
csv.field_size_limit(10**8)

_MENTIONS_REMOTE = re.compile(
    r"remote|work(?:ing)?[- ]from[- ](?:home|anywhere)|telecommut|\bwfh\b", re.IGNORECASE
)
_NAMES_TYPE = {
    "full-time": re.compile(r"full[- ]?time", re.IGNORECASE),
    "part-time": re.compile(r"part[- ]?time", re.IGNORECASE),
    "contract": re.compile(r"contract|freelanc|1099", re.IGNORECASE),
    "internship": re.compile(r"intern(?!al|ation)", re.IGNORECASE),
    "temporary": re.compile(r"temporary|\btemp\b|seasonal|fixed[- ]term", re.IGNORECASE),
}
_PERIODS = {"yearly": "year", "hourly": "hour", "monthly": "month", "weekly": "week"}
_PERIODS.update({"daily": "day", "biweekly": "", "once": ""})
_TYPES = {
    "full-time": "full-time",
    "fulltime": "full-time",
    "full_time": "full-time",
    "part-time": "part-time",
    "parttime": "part-time",
    "part_time": "part-time",
    "contract": "contract",
    "freelance": "contract",
    "internship": "internship",
    "temporary": "temporary",
}
_LEVELS: dict[str, frozenset[str]] = {
    "internship": frozenset({"intern"}),
    "entry level": frozenset({"entry"}),
    "associate": frozenset({"entry", "mid"}),
    "mid-senior level": frozenset({"mid", "senior"}),
    "director": frozenset({"manager", "principal"}),
    "executive": frozenset({"manager"}),
    "entry-level, junior": frozenset({"entry"}),
    "midweight": frozenset({"mid"}),
    "senior": frozenset({"senior"}),
}


@dataclass(frozen=True, slots=True)
class GoldPay:
    low: float | None
    high: float | None
    period: str
    currency: str | None


@dataclass(slots=True)
class Gold:
    """What a dataset's own columns say; None where they say nothing."""

    remote: bool | None = None
    pay: GoldPay | None = None
    employment_type: str | None = None
    level: frozenset[str] | None = None


@dataclass(slots=True)
class Tally:
    labelled: int = 0
    extracted: int = 0
    correct: int = 0
    #: Correct answers among the labelled postings (the recall's numerator).
    found: int = 0
    #: Whether the gold has negatives, so that a precision means something.
    negatives: bool = False
    errors: list[str] = field(default_factory=list)


Item = tuple[dict[str, str], Gold]


def _rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(newline="", encoding=encoding) as handle:
        return list(csv.DictReader(handle))


def _number(text: str | None) -> float | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return value if value > 0 else None


def _gold_pay(low: str, high: str, single: str, period: str, currency: str) -> GoldPay | None:
    name = _PERIODS.get(period.strip().lower())
    lo, hi, one = _number(low), _number(high), _number(single)
    if not name or (lo is None and hi is None and one is None):
        return None
    if lo is None and hi is None:
        lo = hi = one
    return GoldPay(lo, hi, name, currency.strip() or None)


def _fields(title: str, description: str, location: str = "", company: str = "") -> dict[str, str]:
    given = {"title": title, "description": description, "location": location, "company": company}
    return {k: v.strip() for k, v in given.items() if v and v.strip()}


def linkedin_arshkon(folder: Path, name: str) -> Iterator[Item]:
    for row in _rows(folder / "linkedin_arshkon" / name):
        gold = Gold(
            remote=True if row["remote_allowed"].strip() == "1.0" else None,
            pay=_gold_pay(
                row["min_salary"],
                row["max_salary"],
                row["med_salary"],
                row["pay_period"],
                row["currency"],
            ),
            employment_type=_TYPES.get(row["formatted_work_type"].strip().lower()),
            level=_LEVELS.get(row["formatted_experience_level"].strip().lower()),
        )
        fields = _fields(
            row["title"], row["description"], row["location"], row.get("company_name", "")
        )
        yield fields, gold


def linkedin_2018(folder: Path, name: str) -> Iterator[Item]:
    for row in _rows(folder / "linkedin_indeed_2018" / name):
        gold = Gold(
            employment_type=_TYPES.get(row["employment_type"].strip().lower()),
            level=_LEVELS.get(row["seniority"].strip().lower()),
        )
        yield _fields(row["title"], row["description"], row["location"], row["company"]), gold


def jobspy(folder: Path, name: str) -> Iterator[Item]:
    for row in _rows(folder / "jobspy" / name):
        remote = row.get("is_remote", "").strip()
        gold = Gold(
            remote={"True": True, "False": False}.get(remote),
            pay=_gold_pay(
                row["min_amount"], row["max_amount"], "", row["interval"], row["currency"]
            ),
            employment_type=_TYPES.get(row["job_type"].strip().lower()),
            level=_LEVELS.get((row.get("job_level") or "").strip().lower()),
        )
        yield _fields(row["title"], row["description"], row["location"], row["company"]), gold


def naukri(folder: Path) -> Iterator[Item]:
    remote = {"temp.wfh": True, "permanent remote": True, "work from office": False}
    remote["hybrid"] = False
    for row in _rows(folder / "naukri" / "Naukri_Data_Analyst_Jobs.csv", "utf-8-sig"):
        text = f"{row['Description']}\n{row['Key Skills']}"
        gold = Gold(remote=remote.get(row["Job Type"].strip().lower()))
        yield _fields(row["Job Role"], text, row["Location"], row["Company"]), gold


def remote_board(folder: Path, name: str) -> Iterator[Item]:
    jobs = json.loads((folder / "remote_boards" / name).read_text(encoding="utf-8"))
    for job in jobs:
        if "legal" in job:
            continue
        title = job.get("position") or job.get("title") or ""
        raw = job.get("description") or ""
        text = html_to_text(raw) if "<" in raw else raw
        gold = Gold(remote=True)
        if name == "remotive_jobs.json":
            gold.employment_type = _TYPES.get((job.get("job_type") or "").lower())
        if name == "jobicy_jobs.json":
            gold.level = _LEVELS.get((job.get("job_level") or "").lower())
        yield _fields(title, text, job.get("location") or "", job.get("company") or ""), gold


def datasets(folder: Path) -> dict[str, Callable[[], Iterator[Item]]]:
    return {
        "linkedin_arshkon": lambda: linkedin_arshkon(folder, "postings_sample.csv"),
        "linkedin_2023": lambda: linkedin_arshkon(folder, "job_postings_2023_sample.csv"),
        "linkedin_2018_da": lambda: linkedin_2018(folder, "DataAnalyst.csv"),
        "linkedin_2018_ds": lambda: linkedin_2018(folder, "DataScientist.csv"),
        "jobspy_us": lambda: jobspy(folder, "tothetop430_jobs.csv"),
        "jobspy_fr": lambda: jobspy(folder, "fr_jobspy_jobs.csv"),
        "naukri": lambda: naukri(folder),
        "remoteok": lambda: remote_board(folder, "remoteok.json"),
        "remotive": lambda: remote_board(folder, "remotive_jobs.json"),
        "jobicy": lambda: remote_board(folder, "jobicy_jobs.json"),
    }


def _forms(value: float) -> list[str]:
    """The usual ways a figure is written: 140000, 140,000, 140K, 140.000; 44.00, 44."""
    if value >= 1000:
        whole = round(value)
        forms = [str(whole), f"{whole:,}", f"{whole:,}".replace(",", ".")]
        if whole % 1000 == 0:
            forms += [f"{whole // 1000}k", f"{whole // 1000} k"]
        elif whole % 100 == 0:
            forms += [f"{whole / 1000:.1f}k"]
        return [re.escape(f) for f in forms]
    cents = f"{value:.2f}"
    forms = [re.escape(cents)]
    if value == int(value):
        forms.append(str(int(value)))
    return forms


#: What makes a figure under 1,000 a sum of money: a sign before it, or a currency or a
#: single period after it ("44/hr", "44 per hour", "44 an hour"; not "40 hours").
_SMALL_AFTER = (
    r"\s*(?:usd|dollars?\b|(?:/\s?|per\s|an?\s)(?:h\b|hr\b|hour\b|month\b|mo\b|week\b"
    r"|wk\b|day\b|year\b|yr\b)|hourly\b)"
)


def text_states_pay(text: str, gold: GoldPay, every: bool = False) -> bool:
    """Whether a gold figure (``every``: each gold figure) stands in the text as a number
    of its own (not inside a larger one, cents allowed); a figure under 1,000 only next
    to a currency sign or with a currency or a period after it."""
    low = text.lower()
    found = []
    for value in {v for v in (gold.low, gold.high) if v is not None}:
        body = "|".join(_forms(value))
        number = rf"(?<![\d.,])(?:{body})(?:[.,]\d\d)?(?![\d]|[.,]\d)"
        if value < 1000:
            number = rf"(?:[$£€]\s?{number}|{number}(?={_SMALL_AFTER}))"
        found.append(re.search(number, low) is not None)
    return all(found) if every else any(found)


def _near(found: float | None, want: float | None) -> bool:
    return found is not None and want is not None and abs(found - want) <= TOLERANCE * want


def pay_correct(pay: Pay, gold: GoldPay) -> bool:
    """Same period and currency, each end within 1%; an upper bound as the docstring says."""
    if pay.period != gold.period or (gold.currency and pay.currency != gold.currency):
        return False
    low = gold.low if gold.low is not None else gold.high
    high = gold.high if gold.high is not None else gold.low
    if pay.min is None:
        return _near(pay.max, high) and (gold.low is None or gold.low == gold.high)
    return _near(pay.min, low) and _near(pay.max, high)


def _pay_text(pay: Pay | None) -> str:
    if pay is None:
        return "None"
    return f"{pay.min}-{pay.max} {pay.currency}/{pay.period} «{pay.text[-80:]}»"


def score(items: Iterator[Item]) -> dict[str, Tally]:
    tallies = {fact: Tally() for fact in FACTS}
    for fields, gold in items:
        if "description" not in fields:
            continue
        posting = build_posting(RawRecord(fields, "heldout", 1))
        _score_one(fields, gold, posting, tallies)
    return tallies


def _score_one(
    fields: dict[str, str], gold: Gold, posting: JobPosting, t: dict[str, Tally]
) -> None:
    title = fields.get("title", "")
    if gold.remote is not None:
        said = " ".join(fields.get(k, "") for k in ("title", "description", "location"))
        mentions = bool(_MENTIONS_REMOTE.search(said))
        tally = t["remote"]
        tally.labelled += gold.remote and mentions
        tally.extracted += posting.remote
        right = posting.remote == gold.remote
        tally.correct += posting.remote and right
        tally.found += posting.remote and right and mentions
        tally.negatives |= not gold.remote
        if not right and (mentions or posting.remote):
            tally.errors.append(f"{title}\tgold={gold.remote}\tfound={posting.remote}")
    if gold.pay is not None:
        tally = t["pay"]
        stated = text_states_pay(fields["description"], gold.pay)
        tally.labelled += stated
        tally.extracted += posting.pay is not None
        right = posting.pay is not None and pay_correct(posting.pay, gold.pay)
        tally.correct += right
        tally.found += right and stated
        tally.negatives = True
        if text_states_pay(fields["description"], gold.pay, every=True):
            agreed = t["pay_agreed"]
            agreed.labelled += 1
            agreed.extracted += posting.pay is not None
            agreed.correct += right
            agreed.found += right
            agreed.negatives = True
        if not right and (stated or posting.pay is not None):
            tally.errors.append(f"{title}\tgold={gold.pay}\tfound={_pay_text(posting.pay)}")
    for fact, want in (("employment_type", gold.employment_type), ("level", gold.level)):
        if want is None:
            continue
        found = getattr(posting, fact)
        tally = t[fact]
        named = True
        if isinstance(want, str):
            named = bool(_NAMES_TYPE[want].search(f"{title}\n{fields['description']}"))
        tally.labelled += named
        tally.extracted += found is not None
        right = found is not None and (
            found in want if isinstance(want, frozenset) else found == want
        )
        tally.correct += right
        tally.found += right and named
        tally.negatives = True
        if not right and found is not None:
            shown = "/".join(sorted(want)) if isinstance(want, frozenset) else want
            tally.errors.append(f"{title}\tgold={shown}\tfound={found}")


def _rate(num: int, den: int) -> str:
    return f"{num / den:.2f}" if den else "   —"


def _line(name: str, fact: str, t: Tally) -> str:
    precision = _rate(t.correct, t.extracted) if t.negatives else "   —"
    return (
        f"| {name} | {fact} | {t.labelled} | {t.extracted} | {t.correct} "
        f"| {precision} | {_rate(t.found, t.labelled)} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the held-out folder (as /work/heldout)")
    parser.add_argument("--errors", choices=FACTS, help="list the disagreements on a fact")
    parser.add_argument("--dataset", action="append", help="only these datasets")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder", file=sys.stderr)
        return 1
    totals = {fact: Tally() for fact in FACTS}
    print("| dataset | fact | labelled | extracted | correct | precision | recall |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, items in datasets(args.folder).items():
        if args.dataset and name not in args.dataset:
            continue
        for fact, tally in score(items()).items():
            if tally.labelled or tally.extracted:
                print(_line(name, fact, tally))
            total = totals[fact]
            total.labelled += tally.labelled
            total.found += tally.found
            if tally.negatives:  # precision only where the gold can say no
                total.extracted += tally.extracted
                total.correct += tally.correct
                total.negatives = True
            if args.errors == fact:
                for line in tally.errors:
                    print(f"  {name}\t{line}", file=sys.stderr)
    for fact, tally in totals.items():
        print(_line("all", fact, tally))
    return 0


if __name__ == "__main__":
    sys.exit(main())
