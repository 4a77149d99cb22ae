"""Queries as people type them, over a real index: conditions read from the words narrow
only where a posting states the fact, list those stating it first, say so in notes and
in ``read_as``, and give way to quotes, ``understand=False``/``--literal`` and flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import JobIndex
from search.cli import main
from tests.conftest import IndexFactory


def _row(key: str, title: str, location: str, text: str = "") -> dict[str, object]:
    text = text or f"We build Rust services at scale ({key}). Rust, Tokio and Postgres."
    return {"id": key, "title": title, "location": location, "description": text}


ROWS = [
    _row("ber-senior", "Senior Rust Engineer", "Berlin, Germany"),
    _row("ber-plain", "Rust Engineer", "Berlin, Germany"),  # no level stated
    _row("ber-junior", "Junior Rust Engineer", "Berlin, Germany"),  # another level
    _row("ldn-senior", "Senior Rust Engineer", "London, United Kingdom"),  # another city
    _row("remote-de", "Senior Rust Engineer", "Remote - Germany"),  # no city: kept below
    _row("nowhere", "Senior Rust Engineer", ""),  # no place at all: kept below
    _row(
        "pdx-sensing",
        "Remote Sensing Engineer",
        "Portland, OR",
        "Remote sensing of forests with satellite imagery (pdx-sensing).",
    ),
    _row(
        "ber-contract",
        "Contract Recruiter",
        "Berlin, Germany",
        "A six month contract recruiting engineers (ber-contract).",
    ),
    _row(
        "ber-fulltime",
        "Recruiter (Full-time)",
        "Berlin, Germany",
        "Recruiting engineers, full-time (ber-fulltime).",
    ),
    _row("ber-recruiter", "Recruiter", "Berlin, Germany", "Recruiting engineers (ber-recruiter)."),
]


@pytest.fixture(scope="module")
def index(index_of: IndexFactory) -> JobIndex:
    return index_of(ROWS, "soft")


def _ids(results: object) -> list[str]:
    return [h.posting.id for h in results.hits]  # type: ignore[attr-defined]


def test_stated_facts_first_unknown_below_contrary_left_out(index: JobIndex) -> None:
    results = index.search("senior rust engineer berlin")
    assert results.read_as == "rust engineer · level senior · city Berlin"
    full = [h.posting.id for h in results.hits if not h.partial]
    assert full[0] == "ber-senior"  # states both facts as asked
    assert set(full[1:]) == {"ber-plain", "remote-de", "nowhere"}  # one fact unknown each
    assert results.total == 4
    assert "1 posting that states no level was kept below" in results.notes
    assert "2 postings that state no place were kept below" in results.notes
    # fewer than a page: those stating another level or city follow, marked partial
    partial = {h.posting.id for h in results.hits if h.partial}
    assert {"ber-junior", "ldn-senior"} <= partial
    assert "2 more postings state another level or place (marked partial)" in results.notes


def test_understand_false_searches_the_words_as_typed(index: JobIndex) -> None:
    results = index.search("senior rust engineer berlin", understand=False)
    assert results.read_as == ""
    # "berlin" is in no description: no posting has every word as typed
    assert results.total == 0


def test_quoted_words_stay_as_typed(index: JobIndex) -> None:
    results = index.search('"remote sensing" engineer portland')
    assert results.read_as == '"remote sensing" engineer · city Portland'
    assert _ids(results)[0] == "pdx-sensing"


def test_a_word_of_a_title_stays_text(index: JobIndex) -> None:
    results = index.search("remote sensing engineer")
    assert results.read_as == ""
    assert [h.posting.id for h in results.hits if not h.partial] == ["pdx-sensing"]


def test_a_flag_wins_over_the_words(index: JobIndex) -> None:
    results = index.search("senior rust engineer berlin", city="London")
    # the place word is not read while --city is given: it stays a word to rank
    assert results.read_as == "rust engineer berlin · level senior"
    results = index.search("senior rust engineer berlin", level="entry")
    assert results.read_as == "senior rust engineer · city Berlin"
    assert results.total == 0  # no junior posting says "senior"
    results = index.search("rust engineer berlin", level="entry")
    assert [h.posting.id for h in results.hits if not h.partial] == ["ber-junior"]


def test_contract_reads_as_the_employment_type(index: JobIndex) -> None:
    results = index.search("contract recruiter berlin")
    assert results.read_as == "recruiter · type contract · city Berlin"
    ranked = [h.posting.id for h in results.hits if not h.partial]
    assert ranked[0] == "ber-contract"
    assert "ber-fulltime" not in ranked  # states another type


def test_full_time_keeps_postings_stating_no_type_in_their_place(index: JobIndex) -> None:
    """Part-time, contract and intern jobs say so; one stating no type is most likely
    full-time, so it is kept without being ranked below."""
    results = index.search("full time recruiter berlin")
    ranked = [h.posting.id for h in results.hits if not h.partial]
    assert set(ranked) == {"ber-fulltime", "ber-recruiter"}
    assert "1 posting that states no employment type was kept" in results.notes


def test_a_lone_condition_keeps_unknown_postings_that_name_it(index: JobIndex) -> None:
    results = index.search("jobs in berlin")
    assert results.read_as == "city Berlin"
    ids = _ids(results)
    assert "ldn-senior" not in ids and "nowhere" not in ids  # says nothing of Berlin
    assert {"ber-senior", "ber-plain", "ber-junior", "ber-contract"} <= set(ids)


def test_facets_and_search_all_read_the_same_way(index: JobIndex) -> None:
    every = [h.posting.id for h in index.search_all("senior rust engineer berlin")]
    assert every == [h.posting.id for h in index.search("senior rust engineer berlin").hits][:4]
    facets = index.facets("senior rust engineer berlin")
    assert facets["level"] == {"senior": 3, "unknown": 1}  # ber-plain states no level


# -- the CLI --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def index_dir(index: JobIndex) -> Path:
    return index.path


def _run(index_dir: Path, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_table_says_how_the_query_was_read(index_dir: Path) -> None:
    out = _run(index_dir, "search", "senior", "rust", "engineer", "berlin")
    assert "read as: rust engineer · level senior · city Berlin" in out


def test_json_has_read_as_and_literal_searches_as_typed(index_dir: Path) -> None:
    read = json.loads(_run(index_dir, "search", "senior rust engineer berlin", "--format", "json"))
    assert read["read_as"] == "rust engineer · level senior · city Berlin"
    assert read["hits"][0]["id"] == "ber-senior"
    typed = json.loads(
        _run(index_dir, "search", "senior rust engineer berlin", "--literal", "--format", "json")
    )
    assert typed["read_as"] == "" and typed["total"] == 0
    facets = json.loads(_run(index_dir, "facets", "rust engineer berlin", "--format", "json"))
    assert facets["read_as"] == "rust engineer · city Berlin"
