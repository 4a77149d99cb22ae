"""The relevance metrics on hand-computed examples, the judged set's shape, the baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search import load_postings
from search.evaluate import (
    JUDGMENTS,
    SAMPLE_DATA,
    dcg,
    load_judgments,
    ndcg,
    precision,
    read_slice_ids,
    reciprocal_rank,
)

LOG2_3 = 1.584962500721156
LOG2_5 = 2.321928094887362


# -- metrics -------------------------------------------------------------------------------


def test_dcg_uses_exponential_gain_and_log2_discount() -> None:
    # (2^3-1)/log2(2) + (2^2-1)/log2(3) + 0/log2(4) + (2^1-1)/log2(5)
    assert dcg([3, 2, 0, 1]) == pytest.approx(7 + 3 / LOG2_3 + 1 / LOG2_5)
    assert dcg([3, 2, 0, 1]) == pytest.approx(9.323466, abs=1e-6)


def test_dcg_stops_at_k() -> None:
    assert dcg([0] * 10 + [3]) == 0.0
    assert dcg([1, 3], k=1) == 1.0


@pytest.mark.parametrize(
    ("ranked", "judged", "expected"),
    [
        ([3, 2, 1], [3, 2, 1], 1.0),  # the ideal order
        ([3, 2, 0, 1], [3, 2, 1, 1], 0.949101),  # 9.323466 / 9.823466: one grade-1 never returned
        ([0, 0, 3], [3], 0.5),  # (7 / log2(4)) / 7
        ([1, 3], [3, 1], (1 + 7 / LOG2_3) / (7 + 1 / LOG2_3)),  # swapped: 0.6309 / 0.7524
        ([0, 0], [0, 0], 0.0),  # nothing relevant was judged: 0, not a division by zero
        ([], [2], 0.0),  # no results
    ],
)
def test_ndcg(ranked: list[int], judged: list[int], expected: float) -> None:
    assert ndcg(ranked, judged) == pytest.approx(expected, abs=1e-6)


def test_ndcg_ideal_comes_from_every_judged_grade_not_only_the_returned_ones() -> None:
    assert ndcg([3], [3]) == 1.0
    assert ndcg([3], [3, 3]) == pytest.approx(7 / (7 + 7 / LOG2_3))


@pytest.mark.parametrize(
    ("ranked", "expected"),
    [
        ([3, 0, 0], 1.0),
        ([0, 1, 2, 3], 1 / 3),  # grade 1 is related, not relevant
        ([0, 0, 0, 0, 2], 0.2),
        ([1, 1, 0], 0.0),
        ([], 0.0),
    ],
)
def test_reciprocal_rank_counts_the_first_grade_two_or_more(
    ranked: list[int], expected: float
) -> None:
    assert reciprocal_rank(ranked) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("ranked", "expected"),
    [
        ([3, 2, 1, 0, 2], 0.3),  # three relevant; the five empty slots are misses
        ([2] * 10, 1.0),
        ([2] * 12, 1.0),  # only the first ten count
        ([1] * 10, 0.0),
        ([], 0.0),
    ],
)
def test_precision_at_10(ranked: list[int], expected: float) -> None:
    assert precision(ranked) == pytest.approx(expected)


# -- judgments -----------------------------------------------------------------------------


def test_load_judgments_reads_lines_and_skips_comments(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    row = {"qid": "q1", "collection": "sample", "text": "NLP", "grades": {"a": 3, "b": "1"}}
    path.write_text("# comment\n\n" + json.dumps(row) + "\n")
    [judgment] = load_judgments(path)
    assert judgment.qid == "q1" and judgment.filters == {}
    assert judgment.grades == {"a": 3, "b": 1}


def test_load_judgments_rejects_an_unknown_collection(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text(json.dumps({"qid": "q", "collection": "web", "text": "x"}) + "\n")
    with pytest.raises(ValueError, match="unknown collection"):
        load_judgments(path)


def test_the_judged_set_has_forty_queries_with_graded_judgments() -> None:
    judgments = load_judgments(JUDGMENTS)
    qids = [j.qid for j in judgments]
    assert len(qids) == len(set(qids)) >= 40
    assert sum(j.collection == "slice" for j in judgments) >= 30
    assert sum(bool(j.filters) for j in judgments) >= 5
    for j in judgments:
        assert set(j.grades.values()) <= {0, 1, 2, 3}, j.qid
        assert max(j.grades.values()) >= 2, f"{j.qid} has nothing relevant to find"


def test_judged_postings_belong_to_their_collection() -> None:
    sample = {p.id for p in load_postings(SAMPLE_DATA)}
    slice_ids = set(read_slice_ids())
    assert len(slice_ids) == 1400
    for j in load_judgments(JUDGMENTS):
        allowed = sample if j.collection == "sample" else slice_ids
        assert set(j.grades) <= allowed, j.qid
