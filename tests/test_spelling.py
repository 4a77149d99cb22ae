"""Spelling suggestions and the fuzzy fallback, over the sample postings and the corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from search import JobIndex
from search.query.fuzzy import fuzzy_query
from search.query.matching import evaluate
from search.query.parser import parse_text
from search.query.ranking import FIELD_BOOSTS
from search.query.spelling import _suggest, suggest
from search.query.words import max_edits, same_word
from tests.conftest import IndexFactory

FIELDS = (*FIELD_BOOSTS, "skill_text")  # the searched fields plus an unstemmed one


@pytest.fixture(scope="module")
def corpus_index(corpus_head: list[dict[str, str]], index_of: IndexFactory) -> JobIndex:
    """The first 1,500 corpus postings: enough words and counts for spelling."""
    return index_of(corpus_head, "spelling")


# -- suggestions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("reinforcment lerning", "reinforcement learning"),
        ("machne learning", "machine learning"),
        ("sofware engineer", "software engineer"),
        ("scientst", "scientist"),
        ("aplied scientist", "applied scientist"),
        ("reserch", "research"),
    ],
)
def test_sample_misspellings(sample_index: JobIndex, typed: str, expected: str) -> None:
    assert suggest(sample_index.searcher, typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("reinforcment lerning", "reinforcement learning"),
        ("machne learning", "machine learning"),
        ("kubernets", "kubernetes"),
        ("pytorh", "pytorch"),
        ("enginer", "engineer"),
        ("sofware engineer", "software engineer"),
        ("senior data scientst", "senior data scientist"),
        ("langauge", "language"),
        ("enginering manager", "engineering manager"),
    ],
)
def test_corpus_misspellings(corpus_index: JobIndex, typed: str, expected: str) -> None:
    assert suggest(corpus_index.searcher, typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "python",
        "machine learning",
        "NLP",
        "k8s",
        "data scientist",
        "senior software engineer",
        "engineers",  # a plural, not a typo of "engineer"
        "collaboration",  # in descriptions only, as a stem shared with "collaborate"
        "c++ node.js",
        "AND OR NOT",
        "",
    ],
)
def test_correct_words_get_no_suggestion(corpus_index: JobIndex, typed: str) -> None:
    assert suggest(corpus_index.searcher, typed) is None


def test_no_suggestion_for_correct_sample_words(sample_index: JobIndex) -> None:
    for typed in ("python", "machine learning", "NLP", "k8s", "data scientist"):
        assert suggest(sample_index.searcher, typed) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ('"machne learning" AND -kubernets', '"machine learning" AND -kubernetes'),
        ("title:enginer", "title:engineer"),
        ("Sofware OR Enginer", "software OR engineer"),
        ("Senior Sofware Engineer", "Senior software Engineer"),
        ("c++ pytorh", "c++ pytorch"),
    ],
)
def test_query_syntax_is_kept(corpus_index: JobIndex, typed: str, expected: str) -> None:
    assert suggest(corpus_index.searcher, typed) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("engineers", "engineer"),
        ("shares", "shared"),
        ("engineered", "engineers"),
        ("optimise", "optimize"),
        ("modelling", "modeling"),
        ("behaviour", "behavior"),
    ],
)
def test_forms_of_one_word(a: str, b: str) -> None:
    assert same_word(a, b)


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("enginer", "engineer"),
        ("kubernets", "kubernetes"),
        ("experiance", "experience"),
        ("reinforcment", "reinforcement"),
        ("lerning", "learning"),
    ],
)
def test_typos_are_not_forms_of_the_word(typo: str, word: str) -> None:
    assert not same_word(typo, word)


@pytest.mark.parametrize(
    ("word", "edits"), [("aws", 0), ("java", 1), ("pytorch", 1), ("kubernetes", 2)]
)
def test_edits_grow_with_length(word: str, edits: int) -> None:
    assert max_edits(word) == edits


# -- fuzzy fallback ---------------------------------------------------------------------


def _ids(index: JobIndex, q: wq.Query | None) -> set[str]:
    """The ids of the postings ``q`` matches, as a search evaluates it."""
    if q is None:
        return set()
    found = evaluate(index._read().index, q)
    stored = index.searcher.stored_fields
    return {stored(int(d))["id"] for d in found.mask.nonzero()[0]}


@pytest.mark.parametrize("typed", ["reserch scientst", "machne lerning"])
def test_fuzzy_finds_what_exact_misses_in_sample(sample_index: JobIndex, typed: str) -> None:
    assert not _ids(sample_index, parse_text(typed, FIELDS))
    assert _ids(sample_index, fuzzy_query(typed, FIELDS))


@pytest.mark.parametrize(
    ("typed", "right"),
    [("pytorh", "pytorch"), ("reinforcment lerning", "reinforcement learning")],
)
def test_fuzzy_finds_the_postings_of_the_right_words(
    corpus_index: JobIndex, typed: str, right: str
) -> None:
    assert not _ids(corpus_index, parse_text(typed, FIELDS))
    found = _ids(corpus_index, fuzzy_query(typed, FIELDS))
    wanted = _ids(corpus_index, parse_text(right, FIELDS))
    assert wanted
    assert len(found & wanted) >= 0.9 * len(wanted)


def test_fuzzy_words_are_anded_and_stemmed() -> None:
    q = fuzzy_query("machne lerning", FIELDS)
    assert isinstance(q, wq.And)
    terms = {(t.fieldname, t.text) for t in q.leaves() if isinstance(t, wq.FuzzyTerm)}
    assert ("description", "lern") in terms  # the stem, as the field indexes it
    assert ("skill_text", "lerning") in terms  # unstemmed field: the word


def test_words_some_posting_has_stay_as_typed_in_close_spellings() -> None:
    """Only the words no posting has are spelled loosely: the others would only find
    other words, and walking the lexicon for them is most of a slow search."""
    q = fuzzy_query("machine lerning", FIELDS, known=lambda w: w == "machine")
    assert q is not None
    fuzzy = {leaf.text for leaf in q.leaves() if isinstance(leaf, wq.FuzzyTerm)}
    exact = {leaf.text for leaf in q.leaves() if isinstance(leaf, wq.Term)} - fuzzy
    assert fuzzy and all(t.startswith("lern") for t in fuzzy)
    assert {"machin", "machine"} & exact
    everything = fuzzy_query("machine lerning", FIELDS)
    assert everything is not None
    assert {"machin", "machine"} & {
        leaf.text for leaf in everything.leaves() if isinstance(leaf, wq.FuzzyTerm)
    }


@pytest.mark.parametrize("text", ["", "   ", "AND", '""', "-", "a", "the of"])
def test_fuzzy_without_words_is_none(text: str) -> None:
    assert fuzzy_query(text, FIELDS) is None


def test_fuzzy_ignores_unknown_fields() -> None:
    assert fuzzy_query("python", ["nosuchfield"]) is None


# -- never raising ----------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_fuzzy_query_stays_within_its_fields_and_edits(text: str) -> None:
    q = fuzzy_query(text, FIELDS)
    if q is None:
        return
    leaves = [q] if q.is_leaf() else list(q.leaves())
    assert leaves
    for leaf in leaves:
        assert leaf.fieldname in FIELDS
        if isinstance(leaf, wq.FuzzyTerm):
            assert 1 <= leaf.maxdist <= 2 and leaf.prefixlength >= 1


@pytest.mark.parametrize("text", ["managment", "kubernets engineer", "pythn and sql"])
def test_fuzzy_query_has_a_part_for_each_real_word(text: str) -> None:
    q = fuzzy_query(text, FIELDS)
    assert q is not None
    typed = {w for w in text.split() if w != "and"}
    fuzzy = {leaf.text for leaf in q.leaves() if isinstance(leaf, wq.FuzzyTerm)}
    assert len(fuzzy) >= len(typed) - 1  # short stems may stay exact terms


_LETTERS = re.compile(r"[A-Za-z]+")


def test_a_suggestion_changes_only_words(sample_index_dir: Path) -> None:
    """A suggestion keeps quotes, operators and spacing: only misspelt words change."""
    with JobIndex.open(sample_index_dir) as index:
        reader = index.searcher.reader()

        @settings(max_examples=150, deadline=None)
        @given(st.text() | st.from_regex(r'[A-Za-z"():*?+\- ]{0,40}', fullmatch=True))
        def check(text: str) -> None:
            result = _suggest(reader, text)  # unguarded: an error here fails the test
            if result is not None:
                assert result != text
                assert _LETTERS.sub("", result) == _LETTERS.sub("", text)

        check()
