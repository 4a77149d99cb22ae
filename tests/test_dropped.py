"""The parser says what it ignored in a query (as tantivy's lenient parser does), and a
search says it as a note; the query and the results stay what they were."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from search import JobIndex
from search.cli.commands import main
from search.errors import InvalidQueryError
from search.query.parser import parse_lenient, parse_text
from search.store import fields as f


def _dropped(text: str, fields: tuple[str, ...] = f.TEXT_FIELDS) -> list[tuple[str, int, str]]:
    return [(d.text, d.at, d.reason) for d in parse_lenient(text, fields).dropped]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "python AND (",
            [
                ("AND", 7, "an operator needs words on both sides"),
                ("(", 11, "unbalanced parenthesis"),
            ],
        ),
        ("(python OR java", [("(", 0, "unbalanced parenthesis")]),
        ("python) java", [(")", 6, "unbalanced parenthesis")]),
        (
            "python (java OR",
            [
                ("(", 7, "unbalanced parenthesis"),
                ("OR", 13, "an operator needs words on both sides"),
            ],
        ),
        ('"machine learning engineer', [('"', 0, "unbalanced quote")]),
        ('data "', [('"', 5, "unbalanced quote")]),
        ('sales ""', [('""', 6, "empty quotes")]),
        ("OR recruiter", [("OR", 0, "an operator needs words on both sides")]),
        ("recruiter AND", [("AND", 10, "an operator needs words on both sides")]),
        ("recruiter OR AND nurse", [("OR", 10, "an operator needs words on both sides")]),
        ("REQUIRE nurse", [("REQUIRE", 0, "an operator needs words on both sides")]),
        ("nurse NOT", [("NOT", 6, "nothing follows it")]),
        ("nurse -", [("-", 6, "nothing follows it")]),
        ("+ nurse", [("+", 0, "nothing follows it")]),
        (
            "skill:pytorch",
            [("skill:", 0, "not a field (title, description); searched 'skill' as a word")],
        ),
        ("title: nurse", [("title:", 0, "no word follows it; searched 'title' as a word")]),
        ("pyth*", [("*", 4, "wildcards are not supported")]),
        (
            "jav~",
            [
                (
                    "~",
                    3,
                    "fuzzy search is not typed (close spellings are searched when nothing matches)",
                )
            ],
        ),
    ],
)
def test_what_the_parser_ignored_is_reported(
    text: str, expected: list[tuple[str, int, str]]
) -> None:
    assert _dropped(text) == expected
    assert parse_lenient(text).query == parse_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "machine learning engineer",
        "python AND (java OR scala)",
        "backend engineer -frontend",
        "NOT python",
        'title:"machine learning" -"sales"',
        "title:(python OR java)",
        "C++ C# .NET full-stack node.js",
        "senior software engineer, Seattle WA",
        "python ANDMAYBE django",
        "ML/AI",
    ],
)
def test_well_formed_queries_drop_nothing(text: str) -> None:
    assert _dropped(text) == []
    assert _dropped(text, (f.TITLE_WORDS,)) == []


def test_a_title_search_reports_the_same_parts() -> None:
    assert _dropped("intern AND (", (f.TITLE_WORDS,)) == _dropped("intern AND (")


#: Pieces of query syntax, whole or broken, that a hostile or careless query is made of.
PIECES = [*'ab ()"-+:*~^', "AND ", " OR ", "NOT ", "title:", "skill:", "nurse "]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_lenient_parsing_gives_the_plain_query_and_true_offsets(text: str) -> None:
    try:
        plain = parse_text(text)
    except InvalidQueryError as error:
        with pytest.raises(InvalidQueryError, match=re.escape(str(error))):
            parse_lenient(text)
        return
    parsed = parse_lenient(text)
    assert parsed.query == plain
    stripped = text.strip()
    for part in parsed.dropped:
        assert stripped[part.at : part.at + len(part.text)] == part.text


def test_the_log_of_one_thread_does_not_reach_another() -> None:
    seen: dict[str, list[str]] = {}

    def parse(text: str) -> None:
        for _ in range(50):
            seen[text] = [d.note for d in parse_lenient(text).dropped]

    threads = [threading.Thread(target=parse, args=(t,)) for t in ("nurse AND", "nurse", "OR x")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {
        "nurse AND": ["ignored 'AND': an operator needs words on both sides"],
        "nurse": [],
        "OR x": ["ignored 'OR': an operator needs words on both sides"],
    }


def test_a_search_notes_what_was_ignored_and_finds_the_same(sample_index: JobIndex) -> None:
    odd = sample_index.search("machine learning AND (")
    plain = sample_index.search("machine learning")
    assert [h.posting.id for h in odd.hits] == [h.posting.id for h in plain.hits]
    assert odd.total == plain.total and odd.total > 0
    assert [h.score for h in odd.hits] == [h.score for h in plain.hits]
    assert odd.notes[:2] == (
        "ignored 'AND': an operator needs words on both sides",
        "ignored '(': unbalanced parenthesis",
    )
    assert not any(note.startswith("ignored") for note in plain.notes)


def test_the_cli_says_what_it_ignored(sample_index_dir: Path) -> None:
    runner = CliRunner()
    argv = ["search", "python AND (", "--index", str(sample_index_dir)]
    as_json = runner.invoke(main, [*argv, "--format", "json"], catch_exceptions=False)
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert "ignored '(': unbalanced parenthesis" in data["notes"]
    assert "ignored 'AND': an operator needs words on both sides" in data["notes"]
    plain = runner.invoke(
        main,
        ["search", "python", "--format", "json", "--index", str(sample_index_dir)],
        catch_exceptions=False,
    )
    assert json.loads(plain.stdout)["total"] == data["total"]
    table = runner.invoke(main, argv, catch_exceptions=False)
    assert table.exit_code == 0
    assert "ignored '(': unbalanced parenthesis" in table.stdout + table.stderr
