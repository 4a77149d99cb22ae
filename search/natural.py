"""Measured understanding: natural queries judged over the whole corpus by predicates.

People type a whole wish ("junior data analyst remote", "devops jobs in berlin").
``tests/relevance/natural.toml`` holds such queries, each with what a posting must show
to be what the seeker asked for: patterns its title must match, a pattern for its
location, whether it must say it is remote, patterns its title or text must match. A
posting is relevant when every predicate holds: judged from the posting as written
(title, location line, description), never from what the extractors read, so the
measure does not grade the search by its own readings.

The figure is reachable precision at 10: the share of the top 10 that is relevant,
divided by what is reachable, min(10, number of relevant postings in the corpus), so a
query with only four good postings scores 1.0 when its top 10 holds all four. Three
systems answer each query over the same corpus: ours (``JobIndex.search``), ours with
understanding off (the words as typed) and plain SQLite FTS5 (the words ANDed over
title, weighted 2, and description, porter stemming, bm25 order: the afternoon
baseline of ``../shared/bench/fts5_baseline.py``).
"""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from search.errors import InputError, PostingNotFoundError
from search.ingest.postings import load_postings
from search.jobindex import JobIndex

ROOT = Path(__file__).resolve().parents[1]
NATURAL = ROOT / "tests" / "relevance" / "natural.toml"
CORPUS = ROOT.parent / "shared" / "corpus" / "jobs.jsonl.gz"
K = 10
SYSTEMS = ("ours", "literal", "fts5")

Row = Mapping[str, object]
#: A system: query text -> the ids of its top ``K`` postings.
Ranker = Callable[[str], list[str]]

#: What makes a posting remote to a reader: its location or title says so, or its text
#: states it outright (or tags it remote for LinkedIn).
_REMOTE_PLACE = re.compile(r"\bremote|anywhere|work from home|\bwfh\b|distributed", re.I)
_REMOTE_TEXT = re.compile(
    r"\b(?:fully|100%|completely|entirely) remote\b|\bremote[- ]first\b"
    r"|\bthis (?:is a )?(?:fully )?remote (?:role|position|job)\b"
    r"|\b(?:role|position|job) is (?:fully )?remote\b"
    r"|#LI-Remote\b",  # the tag employers put on a remote role's LinkedIn posting
    re.I,
)


@dataclass(frozen=True)
class NaturalQuery:
    """One natural query and what a posting must show to be relevant to it."""

    qid: str
    text: str
    title: tuple[re.Pattern[str], ...] = ()
    not_title: re.Pattern[str] | None = None
    place: re.Pattern[str] | None = None
    remote: bool = False
    words: tuple[re.Pattern[str], ...] = ()
    note: str = ""

    def relevant(self, row: Row) -> bool:
        title = str(row.get("title") or "")
        location = str(row.get("location") or "")
        text = str(row.get("description") or "")
        if not all(p.search(title) for p in self.title):
            return False
        if self.not_title is not None and self.not_title.search(title):
            return False
        if self.place is not None and not self.place.search(location):
            return False
        says_remote = _REMOTE_PLACE.search(f"{location} {title}") or _REMOTE_TEXT.search(text)
        if self.remote and not says_remote:
            return False
        return all(p.search(title) or p.search(text) for p in self.words)


def _patterns(value: object) -> tuple[re.Pattern[str], ...]:
    items = [value] if isinstance(value, str) else list(value or [])  # type: ignore[call-overload]
    return tuple(re.compile(str(p), re.I) for p in items)


def load_natural(path: Path = NATURAL) -> list[NaturalQuery]:
    """Read the natural queries: ``[[query]]`` tables with ``id``, ``text`` and the
    predicates ``title`` (patterns, all must match), ``not_title``, ``place`` (a pattern
    of the location line), ``remote`` and ``words`` (patterns of title or text)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for entry in data["query"]:
        not_title = entry.get("not_title")
        place = entry.get("place")
        out.append(
            NaturalQuery(
                qid=entry["id"],
                text=entry["text"],
                title=_patterns(entry.get("title")),
                not_title=re.compile(not_title, re.I) if not_title else None,
                place=re.compile(place, re.I) if place else None,
                remote=bool(entry.get("remote", False)),
                words=_patterns(entry.get("words")),
                note=entry.get("note", ""),
            )
        )
    return out


def reachable_precision(ranked: Sequence[str], relevant: set[str], k: int = K) -> float:
    """Relevant postings in the top ``k`` over min(k, relevant postings); 0.0 when none
    is relevant at all (such a query measures nothing, and the set has none)."""
    reachable = min(k, len(relevant))
    if not reachable:
        return 0.0
    return sum(1 for pid in ranked[:k] if pid in relevant) / reachable


# -- the systems --------------------------------------------------------------------------


class Fts5:
    """Plain SQLite FTS5 over the corpus, in memory: the words ANDed (each quoted, as the
    benchmark's baseline does) over title (weight 2) and description, porter stemming,
    bm25 order."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(id UNINDEXED, title, description, "
            "tokenize='porter unicode61')"
        )
        self.db.executemany(
            "INSERT INTO fts(id, title, description) VALUES (?, ?, ?)",
            ((r["id"], r.get("title") or "", r.get("description") or "") for r in rows),
        )

    def rank(self, text: str, k: int = K) -> list[str]:
        words = [w.replace('"', "") for w in text.split()]
        match = " ".join(f'"{w}"' for w in words if w)
        if not match:
            return []
        found = self.db.execute(
            "SELECT id FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 0.0, 2.0, 1.0) LIMIT ?",
            (match, k),
        )
        return [str(pid) for (pid,) in found]

    def close(self) -> None:
        self.db.close()


