"""Differential check of search results: dump every result record of a query set to
JSON with one build of the code, dump again with another, and compare exactly.

Why: speed work on the search path must not change a single hit, score, total, facet,
note, snippet or suggestion; the tests pin some of them, this pins all of them for a few
hundred queries. Scores are written with ``repr`` so that a change in the last bit shows.

    python scripts/search_diff.py dump --index DIR --out before.json [--queries FILE]
    python scripts/search_diff.py compare before.json after.json

Without ``--queries`` the set is the judged and natural queries of tests/relevance plus
misspelled, excluding, paged, sorted, explained and title-only variants. ``--queries``
takes a JSON list of {"q", "city"?, "skill"?} (the load benchmark's queries).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from search import JobIndex

ROOT = Path(__file__).resolve().parent.parent
RELEVANCE = ROOT / "tests" / "relevance"

#: Extra texts that reach the spelling, fuzzy, phrase, exclusion and operator paths.
EXTRA_TEXTS = (
    "pyhton developer",
    "machne lerning engineer",
    "product manger",
    "kubernets",
    "datta scientist",
    '"data engineer" -senior',
    "python OR rust",
    "java AND NOT javascript",
    "senior data scientist remote",
    "zzzzqqq",
    "-python",
    "",
    "react native mobile",
    "reinforcement lerning",
    "sr. backend engineer berlin",
    "intern python",
)

#: Request variants run for every text of the default set.
VARIANTS: tuple[dict[str, Any], ...] = (
    {},
    {"page": 2},
    {"sort": "newest"},
    {"sort": "pay"},
    {"explain": True},
    {"title_only": True},
    {"collapse": False, "limit": 20},
)


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready data, floats as their exact ``repr``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return repr(value)


def default_requests() -> list[dict[str, Any]]:
    """The judged and natural queries (with their filters), the extra texts, and each
    in every variant."""
    base: list[dict[str, Any]] = []
    for line in (RELEVANCE / "judgments.jsonl").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            row = json.loads(line)
            base.append({"text": row["text"], **row.get("filters", {})})
    natural = tomllib.loads((RELEVANCE / "natural.toml").read_text())
    base.extend({"text": q["text"]} for q in natural.get("query", []))
    base.extend({"text": t} for t in EXTRA_TEXTS)
    unique = {json.dumps(b, sort_keys=True): b for b in base}
    return [{**b, **v} for b in unique.values() for v in VARIANTS]


def load_requests(path: Path) -> list[dict[str, Any]]:
    """The load benchmark's queries as requests."""
    requests = []
    for q in json.loads(path.read_text()):
        request: dict[str, Any] = {"text": q.get("q") or q.get("text") or ""}
        for name in ("city", "skill"):
            if q.get(name):
                request[name] = q[name]
        requests.append(request)
    return requests


def dump(index: Path, out: Path, queries: Path | None) -> None:
    idx = JobIndex.open(index)
    requests = load_requests(queries) if queries else default_requests()
    records = []
    for request in requests:
        kw = dict(request)
        text = kw.pop("text")
        try:
            results = idx.search(text, **kw)
        except Exception as exc:  # an error is a result too: it must stay the same
            records.append({"request": request, "error": f"{type(exc).__name__}: {exc}"})
            continue
        ids = idx.short_ids(h.posting.id for h in results.hits)
        records.append({"request": request, "results": _plain(results), "short_ids": ids})
    out.write_text(json.dumps(records, indent=0, sort_keys=True))
    print(f"{len(records)} searches written to {out}")


def compare(before: Path, after: Path) -> int:
    a = json.loads(before.read_text())
    b = json.loads(after.read_text())
    if len(a) != len(b):
        print(f"different numbers of searches: {len(a)} and {len(b)}")
        return 1
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    for i in differ[:10]:
        print(f"differs: {json.dumps(a[i]['request'])}")
        x, y = a[i].get("results") or a[i], b[i].get("results") or b[i]
        for key in sorted(set(x) | set(y)):
            if x.get(key) != y.get(key):
                print(f"  {key}: {str(x.get(key))[:300]}\n   -> {str(y.get(key))[:300]}")
    print(f"{len(a)} searches compared, {len(differ)} differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="write every result record of the query set")
    d.add_argument("--index", type=Path, required=True)
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--queries", type=Path, help="a JSON list of {q, city?, skill?}")
    c = sub.add_parser("compare", help="compare two dumps exactly")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.index, args.out, args.queries)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
