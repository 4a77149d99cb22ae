"""Postings like a given one, by the distinctive terms of its description."""

from __future__ import annotations

from whoosh import query as wq

from search.query.matching import evaluate, top
from search.query.pipeline import Context
from search.query.snippets import Highlighter
from search.results import Hit
from search.store import fields as f
from search.store.documents import from_stored

#: Terms of the source description that make the query.
KEY_TERMS = 25


def similar(ctx: Context, docnum: int, limit: int) -> tuple[Hit, ...]:
    """Up to ``limit`` postings most like document ``docnum``, one per job.

    What Whoosh's ``more_like`` does (the description's most distinctive terms, weighted,
    ORed), evaluated over the side tables; the key terms also mark the snippets. Copies
    of the same job (and of each other) are folded, so five similar postings are five
    different jobs.
    """
    stored = ctx.searcher.stored_fields
    source = from_stored(stored(docnum))
    key_terms = ctx.searcher.key_terms_from_text(
        f.DESCRIPTION, source.description, numterms=KEY_TERMS
    )
    if not key_terms:
        return ()
    like = wq.Or([wq.Term(f.DESCRIPTION, word, boost=weight) for word, weight in key_terms])
    found = evaluate(ctx.index, like)
    found.mask[docnum] = False
    dup = ctx.index.column("dup")
    highlighter = Highlighter(word for word, _ in key_terms[:10])
    hits: list[Hit] = []
    seen = {int(dup[docnum])}
    for candidate in top(found, limit * 4).tolist():
        key = int(dup[candidate])
        if key in seen:
            continue
        seen.add(key)
        posting = from_stored(stored(candidate))
        score = float(found.scores[candidate])
        hits.append(Hit(posting, score, highlighter.snippet(posting.description)))
        if len(hits) == limit:
            break
    return tuple(hits)