def rankers(index: JobIndex, fts5: Fts5) -> dict[str, Ranker]:
    """The three systems, as ``SYSTEMS`` names them."""

    def ours(text: str) -> list[str]:
        return [h.posting.id for h in index.search(text, limit=K).hits]

    def literal(text: str) -> list[str]:
        return [h.posting.id for h in index.search(text, limit=K, understand=False).hits]

    return {"ours": ours, "literal": literal, "fts5": fts5.rank}


# -- evaluation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NaturalRow:
    """One query's reachable P@10 per system, its relevant count and how it was read."""

    query: NaturalQuery
    relevant: int
    figures: dict[str, float]
    read_as: str


@dataclass(frozen=True)
class NaturalReport:
    rows: tuple[NaturalRow, ...]

    @property
    def means(self) -> dict[str, float]:
        n = len(self.rows) or 1
        return {s: sum(r.figures[s] for r in self.rows) / n for s in SYSTEMS}


def evaluate_natural(
    index: JobIndex, rows: Sequence[Row], queries: Sequence[NaturalQuery]
) -> NaturalReport:
    """Every natural query through the three systems, over an index of ``rows``."""
    fts5 = Fts5(rows)
    try:
        systems = rankers(index, fts5)
        out = []
        for q in queries:
            relevant = {str(r["id"]) for r in rows if q.relevant(r)}
            figures = {
                name: reachable_precision(rank(q.text), relevant) for name, rank in systems.items()
            }
            read_as = index.search(q.text, limit=1, facets=False).read_as
            out.append(NaturalRow(q, len(relevant), figures, read_as))
        return NaturalReport(tuple(out))
    finally:
        fts5.close()


def read_rows(corpus: Path) -> list[dict[str, object]]:
    """The corpus rows (JSON Lines, gzip-compressed or not)."""
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def run_natural(
    corpus: Path = CORPUS, index_dir: Path | None = None, path: Path = NATURAL
) -> NaturalReport:
    """The natural queries over the corpus: through the index at ``index_dir`` when it
    holds every corpus posting, else through one built in a temporary directory (the
    whole corpus: a minute or more)."""
    rows = read_rows(corpus)
    queries = load_natural(path)
    if index_dir is not None:
        with JobIndex.open(index_dir) as index:
            missing = sum(1 for r in rows[:: max(len(rows) // 200, 1)] if not _has(index, r))
            if missing:
                raise InputError(
                    f"the index at {index_dir} does not hold the corpus {corpus}",
                    hint="index the corpus there, or leave out --corpus-index",
                )
            return evaluate_natural(index, rows, queries)
    with (
        tempfile.TemporaryDirectory(prefix="jobsearch-natural-") as tmp,
        JobIndex.create(Path(tmp) / "index") as index,
    ):
        index.add(load_postings(corpus))
        return evaluate_natural(index, rows, queries)


def _has(index: JobIndex, row: Row) -> bool:
    try:
        return index.get(str(row["id"])).id == row["id"]
    except PostingNotFoundError:
        return False


def format_natural(report: NaturalReport, per_query: bool = False) -> str:
    """Mean reachable P@10 of the three systems (and, per query, each figure)."""
    means = report.means
    lines = [
        f"natural queries ({len(report.rows)}), reachable P@10: "
        + "  ".join(f"{s} {means[s]:.3f}" for s in SYSTEMS)
    ]
    if per_query:
        lines.append(f"{'qid':<5} {'ours':>5} {'lit':>5} {'fts5':>5} {'rel':>5}  query -> read as")
        for r in report.rows:
            f = r.figures
            lines.append(
                f"{r.query.qid:<5} {f['ours']:>5.2f} {f['literal']:>5.2f} {f['fts5']:>5.2f} "
                f"{r.relevant:>5}  {r.query.text!r} -> {r.read_as!r}"
            )
    return "\n".join(lines)
