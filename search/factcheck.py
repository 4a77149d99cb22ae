"""Measured facts: how often the extractors answer, and how often they are right.

``tests/data/judged_facts.jsonl`` holds postings of the shared corpus with their facts
labelled by reading them (pay, workplace, years of experience, degree, employment type,
level; null where the posting does not say). This module runs the extractors over those
postings and compares, per fact:

* judged    -- postings in the sample;
* labelled  -- postings whose label is not null (the posting states the fact);
* extracted -- postings for which the extractor gives an answer (not None);
* correct   -- extracted answers equal to the label; for pay: same currency and period,
  and minimum and maximum each within 1% of the label's;
* coverage  = extracted / judged: how often a filter on the fact can see a posting;
* precision = correct / extracted: how often an answer is right (a wrong answer where
  the label is null counts against it: the posting does not say, the extractor invented);
* recall    = correct / labelled: how many stated facts are found.

``python -m search.factcheck [--corpus PATH] [--judged PATH] [--errors] [--corpus-wide]
[--timing]`` prints the table (``--errors`` lists every disagreement, ``--corpus-wide``
adds each fact's coverage over the whole corpus, ``--timing`` the cost of each extractor
per posting over the corpus, called one after the other as the indexer calls them).
``measure()`` returns the figures, which tests/test_factcheck.py holds as floors.

The extractors see what the indexer gives them: the description, plus the location
string and title for the workplace, and the title for employment type and level.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.extract.experience import extract_degree, extract_experience
from search.extract.pay import extract_pay
from search.extract.roles import classify_employment_type, classify_level, extract_title
from search.extract.skills import extract_skills
from search.extract.workplace import extract_workplace
from search.ingest.postings import build_posting
from search.ingest.records import RawRecord
from search.model import Pay

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "jobs.jsonl.gz"
JUDGED = ROOT / "tests" / "data" / "judged_facts.jsonl"

#: The facts measured, in the order the table shows them.
FACTS: tuple[str, ...] = (
    "pay",
    "workplace",
    "experience_years",
    "degree",
    "employment_type",
    "level",
)
#: How far a pay figure may be from the label and still count as the same (1%).
PAY_TOLERANCE = 0.01

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FactScore:
    """The counts for one fact; the rates are derived, and None when undefined."""

    fact: str
    judged: int
    labelled: int
    extracted: int
    correct: int

    @property
    def coverage(self) -> float | None:
        return self.extracted / self.judged if self.judged else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.extracted if self.extracted else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.labelled if self.labelled else None


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One posting where the extractor and the label differ."""

    fact: str
    id: str
    title: str
    extracted: object
    labelled: object


def _extract(row: Row) -> dict[str, object]:
    """Every fact the indexer extracts from one corpus row (``build_posting`` itself, so
    the figures are the index's own)."""
    fields = {key: str(value) for key, value in row.items() if value}
    posting = build_posting(RawRecord(fields, "judged", 1))
    return {fact: getattr(posting, fact) for fact in FACTS}


def _pay_equal(found: object, label: object) -> bool:
    """Same currency and period, minimum and maximum within ``PAY_TOLERANCE``."""
    if not isinstance(found, Pay) or not isinstance(label, dict):
        return False
    if found.currency != label.get("currency") or found.period != label.get("period"):
        return False
    return all(
        value is not None and abs(value - label[end]) <= PAY_TOLERANCE * abs(label[end])
        for value, end in ((found.min, "min"), (found.max, "max"))
    )


def _equal(fact: str, found: object, label: object) -> bool:
    return _pay_equal(found, label) if fact == "pay" else found == label


def read_judged(path: Path = JUDGED) -> list[Row]:
    """The judged records (the first line, ``{"_about": ...}``, describes the file)."""
    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    return [r for r in records if "_about" not in r]


def read_corpus(path: Path = CORPUS, ids: set[str] | None = None) -> Iterator[Row]:
    """Corpus rows, all of them or only those whose id is in ``ids``."""
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if ids is None or row.get("id") in ids:
                yield row


def compare(
    judged: Sequence[Row], rows: dict[str, Row]
) -> tuple[tuple[FactScore, ...], list[Disagreement]]:
    """Scores per fact, and every disagreement, for judged records found in ``rows``."""
    counts = {fact: [0, 0, 0, 0] for fact in FACTS}  # judged, labelled, extracted, correct
    wrong: list[Disagreement] = []
    for record in judged:
        row = rows.get(record["id"])
        if row is None:
            continue
        found = _extract(row)
        for fact in FACTS:
            label, answer = record.get(fact), found[fact]
            tally = counts[fact]
            tally[0] += 1
            tally[1] += label is not None
            tally[2] += answer is not None
            if answer is not None and _equal(fact, answer, label):
                tally[3] += 1
            elif answer is not None or label is not None:
                wrong.append(Disagreement(fact, record["id"], row.get("title", ""), answer, label))
    scores = tuple(FactScore(fact, *counts[fact]) for fact in FACTS)
    return scores, wrong


