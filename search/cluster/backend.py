"""A Typesense cluster as a search backend (``search.query.contract.Backend``).

Matching is exact and done by the cluster: the query tree becomes a ``filter_by`` over
jobsearch's own analysed terms (``search.cluster.expr``), the filters another
(``search.cluster.selecting``), so every total, facet and note counts the postings the
embedded engine counts. A match (``ClusterMatch``) is a description, evaluated only
when counted, ranked or faceted. Documents are numbered by this object in the order
it first sees them (numbers are valid for its life, as the contract asks).

What cannot be the same, and is said rather than imitated: ranking by score is
Typesense's text-match score over the same terms (title weighted 3 to 1), not BM25F;
``explain`` raises; a phrase is matched as all its words (noted); misspelled words are
Typesense's typo tolerance; level, workplace and employment type words are read as the
embedded engine reads them, place words searched as typed (``search.cluster.understanding``);
there is no spelling suggestion. Counts folding copies of one job are exact:
the postings of jobs with several copies in a match are read back and the counts
corrected in Python (one export, as large as those copies).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from whoosh import query as wq

from search.cluster import expr as x
from search.cluster import schema as c
from search.cluster.client import NAMED_PATIENCE, Cluster
from search.cluster.documents import from_cluster_doc, term_token
from search.cluster.rescoring import WEIGHTS, rescored
from search.cluster.selecting import (
    UNSTATED,
    ClusterSelection,
    Holder,
    city_node,
    select,
    since_days,
)
from search.cluster.understanding import understand as understand_text
from search.errors import ClusterError
from search.extract.text import normalize_key
from search.filters import POSTED_BANDS, since_day
from search.model import JobPosting, Place
from search.query.contract import Matched, Order, Ranked, Understood
from search.query.facets import PAY_BANDS, UNKNOWN, YEAR_BANDS, _band_labels
from search.query.filters import _unstated_note
from search.query.soft import kept_note
from search.results import Explanation, Filters
from search.store import fields as f

if TYPE_CHECKING:
    from search.query.contract import Backend

#: Enough facet values to count every value a field holds (counts are exact only
#: when no value is cut off: ``facet`` checks).
FACET_ALL = 1_000_000
#: Values of each facet asked for first: at least ``FACET_SPARE`` times those shown.
FACET_FIRST = 64
FACET_SPARE = 4
#: Job keys asked for first when looking for jobs with several copies among matches.
MULTI_FIRST = 256
#: Job keys named in one search's filter (``dup_key:[...]``).
KEYS_PER_SEARCH = 200
#: Typesense's largest page.
PAGE = 250
#: The embedded facet fields -> the cluster field with the same values.
FACETS: dict[str, str] = {
    f.CITY: c.CITIES,
    f.COUNTRY: c.COUNTRIES,
    f.SKILL: c.SKILLS,
    f.ROLE: c.ROLE,
    f.LEVEL: c.LEVEL,
    f.EMPLOYMENT_TYPE: c.EMPLOYMENT_TYPE,
    f.COMPANY: c.COMPANY,
    f.WORKPLACE: c.WORKPLACE,
}
#: Facets that also count, as "unknown", the matches stating no value.
UNKNOWN_COUNTED = (f.ROLE, f.LEVEL, f.EMPLOYMENT_TYPE, f.WORKPLACE)
EXPLAIN_UNAVAILABLE = (
    "--explain is not available on a cluster index: it ranks by Typesense's text-match "
    "score, which has no per-term BM25F parts"
)


@dataclass(frozen=True, slots=True)
class ClusterMatch:
    """A match, not yet evaluated: the query's expression, the filters', and how to
    rank it."""

    query: x.Node
    selection: x.Node
    ranked: tuple[tuple[str, str, float], ...] = ()
    typo: x.Typo | None = None

    @property
    def node(self) -> x.Node:
        return x.all_of([self.query, self.selection])

    @property
    def empty(self) -> bool:
        return self.node.kind == "false"


#: A count over a match: its extra filter, and the same test on a read-back document.
Test = tuple[x.Node, Callable[[dict[str, Any]], bool]]


def _has(name: str, value: str) -> Callable[[dict[str, Any]], bool]:
    def test(doc: dict[str, Any]) -> bool:
        held = doc.get(name)
        return value in held if isinstance(held, list) else held == value

    return test


class ClusterBackend(Holder):
    """Evaluation on one cluster collection (an alias), answering the contract."""

    def __init__(self, cluster: Cluster, collection: str) -> None:
        self.cluster = cluster
        self.collection = collection
        self._lock = threading.Lock()
        self._ids: list[str] = []
        self._nums: dict[str, int] = {}
        self._dups: dict[int, str] = {}
        self._dup_nums: dict[str, int] = {}
        self._postings: dict[int, JobPosting] = {}
        self._counts: dict[str, int] = {}
        self._names: dict[str, list[str]] = {}
        self._phrases: dict[tuple[str, tuple[str, ...]], x.Node | None] = {}

    # -- numbering ----------------------------------------------------------------------

    def _num(self, doc_id: str, dup: str | None = None) -> int:
        with self._lock:
            num = self._nums.get(doc_id)
            if num is None:
                num = self._nums[doc_id] = len(self._ids)
                self._ids.append(doc_id)
            if dup is not None:
                self._dups[num] = dup
        return num

    def doc_id(self, doc: int) -> str:
        return self._ids[doc]

    def number(self, doc_id: str) -> int | None:
        """The document number of an id, reading it from the cluster when unseen."""
        if doc_id in self._nums:
            return self._nums[doc_id]
        found = self.cluster.get_document(self.collection, doc_id)
        if found is None:
            return None
        num = self._num(doc_id, _dup_key(found, doc_id))
        self._postings[num] = from_cluster_doc(found)
        return num

    def numbered(self, row: dict[str, Any]) -> int:
        """The document number of a row a search returned (with its id and job key)."""
        doc_id = str(row[c.ID])
        return self._num(doc_id, _dup_key(row, doc_id))

    # -- requests -----------------------------------------------------------------------

    def _params(self, m: ClusterMatch, extra: x.Node = x.TRUE) -> dict[str, Any] | None:
        node = x.all_of([m.node, extra])
        if node.kind == "false":
            return None
        params: dict[str, Any] = {"q": "*", "query_by": c.TITLE_TERMS}
        text = x.render(node)
        if text:
            params["filter_by"] = text
        if m.typo is not None:
            params.update(
                q=" ".join(m.typo.words),
                query_by=",".join(m.typo.fields),
                num_typos=m.typo.typos,
                prefix="true" if m.typo.prefix else "false",
                drop_tokens_threshold=0,
                typo_tokens_threshold=FACET_ALL,
            )
        return params

    def _found(self, searches: Sequence[dict[str, Any] | None]) -> list[int]:
        """``found`` of each search (0 for one that cannot match), in one request."""
        asked = [dict(s, per_page=0) for s in searches if s is not None]
        answers = iter(self._multi(asked))
        return [0 if s is None else int(next(answers)["found"]) for s in searches]

    def _multi(self, searches: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for start in range(0, len(searches), 50):
            chunk = [dict(s, collection=self.collection) for s in searches[start : start + 50]]
            out += self.cluster.multi_search(chunk)
        return out

    def multi(self, searches: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Answers of several searches of the collection, in batched requests."""
        return self._multi(searches)

    def total(self) -> int:
        """Postings in the collection."""
        return self._count(x.TRUE)

    def doc_frequencies(self, field: str, terms: Sequence[str]) -> dict[str, int]:
        """Postings holding each term of query field ``field``, in batched requests."""
        nodes = {t: _term_node(field, t) for t in terms}
        self.warm([n for n in nodes.values() if n is not None])
        return {t: 0 if n is None else self._count(n) for t, n in nodes.items()}

    def warm(self, nodes: Sequence[x.Node]) -> None:
        """Count every node not counted yet, in batched requests (``count_of`` then
        answers from what was kept)."""
        asked = {x.render(n): n for n in nodes if n.kind != "false"}
        missing = [(key, n) for key, n in asked.items() if key not in self._counts]
        found = self._found([self._params(ClusterMatch(n, x.TRUE)) for _, n in missing])
        for (key, _), count in zip(missing, found, strict=True):
            self._counts[key] = count

    def count_of(self, node: x.Node) -> int:
        """Postings matching ``node``."""
        return self._count(node)

    def values_of(self, node: x.Node, name: str) -> dict[str, int]:
        """Each value of field ``name`` among the postings matching ``node``, counted."""
        return self._facet_values(self._params(ClusterMatch(node, x.TRUE)), name)

    def _count(self, node: x.Node) -> int:
        if node.kind == "false":
            return 0
        key = x.render(node)
        if key not in self._counts:
            (self._counts[key],) = self._found([self._params(ClusterMatch(node, x.TRUE))])
        return self._counts[key]

    def _facet_values(self, params: dict[str, Any] | None, name: str) -> dict[str, int]:
        if params is None:
            return {}
        answer = self.cluster.search(
            self.collection,
            dict(params, per_page=0, facet_by=name, max_facet_values=FACET_ALL),
        )
        return _counted(answer).get(name, {})

    # Counting jobs. Every value of the job key (``dup_key``) is nearly one per posting,
    # and Typesense's time to facet grows with the values it returns (1.3 s for the
    # 3,333 jobs of "software engineer" in the corpus, against 20 ms for one value):
    # the counts below ask only for what they need.

    def _job_count(self, params: dict[str, Any] | None) -> int:
        """Distinct jobs among the matches: the facet's count of distinct values,
        which Typesense gives however few values it returns."""
        if params is None:
            return 0
        answer = self.cluster.search(
            self.collection, dict(params, per_page=0, facet_by=c.DUP_KEY, max_facet_values=1)
        )
        for facet in answer.get("facet_counts", []):
            total = facet.get("stats", {}).get("total_values")
            if facet.get("field_name") == c.DUP_KEY and isinstance(total, int):
                return total
        return len(self._facet_values(params, c.DUP_KEY))  # a server that gives no stats

    def _multi_keys(self, params: dict[str, Any] | None) -> dict[str, int]:
        """The jobs with several copies among the matches, and their counts: values
        come most frequent first, so more are asked for only while the last one
        returned still counts more than one copy."""
        if params is None:
            return {}
        asked = MULTI_FIRST
        while True:
            answer = self.cluster.search(
                self.collection,
                dict(params, per_page=0, facet_by=c.DUP_KEY, max_facet_values=asked),
            )
            values = _counted(answer).get(c.DUP_KEY, {})
            if len(values) < asked or min(values.values(), default=1) <= 1:
                return {k: n for k, n in values.items() if n > 1}
            asked *= 4

    def _present(self, keys: Sequence[str], m: ClusterMatch, extra: x.Node = x.TRUE) -> set[str]:
        """Which of the job ``keys`` have a copy among the matches of ``m`` passing
        ``extra``."""
        searches = []
        for start in range(0, len(keys), KEYS_PER_SEARCH):
            chunk = keys[start : start + KEYS_PER_SEARCH]
            params = self._params(m, x.all_of([extra, x.one_of(c.DUP_KEY, chunk)]))
            if params is not None:
                searches.append(
                    dict(params, per_page=0, facet_by=c.DUP_KEY, max_facet_values=len(chunk))
                )
        found: set[str] = set()
        for answer in self._multi(searches):
            found.update(_counted(answer).get(c.DUP_KEY, {}))
        return found

    def _rows(self, m: ClusterMatch, extra: x.Node, fields: Iterable[str]) -> list[dict[str, Any]]:
        """The documents of ``m`` passing ``extra``, with ``fields`` only."""
        params = self._params(m, extra)
        if params is None:
            return []
        include = ",".join(dict.fromkeys([c.ID, c.DUP_KEY, *fields]))
        if m.typo is None:
            filtered = {"include_fields": include}
            if "filter_by" in params:
                filtered["filter_by"] = params["filter_by"]
            return self.cluster.export(self.collection, filtered)
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            answer = self.cluster.search(
                self.collection, dict(params, per_page=PAGE, page=page, include_fields=include)
            )
            rows += [hit["document"] for hit in answer.get("hits", [])]
            if len(rows) >= int(answer.get("found", 0)) or not answer.get("hits"):
                return rows
            page += 1

    # -- Holder (what selecting asks) -----------------------------------------------------

    def holds(self, node: x.Node) -> bool:
        return self._count(node) > 0

    def names(self, name: str) -> list[str]:
        if name not in self._names:
            values = self._facet_values({"q": "*", "query_by": c.TITLE_TERMS}, name)
            self._names[name] = sorted(values)
        return self._names[name]

    def place(self, typed: str) -> Place | None:
        """The coordinates of a typed city, as the postings filed under it give them."""
        node = city_node(self, typed)
        if node.kind == "false":
            return None
        rows = self._rows(ClusterMatch(node, x.TRUE), x.TRUE, [c.POSTING])[:25]
        key = normalize_key(typed.split(",")[0])
        tally: Counter[Place] = Counter()
        for row in rows:
            for p in from_cluster_doc(row).places:
                if p.lat is not None and p.lon is not None and normalize_key(p.city or "") == key:
                    tally[p] += 1
        return tally.most_common(1)[0][0] if tally else None

    # -- the contract -------------------------------------------------------------------

    def select(self, filters: Filters, fold: bool) -> ClusterSelection:
        return select(self, filters, fold)

    def understand(
        self, text: str, filters: Filters, within: ClusterSelection
    ) -> Understood[ClusterSelection] | None:
        """Level, workplace and employment type words read as the embedded engine reads
        them (``search.cluster.understanding``); place words are searched as typed."""
        found = understand_text(self, text, filters)
        if found is None:
            return None
        reading, soft = found
        return Understood(
            reading,
            replace(within, parts={**within.parts, "understood": soft.allowed}, soft=soft),
            replace(within, parts={**within.parts, "understood": soft.every}, soft=None),
            soft.facts,
        )

    def match(self, q: wq.Query, within: ClusterSelection) -> Matched[ClusterMatch]:
        t = x.translate(q, exact=self._exact_phrase)
        found = ClusterMatch(t.node, within.node, tuple(t.ranked), t.typo)
        left_out = self._left_out(found, within)
        if within.soft is not None:
            for fact, missing in within.soft.unknown.items():
                kept = ClusterMatch(found.query, x.all_of([found.selection, missing]))
                n = self.count(replace(kept, typo=found.typo), within.fold)
                note = kept_note(fact, n, fact in within.soft.usual)
                if note:
                    left_out.append(note)
        return Matched(found, left_out, t.checked)

    def _left_out(self, m: ClusterMatch, within: ClusterSelection) -> list[str]:
        if m.typo is not None or m.query.kind == "false":
            return []  # as counted below, but never for words matched with typos
        notes = []
        for name, missing in within.unstated.items():
            others = [p for other, p in within.parts.items() if other != name]
            dropped = ClusterMatch(m.query, x.all_of([missing, *others]))
            count = self._jobs_beyond(dropped, m, within.fold)
            if count:
                notes.append(_unstated_note(count, UNSTATED[name], "left out"))
        for name, missing in within.kept.items():
            count = self.count(ClusterMatch(m.query, x.all_of([m.selection, missing])), within.fold)
            if count:
                notes.append(_unstated_note(count, UNSTATED[name], "kept (read as requiring none)"))
        if within.estimates is not None:
            others = [p for other, p in within.parts.items() if other != "salary"]
            estimated = ClusterMatch(m.query, x.all_of([within.estimates, *others]))
            count = self._jobs_beyond(estimated, m, within.fold)
            if count:
                whose = "posting whose pay is" if count == 1 else "postings whose pay is"
                verb = "was" if count == 1 else "were"
                notes.append(
                    f"{count:,} {whose} only an estimate {verb} left out (--estimates counts them)"
                )
        return notes

    def _jobs_beyond(self, dropped: ClusterMatch, shown: ClusterMatch, fold: bool) -> int:
        """Postings of ``dropped`` (jobs, with ``fold``, that have no copy in ``shown``)."""
        if not fold:
            return self.count(dropped, False)
        gone = list(self._facet_values(self._params(dropped), c.DUP_KEY))
        return len(gone) - len(self._present(gone, shown))

    def count(self, m: ClusterMatch, fold: bool) -> int:
        params = self._params(m)
        if params is None:
            return 0
        if fold:
            return self._job_count(params)
        if m.typo is None:
            return self._count(m.node)
        return self._found([params])[0]

    def without(self, m: ClusterMatch, other: ClusterMatch) -> ClusterMatch:
        if other.typo is not None:
            raise ClusterError("the cluster cannot leave out words matched with typos")
        if other.empty:
            return m
        ids = self._few_ids(other)
        if ids is not None:
            # Few to leave out (partial matches are looked for only when few match):
            # by id, one condition, where the expression could pass the 100 operations
            # Typesense takes in one filter.
            query = x.all_of([m.query, x.negate(x.one_of(c.ID_TEXT, ids))])
        elif other.selection == m.selection:
            query = x.all_of([m.query, x.negate(other.query)])
        else:
            query = x.all_of([m.query, x.negate(other.node)])
        return ClusterMatch(query, m.selection, m.ranked, m.typo)

    def _exact_phrase(self, name: str, tokens: list[str], pairs: x.Node) -> x.Node | None:
        """The postings whose ``name`` terms hold ``tokens`` one after the other, among
        those holding each pair of them (``pairs``), checked in their stored terms when
        they fit one page; None when there are more (matched as pairs, with a note)."""
        key = (name, tuple(tokens))
        if key not in self._phrases:
            params = self._params(ClusterMatch(pairs, x.TRUE))
            found: x.Node | None = x.FALSE
            if params is not None:
                asked = dict(params, per_page=PAGE, include_fields=f"{c.ID},{name}")
                answer = self.cluster.search(self.collection, asked)
                if int(answer.get("found", 0)) > PAGE:
                    found = None
                else:
                    rows = [hit["document"] for hit in answer.get("hits", [])]
                    held = [str(r[c.ID]) for r in rows if _holds_run(r.get(name) or [], tokens)]
                    found = x.one_of(c.ID_TEXT, held)
            self._phrases[key] = found
        return self._phrases[key]

    def _few_ids(self, m: ClusterMatch) -> list[str] | None:
        """The ids of the postings matching ``m`` when they fit one page, else None."""
        params = self._params(m)
        if params is None:
            return []
        answer = self.cluster.search(
            self.collection, dict(params, per_page=PAGE, include_fields=c.ID)
        )
        if int(answer.get("found", 0)) > PAGE:
            return None
        return [str(hit["document"][c.ID]) for hit in answer.get("hits", [])]

    def top(self, m: ClusterMatch, k: int, order: Order, within: ClusterSelection) -> Ranked:
        if within.soft is None or len(within.soft.tiers) < 2:
            return self._top(m, k, order, within)
        # Those stating the most of the facts asked for first, each tier in ``order``.
        ranked: Ranked = []
        for tier in within.soft.tiers:
            if len(ranked) >= k:
                break
            part = ClusterMatch(m.query, x.all_of([m.selection, tier]), m.ranked, m.typo)
            ranked += self._top(part, k - len(ranked), order, within)
        return ranked

    def _top(self, m: ClusterMatch, k: int, order: Order, within: ClusterSelection) -> Ranked:
        params = self._params(m)
        if params is None or k <= 0:
            return []
        if order == "nearest":
            center = within.center
            if center is None:
                raise ClusterError("nearest first needs the near filter")
            params["sort_by"] = f"{c.GEO}({center.lat},{center.lon}):asc"
        elif order == "newest":
            params["sort_by"] = f"{c.POSTED}:desc"
        elif order == "pay":
            params["sort_by"] = f"{c.PAY_ANNUAL_HIGH}:desc"
        elif m.typo is None and m.ranked:
            params.update(ranking(m.ranked))
            # Scored here (``search.cluster.rescoring``), then the text match's order.
            ranked: Ranked = list(rescored(self, m, params))
            if len(ranked) >= k:
                return ranked[:k]
            seen = {d for d, _ in ranked}
            for d, _ in self._page_through(params, k + len(seen), False):
                if d not in seen and len(ranked) < k:
                    seen.add(d)
                    ranked.append((d, 0.0))
        if order != "score" or m.typo is not None or not m.ranked:
            ranked = self._page_through(params, k, order == "score")
        if len(ranked) < k and order == "score" and m.typo is None and m.ranked:
            # Matches that share no ranked term with the query text (a filter-only
            # branch): after the ranked ones, newest first.
            seen = {d for d, _ in ranked}
            rest = self._params(m)
            assert rest is not None
            rest["sort_by"] = f"{c.POSTED}:desc"
            for d, _ in self._page_through(rest, k + len(seen), False):
                if d not in seen and len(ranked) < k:
                    ranked.append((d, 0.0))
        return ranked

    def _page_through(self, params: dict[str, Any], k: int, scored: bool) -> Ranked:
        out: Ranked = []
        page = 1
        include = f"{c.ID},{c.DUP_KEY}"
        while len(out) < k:
            asked = dict(params, per_page=PAGE, page=page, include_fields=include)
            answer = self.cluster.search(self.collection, asked)
            hits = answer.get("hits", [])
            for hit in hits[: k - len(out)]:
                doc = hit["document"]
                num = self._num(str(doc[c.ID]), _dup_key(doc, str(doc[c.ID])))
                out.append((num, float(hit.get("text_match", 0)) if scored else None))
            if len(hits) < PAGE or page * PAGE >= int(answer.get("found", 0)):
                return out
            page += 1
        return out

    def facets(self, m: ClusterMatch, top: int, fold: bool) -> dict[str, dict[str, int]]:
        params = self._params(m)
        if params is None:
            empty: dict[str, dict[str, int]] = {name: {} for name in FACETS}
            return empty | {"pay": {}, "experience": {}, "posted": {}}
        names = [*FACETS.values(), c.PAY_CURRENCY]
        limit = max(FACET_FIRST, top * FACET_SPARE)
        counted, floors = self._top_values(params, names, limit)
        tests: dict[tuple[str, str], Test] = {}
        for name in UNKNOWN_COUNTED:
            tests[("unknown", name)] = _missing_test(FACETS[name])
        for currency in sorted(counted.get(c.PAY_CURRENCY, {})):
            for label, low, high in _pay_bands():
                tests[("pay", f"{currency} {label}")] = _pay_test(currency, low, high)
        for label, low, high in _year_bands():
            tests[("experience", label)] = _range_test(c.YEARS, low, high)
        for label, value in POSTED_BANDS:
            first = since_day(value)
            assert first is not None
            tests[("posted", label)] = _range_test(c.POSTED, since_days(first), None)
        keys = list(tests)
        counts = dict(
            zip(keys, self._found([self._params(m, tests[k][0]) for k in keys]), strict=True)
        )
        while True:
            found = dict(counts)
            values = {name: dict(counted.get(field, {})) for name, field in FACETS.items()}
            if fold:
                self._fold(m, values, found, tests)
            if limit >= FACET_ALL or all(
                _top_is_exact(values[name], floors.get(field), top)
                for name, field in FACETS.items()
            ):
                break
            # A value not returned could still rank among the top ones: ask for more.
            limit = FACET_ALL if limit * 16 >= FACET_ALL else limit * 16
            counted, floors = self._top_values(params, names, limit)
        out: dict[str, dict[str, int]] = {}
        for name in FACETS:
            ranked = sorted((-n, v) for v, n in values[name].items() if n > 0)[:top]
            out[name] = {v: -n for n, v in ranked}
            unknown = found[("unknown", name)] if name in UNKNOWN_COUNTED else 0
            if unknown:
                out[name][UNKNOWN] = unknown
        pay = {label: n for (kind, label), n in found.items() if kind == "pay" and n}
        out["pay"] = dict(sorted(pay.items(), key=lambda kv: -kv[1])[:10])
        out["experience"] = {b: n for (k, b), n in found.items() if k == "experience" and n}
        posted = {b: n for (k, b), n in found.items() if k == "posted" and n}
        undated = self._undated(m, fold)
        if undated:
            posted[UNKNOWN] = undated
        out["posted"] = posted
        return out

    def _top_values(
        self, params: dict[str, Any], names: list[str], limit: int
    ) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
        """The ``limit`` most frequent values of each facet, and for each facet that has
        more values than were returned, the count of the last one returned: no value
        left out counts more. Typesense takes longer the more values it returns (half a
        second for every city, skill and employer of a broad search of the corpus)."""
        answer = self.cluster.search(
            self.collection,
            dict(params, per_page=0, facet_by=",".join(names), max_facet_values=limit),
        )
        counted = _counted(answer)
        floors: dict[str, int] = {}
        for facet in answer.get("facet_counts", []):
            name = facet["field_name"]
            total = facet.get("stats", {}).get("total_values")
            returned = counted.get(name, {})
            if len(returned) >= limit and not (isinstance(total, int) and total <= limit):
                floors[name] = min(returned.values())
        return counted, floors

    def _undated(self, m: ClusterMatch, fold: bool) -> int:
        missing = _missing(c.POSTED)
        if not fold:
            (n,) = self._found([self._params(m, missing)])
            return n
        undated = list(self._facet_values(self._params(m, missing), c.DUP_KEY))
        return len(undated) - len(self._present(undated, m, x.negate(missing)))

    def _fold(
        self,
        m: ClusterMatch,
        values: dict[str, dict[str, int]],
        found: dict[tuple[str, str], int],
        tests: dict[tuple[str, str], Test],
    ) -> None:
        """Counts of jobs, not postings: the copies of jobs with several in ``m`` are
        read back, and each count loses what those copies counted more than once."""
        multi = list(self._multi_keys(self._params(m)))
        if not multi:
            return
        fields = [*FACETS.values(), c.STATED, c.PAY_CURRENCY, c.PAY_ANNUAL_HIGH, c.YEARS, c.POSTED]
        jobs: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(multi), 200):
            keys = x.one_of(c.DUP_KEY, multi[start : start + 200])
            for row in self._rows(m, keys, fields):
                jobs.setdefault(str(row[c.DUP_KEY]), []).append(row)
        for copies in jobs.values():
            for name, field in FACETS.items():
                held = Counter(v for row in copies for v in set(_list(row.get(field))))
                for value, n in held.items():
                    values[name][value] = values[name].get(value, 0) - (n - 1)
            for key, (_, test) in tests.items():
                n = sum(1 for row in copies if test(row))
                if key[0] == "unknown":
                    # Unknown when no copy states it: all n copies were counted.
                    found[key] -= n if n < len(copies) else n - 1
                elif n:
                    found[key] -= n - 1

    def jobs(self, docs: Sequence[int]) -> list[int]:
        out = []
        for d in docs:
            dup = self._dups.get(d)
            if dup is None:
                self.posting(d)  # reads the job's key with the posting
                dup = self._dups[d]
            with self._lock:
                out.append(self._dup_nums.setdefault(dup, len(self._dup_nums)))
        return out

    def copies(self, doc: int) -> list[int]:
        dup = self._dups.get(doc)
        if dup is None:
            self.jobs([doc])
            dup = self._dups[doc]
        rows = self._rows(ClusterMatch(x.one_of(c.DUP_KEY, [dup]), x.TRUE), x.TRUE, [])
        nums = [self._num(str(r[c.ID]), dup) for r in rows]
        return sorted(n for n in nums if n != doc)

    def posting(self, doc: int) -> JobPosting:
        kept = self._postings.get(doc)
        if kept is None:
            found = self.cluster.get_document(self.collection, self._ids[doc], wait=NAMED_PATIENCE)
            if found is None:
                raise ClusterError(f"posting {self._ids[doc]!r} is no longer on the cluster")
            self._dups[doc] = _dup_key(found, self._ids[doc])
            kept = self._postings[doc] = from_cluster_doc(found)
        return kept

    def doc_frequency(self, field: str, term: str) -> int:
        node = _term_node(field, term)
        return 0 if node is None else self._count(node)

    def suggest(self, text: str) -> str | None:
        """No dictionary is kept for a cluster: misspelled words are found by the
        fallback to close spellings (Typesense's typo tolerance)."""
        return None

    def explain(
        self,
        doc: int,
        posting: JobPosting,
        q: wq.Query | None,
        filters: Filters,
        distance_km: float | None,
    ) -> Explanation:
        raise ClusterError(EXPLAIN_UNAVAILABLE)


