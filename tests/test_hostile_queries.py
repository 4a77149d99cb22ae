"""Any query text costs bounded work and fails, when it must, with one clear line (issue 8).

Each test fails on the code before the fix: 1,500 words took seconds (1,500 ``NOT w``
raised RecursionError), a 10,000-letter word spent 12-19 s in the spelling fallback,
internal fields could be searched by name, ``[a TO z]`` walked a whole lexicon,
``-python`` was an unknown option, explanations re-evaluated every term for every hit,
and a query that is not text raised a raw AttributeError.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.qparser import QueryParser

from search import JobIndex, load_postings
from search.cli.commands import main
from search.errors import InvalidQueryError, JobSearchError
from search.query import explain, lexicon, parser, spelling
from search.query.fuzzy import MAX_FUZZY_WORDS, fuzzy_query
from search.query.parser import (
    MAX_NESTING,
    MAX_PHRASES,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    USER_FIELDS,
    parse_text,
)
from search.query.spelling import suggest
from search.query.words import MAX_WORD_LENGTH
from search.store import fields as f
from search.store.schema import shared_schema
from tests.conftest import DATA, ROOT

TOO_MUCH = {
    "characters": "python " * (MAX_QUERY_CHARS // 7 + 1),
    "one huge word": "a" * 100_000,
    "words": " ".join(f"w{i}" for i in range(1_500)),
    "NOT chain": " ".join(f"NOT w{i}" for i in range(MAX_QUERY_WORDS)),
    "phrases": " ".join(f'"data w{i}"' for i in range(MAX_PHRASES + 1)),
    "nesting": "(" * (MAX_NESTING + 1) + "python" + ")" * (MAX_NESTING + 1),
}


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def command(*args: str) -> subprocess.CompletedProcess[str]:
    """The real ``python -m search``, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "search", *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )


# -- limits ----------------------------------------------------------------------------


def _forget_parses() -> None:
    parser._parse_cached.cache_clear()
    parser._parse_lenient.cache_clear()


@pytest.mark.parametrize("name", list(TOO_MUCH))
def test_a_query_past_a_limit_is_refused_at_once(
    sample_index: JobIndex,
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """Refusing is a length check: the text is refused before Whoosh's parser, the
    matching or the spelling check sees it (each of them would cost time with its size)."""
    seen: list[str] = []

    def parse(self: QueryParser, text: str, *args: object, **kwargs: object) -> wq.Query:
        seen.append(text)
        return wq.NullQuery

    # Parses are kept by text: the spy must see this test's, and no later test its nulls.
    _forget_parses()
    request.addfinalizer(_forget_parses)

    monkeypatch.setattr(QueryParser, "parse", parse)
    monkeypatch.setattr(spelling, "_correct", lambda *args: seen.append("corrected"))
    with pytest.raises(InvalidQueryError, match=r"the query has .* the limit is"):
        sample_index.search(TOO_MUCH[name])
    assert seen == []
    sample_index.search("python")  # the spies do see a query within the limits
    assert seen
    assert issubclass(InvalidQueryError, JobSearchError)


@pytest.mark.parametrize("name", ["words", "one huge word", "nesting"])
def test_the_cli_refuses_with_one_line(
    runner: CliRunner, sample_index_dir: Path, name: str
) -> None:
    code, out, err = invoke(runner, "search", TOO_MUCH[name], "--index", str(sample_index_dir))
    assert code == 1 and out == ""
    assert err.startswith("error: the query has") and len(err.strip().splitlines()) == 1


def test_the_real_command_refuses_1500_words(sample_index_dir: Path) -> None:
    """About 1,500 query words gave a RecursionError traceback, or ran for seconds."""
    proc = command("search", TOO_MUCH["words"], "--index", str(sample_index_dir))
    assert proc.returncode == 1 and proc.stdout == ""
    assert "the query has" in proc.stderr and "Traceback" not in proc.stderr


FRAGMENTS = ['"', "(", ")", "-", "+", "NOT", "OR", "AND", "title:", "id:", "[a TO z]", "nlp"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(max_size=1_200)
    | st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=45), max_size=90).map(" ".join)
)
def test_any_text_searches_or_is_refused(sample_index: JobIndex, text: str) -> None:
    """Any text: results, or ``InvalidQueryError``; never another exception."""
    try:
        results = sample_index.search(text)
    except InvalidQueryError:
        return
    assert results.total <= len(sample_index)


def test_queries_within_the_limits_still_work(sample_index: JobIndex) -> None:
    longest = " ".join(["python"] * MAX_QUERY_WORDS)
    assert sample_index.search(longest).total == sample_index.search("python").total
    phrases = " ".join(['"machine learning"'] * MAX_PHRASES)
    assert sample_index.search(phrases).total
    nested = "(" * MAX_NESTING + "robotics" + ")" * MAX_NESTING
    assert sample_index.search(nested).total == sample_index.search("robotics").total


