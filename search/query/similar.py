"""Postings like a given one, by the distinctive terms of its description."""

from __future__ import annotations

from whoosh import query as wq

from search.query.pipeline import Context
from search.query.snippets import Highlighter
from search.results import Hit
from search.store import fields as f
from search.store.documents import from_stored

#: Terms of the source description that make the query.
KEY_TERMS = 25


def similar(ctx: Context, docnum: int, limit: int) -> tuple[Hit, ...]:
    """Up to ``limit`` postings most like document ``docnum``, one per job.

    What Whoosh's ``more_like`` does, keeping the key terms for the snippets instead of
    analysing the description a second time. Copies of the same job (and of each other)
    are folded, so five similar postings are five different jobs.
    """
    searcher = ctx.searcher
    source = from_stored(searcher.stored_fields(docnum))
    key_terms = searcher.key_terms_from_text(f.DESCRIPTION, source.description, numterms=KEY_TERMS)
    like = wq.Or([wq.Term(f.DESCRIPTION, word, boost=weight) for word, weight in key_terms])
    results = searcher.search(like, limit=limit * 4, mask={docnum})
    highlighter = Highlighter(word for word, _ in key_terms[:10])
    hits: list[Hit] = []
    seen = {ctx.table.first(docnum, f.DUP_KEY)}
    for found in results:
        key = ctx.table.first(found.docnum, f.DUP_KEY)
        if key in seen and key is not None:
            continue
        seen.add(key)
        posting = from_stored(found.fields())
        hits.append(Hit(posting, float(found.score), highlighter.snippet(posting.description)))
        if len(hits) == limit:
            break
    return tuple(hits)