def _holds_run(terms: Sequence[str], run: Sequence[str]) -> bool:
    """Whether ``run`` stands in ``terms`` one term after the other."""
    n = len(run)
    return any(terms[at : at + n] == list(run) for at, term in enumerate(terms) if term == run[0])


def _term_node(field: str, term: str) -> x.Node | None:
    """The postings holding ``term`` in query field ``field`` (None: no such field)."""
    mapped = x.QUERY_FIELDS.get(field)
    if mapped is None:
        return None
    name, tokenized = mapped
    return x.one_of(name, [term_token(term) if tokenized else term])


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _missing(fact: str) -> x.Node:
    return x.negate(x.one_of(c.STATED, [fact]))


def _missing_test(fact: str) -> Test:
    def test(doc: dict[str, Any]) -> bool:
        return fact not in _list(doc.get(c.STATED))

    return _missing(fact), test


def _top_is_exact(values: dict[str, int], floor: int | None, top: int) -> bool:
    """Whether the ``top`` values ranked from ``values`` are the true top ones, when
    values left out count at most ``floor`` (None: none was left out). Folding copies
    only lowers counts, so a value left out never counts more than ``floor``; ties
    rank by name, so the last one kept must count strictly more."""
    if floor is None:
        return True
    ranked = sorted((n for n in values.values() if n > 0), reverse=True)[:top]
    return len(ranked) == top and ranked[-1] > floor


