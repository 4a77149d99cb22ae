"""Queries and filters as people type them: "Seattle, WA", "Palo Alto, CA", "intern" in
titles (not "internal"), R, C and IT, and a typo with few matches of its own."""

from __future__ import annotations

import pytest
from whoosh.analysis import Analyzer

from search import JobIndex
from search.store.analysis import FastTextAnalysis, light_stem, title_analyzer
from tests.conftest import IndexFactory


def _row(key: str, title: str, location: str, text: str = "") -> dict[str, object]:
    text = text or f"{title} ({key})."  # distinct texts: no two rows are one job
    return {"id": key, "title": title, "location": location, "description": text}


ROWS = [
    _row("sea", "Data Engineer", "Seattle, WA"),
    _row("sea2", "Software Engineer", "Seattle, Washington, United States"),
    _row("pdx", "Data Engineer", "Portland, OR"),
    _row("pwm", "Nurse", "Portland, Maine"),
    _row("ldn", "Analyst", "London, United Kingdom"),
    _row("lon", "Analyst", "London, ON, Canada"),
    _row("pa", "Engineer", "Palo Alto, CA"),
    _row("mtv", "Engineer", "Mountain View, CA"),
    _row("intern", "Software Engineering Intern", "Austin, TX"),
    _row("interns", "Research Interns (Summer)", "Austin, TX"),
    _row("internal", "Internal Tools Engineer", "Austin, TX"),
    _row("intl", "International Sales Manager", "Austin, TX"),
    _row("it", "IT Support Specialist", "Austin, TX", "Help desk and laptops."),
    _row("r", "Data Analyst", "Austin, TX", "Skills: Python, R, SQL and dashboards."),
    _row("c", "Firmware Engineer", "Austin, TX", "Languages: C, Rust. Embedded work."),
]


@pytest.fixture(scope="module")
def index(index_of: IndexFactory) -> JobIndex:
    return index_of(ROWS, "typed")


def _ids(index: JobIndex, text: str = "", **filters: object) -> set[str]:
    hits = index.search(text, limit=50, **filters).hits
    return {h.posting.id for h in hits if not h.partial}


# -- places -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Seattle", {"sea", "sea2"}),
        ("Seattle, WA", {"sea", "sea2"}),
        ("Seattle WA", {"sea", "sea2"}),
        ("Seattle, Washington", {"sea", "sea2"}),
        ("US, WA, Seattle", {"sea", "sea2"}),
        ("Portland, OR", {"pdx"}),
        ("Portland, ME", {"pwm"}),
        ("Portland", {"pdx", "pwm"}),
        ("London, UK", {"ldn"}),
        ("London, Canada", {"lon"}),
        ("London, ON", {"lon"}),
    ],
)
def test_a_city_is_found_as_people_type_it(index: JobIndex, typed: str, expected: set[str]) -> None:
    assert _ids(index, city=typed) == expected


def test_a_city_in_another_state_is_none_with_a_note(index: JobIndex) -> None:
    results = index.search("", city="Portland, TX")
    assert results.total == 0
    assert "no posting in city 'Portland, TX'" in results.notes


@pytest.mark.parametrize(
    ("typed", "note"),
    [
        ("Seatle", "no posting in city 'Seatle'; closest known: Seattle"),
        ("Portlnd, OR", "no posting in city 'Portlnd, OR'; closest known: Portland"),
    ],
)
def test_a_misspelt_city_names_the_closest_known_ones(
    index: JobIndex, typed: str, note: str
) -> None:
    results = index.search("", city=typed)
    assert results.total == 0 and results.notes == (note,)


@pytest.mark.parametrize("typed", ["Palo Alto", "Palo Alto, CA", "Palo Alto, California"])
def test_near_takes_a_city_with_its_state(index: JobIndex, typed: str) -> None:
    results = index.search("", near=typed, radius_km="20mi", limit=10)
    assert {h.posting.id for h in results.hits} == {"pa", "mtv"}
    assert results.hits[0].posting.id == "pa"  # nearest first


def test_near_an_unknown_place_is_a_clear_error(index: JobIndex) -> None:
    from search import InvalidFilterError

    with pytest.raises(InvalidFilterError, match="unknown place 'Atlantis, XX'"):
        index.search("", near="Atlantis, XX")


# -- title search -----------------------------------------------------------------------


def test_a_title_search_for_intern_is_not_internal_or_international(index: JobIndex) -> None:
    assert _ids(index, "intern", title_only=True) == {"intern", "interns"}
    assert _ids(index, "interns", title_only=True) == {"intern", "interns"}
    # An English stemmer makes all four one word; a search over the text as typed still may.
    assert {"internal", "intl"} <= _ids(index, "intern", understand=False)
    # Read as a level, "intern" leaves out the International Sales Manager (a manager).
    assert "intl" not in _ids(index, "intern")


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("engineers", "engineer"),
        ("analytics", "analytic"),
        ("companies", "company"),
        ("sales", "sale"),
        ("boss", "boss"),
        ("status", "status"),
        ("intern", "intern"),
        ("internal", "internal"),
        ("bus", "bus"),
    ],
)
def test_title_words_fold_plurals_only(word: str, stem: str) -> None:
    assert light_stem(word) == stem