def test_a_query_that_is_not_text_is_a_clear_error(sample_index: JobIndex) -> None:
    """``search(123)`` raised AttributeError from inside the parser."""
    for value in (123, b"python", ["python"]):
        with pytest.raises(InvalidQueryError, match="must be a string"):
            sample_index.search(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"since": 20250101},
        {"city": 5},
        {"remote": "yes"},
        {"radius_km": "far", "near": "Seattle"},
    ],
)
def test_filters_of_the_wrong_type_raise_our_error(sample_index: JobIndex, kwargs: dict) -> None:
    with pytest.raises(JobSearchError):
        sample_index.search("python", **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [{"limit": "10"}, {"page": "2"}, {"limit": 2.5}, {"collapse": "no"}, {"sort": 3}],
)
def test_limit_and_page_of_the_wrong_type_raise_our_error(
    sample_index: JobIndex, kwargs: dict
) -> None:
    with pytest.raises(JobSearchError):
        sample_index.search("python", **kwargs)


# -- the spelling and fuzzy fallbacks ----------------------------------------------------


def test_a_huge_word_costs_the_spelling_fallback_nothing(
    sample_index: JobIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 10,000-letter word took 12-19 s of candidate generation (100,000 letters, 94 s):
    a word that long never reaches the correction (nor its candidates), the others do."""
    huge = "q" * 10_000
    corrected: list[str] = []
    correct = spelling._correct

    def spy(lex: lexicon.Lexicon, word: str, *around: str | None) -> str | None:
        corrected.append(word)
        return correct(lex, word, *around)

    monkeypatch.setattr(spelling, "_correct", spy)
    fixed = suggest(sample_index.searcher, f"lerning {huge}")
    assert corrected == ["lerning"]
    assert fixed is None or fixed.endswith(huge)


def test_the_spelling_fallback_stops_at_its_budget(
    sample_index: JobIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert suggest(sample_index.searcher, "reinforcment lerning") == "reinforcement learning"
    assert suggest(sample_index.searcher, "reinforcment lerning", budget_s=0.0) is None
    monkeypatch.setattr(spelling, "MAX_CANDIDATES", 0)
    assert suggest(sample_index.searcher, "reinforcment lerning") is None


def test_the_spelling_budget_does_not_count_loading_the_lexicon(
    sample_index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The word tables are built once per reader, on the first unknown word; on a busy
    machine that took longer than the whole budget and left the second word as typed."""
    deletes = lexicon.deletes
    calls = 0

    def slow_first_call(word: str, edits: int) -> set[str]:
        nonlocal calls
        calls += 1
        if calls == 1:  # inside the one-time build: made to cost 0.3 s of processor time
            began = time.thread_time()
            while time.thread_time() - began < 0.3:
                pass
        return deletes(word, edits)

    monkeypatch.setattr(lexicon, "deletes", slow_first_call)
    with JobIndex.open(sample_index_dir) as fresh:  # a reader with no lexicon yet
        fixed = suggest(fresh.searcher, "reinforcment lerning", budget_s=0.2)
    assert fixed == "reinforcement learning"


def test_fuzzy_matching_is_bounded() -> None:
    """Long words are matched exactly (no automaton), and long queries get no fallback."""
    long_word = "x" * (MAX_WORD_LENGTH + 1)
    q = fuzzy_query(f"lerning {long_word}", f.TEXT_FIELDS)
    assert q is not None
    leaves = list(q.leaves())
    assert any(isinstance(t, wq.FuzzyTerm) and str(t.text).startswith("lern") for t in leaves)
    longs = [t for t in leaves if "x" * 20 in str(t.text)]
    assert longs and all(type(t) is wq.Term for t in longs)
    many = " ".join(f"word{chr(97 + i)}x" for i in range(MAX_FUZZY_WORDS + 1))
    assert fuzzy_query(many, f.TEXT_FIELDS) is None


# -- fields a user may name ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(set(shared_schema().names()) - set(USER_FIELDS)), ids=str)
def test_internal_fields_are_plain_words(name: str) -> None:
    """``spell_title:"x"`` raised a Whoosh QueryError; ``city_key:seattle`` searched a key."""
    for text in (f"{name}:zebra", f'{name}:"zebra crossing"', f"{name.upper()}:zebra"):
        q = parse_text(text)
        assert q is not None
        assert {field for field, _ in q.iter_all_terms()} <= set(f.TEXT_FIELDS), text


def test_title_and_description_may_be_named(sample_index: JobIndex) -> None:
    for name in USER_FIELDS:
        q = parse_text(f"{name.capitalize()}:robotics")
        assert q is not None and {field for field, _ in q.iter_all_terms()} == {name}
    assert (
        sample_index.search("title:intern").total
        == sample_index.search("intern", title_only=True).total
    )


def test_internal_fields_do_not_answer_by_name(runner: CliRunner, sample_index_dir: Path) -> None:
    """``city_key:seattle`` used to return the 7 Seattle postings through the key field."""
    for text in (f"{f.CITY_KEY}:seattle", f'{f.SPELL_TITLE}:"machine learning"', f"{f.ID}:x"):
        code, out, err = invoke(
            runner, "search", text, "--format", "json", "--index", str(sample_index_dir)
        )
        assert code == 0, err
        assert json.loads(out)["total"] == 0


def test_ranges_are_not_parsed() -> None:
    """``[a TO z]`` expanded to every term of the description lexicon."""
    for text in ("[a TO z]", "{aa TO zz}", "python [a TO zzz]"):
        q = parse_text(text)
        assert q is None or not any(isinstance(t, wq.TermRange) for t in q.leaves())


# -- explanations ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobIndex]:
    """The sample in two commits, with postings updated and deleted: several segments."""
    path = tmp_path_factory.mktemp("segmented") / "index"
    postings = list(load_postings(DATA))
    with JobIndex.create(path) as index:
        index.add(postings[:5])
        index.add(postings[3:])
        index.delete([postings[0].id])
        yield index


@pytest.mark.parametrize(
    "text",
    [
        "robotics",
        "NLP",
        '"machine learning" -robotics',
        "reinforcment lerning",
        "title:intern",
        "zzyzx qqq",
        "data (science OR engineering)",
    ],
)
def test_explain_never_breaks_a_search(segmented: JobIndex, text: str) -> None:
    """``explain=True`` could hit a Whoosh AssertionError inside block-quality skipping."""
    plain = segmented.search(text)
    explained = segmented.search(text, explain=True)
    assert [h.posting.id for h in explained] == [h.posting.id for h in plain]
    for hit in explained:
        assert hit.explanation is not None
        if hit.score:
            assert hit.explanation.parts


def test_explain_evaluates_each_term_once_per_search(
    sample_index: JobIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each term was evaluated again for every hit: a quoted phrase, checked in stored
    text, cost seconds per hit."""
    calls: list[wq.Query] = []
    real = explain.evaluate

    def counting(index: object, q: wq.Query) -> object:
        calls.append(q)
        return real(index, q)  # type: ignore[arg-type]

    monkeypatch.setattr(explain, "evaluate", counting)
    results = sample_index.search("intern python", explain=True, limit=10)
    assert len(results) > 2
    assert len(calls) == len(set(calls))


# -- words starting with "-" --------------------------------------------------------------


def test_a_leading_minus_excludes_a_word(runner: CliRunner, sample_index_dir: Path) -> None:
    """``jobsearch search -python`` was read as the options -p -y -t -h -o -n (exit 2)."""
    index = ["--index", str(sample_index_dir)]

    def found(*args: str) -> dict:
        # options first: after "--" every word is query text
        code, out, err = invoke(runner, "search", "--format", "json", *index, *args)
        assert code == 0, err
        return json.loads(out)

    without = found("-python")
    assert without["query"] == "-python"
    with JobIndex.open(sample_index_dir) as library:
        assert without["total"] == library.search("-python").total
        assert without["total"] == len(library) - library.search("python").total
    mixed = found("intern", "-robotics", "--limit", "50")
    assert mixed["query"] == "intern -robotics"
    assert all("robotics" not in h["title"].lower() for h in mixed["hits"])
    assert found("--", "-python")["total"] == without["total"]
    assert found("--", "--python")["query"] == "--python"
    code, out, _ = invoke(runner, "facets", "-python", "--format", "json", *index)
    assert code == 0 and json.loads(out)["total"] == without["total"]


def test_an_unknown_long_option_says_how_to_search_for_it(
    runner: CliRunner, sample_index_dir: Path
) -> None:
    code, _, err = invoke(runner, "search", "--python", "--index", str(sample_index_dir))
    assert code == 2
    assert "jobsearch search -- --python" in err
    assert invoke(runner, "search", "-h")[0] == 0


def test_the_real_command_excludes_with_a_leading_minus(sample_index_dir: Path) -> None:
    proc = command("search", "-python", "--format", "json", "--index", str(sample_index_dir))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["query"] == "-python"


def test_only_quoted_parts_of_two_words_count_as_phrases() -> None:
    from search.query.parser import check_text

    empty = '"" ' * (MAX_PHRASES + 3)
    single = " ".join(f'"w{i}"' for i in range(MAX_PHRASES + 3))
    assert check_text(empty) == empty
    assert check_text(single) == single
    with pytest.raises(InvalidQueryError, match="quoted phrases"):
        check_text(" ".join(f'"a w{i}"' for i in range(MAX_PHRASES)) + ' "open end')