def _counted(answer: dict[str, Any]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for facet in answer.get("facet_counts", []):
        out[facet["field_name"]] = {str(v["value"]): int(v["count"]) for v in facet["counts"]}
    return out


def _pay_bands() -> list[tuple[str, float | None, float | None]]:
    """(label, above, at most) of each pay band, in the currency's own units."""
    labels = _band_labels(PAY_BANDS, "k", 0, "{}k+")
    bounds = [b * 1000.0 for b in PAY_BANDS]
    lows: list[float | None] = [None, *bounds]
    highs: list[float | None] = [*bounds, None]
    return list(zip(labels, lows, highs, strict=True))


def _year_bands() -> list[tuple[str, int | None, int | None]]:
    """(label, at least, at most) of each experience band."""
    labels = _band_labels(YEAR_BANDS, " years", 1, "{}+ years")
    lows: list[int | None] = [0, *(b + 1 for b in YEAR_BANDS)]
    highs: list[int | None] = [*YEAR_BANDS, None]
    return list(zip(labels, lows, highs, strict=True))


def _pay_test(currency: str, above: float | None, most: float | None) -> Test:
    parts = [x.one_of(c.PAY_CURRENCY, [currency]), x.one_of(c.STATED, [c.PAY_ANNUAL_HIGH])]
    if above is not None:
        parts.append(x.raw(f"{c.PAY_ANNUAL_HIGH}:>{above}"))
    if most is not None:
        parts.append(x.raw(f"{c.PAY_ANNUAL_HIGH}:<={most}"))

    def test(doc: dict[str, Any]) -> bool:
        pay = doc.get(c.PAY_ANNUAL_HIGH)
        if doc.get(c.PAY_CURRENCY) != currency or pay is None:
            return False
        return (above is None or pay > above) and (most is None or pay <= most)

    return x.all_of(parts), test


def _range_test(name: str, low: int | None, high: int | None) -> Test:
    parts = [x.one_of(c.STATED, [name])]
    if low is not None:
        parts.append(x.raw(f"{name}:>={low}"))
    if high is not None:
        parts.append(x.raw(f"{name}:<={high}"))

    def test(doc: dict[str, Any]) -> bool:
        value = doc.get(name)
        if value is None:
            return False
        return (low is None or value >= low) and (high is None or value <= high)

    return x.all_of(parts), test


def ranking(ranked: Sequence[tuple[str, str, float]]) -> dict[str, Any]:
    """Typesense's text-match search over the ranked terms: every field searched with
    its weight, no typos or prefixes, any one word enough to be ranked."""
    fields = [n for n in dict.fromkeys(name for name, _, w in ranked if w > 0) if n in WEIGHTS]
    words = list(dict.fromkeys(token for name, token, w in ranked if name in fields))
    if not fields or not words:
        return {}
    return {
        "q": " ".join(words),
        "query_by": ",".join(fields),
        "query_by_weights": ",".join(str(WEIGHTS[n]) for n in fields),
        "num_typos": 0,
        "prefix": "false",
        "drop_tokens_threshold": FACET_ALL,
        "sort_by": "_text_match:desc",
    }


if TYPE_CHECKING:  # mypy holds the backend to the contract

    def _conforms(backend: ClusterBackend) -> Backend[ClusterMatch, ClusterSelection]:
        return backend


def _dup_key(found: dict[str, Any], doc_id: str) -> str:
    """The key of the job a cluster document is a copy of (its own id when unset)."""
    return str(found.get(c.DUP_KEY) or doc_id)
