"""Every filter's total on a cluster index beside the embedded engine's, on the corpus.

    python scripts/cluster.py start
    python scripts/cluster_parity.py --cluster "$(python scripts/cluster.py url -c parity)"

indexes the corpus (``--corpus``, default ../shared/corpus/jobs.jsonl.gz) into the
cluster collection and into an embedded index in a temporary folder (or uses
``--embedded DIR`` and, with ``--no-index``, the collection as it is), then runs each
filter (city, country, skill, level, type, workplace, company, salary, years, since,
radius) over a set of values, with and without a few queries, on both, and prints one
row per filter value: the totals of each query on both engines, ``=`` where they agree.
Below the table, every difference with what each side noted, and the reason when one
is known (``REASONS``). Exit status 1 when any total differs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from search import JobIndex, load_postings
from search.cluster import writer
from search.cluster.url import mask
from search.results import SearchResults

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "jobs.jsonl.gz"
QUERIES = ("", "engineer", "machine learning", "python developer")
FILTERS: list[tuple[str, list[dict[str, Any]]]] = [
    ("city", [{"city": v} for v in ("San Francisco", "Seattle, WA", "NYC", "London", "Bangalore")]),
    ("country", [{"country": v} for v in ("US", "GB", "DE", "India", "CA")]),
    ("skill", [{"skill": v} for v in ("python", "machine learning", "k8s", "sql", "NLP")]),
    ("level", [{"level": v} for v in ("intern", "entry", "senior", "principal", "manager")]),
    ("type", [{"employment_type": v} for v in ("full-time", "contract", "internship")]),
    ("workplace", [{"workplace": v} for v in ("remote", "hybrid", "onsite")]),
    ("company", [{"company": v} for v in ("Crusoe", "lilt", "uipath")]),
    (
        "salary",
        [
            {"salary_min": "100k", "currency": "USD"},
            {"salary_min": "200k", "currency": "USD"},
            {"salary_min": "150k", "currency": "USD", "estimates": True},
            {"salary_min": "50000", "currency": "EUR"},
        ],
    ),
    ("years", [{"max_years": v} for v in ("1", "3", "5")]),
    ("since", [{"since": v} for v in ("30d", "2024-01-01")]),
    (
        "radius",
        [
            {"near": "Palo Alto, CA", "radius_km": "20km"},
            {"near": "Seattle, WA", "radius_km": "30mi"},
            {"near": "London", "radius_km": "25km"},
        ],
    ),
    ("exclude", [{"exclude_company": "Crusoe"}, {"exclude": ["crypto"]}]),
]
#: Queries run with no filter: words the embedded engine reads as conditions, a phrase
#: that is not a skill, operators, a misspelling.
MORE_QUERIES = (
    "senior engineer berlin",
    "remote python",
    "intern",
    '"data platform"',
    '"product manager"',
    '"distributed systems engineer"',
    "python OR rust",
    "kubernetes -aws",
    "reinforcment lerning",
)
#: Why a total may differ, by a note the cluster adds.
REASONS = {
    "was matched as all of its words": "a phrase on a field without word pairs is matched "
    "as all its words on the cluster (no word positions)",
    "was matched as its pairs of words": "a phrase of three words or more is matched as its "
    "pairs of words on the cluster, which may stand apart; the embedded engine checks the text",
    "showing close spellings": "the cluster corrects a misspelling with Typesense's typo "
    "tolerance; the embedded engine searches its own suggested spelling",
}
#: Why a total may differ, by a note the embedded engine adds.
EMBEDDED_REASONS = {
    "postings holding its words": "the embedded engine checks a phrase in at most 5,000 of "
    "the postings holding its words (its note); the cluster checks every one",
}


def _label(options: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in options.items())


def _search(index: JobIndex, text: str, options: dict[str, Any]) -> SearchResults:
    return index.search(text, limit=1, facets=False, **options)


def _reason(mine: SearchResults, real: SearchResults) -> str:
    for said, why in REASONS.items():
        if any(said in note for note in mine.notes):
            return why
    for said, why in EMBEDDED_REASONS.items():
        if any(said in note for note in real.notes):
            return why
    if real.read_as and not mine.read_as:
        return f"the embedded engine read the words as {real.read_as!r}; the cluster does not"
    return "unexplained"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cluster", required=True, help="typesense://KEY@HOST:PORT,.../NAME")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--embedded", type=Path, help="an embedded index of the corpus")
    parser.add_argument(
        "--no-index", action="store_true", help="use the cluster collection as it is"
    )
    args = parser.parse_args(argv)
    shown = mask(args.cluster)
    if not args.no_index:
        print(f"indexing {args.corpus} into {shown} (a rebuild)", file=sys.stderr)
        writer.rebuild(args.cluster, load_postings(args.corpus))
    with tempfile.TemporaryDirectory(prefix="parity-") as tmp:
        embedded = args.embedded
        if embedded is None:
            embedded = Path(tmp) / "index"
            print(f"indexing {args.corpus} into an embedded index", file=sys.stderr)
            with JobIndex.create(embedded) as index:
                index.add(load_postings(args.corpus))
        return _compare(JobIndex.open(args.cluster), JobIndex.open(embedded), shown)


def _compare(cluster: JobIndex, embedded: JobIndex, shown: str) -> int:
    print(f"cluster {shown} ({len(cluster):,} postings) beside the embedded engine")
    heads = [repr(q) for q in QUERIES]
    print(f"| filter | value | {' | '.join(heads)} |")
    print("|---|---|" + "---|" * len(QUERIES))
    differences: list[str] = []
    rows = agreeing = 0
    for name, values in FILTERS:
        for options in values:
            cells = []
            for text in QUERIES:
                mine, real = _search(cluster, text, options), _search(embedded, text, options)
                rows += 1
                if mine.total == real.total:
                    agreeing += 1
                    cells.append(f"{real.total:,} =")
                    continue
                cells.append(f"**{mine.total:,} vs {real.total:,}**")
                differences.append(
                    f"- {name} {_label(options)} q={text!r}: cluster {mine.total:,}, embedded "
                    f"{real.total:,}; {_reason(mine, real)} (cluster notes: {list(mine.notes)}; "
                    f"embedded notes: {list(real.notes)})"
                )
            print(f"| {name} | {_label(options)} | {' | '.join(cells)} |")
    print("\n| query, no filter | cluster | embedded |\n|---|---|---|")
    for text in MORE_QUERIES:
        mine, real = _search(cluster, text, {}), _search(embedded, text, {})
        rows += 1
        agreeing += mine.total == real.total
        same = "=" if mine.total == real.total else "**differs**"
        print(f"| {text} | {mine.total:,} {same} | {real.total:,} |")
        if mine.total != real.total:
            differences.append(
                f"- q={text!r}: cluster {mine.total:,}, embedded {real.total:,}; "
                f"{_reason(mine, real)} (cluster notes: {list(mine.notes)}; "
                f"embedded notes: {list(real.notes)})"
            )
    print(f"\n{agreeing} of {rows} totals agree (cells: cluster vs embedded when they differ)")
    for line in differences:
        print(line)
    cluster.close()
    embedded.close()
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
