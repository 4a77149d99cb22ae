"""Postings like a given one on a cluster index: the embedded engine's policy
(``search.query.similar``) over Typesense.

The posting's key terms are scored by the same Bo1 model from what the job itself says,
with one difference: a term's frequency in the index is the number of postings holding
it (Typesense counts documents, not occurrences). Typesense's text match cannot rank an
OR of weighted terms (it ranks by how many of the typed words a document holds, dropping
words from the ends), so it only gathers candidates: postings holding the most of the
title's words, those holding the most of the first key terms, and postings holding any
of the terms (every one of them on a small index). Each candidate is then scored here, as the
embedded query would score it without term counts or lengths: the sum, over the key
terms in its description and the title's words in its title, of the term's weight times
its inverse document frequency. The hits are spread across jobs and employers as the
embedded engine spreads them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from search.cluster import expr as x
from search.cluster import schema as c
from search.cluster.backend import PAGE, ClusterBackend
from search.cluster.documents import term_token
from search.cluster.rescoring import held
from search.extract.sections import job_text
from search.extract.text import normalize_key
from search.query.ranking import SIMILAR_KEY_TERMS, SIMILAR_TITLE_BOOST, idf
from search.query.similar import key_terms, spread
from search.query.snippets import Highlighter
from search.results import Hit
from search.store import fields as f
from search.store.analysis import FastTextAnalysis

#: Key terms that gather candidates by text match (the rest only score them).
GATHERING_TERMS = 8
#: Candidates gathered by each of three searches: each search of one scoring token among
#: them all then fits one page.
CANDIDATES = PAGE // 3


def similar(backend: ClusterBackend, doc: int, limit: int) -> tuple[Hit, ...]:
    """Up to ``limit`` postings most like document ``doc``: one per job, spread across
    employers, best first."""
    if limit <= 0:
        return ()
    source = backend.posting(doc)
    analysis = FastTextAnalysis()
    weights = Counter(analysis.terms(job_text(source.description)))
    described = backend.doc_frequencies(f.DESCRIPTION, list(weights))
    documents = backend.total()
    terms = key_terms(weights, described, documents, SIMILAR_KEY_TERMS)
    title_words = list(dict.fromkeys(analysis.terms(source.title)))
    if not terms and not title_words:
        return ()
    titled = backend.doc_frequencies(f.TITLE, title_words)
    boosts = {
        c.DESCRIPTION_TERMS: {
            term_token(w): weight * idf(described[w], documents) for w, weight in terms
        },
        c.TITLE_TERMS: {
            term_token(w): SIMILAR_TITLE_BOOST * idf(titled[w], documents)
            for w in title_words
            if titled.get(w)
        },
    }
    rows = _gather(backend, terms, title_words)
    asked = [(field, token) for field, weights in boosts.items() for token in weights]
    found, _ = held(backend, [str(row[c.ID]) for row in rows], asked)
    earned: dict[str, float] = defaultdict(float)
    for (field, token), ids in found.items():
        for doc_id in ids:
            earned[doc_id] += boosts[field][token]
    scores: dict[int, float] = {}
    candidates: list[tuple[int, int, str | None]] = []
    for row in rows:
        num = backend.numbered(row)
        if num == doc or num in scores:
            continue
        scores[num] = earned[str(row[c.ID])]
        (job,) = backend.jobs([num])
        candidates.append((num, job, row.get(c.COMPANY_KEY) or None))
    candidates.sort(key=lambda cand: -scores[cand[0]])
    (source_job,) = backend.jobs([doc])
    employer = normalize_key(source.company) if source.company else None
    chosen = spread(candidates, job=source_job, employer=employer, limit=limit)
    words = [w for w, _ in terms[:10]] + title_words
    return _hits(backend, chosen, scores, words)


def _gather(
    backend: ClusterBackend, terms: Sequence[tuple[str, float]], title_words: Sequence[str]
) -> list[dict[str, Any]]:
    """Candidate rows (id, job key, employer key): those holding the most of the title's
    words, those holding the most of the first key terms, and postings holding any
    scoring term (all of them when they are few: on a small index nothing is missed)."""
    include = f"{c.ID},{c.DUP_KEY},{c.COMPANY_KEY}"
    searches = []
    for field, words in (
        (c.TITLE_TERMS, title_words),
        (c.DESCRIPTION_TERMS, [w for w, _ in terms[:GATHERING_TERMS]]),
    ):
        if words:
            searches.append(
                {
                    "q": " ".join(term_token(w) for w in words),
                    "query_by": field,
                    "num_typos": 0,
                    "prefix": "false",
                    "drop_tokens_threshold": CANDIDATES,
                    "per_page": CANDIDATES,
                    "include_fields": include,
                }
            )
    holding_any = x.any_of(
        [
            x.one_of(c.DESCRIPTION_TERMS, [term_token(w) for w, _ in terms]),
            x.one_of(c.TITLE_TERMS, [term_token(w) for w in title_words]),
        ]
    )
    searches.append(
        {
            "q": "*",
            "query_by": c.TITLE_TERMS,
            "filter_by": x.render(holding_any),
            "per_page": CANDIDATES,
            "include_fields": include,
        }
    )
    rows = []
    for answer in backend.multi(searches):
        rows += [hit["document"] for hit in answer.get("hits", [])]
    return rows


def _hits(
    backend: ClusterBackend, chosen: Sequence[int], scores: dict[int, float], words: list[str]
) -> tuple[Hit, ...]:
    highlighter = Highlighter(words)
    hits = []
    for num in sorted(chosen, key=lambda d: -scores[d]):
        posting = backend.posting(num)
        hits.append(Hit(posting, scores[num], highlighter.snippet(posting.description)))
    return tuple(hits)
