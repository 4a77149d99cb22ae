"""Employers by the names people type, and filter values that match nothing.

Sources spell employers as slugs and host names ("kraken.com", "hims-and-hers",
"neofinancial"); users type "Kraken", "Hims & Hers", "Neo Financial". A filter value
that matches nothing says so and names the closest values the index knows.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from search import JobIndex
from search.cli import main
from search.query.companies import company_keys
from tests.conftest import IndexFactory


@pytest.mark.parametrize(
    ("source", "typed"),
    [
        ("kraken.com", "Kraken"),
        ("kraken.com", "kraken.com"),
        ("hims-and-hers", "Hims & Hers"),
        ("hims-and-hers", "Hims and Hers"),
        ("Hims & Hers", "hims-and-hers"),
        ("neofinancial", "Neo Financial"),
        ("Forward%20Financing", "Forward Financing"),
        ("heidihealth.com.au", "Heidi Health"),
        ("Graphitehq", "Graphite"),
        ("Acme, Inc.", "acme"),
        ("Acme AI", "ACME-AI"),
        ("Zürich Labs", "zurich labs"),
        ("li.fi", "LI.FI"),
    ],
)
def test_a_typed_name_shares_a_key_with_the_source_s_spelling(source: str, typed: str) -> None:
    assert company_keys(source) & company_keys(typed)


@pytest.mark.parametrize(
    ("source", "typed"),
    [
        ("kraken.com", "Kraken Robotics"),  # another employer
        ("li.fi", "Li"),  # two letters left of a host name are not a name
        ("Acme AI", "Acme"),  # "AI" is part of this name, not a legal form
        ("neofinancial", "Neo"),
        ("The Browser Company", "The Browser"),  # "Company" is part of a name
    ],
)
def test_other_names_share_no_key(source: str, typed: str) -> None:
    assert not company_keys(source) & company_keys(typed)


ROWS = [
    {"id": "k1", "title": "Backend Engineer", "company": "kraken.com", "description": "Rust."},
    {"id": "k2", "title": "Designer", "company": "kraken.com", "description": "Figma."},
    {"id": "h1", "title": "Pharmacist", "company": "hims-and-hers", "description": "Care."},
    {"id": "n1", "title": "Data Analyst", "company": "neofinancial", "description": "SQL."},
    {"id": "a1", "title": "Data Scientist", "company": "Acme AI", "description": "Python."},
]


@pytest.fixture(scope="module")
def index(index_of: IndexFactory) -> JobIndex:
    return index_of(ROWS, "companies")


def search(index: JobIndex, *args: str) -> dict:
    result = CliRunner().invoke(
        main, ["search", *args, "--format", "json", "--index", str(index.path)]
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Kraken", {"k1", "k2"}),
        ("kraken.com", {"k1", "k2"}),
        ("Hims & Hers", {"h1"}),
        ("Neo Financial", {"n1"}),
        ("acme ai", {"a1"}),
    ],
)
def test_company_filter_finds_employers_by_their_typed_names(
    index: JobIndex, typed: str, expected: set[str]
) -> None:
    found = search(index, "--company", typed)
    assert {hit["id"] for hit in found["hits"]} == expected
    assert found["notes"] == []


def test_exclude_company_reads_names_the_same_way(index: JobIndex) -> None:
    found = search(index, "--exclude-company", "Kraken", "--exclude-company", "Hims & Hers")
    assert {hit["id"] for hit in found["hits"]} == {"n1", "a1"}


@pytest.mark.parametrize(
    ("args", "note"),
    [
        (["--company", "Krakn"], "no posting from company 'Krakn'; closest known: kraken.com"),
        (["--skill", "kubernets"], "no posting with skill 'kubernets'; closest known: kubernetes"),
        (["--role", "data scientst"], "closest known: data scientist"),
        (["--city", "Seatle"], "no posting in city 'Seatle'"),
    ],
)
def test_a_value_matching_nothing_names_the_closest_known_ones(
    index: JobIndex, args: list[str], note: str
) -> None:
    found = search(index, *args)
    assert found["total"] == 0
    assert any(note in n for n in found["notes"]), found["notes"]


def test_a_value_close_to_nothing_names_known_values(index: JobIndex) -> None:
    notes = search(index, "--role", "astronaut")["notes"]
    assert notes[0].startswith("no posting in role 'astronaut'; known values include: ")
    assert "data scientist" in notes[0]


def test_corpus_employers_are_found_by_their_typed_names(
    corpus_index: JobIndex, corpus_rows: list[dict[str, str]]
) -> None:
    for source, typed in (
        ("kraken.com", "Kraken"),
        ("hims-and-hers", "Hims & Hers"),
        ("neofinancial", "Neo Financial"),
    ):
        expected = {r["id"] for r in corpus_rows if r["company"] == source}
        found = corpus_index.search("", company=typed, limit=1000, collapse=False)
        assert expected and {h.posting.id for h in found} == expected, typed
