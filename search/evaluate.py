"""Measured relevance: our ranking next to plain BM25 over a judged query set.

The judged set lives in ``tests/relevance/``: ``judgments.jsonl`` (one query a line, with
its filters and graded judgments 0-3 of the postings it should find), ``corpus_slice.txt``
(the ids of the fixed corpus slice the ``slice`` queries run over) and ``recorded.json``
(the figures the tests hold the ranking to). Both systems run over the same index in the
same process, so a change to the ranking shows up as a change of the figures next to an
unchanged baseline.

Two collections, two indexes: ``sample`` (the 10 postings in ``data/``, always present)
and ``slice`` (a fixed ~1,400-posting part of the corpus, skipped when the corpus is
absent). Sample queries never see corpus postings, so their figures do not depend on
whether the corpus is there.

The baseline is plain BM25 over title and description (``search.query.baseline``).

``python -m search.evaluate`` prints the table; ``--record`` rewrites ``recorded.json``
after an intended ranking change; ``--pool QID`` lists unjudged postings in the top 20 of
either system, for judging them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search.ingest.postings import load_postings
from search.jobindex import JobIndex
from search.results import Filters

ROOT = Path(__file__).resolve().parents[1]
RELEVANCE = ROOT / "tests" / "relevance"
JUDGMENTS = RELEVANCE / "judgments.jsonl"
SLICE_IDS = RELEVANCE / "corpus_slice.txt"
RECORDED = RELEVANCE / "recorded.json"
SAMPLE_DATA = ROOT / "data"
CORPUS = ROOT.parent / "shared" / "corpus" / "jobs.jsonl.gz"

K = 10
#: A grade at or above this counts as relevant for MRR and P@10 (2 = good, 3 = perfect).
RELEVANT = 2
SYSTEMS = ("ours", "bm25")
METRICS = ("ndcg@10", "mrr", "p@10")
COLLECTIONS = ("sample", "slice")

Ranker = Callable[[JobIndex, str, Mapping[str, Any], int], list[str]]


# -- metrics ----------------------------------------------------------------------------


def dcg(grades: Sequence[int], k: int = K) -> float:
    """Discounted cumulative gain of the first ``k`` grades: sum of (2^g - 1) / log2(rank + 1).

    The exponential gain makes a perfect answer worth much more than a partial one, which
    is what a job seeker scanning ten results feels.
    """
    return sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(grades[:k]))


def ndcg(ranked: Sequence[int], judged: Sequence[int], k: int = K) -> float:
    """DCG of the ranking over the DCG of the best ordering of every judged grade.

    ``ranked`` are the grades of the returned postings in order (unjudged = 0); ``judged``
    are all grades judged for the query, so a relevant posting the ranking never returned
    still lowers the score. 0.0 when nothing judged is relevant at all.
    """
    ideal = dcg(sorted(judged, reverse=True), k)
    return dcg(ranked, k) / ideal if ideal > 0 else 0.0


def reciprocal_rank(ranked: Sequence[int], threshold: int = RELEVANT) -> float:
    """1 / rank of the first posting graded ``threshold`` or more; 0.0 if none is."""
    for rank, grade in enumerate(ranked, start=1):
        if grade >= threshold:
            return 1.0 / rank
    return 0.0


def precision(ranked: Sequence[int], k: int = K, threshold: int = RELEVANT) -> float:
    """Share of the first ``k`` slots holding a relevant posting (empty slots count as misses)."""
    return sum(1 for g in ranked[:k] if g >= threshold) / k


def scores(ranked: Sequence[int], judged: Sequence[int]) -> dict[str, float]:
    """The three figures for one query, keyed as in ``METRICS``."""
    return {
        "ndcg@10": ndcg(ranked, judged),
        "mrr": reciprocal_rank(ranked),
        "p@10": precision(ranked),
    }


# -- judgments --------------------------------------------------------------------------


@dataclass(frozen=True)
class Judgment:
    """One judged query: its text, its filters (``JobIndex.search`` keywords) and grades.

    Grades: 3 = exactly what the query asks for, 2 = a good match, 1 = related but not
    what was asked, 0 = not relevant. Postings not listed count as 0.
    """

    qid: str
    collection: str
    text: str
    filters: dict[str, Any] = field(default_factory=dict)
    grades: dict[str, int] = field(default_factory=dict)
    note: str = ""


def load_judgments(path: Path = JUDGMENTS) -> list[Judgment]:
    """Read ``judgments.jsonl``: one JSON object a line; blank lines and ``#`` lines skipped."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        data = json.loads(line)
        if data["collection"] not in COLLECTIONS:
            raise ValueError(f"{path}:{number}: unknown collection {data['collection']!r}")
        out.append(
            Judgment(
                qid=data["qid"],
                collection=data["collection"],
                text=data["text"],
                filters=dict(data.get("filters") or {}),
                grades={k: int(v) for k, v in (data.get("grades") or {}).items()},
                note=data.get("note", ""),
            )
        )
    return out


