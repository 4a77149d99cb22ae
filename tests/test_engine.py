"""The library API end to end on the 10 sample postings (the issue's acceptance list)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import (
    InvalidFilterError,
    JobIndex,
    PostingNotFoundError,
    SearchResults,
    load_postings,
)
from search.errors import InvalidQueryError
from search.query.filters import normalize_employment_type, normalize_level
from search.query.parser import check_text
from search.results import MARK_OPEN
from tests.conftest import DATA


def _all(index: JobIndex, text: str = "", **filters: object) -> SearchResults:
    return index.search(text, limit=100, **filters)  # type: ignore[arg-type]


def _ids(results: SearchResults) -> set[str]:
    return {hit.posting.id for hit in results}


def _by_location(index: JobIndex, location: str) -> set[str]:
    return {h.posting.id for h in _all(index) if h.posting.location_text == location}


def test_the_sample_has_ten_postings(sample_index: JobIndex) -> None:
    assert len(sample_index) == 10
    assert _all(sample_index).total == 10


def test_city_seattle_finds_the_six_seattle_postings_and_the_sf_internship(
    sample_index: JobIndex,
) -> None:
    results = _all(sample_index, city=["Seattle"])
    seattle = _by_location(sample_index, "US, WA, Seattle")
    san_francisco = _by_location(sample_index, "US, CA, San Francisco")
    assert len(seattle) == 6 and len(san_francisco) == 1
    assert _ids(results) == seattle | san_francisco
    assert results.total == 7


def test_city_boston_finds_the_five_internships_that_list_boston(sample_index: JobIndex) -> None:
    results = _all(sample_index, city=["Boston"])
    assert results.total == 5
    for hit in results:
        assert "Boston, MA" in hit.posting.description
        assert hit.posting.level == "intern"
    others = [h for h in _all(sample_index) if h.posting.id not in _ids(results)]
    assert all("Boston, MA" not in h.posting.description for h in others)


def test_country_de_finds_only_the_london_internship(sample_index: JobIndex) -> None:
    results = _all(sample_index, country=["DE"])
    assert [h.posting.location_text for h in results] == ["GB, London"]
    assert _ids(_all(sample_index, country=["Germany"])) == _ids(results)


def test_nlp_also_finds_postings_that_only_spell_it_out(sample_index: JobIndex) -> None:
    nlp = _ids(_all(sample_index, "NLP"))
    spelled_out_only = {
        h.posting.id
        for h in _all(sample_index, '"natural language processing"')
        if "NLP" not in h.posting.description
    }
    assert spelled_out_only, "the sample has postings saying only 'natural language processing'"
    assert spelled_out_only <= nlp


def test_llm_also_finds_postings_that_only_say_large_language_models(
    sample_index: JobIndex,
) -> None:
    llm = _ids(_all(sample_index, "LLM"))
    spelled_out_only = {
        h.posting.id
        for h in _all(sample_index, '"large language models"')
        if "LLM" not in h.posting.description
    }
    assert spelled_out_only
    assert spelled_out_only <= llm


def test_skill_pytorch_finds_exactly_the_robotics_internship(sample_index: JobIndex) -> None:
    results = _all(sample_index, skill=["pytorch"])
    assert [h.posting.location_text for h in results] == ["US, CA, San Francisco"]
    assert "robotics" in results.hits[0].posting.description


@pytest.mark.parametrize(
    ("phrase", "level"),
    [
        ("As a Principal Scientist", "principal"),
        ("Seller Growth Science", "senior"),
        ("As an Applied Science Intern", "intern"),
        ("Research Science intern", "intern"),
    ],
)
def test_levels(sample_index: JobIndex, phrase: str, level: str) -> None:
    matching = [h.posting for h in _all(sample_index) if phrase in h.posting.description]
    assert matching
    assert {p.level for p in matching} == {level}


def test_all_internships_are_level_intern_and_employment_internship(
    sample_index: JobIndex,
) -> None:
    interns = _all(sample_index, level=["intern"])
    assert interns.total == 7
    assert {h.posting.employment_type for h in interns} == {"internship"}


def test_filters_or_within_and_across(sample_index: JobIndex) -> None:
    boston_or_london = _all(sample_index, city=["Boston", "London"])
    assert boston_or_london.total == 6
    both = _all(sample_index, city=["Seattle"], country=["GB"])
    assert both.total == 0


def test_query_with_filter_ranks_and_facets(sample_index: JobIndex) -> None:
    results = sample_index.search("machine learning", city=["Seattle"], limit=3)
    assert 0 < len(results) <= 3
    assert results.total >= len(results)
    scores = [h.score for h in results]
    assert all(s is not None and s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert results.facets["city"]["Seattle"] == results.total
    assert set(results.facets) == {
        "city",
        "country",
        "skill",
        "role",
        "level",
        "employment_type",
        "company",
        "workplace",
        "pay",
        "experience",
        "posted",
    }
    assert MARK_OPEN in results.hits[0].snippet


def test_paging_covers_every_hit_once(sample_index: JobIndex) -> None:
    pages = [sample_index.search("science", limit=3, page=n) for n in (1, 2, 3, 4)]
    seen = [h.posting.id for p in pages for h in p]
    assert len(seen) == len(set(seen)) == pages[0].total


def test_no_text_lists_newest_first_and_since_filters(tmp_path: Path) -> None:
    rows = [
        '{"id": "old", "title": "Data Scientist", "location": "Berlin", '
        '"description": "Statistics and Python.", "posted": "2024-01-05"}',
        '{"id": "new", "title": "Data Scientist", "location": "Paris", '
        '"description": "Statistics and SQL.", "posted": "2025-06-01"}',
    ]
    source = tmp_path / "jobs.jsonl"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with JobIndex.create(tmp_path / "ix") as index:
        index.add(load_postings(source))
        assert [h.posting.id for h in index.search()] == ["new", "old"]
        assert [h.posting.id for h in index.search(since=date(2025, 1, 1))] == ["new"]
        assert index.search().hits[0].posting.posted == date(2025, 6, 1)


def test_get_and_similar(sample_index: JobIndex) -> None:
    first = sample_index.search("robotics").hits[0].posting
    assert sample_index.get(first.id) == first
    similar = sample_index.similar(first.id, limit=3)
    assert 0 < len(similar) <= 3
    assert first.id not in {h.posting.id for h in similar}
    with pytest.raises(PostingNotFoundError):
        sample_index.get("no-such-id")


@pytest.mark.parametrize(
    ("text", "same_as"),
    [('"machine learning', "machine learning"), ("(deep learning", "deep learning")],
)
def test_unbalanced_syntax_reads_as_the_words(
    sample_index: JobIndex, text: str, same_as: str
) -> None:
    assert sample_index.search(text).total == sample_index.search(same_as).total > 0


@pytest.mark.parametrize("text", ["NOT", "AND OR", ")))", '"', "-"])
def test_text_of_only_syntax_lists_every_posting_with_a_note(
    sample_index: JobIndex, text: str
) -> None:
    results = sample_index.search(text)
    assert results.total == len(sample_index) == 10
    assert any("no searchable words" in note for note in results.notes)


def test_exclusion_with_leading_minus(sample_index: JobIndex) -> None:
    with_robotics = _ids(_all(sample_index, "science"))
    without = _ids(_all(sample_index, "science -robotics"))
    assert without < with_robotics
    assert all("robotics" not in sample_index.get(i).description.lower() for i in without)


def test_bad_filter_values_raise_clear_errors(sample_index: JobIndex) -> None:
    with pytest.raises(InvalidFilterError, match="unknown level"):
        sample_index.search(level=["wizard"])
    with pytest.raises(InvalidFilterError, match="employment type"):
        sample_index.search(employment_type=["forever"])


def test_unknown_city_gives_no_hits_and_a_note(sample_index: JobIndex) -> None:
    results = sample_index.search(city=["Atlantis"])
    assert results.total == 0
    assert any("Atlantis" in note for note in results.notes)


def test_indexing_twice_adds_nothing_and_rebuild_gives_same_results(sample_copy: Path) -> None:
    with JobIndex.open(sample_copy) as index:
        before = [(h.posting.id, h.score) for h in index.search("machine learning")]
        summary = index.add(load_postings(DATA))
        assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 10)
        assert len(index) == 10
    JobIndex.rebuild(sample_copy, load_postings(DATA))
    with JobIndex.open(sample_copy) as index:
        assert len(index) == 10
        after = [(h.posting.id, h.score) for h in index.search("machine learning")]
    assert [i for i, _ in after] == [i for i, _ in before]
    assert [s for _, s in after] == pytest.approx([s for _, s in before])


def test_delete_by_id(sample_copy: Path) -> None:
    with JobIndex.open(sample_copy) as index:
        victim = index.search("robotics").hits[0].posting.id
        assert index.delete([victim]) == 1
        assert len(index) == 9
        with pytest.raises(PostingNotFoundError):
            index.get(victim)


def test_a_misspelled_query_shows_results_for_the_correction(sample_index: JobIndex) -> None:
    results = sample_index.search("reinforcment lerning")
    assert results.suggestion == "reinforcement learning"
    assert results.fuzzy and results.total > 0
    assert any("showing results for 'reinforcement learning'" in n for n in results.notes)
    exact = sample_index.search("reinforcement learning")
    assert [h.posting.id for h in results] == [h.posting.id for h in exact]
    assert not exact.fuzzy and exact.suggestion is None


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_any_query_text_searches_without_raising(sample_index: JobIndex, text: str) -> None:
    results = sample_index.search(text, limit=3)
    ids = [hit.posting.id for hit in results]
    assert len(ids) <= 3 and len(set(ids)) == len(ids)
    for name, counts in results.facets.items():
        assert all(0 < n <= results.total for n in counts.values()), name


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(
            [
                '"',
                "(",
                ")",
                "-",
                "+",
                "AND",
                "OR",
                "NOT",
                "NLP",
                "c++",
                "title:",
                "*",
                "^2",
                "~",
                "machine",
                "learning",
                ":",
                "'",
            ]
        ),
        max_size=8,
    )
)
def test_query_syntax_fragments_never_raise(sample_index: JobIndex, parts: list[str]) -> None:
    """Within the limits any text searches; past them, only ``InvalidQueryError``."""
    text = " ".join(parts)
    try:
        check_text(text)
    except InvalidQueryError:
        with pytest.raises(InvalidQueryError):
            sample_index.search(text, explain=True)
        return
    results = sample_index.search(text, explain=True)
    assert all(hit.explanation is not None for hit in results)
    assert results.total <= len(sample_index)


@pytest.mark.parametrize(
    ("typed", "level"),
    [
        ("Intern", "intern"),
        ("internship", "intern"),
        ("junior", "entry"),
        ("staff", "principal"),
        ("lead", "senior"),
        ("director", "manager"),
    ],
)
def test_level_filter_reads_words_as_the_extractor_does(typed: str, level: str) -> None:
    assert normalize_level(typed) == level


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("full time", "full-time"),
        ("contractor", "contract"),
        ("temporary", "temporary"),
        ("intern", "internship"),
        ("Part-Time", "part-time"),
    ],
)
def test_type_filter_reads_words_as_the_extractor_does(typed: str, kind: str) -> None:
    assert normalize_employment_type(typed) == kind
