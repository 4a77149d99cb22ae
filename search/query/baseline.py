"""Plain BM25 over the same index: the baseline our ranking is measured against.

Whoosh's ``BM25F`` with its default parameters, the query words ORed (textbook BM25
scores any document containing any query word) over title and description, no skill
field and no field boosts. Our schema boosts the title at index time (weights are
multiplied by the field boost as they are written), so the baseline's scorer divides
that boost back out. Filters are passed as Whoosh's ``filter=``.
"""

from __future__ import annotations

from typing import Any

from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.scoring import BM25F, BM25FScorer, bm25
from whoosh.searching import Searcher

from search.query.filters import build_filter
from search.results import Filters
from search.store import fields as f
from search.store.fields import term_text

BASELINE_FIELDS = (f.TITLE, f.DESCRIPTION)


class _UnboostedScorer(BM25FScorer):
    """BM25 on a term's raw frequency: divides out the boost written into the weights."""

    def __init__(self, searcher: Any, fieldname: str, text: bytes, B: float, K1: float, qf: int):
        super().__init__(searcher, fieldname, text, B, K1, qf=qf)
        self._unboost = 1.0 / (searcher.schema[fieldname].format.field_boost or 1.0)

    def score(self, matcher: Any) -> float:
        weight = matcher.weight() * self._unboost
        return bm25(self.idf, weight, self.dfl(matcher.id()), self.avgfl, self.B, self.K1)


class PlainBM25(BM25F):
    """Whoosh's default BM25F (B=0.75, K1=1.2) with every field boost set to 1."""

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> Any:
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf=qf)
        return _UnboostedScorer(searcher, fieldname, text, self.B, self.K1, qf)


def rank_plain_bm25(searcher: Searcher, text: str, filters: Filters, limit: int) -> list[str]:
    """Posting ids ranked by plain BM25 over title and description, same filters."""
    reader = searcher.reader()
    plain = Searcher(reader, weighting=PlainBM25(), closereader=False)
    parser = MultifieldParser(list(BASELINE_FIELDS), reader.schema, group=OrGroup)
    query = parser.parse(text)
    roles = [term_text(r) for r in reader.lexicon(f.ROLE)] if filters.role else ()
    results = plain.search(query, filter=build_filter(filters, roles), limit=limit)
    return [hit[f.ID] for hit in results]