def read_slice_ids(path: Path = SLICE_IDS) -> list[str]:
    """The ids of the corpus slice, one a line (``#`` lines are comments)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [s.strip() for s in lines if s.strip() and not s.startswith("#")]


# -- the evaluation indexes -------------------------------------------------------------


def _slice_rows(corpus: Path, ids: set[str]) -> Iterator[str]:
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and json.loads(line).get("id") in ids:
                yield line if line.endswith("\n") else line + "\n"


def build_eval_indexes(root: Path, corpus: Path | None = CORPUS) -> dict[str, JobIndex]:
    """Index the sample, and the corpus slice when ``corpus`` exists, under ``root``.

    Returns ``{"sample": index}`` or ``{"sample": index, "slice": index}``; the caller
    closes them. The slice rows are copied to a small file first so only they go through
    extraction (about 15 s for 1,400 postings).
    """
    root.mkdir(parents=True, exist_ok=True)
    indexes = {"sample": JobIndex.create(root / "sample")}
    indexes["sample"].add(load_postings(SAMPLE_DATA))
    if corpus is not None and corpus.exists():
        wanted = set(read_slice_ids())
        part = root / "slice.jsonl"
        part.write_text("".join(_slice_rows(corpus, wanted)), encoding="utf-8")
        indexes["slice"] = JobIndex.create(root / "slice")
        indexes["slice"].add(load_postings(part))
    return indexes


# -- the two systems --------------------------------------------------------------------


def rank_ours(index: JobIndex, text: str, filters: Mapping[str, Any], limit: int = K) -> list[str]:
    """Posting ids as ``JobIndex.search`` ranks them: the product's ranking, whatever it is."""
    return [hit.posting.id for hit in index.search(text, filters, limit=limit)]


def rank_bm25(index: JobIndex, text: str, filters: Mapping[str, Any], limit: int = K) -> list[str]:
    """Posting ids ranked by plain BM25 over title and description, same filters."""
    return index.baseline(text, Filters.of(filters), limit)


RANKERS: dict[str, Ranker] = {"ours": rank_ours, "bm25": rank_bm25}


# -- evaluation -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryRow:
    """One query's figures for each system, and the ranked ids behind them."""

    judgment: Judgment
    figures: dict[str, dict[str, float]]
    ranked: dict[str, list[str]]


@dataclass(frozen=True)
class EvalReport:
    """Per-query rows and mean figures per scope (``sample``, ``slice``, ``all``)."""

    rows: tuple[QueryRow, ...]
    means: dict[str, dict[str, dict[str, float]]]
    counts: dict[str, int]
    skipped: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[QueryRow]:
        return iter(self.rows)


def _mean(rows: Sequence[QueryRow], system: str) -> dict[str, float]:
    return {m: sum(r.figures[system][m] for r in rows) / len(rows) for m in METRICS}


def evaluate(indexes: Mapping[str, JobIndex], judgments: Sequence[Judgment]) -> EvalReport:
    """Run every judged query through both systems on its collection's index and score it.

    Queries whose collection has no index (the corpus is absent) are listed in ``skipped``,
    and then no ``all`` figures are given.
    """
    rows = []
    skipped = []
    for j in judgments:
        index = indexes.get(j.collection)
        if index is None:
            skipped.append(j.qid)
            continue
        ranked = {name: rank(index, j.text, j.filters, K) for name, rank in RANKERS.items()}
        judged = list(j.grades.values())
        figures = {
            name: scores([j.grades.get(pid, 0) for pid in ids], judged)
            for name, ids in ranked.items()
        }
        rows.append(QueryRow(j, figures, ranked))
    means = {}
    counts = {}
    # "all" only when every query ran, so it always means the same 50 queries.
    for scope in (*COLLECTIONS, *(() if skipped else ("all",))):
        chosen = [r for r in rows if scope in ("all", r.judgment.collection)]
        if chosen:
            means[scope] = {s: _mean(chosen, s) for s in SYSTEMS}
            counts[scope] = len(chosen)
    return EvalReport(tuple(rows), means, counts, tuple(skipped))


