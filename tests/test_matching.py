"""The vectorised evaluator against Whoosh's own matchers, on a real index.

Searches read the side tables, not Whoosh's posting lists; these tests hold the two to
the same answers: the same documents and the same BM25F scores for terms, unions,
intersections and exclusions, over segments our writer wrote (and Whoosh reads).
"""

from __future__ import annotations

import pytest
from whoosh import query as wq
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from search import JobIndex
from search.query.matching import evaluate, top
from search.query.view import Index
from search.store.schema import shared_schema

QUERIES = [
    wq.Term("description", "learn"),
    wq.Term("title", "scienc", boost=3.0),
    wq.Or([wq.Term("title", "intern", boost=3.0), wq.Term("description", "intern")]),
    wq.And([wq.Term("description", "machin"), wq.Term("description", "learn")]),
    wq.AndNot(wq.Term("description", "learn"), wq.Term("description", "robot")),
    wq.Or([wq.Term("description", "python"), wq.Term("skill", "python", boost=1.5)]),
    wq.And(
        [
            wq.Or([wq.Term("title", "appli", boost=3.0), wq.Term("description", "appli")]),
            wq.Or([wq.Term("title", "scientist", boost=3.0), wq.Term("description", "scientist")]),
        ]
    ),
]


def _whoosh_scores(index: JobIndex, q: wq.Query) -> dict[int, float]:
    searcher = Searcher(index.searcher.reader(), weighting=BM25F(), closereader=False)
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None, optimize=False)}


@pytest.mark.parametrize("q", QUERIES, ids=repr)
def test_same_documents_and_scores_as_whoosh(sample_index: JobIndex, q: wq.Query) -> None:
    expected = _whoosh_scores(sample_index, q)
    found = evaluate(Index(sample_index._read().index.snapshot), q)
    got = {int(d): float(found.scores[d]) for d in found.mask.nonzero()[0]}
    assert set(got) == set(expected)
    for docnum, score in expected.items():
        assert got[docnum] == pytest.approx(score, rel=1e-5)


@pytest.mark.parametrize("text", ["machine learning", "applied scientist intern", "robotics"])
def test_plain_baseline_is_whoosh_bm25(sample_index: JobIndex, text: str) -> None:
    parser = MultifieldParser(["title", "description"], shared_schema(), group=OrGroup)
    expected = _whoosh_scores(sample_index, parser.parse(text))
    ranked = sorted(expected, key=lambda d: (-expected[d], d))[:10]
    stored = sample_index.searcher.stored_fields
    assert sample_index.baseline(text) == [stored(d)["id"] for d in ranked]


def test_top_breaks_ties_by_document_number(sample_index: JobIndex) -> None:
    found = evaluate(Index(sample_index._read().index.snapshot), wq.Every())
    assert top(found, 3).tolist() == [0, 1, 2]
