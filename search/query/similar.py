"""Postings like a given one: the same kind of job, at other employers first.

The query is the posting's most distinctive terms (Whoosh's key-term model), read from
what the job itself says: company blurbs, benefits and equal-opportunity statements are
left out, since they make every posting of one employer alike whatever the job (a data
scientist's "similar" postings were its employer's marketing roles). The title's words
are added, as the title names the job. Hits spread across employers: one per employer,
then more only when fewer employers have similar jobs.
"""

from __future__ import annotations

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
    leaves: list[wq.Query] = [
        wq.Term(f.DESCRIPTION, word, boost=weight) for word, weight in key_terms
    ]
    title_terms = list(dict.fromkeys(FastTextAnalysis().terms(title)))
    leaves += [wq.Term(f.TITLE, word, boost=SIMILAR_TITLE_BOOST) for word in title_terms]
    words = [word for word, _ in key_terms[:10]] + title_terms
    return (wq.Or(leaves) if leaves else None), words


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
    seen_jobs = {int(dup[docnum])}
    picked: list[int] = []
    spare: list[int] = []
    employers = {normalize_key(source.company)} if source.company else set()
    for candidate in top(found, limit * 20).tolist():
        key = int(dup[candidate])
        if key in seen_jobs:
            continue
        seen_jobs.add(key)
        company = stored(candidate).get(f.PAYLOAD, {}).get("company")
        employer = normalize_key(company) if company else None
        if employer is not None and employer in employers:
            spare.append(candidate)
            continue
        if employer is not None:
            employers.add(employer)
        picked.append(candidate)
        if len(picked) == limit:
            break
    chosen = (picked + spare)[:limit]
    chosen.sort(key=lambda d: -found.scores[d])
    highlighter = Highlighter(words)
    hits = []
    for candidate in chosen:
        posting = from_stored(stored(candidate))
        score = float(found.scores[candidate])
        hits.append(Hit(posting, score, highlighter.snippet(posting.description)))
    return tuple(hits)