def run(corpus: Path | None = CORPUS, judgments: Path = JUDGMENTS) -> EvalReport:
    """Build the evaluation indexes in a temporary directory, evaluate, clean up.

    The one call behind ``jobsearch evaluate``.
    """
    with tempfile.TemporaryDirectory(prefix="jobsearch-eval-") as tmp:
        indexes = build_eval_indexes(Path(tmp), corpus)
        try:
            return evaluate(indexes, load_judgments(judgments))
        finally:
            for index in indexes.values():
                index.close()


# -- output -----------------------------------------------------------------------------


def format_report(report: EvalReport, per_query: bool = False) -> str:
    """A plain-text table: mean nDCG@10, MRR and P@10 per scope, ours next to BM25."""
    lines = [
        f"{'scope':<8} {'queries':>7}  {'system':<6} {'nDCG@10':>8} {'MRR':>6} {'P@10':>6}",
    ]
    for scope, by_system in report.means.items():
        n = report.counts[scope]
        for system in SYSTEMS:
            f = by_system[system]
            lines.append(
                f"{scope:<8} {n:>7}  {system:<6} "
                f"{f['ndcg@10']:>8.3f} {f['mrr']:>6.3f} {f['p@10']:>6.3f}"
            )
    if report.skipped:
        lines.append(f"skipped {len(report.skipped)} slice queries: corpus not found")
    if per_query:
        lines.append("")
        lines.append(f"{'qid':<5} {'nDCG ours':>9} {'bm25':>6}  query")
        for row in report.rows:
            ours, base = row.figures["ours"]["ndcg@10"], row.figures["bm25"]["ndcg@10"]
            flag = " <" if ours < base - 1e-9 else ""
            filters = " ".join(f"{k}={v}" for k, v in row.judgment.filters.items())
            lines.append(
                f"{row.judgment.qid:<5} {ours:>9.3f} {base:>6.3f}  "
                f"{row.judgment.text!r} {filters}{flag}"
            )
    return "\n".join(lines)


def recorded_figures(report: EvalReport) -> dict[str, dict[str, dict[str, float]]]:
    """The figures to commit to ``recorded.json``, rounded to 4 places."""
    return {
        scope: {s: {m: round(v, 4) for m, v in f.items()} for s, f in by_system.items()}
        for scope, by_system in report.means.items()
    }


def _pool(indexes: Mapping[str, JobIndex], j: Judgment, depth: int = 20) -> str:
    index = indexes[j.collection]
    seen: dict[str, None] = {}
    for rank in RANKERS.values():
        seen.update(dict.fromkeys(rank(index, j.text, j.filters, depth)))
    lines = []
    for pid in seen:
        if pid in j.grades:
            continue
        p = index.get(pid)
        lines.append(f"{pid}\t{p.title} | {p.location_text} | {p.description[:300]!r}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search.evaluate", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--record", action="store_true", help=f"rewrite {RECORDED.name}")
    parser.add_argument("--per-query", action="store_true")
    parser.add_argument("--pool", nargs="*", metavar="QID", help="list unjudged candidates")
    args = parser.parse_args(argv)
    if args.pool is not None:
        with tempfile.TemporaryDirectory(prefix="jobsearch-eval-") as tmp:
            indexes = build_eval_indexes(Path(tmp), args.corpus)
            for j in load_judgments():
                if j.collection in indexes and (not args.pool or j.qid in args.pool):
                    print(f"== {j.qid} {j.text!r} {j.filters}\n{_pool(indexes, j)}")
            for index in indexes.values():
                index.close()
        return 0
    report = run(args.corpus)
    print(format_report(report, per_query=args.per_query))
    if args.record:
        if report.skipped:
            print("not recording: the corpus slice was not evaluated", file=sys.stderr)
            return 1
        RECORDED.write_text(json.dumps(recorded_figures(report), indent=2) + "\n")
        print(f"wrote {RECORDED}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
