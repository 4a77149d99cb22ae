"""Scoring the candidates alone (``search.query.candidates``) gives every candidate the
score that scoring every document (``search.query.matching``) gives it, bit for bit,
and the same matches, on the corpus: judged queries, operators, phrases, skills, close
spellings, and filters narrowing the candidates."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from search import JobIndex
from search.query import matching
from search.query.fuzzy import fuzzy_query
from search.query.parser import parse_text
from search.query.places import city_mask
from search.query.view import Index, Mask

JUDGED = Path(__file__).parent / "relevance" / "judgments.jsonl"
WORDS = [
    "data",
    "engineer",
    "senior",
    "python",
    "sql",
    "machine",
    "learning",
    "sales",
    "manager",
    "nurse",
    "remote",
    "aws",
    "java",
    "analyst",
    "product",
    "the",
    "of",
    "kubernetes",
    "ml",
    "nlp",
    "excel",
    "customer",
    "support",
    "developer",
    "c++",
]
SHAPES = [
    "{a}",
    "{a} {b}",
    "{a} {b} {c}",
    "{a} OR {b}",
    "{a} -{b}",
    '"{a} {b}"',
    "title:{a} {b}",
    "({a} OR {b}) {c}",
    "{a} NOT {b}",
    '"{a} {b}" {c}',
    "-{a}",
    '{a} AND ({b} OR "{c} {a}")',
    'title:"{a} {b}"',
]


def _judged() -> list[str]:
    texts = []
    for line in JUDGED.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            texts.append(json.loads(line)["text"])
    return texts


@pytest.fixture(scope="module")
def index(corpus_index_dir: Path) -> Iterator[Index]:
    with JobIndex.open(corpus_index_dir) as opened:
        yield opened._read().index


def _both(
    index: Index, q: wq.Query, within: Mask | None, monkeypatch: pytest.MonkeyPatch
) -> tuple[matching.Match, matching.Match, list[str], list[str]]:
    dense_notes: list[str] = []
    sparse_notes: list[str] = []
    with monkeypatch.context() as m:
        m.setattr(matching, "SPARSE_SHARE", 10**12)  # every document scored
        dense = matching.evaluate(index, q, dense_notes, within=within)
        m.setattr(matching, "SPARSE_SHARE", 0)  # the candidates alone
        sparse = matching.evaluate(index, q, sparse_notes, within=within)
    return dense, sparse, dense_notes, sparse_notes


def assert_same(index: Index, q: wq.Query, within: Mask | None, mp: pytest.MonkeyPatch) -> int:
    dense, sparse, dense_notes, sparse_notes = _both(index, q, within, mp)
    assert np.array_equal(dense.mask, sparse.mask), q
    kept = dense.mask & within if within is not None else dense.mask
    cand = np.flatnonzero(kept)
    assert np.array_equal(dense.scores[cand], sparse.scores[cand]), q  # exact floats
    assert not sparse.scores[~kept].any()
    assert dense_notes == sparse_notes
    return len(cand)


def test_judged_queries_score_alike(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    compared = 0
    for text in _judged():
        q = parse_text(text)
        if q is not None:
            compared += assert_same(index, q, None, monkeypatch) > 0
    assert compared >= 40


def test_shapes_alike_with_and_without_filters(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(7)
    seattle = city_mask(index, "Seattle")
    some = np.random.default_rng(7).random(index.size) < 0.05
    assert seattle.any() and some.any()
    matched = 0
    for _ in range(150):
        a, b, c = rng.sample(WORDS, 3)
        text = rng.choice(SHAPES).format(a=a, b=b, c=c)
        q = parse_text(text)
        if q is None:
            continue
        for within in (None, seattle, some):
            matched += assert_same(index, q, within, monkeypatch) > 0
    assert matched > 200


def test_close_spellings_and_level_words(index: Index, monkeypatch: pytest.MonkeyPatch) -> None:
    for text in ("pyhton develper", "enginer", "kubernets", "machne lerning"):
        q = fuzzy_query(text, ("title", "description"))
        assert q is not None
        assert assert_same(index, q, None, monkeypatch) > 0, text
    base = parse_text("data engineer")
    also = parse_text("senior lead")
    assert base is not None and also is not None
    ranked = wq.AndMaybe(base, wq.Or([also], boost=0.2))
    assert assert_same(index, ranked, None, monkeypatch) > 0


@settings(max_examples=60, deadline=None)
@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4), shape=st.integers(0, 3))
def test_any_words_alike(index: Index, words: list[str], shape: int) -> None:
    text = [" ".join(words), " OR ".join(words), '"' + " ".join(words) + '"', "-" + words[0]][shape]
    q = parse_text(text)
    if q is None:
        return
    with pytest.MonkeyPatch.context() as mp:
        assert_same(index, q, None, mp)
