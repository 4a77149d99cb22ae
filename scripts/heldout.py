"""The extracted facts measured on held-out exports from other job sites.

    python scripts/heldout.py DIR [--dataset NAME ...] [--tables] [--errors]

DIR holds the files named in scripts/heldout.toml (fetched from their repositories at the
commits given there; they are not part of this repository). Each file's git blob id is
checked first, so the figures are always of the same bytes. Prints one summary row per
dataset (the figures the README carries), then with ``--tables`` each dataset's full table
(``jobsearch evaluate --facts --gold``), with ``--errors`` every disagreement.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from search.goldcheck import GoldReport, gold_table, measure_gold, miss_line, parse_gold_map

MANIFEST = Path(__file__).with_suffix(".toml")
#: Where the files are looked for when no folder is given: beside the checkout.
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "heldout"


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    site: str
    file: str
    blob: str
    map: tuple[str, ...]


def datasets() -> list[Dataset]:
    raw = tomllib.loads(MANIFEST.read_text("utf-8"))
    return [
        Dataset(name, spec["site"], spec["file"], spec["blob"], tuple(spec["map"]))
        for name, spec in raw.items()
    ]


def blob_id(path: Path) -> str:
    """The git blob id of a file (``git hash-object``)."""
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def problem(folder: Path, dataset: Dataset) -> str:
    """Why a dataset cannot be measured from ``folder`` ("" when it can)."""
    path = folder / dataset.file
    if not path.is_file():
        return f"{path} not found"
    if blob_id(path) != dataset.blob:
        return f"{path} is not the file measured (git blob {blob_id(path)} != {dataset.blob})"
    return ""


def measure(folder: Path, dataset: Dataset) -> GoldReport:
    return measure_gold(folder / dataset.file, parse_gold_map(dataset.map))


def _cell(report: GoldReport, fact: str, mode: str, stated: bool = False) -> str:
    """ "precision / recall (rows)": over the labelled rows, or over those whose own
    text states the fact."""
    score = report.scores.get((fact, mode))
    if score is None or not score.labelled:
        return "—"
    if stated:
        precision, recall, base = score.stated_precision, score.stated_recall, score.stated
    else:
        precision, recall, base = score.precision, score.recall, score.labelled
    if recall is None:
        return "—"
    shown = "—" if precision is None else f"{precision:.2f}"
    return f"{shown} / {recall:.2f} ({base})"


#: Summary columns: (heading, fact, mode, on the rows whose text states it).
SUMMARY: tuple[tuple[str, str, str, bool], ...] = (
    ("city", "city", "text", False),
    ("city with coordinates", "coordinates", "text", False),
    ("remote (text says so)", "remote", "text", True),
    ("pay (text states it)", "pay", "text", True),
    ("pay as indexed", "pay", "indexed", False),
    ("type (text says so)", "employment_type", "text", True),
    ("level from text", "level", "text", False),
    ("company", "company", "indexed", False),
)


def summary(reports: dict[str, GoldReport]) -> str:
    """Precision / recall (rows judged) per dataset and fact, as a Markdown table."""
    head = "| dataset | rows | " + " | ".join(h for h, *_ in SUMMARY) + " |"
    lines = [head, "|---|---:|" + "---|" * len(SUMMARY)]
    for name, report in reports.items():
        cells = [_cell(report, fact, mode, stated) for _, fact, mode, stated in SUMMARY]
        lines.append(f"| {name} | {report.rows} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/heldout.py", description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--dataset", action="append", default=[], help="only this one")
    parser.add_argument("--tables", action="store_true", help="each dataset's full table")
    parser.add_argument("--errors", action="store_true", help="every disagreement")
    args = parser.parse_args(argv)
    chosen = [d for d in datasets() if not args.dataset or d.name in args.dataset]
    reports: dict[str, GoldReport] = {}
    for dataset in chosen:
        why = problem(args.folder, dataset)
        if why:
            print(f"{dataset.name}: skipped: {why}", file=sys.stderr)
            continue
        reports[dataset.name] = measure(args.folder, dataset)
    if not reports:
        print("no held-out file found: see scripts/heldout.toml", file=sys.stderr)
        return 1
    print("precision / recall (rows judged)\n")
    print(summary(reports))
    for name, report in reports.items():
        if args.tables or args.errors:
            print(f"\n## {name}: {report.rows} rows\n")
            print(gold_table(report))
        if args.errors:
            print("\n".join(miss_line(miss) for miss in report.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