def measure(corpus: Path = CORPUS, judged: Path = JUDGED) -> tuple[FactScore, ...]:
    """The scores of the extractors on the judged sample (FileNotFoundError if absent)."""
    return _measured(corpus, judged)[0]


def _measured(corpus: Path, judged: Path) -> tuple[tuple[FactScore, ...], list[Disagreement], int]:
    """The scores, the disagreements, and how many judged postings the corpus lacks."""
    records = read_judged(judged)
    rows = {row["id"]: row for row in read_corpus(corpus, {r["id"] for r in records})}
    scores, wrong = compare(records, rows)
    return scores, wrong, len(records) - len(rows)


def corpus_coverage(corpus: Path = CORPUS) -> dict[str, float]:
    """The share of all corpus postings for which each fact is extracted."""
    seen = 0
    found = dict.fromkeys(FACTS, 0)
    for row in read_corpus(corpus):
        seen += 1
        for fact, answer in _extract(row).items():
            found[fact] += answer is not None
    return {fact: found[fact] / seen for fact in FACTS} if seen else {}


#: The extractors timed by ``timing``, in the order the indexer calls them; the last
#: four are the facts issue 9 added, the others are timed for comparison.
_TIMED: tuple[tuple[str, Callable[[Row, str], object]], ...] = (
    ("level", lambda row, title: classify_level(title, row["description"])),
    ("employment_type", lambda row, title: classify_employment_type(title, row["description"])),
    ("skills", lambda row, title: extract_skills(f"{title}\n{row['description']}")),
    ("pay", lambda row, title: extract_pay(row["description"])),
    ("workplace", lambda row, title: extract_workplace(row["location"], row["description"], title)),
    ("experience_years", lambda row, title: extract_experience(row["description"])),
    ("degree", lambda row, title: extract_degree(row["description"])),
)


def timing(corpus: Path = CORPUS, rounds: int = 2) -> dict[str, float]:
    """Microseconds per posting for each extractor over the corpus (best of ``rounds``).

    CPU time of this process, so that other work on the machine counts less than it would
    in wall-clock time.
    """
    rows = list(read_corpus(corpus))
    titles = [extract_title(row.get("title"), row["description"]) for row in rows]
    best = {name: float("inf") for name, _ in _TIMED}
    for _ in range(rounds):
        spent = dict.fromkeys(best, 0.0)
        for row, title in zip(rows, titles, strict=True):
            for name, extract in _TIMED:
                start = time.process_time()
                extract(row, title)
                spent[name] += time.process_time() - start
        best = {name: min(best[name], spent[name]) for name in best}
    return {name: seconds / max(len(rows), 1) * 1e6 for name, seconds in best.items()}


def _rate(value: float | None) -> str:
    return "   —" if value is None else f"{value:.2f}"


def table(scores: Sequence[FactScore], wide: dict[str, float] | None = None) -> str:
    """The scores as a Markdown table, ready for the README."""
    head = "| fact | judged | labelled | extracted | correct | coverage | precision | recall |"
    rule = "|---|---:|---:|---:|---:|---:|---:|---:|"
    if wide is not None:
        head += " corpus coverage |"
        rule += "---:|"
    lines = [head, rule]
    for s in scores:
        line = (
            f"| {s.fact} | {s.judged} | {s.labelled} | {s.extracted} | {s.correct} "
            f"| {_rate(s.coverage)} | {_rate(s.precision)} | {_rate(s.recall)} |"
        )
        if wide is not None:
            line += f" {_rate(wide.get(s.fact))} |"
        lines.append(line)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the table; exit status 1 when the corpus or the judged file is missing."""
    parser = argparse.ArgumentParser(prog="python -m search.factcheck", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="jobs.jsonl(.gz)")
    parser.add_argument("--judged", type=Path, default=JUDGED, help="judged_facts.jsonl")
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    parser.add_argument("--corpus-wide", action="store_true", help="add corpus coverage")
    parser.add_argument("--timing", action="store_true", help="µs per posting per extractor")
    args = parser.parse_args(argv)
    for path in (args.corpus, args.judged):
        if not path.exists():
            print(f"factcheck: {path} not found", file=sys.stderr)
            return 1
    scores, wrong, missing = _measured(args.corpus, args.judged)
    wide = corpus_coverage(args.corpus) if args.corpus_wide else None
    print(table(scores, wide))
    if missing:
        print(f"\n{missing} judged postings are not in {args.corpus}", file=sys.stderr)
    if args.errors:
        for w in wrong:
            print(f"{w.fact}\t{w.id}\t{w.title}\textracted={w.extracted!r}\tlabel={w.labelled!r}")
    if args.timing:
        spent = timing(args.corpus)
        print("\n| extractor | µs per posting |\n|---|---:|")
        for name, micros in spent.items():
            print(f"| {name} | {micros:.0f} |")
        added = sum(spent[name] for name in ("pay", "workplace", "experience_years", "degree"))
        print(f"| pay + workplace + years + degree | {added:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
