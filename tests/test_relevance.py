"""Measured relevance: our figures on the judged set must not fall below the recorded ones.

The evaluation indexes (the 10 sample postings; the 1,400-posting corpus slice when the
corpus is present) are built once for this module. After an intended ranking change,
re-judge new candidates (`python -m search.evaluate --pool`) and re-record the figures
(`python -m search.evaluate --record`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from search.evaluate import (
    METRICS,
    RECORDED,
    EvalReport,
    build_eval_indexes,
    evaluate,
    format_report,
    load_judgments,
)
from tests.conftest import CORPUS

#: Room for ties that Whoosh may order differently across versions; a real regression is larger.
TOLERANCE = 0.005


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EvalReport]:
    root = tmp_path_factory.mktemp("relevance")
    indexes = build_eval_indexes(root, CORPUS if CORPUS.exists() else None)
    try:
        yield evaluate(indexes, load_judgments())
    finally:
        for index in indexes.values():
            index.close()


@pytest.fixture(scope="module")
def recorded() -> dict[str, dict[str, dict[str, float]]]:
    return json.loads(RECORDED.read_text())


def _check(report: EvalReport, recorded: dict, scope: str, metric: str) -> None:
    if scope not in report.means:
        pytest.skip(f"corpus not found at {CORPUS}")
    ours = report.means[scope]["ours"][metric]
    floor = recorded[scope]["ours"][metric]
    assert ours >= floor - TOLERANCE, (
        f"{scope} {metric} fell to {ours:.4f} from the recorded {floor:.4f}\n"
        + format_report(report, per_query=True)
    )


@pytest.mark.parametrize("metric", METRICS)
def test_sample_figures_hold(report: EvalReport, recorded: dict, metric: str) -> None:
    _check(report, recorded, "sample", metric)


@pytest.mark.parametrize("metric", METRICS)
def test_corpus_slice_figures_hold(report: EvalReport, recorded: dict, metric: str) -> None:
    _check(report, recorded, "slice", metric)


@pytest.mark.parametrize("metric", METRICS)
def test_overall_figures_hold(report: EvalReport, recorded: dict, metric: str) -> None:
    _check(report, recorded, "all", metric)


def test_every_judged_query_ran_or_was_skipped_for_the_missing_corpus(report: EvalReport) -> None:
    judgments = load_judgments()
    assert len(report) + len(report.skipped) == len(judgments)
    if CORPUS.exists():
        assert report.skipped == ()
    for row in report:
        assert all(len(ids) <= 10 for ids in row.ranked.values())


def test_our_ranking_beats_plain_bm25_on_ndcg(report: EvalReport) -> None:
    if "slice" not in report.means:
        pytest.skip(f"corpus not found at {CORPUS}")
    for scope, means in report.means.items():
        assert means["ours"]["ndcg@10"] > means["bm25"]["ndcg@10"], (scope, format_report(report))