def _chain_terms(analyzer: Analyzer, text: str) -> list[str]:
    return [t.text for t in analyzer(text)]


def test_fast_title_terms_equal_the_whoosh_chain(corpus_head: list[dict[str, str]]) -> None:
    fast, chain = FastTextAnalysis.titles(), title_analyzer()
    titles = [str(r["title"]) for r in corpus_head] + [str(r["title"]) for r in ROWS]
    for title in titles:
        assert fast.terms(title) == _chain_terms(chain, title), title


# -- short words ------------------------------------------------------------------------


def test_r_and_c_in_capitals_are_the_languages(index: JobIndex) -> None:
    assert _ids(index, "R") == {"r"}
    assert _ids(index, "C") == {"c"}
    assert _ids(index, "R analyst") == {"r"}


def test_it_is_searched_in_titles(index: JobIndex) -> None:
    results = index.search("IT")
    assert {h.posting.id for h in results.hits} == {"it"}
    assert any("searched titles" in n for n in results.notes)
    assert _ids(index, "IT", title_only=True) == {"it"}


def test_words_that_are_nothing_list_everything_with_a_note(index: JobIndex) -> None:
    results = index.search("the")
    assert results.total == len(ROWS)
    assert "no searchable words in 'the': listing every match" in results.notes


# -- the corpus -------------------------------------------------------------------------


def test_corpus_city_with_state_equals_city(corpus_index: JobIndex) -> None:
    for plain, typed in [
        ("Seattle", "Seattle, WA"),
        ("San Francisco", "San Francisco, CA"),
        ("London", "London, UK"),
    ]:
        a = {h.posting.id for h in corpus_index.search_all("", city=plain)}
        b = {h.posting.id for h in corpus_index.search_all("", city=typed)}
        assert a == b and len(a) > 40, (plain, typed)


def test_corpus_near_palo_alto_ca(corpus_index: JobIndex) -> None:
    results = corpus_index.search("", near="Palo Alto, CA", radius_km="20mi", limit=50)
    assert results.total > 100
    assert all(h.distance_km is not None and h.distance_km <= 32.2 for h in results.hits)


def test_corpus_a_typo_with_few_matches_shows_the_correction(corpus_index: JobIndex) -> None:
    typed = corpus_index.search("product manger", facets=False)
    assert typed.fuzzy and typed.suggestion == "product manager"
    assert any(n.startswith("showing results for 'product manager'") for n in typed.notes)
    right = corpus_index.search("product manager", facets=False)
    assert typed.total == right.total > 1000
    assert [h.posting.id for h in typed.hits] == [h.posting.id for h in right.hits]
    quoted = corpus_index.search('"product manger"', facets=False)
    assert not quoted.fuzzy and quoted.total < 10  # quotes search the words as typed


def test_corpus_title_intern(corpus_index: JobIndex) -> None:
    hits = list(corpus_index.search_all("intern", title_only=True))
    assert len(hits) > 50
    for hit in hits:
        words = hit.posting.title.lower().replace("(", " ").replace(",", " ").split()
        assert {"intern", "interns"} & set(words) or "intern" in hit.posting.title.lower(), hit
        assert "internal" not in words and "international" not in words


# -- snippets ---------------------------------------------------------------------------


def test_a_snippet_without_matches_starts_with_the_job_not_the_employer(
    index_of: IndexFactory,
) -> None:
    about = (
        "About Acme\n\nAcme is the leading platform for widgets, trusted by thousands of "
        "teams worldwide.\n\nAbout the role\n\nYou will build data pipelines in Python."
    )
    made = index_of([_row("acme", "Data Engineer", "Berlin", about)], "snippets")
    listed = made.search("").hits[0].snippet
    assert listed.startswith("About the role You will build data pipelines")
    by_title = made.search("engineer", title_only=True).hits[0].snippet
    assert "leading platform" not in by_title


def test_a_snippet_counts_a_word_and_its_forms_once(index_of: IndexFactory) -> None:
    text = (
        "Learn fast, learning always, learned much. "
        + "Filler words about the team and its mission. " * 8
        + "We apply machine learning to maps."
    )
    made = index_of([_row("ml", "Engineer", "Berlin", text)], "snippet-forms")
    snippet = made.search("machine learning").hits[0].snippet
    assert "<em>machine</em> <em>learning</em>" in snippet
