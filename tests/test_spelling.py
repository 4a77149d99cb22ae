"""Spelling suggestions and the fuzzy fallback, over the sample postings and the corpus."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from search import JobIndex, load_postings
from search.query.parse import parse_text
from search.query.spelling import fuzzy_query, max_edits, same_word, suggest
from search.store.schema import FIELD_BOOSTS

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/jobs.jsonl.gz"
#: The first rows of the corpus: enough words and counts for spelling, ~15 s to index.
CORPUS_ROWS = 1500
FIELDS = (*FIELD_BOOSTS, "skill_text")  # the searched fields plus an unstemmed one

needs_corpus = pytest.mark.skipif(not CORPUS.exists(), reason=f"no corpus at {CORPUS}")


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobIndex]:
    if not CORPUS.exists():
        pytest.skip(f"no corpus at {CORPUS}")
    folder = tmp_path_factory.mktemp("spelling")
    rows = folder / "jobs.jsonl"
    with gzip.open(CORPUS, "rt", encoding="utf-8") as source:
        rows.write_text("".join(islice(source, CORPUS_ROWS)), encoding="utf-8")
    with JobIndex.create(folder / "index") as index:
        index.add(load_postings(rows))
        yield index


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


@needs_corpus
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


@needs_corpus
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


@needs_corpus
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
    if q is None:
        return set()
    return {hit["id"] for hit in index.searcher.search(q, limit=None)}


@pytest.mark.parametrize("typed", ["reserch scientst", "machne lerning"])
def test_fuzzy_finds_what_exact_misses_in_sample(sample_index: JobIndex, typed: str) -> None:
    assert not _ids(sample_index, parse_text(typed, FIELDS))
    assert _ids(sample_index, fuzzy_query(typed, FIELDS))


@needs_corpus
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


@pytest.mark.parametrize("text", ["", "   ", "AND", '""', "-", "a", "the of"])
def test_fuzzy_without_words_is_none(text: str) -> None:
    assert fuzzy_query(text, FIELDS) is None


def test_fuzzy_ignores_unknown_fields() -> None:
    assert fuzzy_query("python", ["nosuchfield"]) is None


# -- never raising ----------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_fuzzy_query_never_raises(text: str) -> None:
    fuzzy_query(text, FIELDS)


def test_suggest_never_raises(sample_index_dir: Path) -> None:
    with JobIndex.open(sample_index_dir) as index:
        searcher = index.searcher

        @settings(max_examples=150, deadline=None)
        @given(st.text() | st.from_regex(r'[A-Za-z"():*?+\- ]{0,40}', fullmatch=True))
        def check(text: str) -> None:
            result = suggest(searcher, text)
            assert result is None or isinstance(result, str)

        check()
