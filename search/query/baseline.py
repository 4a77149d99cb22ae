"""Plain BM25 over the same index: the baseline our ranking is measured against.

Whoosh's BM25F with its default parameters, the query words ORed (textbook BM25 scores
any document containing any query word) over title and description, no skill field,
no synonyms and no field boosts; the same filters.
"""

from __future__ import annotations

from functools import cache

from whoosh.qparser import MultifieldParser, OrGroup

from search.query.filters import filter_mask
from search.query.matching import evaluate, top
from search.query.view import Index
from search.results import Filters
from search.store import fields as f
from search.store.schema import shared_schema

BASELINE_FIELDS = (f.TITLE, f.DESCRIPTION)


@cache
def _parser() -> MultifieldParser:
    return MultifieldParser(list(BASELINE_FIELDS), shared_schema(), group=OrGroup)


def rank_plain_bm25(index: Index, text: str, filters: Filters, limit: int) -> list[str]:
    """Posting ids ranked by plain BM25 over title and description, same filters."""
    found = evaluate(index, _parser().parse(text))
    allowed = filter_mask(index, filters)
    if allowed is not None:
        found.mask &= allowed
    stored = index.snapshot.reader.stored_fields
    return [stored(int(d))[f.ID] for d in top(found, limit)]
