"""Ranking by score on a cluster index, closer to the embedded engine's BM25F.

Typesense's text match orders documents by how many of the query's words they hold
before it weighs fields, so for "LLM" (searched with its expansion "large language
model") it put first the postings whose descriptions hold all four words, and a
"Machine Learning Engineer (LLM)" far below. Instead the matches are gathered as
candidates (the text match's first, and for each title word the matches holding it in
the title) and scored here: for each ranked term a candidate holds, the term's weight
times its field's weight times its inverse document frequency. Title and skill
terms are read with each candidate, so their counts and lengths weigh as in BM25F; a
description's terms are only tested (one search per term), as if said once in a
description of average length. The candidates come
first, best first; any further match follows in the text match's order, so pages never
repeat or skip a posting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from search.cluster import expr as x
from search.cluster import schema as c
from search.query.ranking import K1, B, idf

if TYPE_CHECKING:
    from search.cluster.backend import ClusterBackend, ClusterMatch

#: Candidates scored for one search (each membership search then fits one page).
CANDIDATES = 150
#: Of them, at most these come from the text match's first page.
TEXT_MATCH_FIRST = 100
#: Text-match weight of each terms field (title 3 to description 1, as BM25F's boosts).
WEIGHTS = {c.TITLE_TERMS: 3, c.TITLE_WORDS_TERMS: 3, c.DESCRIPTION_TERMS: 1, c.SKILL_TERMS: 1}
#: The title fields, whose words also gather candidates.
TITLES = (c.TITLE_TERMS, c.TITLE_WORDS_TERMS)
#: Fields short enough to read with each candidate: their terms are counted here, with
#: their lengths; a description's are only tested, one search per term.
READ_FIELDS = (c.TITLE_TERMS, c.TITLE_WORDS_TERMS, c.SKILL_TERMS)


def scored_terms(ranked: Sequence[tuple[str, str, float]]) -> dict[tuple[str, str], float]:
    """(field, token) -> the weight of a ranked term, its field's weight included (the
    highest, for a term ranked more than once)."""
    out: dict[tuple[str, str], float] = {}
    for name, token, weight in ranked:
        if weight > 0 and name in WEIGHTS:
            key = (name, token)
            out[key] = max(out.get(key, 0.0), weight * WEIGHTS[name])
    return out


def rescored(
    backend: ClusterBackend, m: ClusterMatch, params: Mapping[str, Any]
) -> list[tuple[int, float]]:
    """The candidates of match ``m`` scored, best first (ties in the text match's
    order); ``params`` is its search ranked by text match."""
    terms = scored_terms(m.ranked)
    if not terms:
        return []
    include = ",".join([c.ID, c.DUP_KEY, *READ_FIELDS])
    searches = [dict(params, per_page=TEXT_MATCH_FIRST, include_fields=include)]
    title_tokens = list(dict.fromkeys(token for name, token in terms if name in TITLES))
    each = max(1, (CANDIDATES - TEXT_MATCH_FIRST) // max(1, len(title_tokens)))
    for token in title_tokens:
        in_title = x.any_of([x.one_of(name, [token]) for name in TITLES])
        searches.append(
            dict(
                params,
                filter_by=x.render(x.all_of([m.node, in_title])),
                per_page=each,
                include_fields=include,
            )
        )
    rows: dict[int, dict[str, Any]] = {}
    for answer in backend.multi(searches):
        for hit in answer.get("hits", []):
            rows.setdefault(backend.numbered(hit["document"]), hit["document"])
    if not rows:
        return []
    order = {num: at for at, num in enumerate(rows)}
    ids = [str(row[c.ID]) for row in rows.values()]
    num_of = dict(zip(ids, rows, strict=True))
    searched = [key for key in terms if key[0] not in READ_FIELDS]
    held_by, counts = held(backend, ids, searched, counted=list(terms))
    documents = backend.total()
    lengths = {
        name: sum(len(row.get(name) or ()) for row in rows.values()) / len(rows) or 1.0
        for name in READ_FIELDS
    }
    scores = dict.fromkeys(rows, 0.0)
    for key, weight in terms.items():
        name, token = key
        boost = weight * idf(counts[key], documents)
        if name in READ_FIELDS:
            for num, row in rows.items():
                words = row.get(name) or []
                tf = words.count(token)
                if tf:
                    scores[num] += boost * _saturated(tf, len(words) / lengths[name])
        else:
            for doc_id in held_by[key]:
                scores[num_of[doc_id]] += boost * _saturated(1, 1.0)
    return sorted(scores.items(), key=lambda ns: (-ns[1], order[ns[0]]))


def _saturated(tf: int, relative_length: float) -> float:
    """BM25's term-frequency part, for a field ``relative_length`` times the mean."""
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * relative_length))


def held(
    backend: ClusterBackend,
    ids: Sequence[str],
    terms: Sequence[tuple[str, str]],
    counted: Sequence[tuple[str, str]] = (),
) -> tuple[dict[tuple[str, str], list[str]], dict[tuple[str, str], int]]:
    """For each (field, token) of ``terms``, the ids of ``ids`` holding it: one search
    of those postings per term (reading each posting's own terms would be far longer);
    and how many postings of the collection hold each of ``counted``, in the same
    request."""
    among = x.one_of(c.ID, list(dict.fromkeys(ids)))
    searches: list[dict[str, Any]] = [
        {
            "q": "*",
            "query_by": c.TITLE_TERMS,
            "filter_by": x.render(x.all_of([among, x.one_of(name, [token])])),
            "per_page": len(ids),
            "include_fields": c.ID,
        }
        for name, token in terms
    ]
    searches += [
        {
            "q": "*",
            "query_by": c.TITLE_TERMS,
            "filter_by": x.render(x.one_of(name, [token])),
            "per_page": 0,
        }
        for name, token in counted
    ]
    answers = iter(backend.multi(searches))
    found = {
        key: [str(hit["document"][c.ID]) for hit in next(answers).get("hits", [])] for key in terms
    }
    counts = {key: int(next(answers).get("found", 0)) for key in counted}
    return found, counts
