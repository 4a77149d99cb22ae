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

With a cluster URL (``jobsearch evaluate --index typesense://...``) the same postings are
also written to two temporary collections on the cluster, dropped at the end, and the
same queries run there through ``JobIndex.search``: a third system, ``cluster``, beside
the embedded engine's. The plain BM25 baseline has no cluster counterpart (Typesense
scores by its own text match), so it is given for the embedded engine only, and a query
the cluster refuses scores 0 and is listed with its reason, never dropped silently.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search.errors import ClusterError
from search.ingest.postings import load_postings
from search.jobindex import JobIndex
from search.model import JobPosting
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
#: The product's ranking over the same postings on a cluster index.
CLUSTER = "cluster"
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


def eval_postings(root: Path, corpus: Path | None = CORPUS) -> dict[str, list[JobPosting]]:
    """The postings of each collection: the sample, and the corpus slice when ``corpus``
    exists. The slice rows are copied to a small file under ``root`` first so only they
    go through extraction (about 15 s for 1,400 postings); read once, they can fill the
    embedded indexes and a cluster's alike."""
    root.mkdir(parents=True, exist_ok=True)
    postings = {"sample": list(load_postings(SAMPLE_DATA))}
    if corpus is not None and corpus.exists():
        wanted = set(read_slice_ids())
        part = root / "slice.jsonl"
        part.write_text("".join(_slice_rows(corpus, wanted)), encoding="utf-8")
        postings["slice"] = list(load_postings(part))
    return postings


def build_eval_indexes(
    root: Path,
    corpus: Path | None = CORPUS,
    postings: Mapping[str, list[JobPosting]] | None = None,
) -> dict[str, JobIndex]:
    """Index the sample, and the corpus slice when ``corpus`` exists, under ``root``.

    Returns ``{"sample": index}`` or ``{"sample": index, "slice": index}``; the caller
    closes them. ``postings`` (from ``eval_postings``) saves reading them again.
    """
    if postings is None:
        postings = eval_postings(root, corpus)
    indexes: dict[str, JobIndex] = {}
    for scope, chosen in postings.items():
        indexes[scope] = JobIndex.create(root / scope)
        indexes[scope].add(chosen)
    return indexes


def eval_alias(collection: str, scope: str) -> str:
    """The temporary alias of one collection of the judged postings on a cluster:
    ``COLLECTION-eval-SCOPE-XXXXXX`` (random), so two runs never share one and the
    URL's own collection is neither read nor changed."""
    return f"{collection}-eval-{scope}-{secrets.token_hex(3)}"


def build_cluster_indexes(
    url: str, postings: Mapping[str, list[JobPosting]]
) -> tuple[dict[str, JobIndex], list[str]]:
    """Write each collection's postings to a temporary alias on the cluster of ``url``.

    Returns the opened cluster indexes and the URLs written, which the caller drops with
    ``drop_cluster_indexes`` (also those written before a failure: they are listed in the
    list as soon as they are made)."""
    from search.cluster import writer
    from search.cluster.url import parse_url

    base = parse_url(url)  # a malformed URL fails here, before anything is written
    nodes = url.rstrip("/").rpartition("/")[0]
    written: list[str] = []
    indexes: dict[str, JobIndex] = {}
    try:
        for scope, chosen in postings.items():
            where = f"{nodes}/{eval_alias(base.collection, scope)}"
            written.append(where)
            writer.rebuild(where, chosen)
            indexes[scope] = JobIndex.open(where)
    except BaseException:
        for index in indexes.values():
            index.close()
        drop_cluster_indexes(written)
        raise
    return indexes, written


def drop_cluster_indexes(urls: Sequence[str]) -> list[str]:
    """Drop the temporary collections; the ones that could not be dropped (shown with
    the key masked) are returned, so the caller can say so."""
    from search.cluster import writer
    from search.cluster.url import parse_url
    from search.errors import ClusterIndexNotFoundError

    left = []
    for where in urls:
        try:
            writer.drop(where)
        except ClusterIndexNotFoundError:
            continue  # never made: a rebuild that failed drops its own collection
        except ClusterError as exc:
            left.append(f"{parse_url(where).display()} ({exc})")
    return left


# -- the systems ------------------------------------------------------------------------


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
    """Per-query rows and mean figures per scope (``sample``, ``slice``, ``all``).

    ``systems`` are the systems measured (``ours``, ``bm25``, and ``cluster`` when a
    cluster ran the queries too); ``refused`` lists (qid, reason) of the queries the
    cluster could not answer, scored 0; ``cluster`` is the cluster's URL, key masked.
    """

    rows: tuple[QueryRow, ...]
    means: dict[str, dict[str, dict[str, float]]]
    counts: dict[str, int]
    skipped: tuple[str, ...] = ()
    systems: tuple[str, ...] = SYSTEMS
    refused: tuple[tuple[str, str], ...] = ()
    cluster: str = ""

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[QueryRow]:
        return iter(self.rows)


def _mean(rows: Sequence[QueryRow], system: str) -> dict[str, float]:
    return {m: sum(r.figures[system][m] for r in rows) / len(rows) for m in METRICS}


