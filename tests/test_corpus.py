"""The whole real corpus: it indexes without a rejected row, and searches behave.

Skips cleanly when ../shared/corpus/jobs.jsonl.gz is absent. Building the index takes
about a minute and a half, once per test session.
"""

from __future__ import annotations

import pytest

from search import JobIndex


def top(index: JobIndex, text: str, n: int = 10, **filters: object) -> list[str]:
    return [h.posting.id for h in index.search(text, limit=n, **filters)]  # type: ignore[arg-type]


def test_every_posting_is_indexed(corpus_index: JobIndex) -> None:
    assert len(corpus_index) == 9387
    stats = corpus_index.stats()
    assert stats["postings"] == 9387 and stats["cities"] > 100 and stats["countries"] > 30


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("machine learning", {"city": ["San Francisco"]}),
        ("python", {"country": ["US"], "skill": ["aws"]}),
        ("LLM", {"remote": True}),
        ("", {"level": ["senior"], "role": ["engineer"]}),
        ('"computer vision" -intern', {}),
        ("sales", {"country": ["GB"], "employment_type": ["full-time"]}),
        ("engineer", {"near": "Berlin", "radius_km": "100km"}),
        ("(unbalanced AND", {}),
    ],
)
def test_searches_with_filters_and_facets(
    corpus_index: JobIndex, text: str, filters: dict[str, object]
) -> None:
    results = corpus_index.search(text, **filters)  # type: ignore[arg-type]
    assert results.total > 0
    assert 0 < len(results) <= 10
    assert sum(results.facets["level"].values()) <= results.total
    for name, value in results.facets["city"].items():
        assert 0 < value <= results.total, name


def test_nlp_and_natural_language_processing_lead_with_the_same_postings(
    corpus_index: JobIndex,
) -> None:
    acronym, spelled = top(corpus_index, "NLP"), top(corpus_index, "natural language processing")
    assert len(set(acronym) & set(spelled)) >= 7
    assert (
        corpus_index.search("NLP").total == corpus_index.search("natural language processing").total
    )


def test_k8s_finds_kubernetes_postings(corpus_index: JobIndex) -> None:
    results = corpus_index.search("k8s")
    assert results.total == corpus_index.search("kubernetes").total > 100
    assert all("kubernetes" in h.posting.skills for h in results)


def test_misspelled_reinforcement_learning_is_corrected(corpus_index: JobIndex) -> None:
    results = corpus_index.search("reinforcment lerning")
    assert results.suggestion == "reinforcement learning"
    assert results.total == corpus_index.search("reinforcement learning").total > 50


def test_near_seattle_30km_has_seattle_and_bellevue_but_not_portland(
    corpus_index: JobIndex,
) -> None:
    results = corpus_index.search(near="Seattle", radius_km="30km", limit=1000, collapse=False)
    cities = {p.city for h in results for p in h.posting.places if p.lat is not None}
    assert {"Seattle", "Bellevue"} <= cities
    nearest = {h.posting.places[0].city for h in results}
    assert "Portland" not in nearest
    assert all(h.distance_km is not None and h.distance_km <= 30 for h in results)


def test_copies_of_one_job_fold_into_one_hit(corpus_index: JobIndex) -> None:
    folded = corpus_index.search("", limit=1000)
    every = corpus_index.search("", limit=1000, collapse=False)
    assert folded.total < every.total == 9387
    merged = [h for h in folded if h.duplicates]
    assert merged
    for hit in merged[:20]:
        copies = [corpus_index.get(i) for i in hit.duplicates]
        assert all(c.title == hit.posting.title for c in copies)
        for copy in copies:
            assert set(copy.places) <= set(hit.posting.places)
