"""Postings like a given one: the same kind of job, at other employers first.

The query is the posting's most distinctive terms (Whoosh's key-term model), read from
what the job itself says: company blurbs, benefits and equal-opportunity statements are
left out, since they make every posting of one employer alike whatever the job (a data
scientist's "similar" postings were its employer's marketing roles). The title's words
are added, as the title names the job. Hits spread across employers: one per employer,
then more only when fewer employers have similar jobs.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping

from whoosh import query as wq

from search.extract.sections import job_text
from search.extract.text import normalize_key
from search.query.embedded import EmbeddedBackend
from search.query.matching import evaluate, top
from search.query.ranking import SIMILAR_KEY_TERMS, SIMILAR_TITLE_BOOST
from search.query.snippets import Highlighter
from search.results import Hit
from search.store import fields as f
from search.store.analysis import FastTextAnalysis
from search.store.documents import from_stored


def _query(ctx: EmbeddedBackend, title: str, text: str) -> tuple[wq.Query | None, list[str]]:
    key_terms = ctx.searcher.key_terms_from_text(f.DESCRIPTION, text, numterms=SIMILAR_KEY_TERMS)
    return like_query(key_terms, title)


def like_query(key_terms: list[tuple[str, float]], title: str) -> tuple[wq.Query | None, list[str]]:
    """The query of postings like one: its key terms in the description, weighted, and
    its title's words in titles; with the words a snippet marks."""
    leaves: list[wq.Query] = [
        wq.Term(f.DESCRIPTION, word, boost=weight) for word, weight in key_terms
    ]
    title_terms = list(dict.fromkeys(FastTextAnalysis().terms(title)))
    leaves += [wq.Term(f.TITLE, word, boost=SIMILAR_TITLE_BOOST) for word in title_terms]
    words = [word for word, _ in key_terms[:10]] + title_terms
    return (wq.Or(leaves) if leaves else None), words


def spread(
    candidates: Iterable[tuple[int, Hashable, str | None]],
    job: Hashable,
    employer: str | None,
    limit: int,
) -> list[int]:
    """Up to ``limit`` of ``candidates`` (document, job key, employer key or None), best
    first: one per job, and the source job (``job``) never; one per employer, the
    source's employer last, then more of an employer only when too few employers have
    similar jobs."""
    seen_jobs = {job}
    employers = {employer} if employer is not None else set()
    picked: list[int] = []
    spare: list[int] = []
    for doc, key, where in candidates:
        if key in seen_jobs:
            continue
        seen_jobs.add(key)
        if where is not None and where in employers:
            spare.append(doc)
            continue
        if where is not None:
            employers.add(where)
        picked.append(doc)
        if len(picked) == limit:
            break
    return (picked + spare)[:limit]


def key_terms(
    weights: Mapping[str, float], frequency: Mapping[str, int], documents: int, number: int
) -> list[tuple[str, float]]:
    """The ``number`` most distinctive of a text's terms (term -> weight in the text)
    by the Bo1 model, as Whoosh's ``key_terms_from_text`` scores them: ``frequency`` is
    each term's frequency in the index of ``documents`` postings (a term the index lacks
    is left out); weights are normalized as Whoosh does."""
    scored: list[tuple[float, str]] = []
    top = 0.0
    for word, weight in weights.items():
        cf = frequency.get(word, 0)
        if cf <= 0 or documents <= 0:
            continue
        share = cf / documents
        score = weight * math.log((1.0 + share) / share, 2) + math.log(1.0 + share, 2)
        top = max(top, score)
        scored.append((score, word))
    if not top:
        return []
    share = top / documents
    norm = (top * math.log((1.0 + share) / share) + math.log(1.0 + share)) / math.log(2.0)
    scored.sort(key=lambda sw: (-sw[0], sw[1]))
    return [(word, score / norm) for score, word in scored[:number]]


def similar(ctx: EmbeddedBackend, docnum: int, limit: int) -> tuple[Hit, ...]:
    """Up to ``limit`` postings most like document ``docnum``, one per job (copies of a
    job posted for several places fold), spread across employers."""
    stored = ctx.reader.stored_fields
    source = from_stored(stored(docnum))
    like, words = _query(ctx, source.title, job_text(source.description))
    if like is None:
        return ()
    found = evaluate(ctx.index, like)
    found.mask[docnum] = False
    dup = ctx.index.column("dup")

    def employer(candidate: int) -> str | None:
        company = stored(candidate).get(f.PAYLOAD, {}).get("company")
        return normalize_key(company) if company else None

    chosen = spread(
        ((d, int(dup[d]), employer(d)) for d in top(found, limit * 20).tolist()),
        job=int(dup[docnum]),
        employer=normalize_key(source.company) if source.company else None,
        limit=limit,
    )
    chosen.sort(key=lambda d: -found.scores[d])
    highlighter = Highlighter(words)
    hits = []
    for candidate in chosen:
        posting = from_stored(stored(candidate))
        score = float(found.scores[candidate])
        hits.append(Hit(posting, score, highlighter.snippet(posting.description)))
    return tuple(hits)