def evaluate(
    indexes: Mapping[str, JobIndex],
    judgments: Sequence[Judgment],
    cluster: Mapping[str, JobIndex] | None = None,
    cluster_name: str = "",
) -> EvalReport:
    """Run every judged query through both systems on its collection's index and score it;
    with ``cluster`` (indexes of the same postings on a cluster), through ``ours`` there
    too, as the system ``cluster``.

    Queries whose collection has no index (the corpus is absent) are listed in ``skipped``,
    and then no ``all`` figures are given. A query the cluster refuses (``ClusterError``)
    ranks nothing there and is listed in ``refused``.
    """
    systems = (*SYSTEMS, CLUSTER) if cluster is not None else SYSTEMS
    rows = []
    skipped = []
    refused = []
    for j in judgments:
        index = indexes.get(j.collection)
        if index is None:
            skipped.append(j.qid)
            continue
        ranked = {name: rank(index, j.text, j.filters, K) for name, rank in RANKERS.items()}
        if cluster is not None:
            try:
                ranked[CLUSTER] = rank_ours(cluster[j.collection], j.text, j.filters, K)
            except ClusterError as exc:
                ranked[CLUSTER] = []
                refused.append((j.qid, str(exc)))
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
            means[scope] = {s: _mean(chosen, s) for s in systems}
            counts[scope] = len(chosen)
    return EvalReport(
        tuple(rows), means, counts, tuple(skipped), systems, tuple(refused), cluster_name
    )


def run(
    corpus: Path | None = CORPUS,
    judgments: Path = JUDGMENTS,
    cluster: str | None = None,
    left_behind: list[str] | None = None,
) -> EvalReport:
    """Build the evaluation indexes in a temporary directory, evaluate, clean up.

    The one call behind ``jobsearch evaluate``. With ``cluster`` (a ``typesense://`` URL)
    the same postings go to temporary collections there too (see ``eval_alias``), dropped
    at the end; any that could not be dropped are appended to ``left_behind``.
    """
    name = ""
    if cluster is not None:
        from search.cluster.client import connect

        with connect(cluster) as reachable:  # a cluster down fails before any extraction
            reachable.collections()
            name = reachable.url.display()
    with tempfile.TemporaryDirectory(prefix="jobsearch-eval-") as tmp:
        postings = eval_postings(Path(tmp), corpus)
        indexes = build_eval_indexes(Path(tmp), corpus, postings)
        remote: dict[str, JobIndex] = {}
        written: list[str] = []
        try:
            if cluster is not None:
                remote, written = build_cluster_indexes(cluster, postings)
            return evaluate(
                indexes,
                load_judgments(judgments),
                remote if cluster is not None else None,
                name,
            )
        finally:
            for index in (*indexes.values(), *remote.values()):
                index.close()
            if written:
                left = drop_cluster_indexes(written)
                if left_behind is not None:
                    left_behind.extend(left)


# -- output -----------------------------------------------------------------------------

#: What the ``cluster`` rows are, printed under the table whenever they are there.
CLUSTER_NOTE = (
    "cluster: ours on {name}, the same postings in temporary collections (dropped after): "
    "candidates from Typesense's text match scored in jobsearch (BM25 over title and "
    "skill terms, description terms counted once); the plain BM25 baseline has no "
    "cluster counterpart, so bm25 is the embedded engine's"
)


def format_report(report: EvalReport, per_query: bool = False) -> str:
    """A plain-text table: mean nDCG@10, MRR and P@10 per scope, ours next to BM25 (and
    ours on a cluster, when it ran)."""
    w = max(len(s) for s in report.systems)
    lines = [
        f"{'scope':<8} {'queries':>7}  {'system':<{w}} {'nDCG@10':>8} {'MRR':>6} {'P@10':>6}",
    ]
    for scope, by_system in report.means.items():
        n = report.counts[scope]
        for system in report.systems:
            f = by_system[system]
            lines.append(
                f"{scope:<8} {n:>7}  {system:<{w}} "
                f"{f['ndcg@10']:>8.3f} {f['mrr']:>6.3f} {f['p@10']:>6.3f}"
            )
    if report.skipped:
        lines.append(f"skipped {len(report.skipped)} slice queries: corpus not found")
    if CLUSTER in report.systems:
        lines.append(CLUSTER_NOTE.format(name=report.cluster or "the cluster"))
        for qid, why in report.refused:
            lines.append(f"cluster refused {qid} (scored 0): {why}")
    if per_query:
        on_cluster = CLUSTER in report.systems
        lines.append("")
        extra = f" {'cluster':>7}" if on_cluster else ""
        lines.append(f"{'qid':<5} {'nDCG ours':>9} {'bm25':>6}{extra}  query")
        for row in report.rows:
            ours, base = row.figures["ours"]["ndcg@10"], row.figures["bm25"]["ndcg@10"]
            flag = " <" if ours < base - 1e-9 else ""
            there = f" {row.figures[CLUSTER]['ndcg@10']:>7.3f}" if on_cluster else ""
            filters = " ".join(f"{k}={v}" for k, v in row.judgment.filters.items())
            lines.append(
                f"{row.judgment.qid:<5} {ours:>9.3f} {base:>6.3f}{there}  "
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
