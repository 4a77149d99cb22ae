"""Issue 11, naming and counting: short ids that ``show``, ``similar`` and ``delete``
accept, ambiguous prefixes said as such, and partial matches labelled without making
the header or the JSON promise more than they list.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli.commands import main
from tests.conftest import IndexFactory

#: Ids shaped like the corpus's (UUIDs); the first four share their first 9 characters,
#: so their shortest unique prefixes are longer than 8.
UUIDS = [
    "993ad53f-1c2b-4a7e-9f00-e218db35e001",
    "993ad53f-1c9d-4b11-8e21-aa18db35e002",
    "993ad53f-2e4f-4c22-9d32-bb28db35e003",
    "993ad53f-7a01-4d33-8c43-cc38db35e004",
    "5b0e7c21-0f3a-4e44-9b54-dd48db35e005",
    "e218db35-93ad-4f55-8a65-ee58db35e006",
]


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def uuid_index(index_of: IndexFactory) -> Path:
    rows = [
        {
            "id": posting_id,
            "title": f"Data Engineer {n}",
            "company": f"Company {n}",
            "location": "Seattle, WA",
            "description": f"Spark and Kafka pipelines, team {n}. Airflow and SQL.",
        }
        for n, posting_id in enumerate(UUIDS)
    ]
    return index_of(rows, "cli-uuids").path


def id_cells(table: str) -> list[str]:
    """The Id column of a hits table."""
    found = []
    for line in table.splitlines():
        parts = line.split("│")
        if line.startswith("│") and len(parts) > 2 and parts[2].strip():
            found.append(parts[2].strip())
    return found


def test_ids_in_an_80_column_table_are_whole_or_a_prefix_show_accepts(
    uuid_index: Path,
) -> None:
    """At 80 columns the id was cut ("993ad53f-…-e218db35e…") and show wanted it whole."""
    code, out, _ = run("search", "spark", "--index", str(uuid_index), env={"COLUMNS": "80"})
    assert code == 0
    shown = id_cells(out)
    assert len(shown) == len(UUIDS)
    assert all("…" not in cell for cell in shown)
    for cell in shown:
        owners = [u for u in UUIDS if u.startswith(cell)]
        assert len(owners) == 1, cell
        assert len(cell) >= 8
        code, out, _ = run("show", cell, "--format", "json", "--index", str(uuid_index))
        assert code == 0 and json.loads(out)["id"] == owners[0]
    assert "993ad53f-1c2" in shown and "5b0e7c21" in shown  # as short as unique


def test_json_gives_the_whole_id_and_the_short_one(uuid_index: Path) -> None:
    code, out, _ = run("search", "spark", "--format", "json", "--index", str(uuid_index))
    assert code == 0
    hits = json.loads(out)["hits"]
    assert {h["id"] for h in hits} == set(UUIDS)
    assert all(h["id"].startswith(h["short_id"]) and len(h["short_id"]) >= 8 for h in hits)


def test_similar_accepts_a_prefix_and_names_the_posting(uuid_index: Path) -> None:
    code, out, _ = run("similar", "5b0e7c21", "--format", "json", "--index", str(uuid_index))
    assert code == 0
    data = json.loads(out)
    assert data["id"] == UUIDS[4] and UUIDS[4] not in {h["id"] for h in data["hits"]}
    code, out, _ = run("similar", "5b0e7c21", "--index", str(uuid_index))
    assert code == 0 and "Postings like 5b0e7c21" in out


@pytest.mark.parametrize("name", ["show", "similar", "delete"])
def test_an_ambiguous_prefix_is_said_to_be_one(uuid_index: Path, name: str) -> None:
    code, out, err = run(name, "993ad53f", "--index", str(uuid_index))
    assert (code, out) == (1, "")
    assert "993ad53f" in err and "several" in err and UUIDS[0] in err
    assert len(err.strip().splitlines()) == 1


def test_delete_takes_prefixes_and_checks_every_id_first(uuid_index: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "index"
    shutil.copytree(uuid_index, copy)
    code, _, err = run("delete", "5b0e7c21", "nope-nope", "--index", str(copy))
    assert code == 1 and "nope-nope" in err
    assert json.loads(run("stats", "--format", "json", "--index", str(copy))[1])["postings"] == 6
    code, _, err = run("delete", "5b0e7c21", "e218db35", "--index", str(copy))
    assert code == 0 and "deleted 2 postings" in err and "holds 4 postings" in err
    assert run("show", "5b0e7c21", "--index", str(copy))[0] == 1


# -- partial matches ------------------------------------------------------------------


def test_partial_matches_are_labelled_and_counted_apart(sample_index_dir: Path) -> None:
    """--limit 40 gave "total": 33 and 40 unlabelled hits; the table said "6 match —
    showing 1-9"."""
    code, out, _ = run(
        "search", "robotics", "speech", "--format", "json", "--index", str(sample_index_dir)
    )
    data = json.loads(out)
    whole = [h for h in data["hits"] if not h["partial"]]
    partial = [h for h in data["hits"] if h["partial"]]
    assert len(whole) == data["total"] and len(partial) == data["partial_total"] > 0
    assert data["hits"][: len(whole)] == whole  # every word first
    code, out, _ = run("search", "robotics", "speech", "--index", str(sample_index_dir))
    assert code == 0
    header = out.splitlines()[0]
    shown = len(data["hits"])
    assert f"{data['total']} posting matches every word, {len(partial)} only some" in header
    assert f"showing 1-{shown}," in header
    assert out.count("partial") >= len(partial)


def test_partial_matches_page_with_the_others(sample_index_dir: Path) -> None:
    pages = []
    for page in (1, 2, 3):
        code, out, _ = run(
            "search",
            "robotics",
            "speech",
            "--limit",
            "2",
            "--page",
            str(page),
            "--format",
            "json",
            "--index",
            str(sample_index_dir),
        )
        assert code == 0
        pages.append(json.loads(out))
    listed = [h["id"] for p in pages for h in p["hits"]]
    assert len(listed) == len(set(listed)) == pages[0]["total"] + pages[0]["partial_total"]
    assert pages[0]["pages"] == 2 and not pages[2]["hits"]
    assert "page 3 is past the last page (2)" in pages[2]["notes"]


def test_a_header_never_counts_more_than_it_lists(sample_index_dir: Path) -> None:
    for query in (["robotics"], ["robotics", "speech"], ["kubernetes", "robotics"]):
        code, out, _ = run("search", *query, "--index", str(sample_index_dir))
        assert code == 0
        header = out.splitlines()[0]
        match = re.search(r"showing (\d+)-(\d+)", header)
        assert match, header
        rows = [line for line in out.splitlines() if re.match(r"│\s+\d+ │", line)]
        assert int(match.group(2)) - int(match.group(1)) + 1 == len(rows)


# -- on the corpus --------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        ["machine", "learning", "--city", "Seattle"],
        ["data", "engineer"],
        ["--company", "Ramp"],
        ["LLM", "--workplace", "remote"],
        ["product", "manager", "--since", "2025-01-01"],
        ["python", "--limit", "25"],
    ],
)
def test_corpus_ids_at_80_columns_are_whole_or_a_prefix_show_accepts(
    corpus_index_dir: Path, query: list[str]
) -> None:
    """The finding: at 80 columns the id was cut in 5 of 6 searches."""
    code, out, _ = run("search", *query, "--index", str(corpus_index_dir), env={"COLUMNS": "80"})
    assert code == 0
    code, data, _ = run("search", *query, "--format", "json", "--index", str(corpus_index_dir))
    ids = [h["id"] for h in json.loads(data)["hits"]]
    shown = id_cells(out)
    assert len(shown) == len(ids) and all("…" not in cell for cell in shown)
    for cell, whole in zip(shown, ids, strict=True):
        assert whole.startswith(cell)
        code, found, _ = run("show", cell, "--format", "json", "--index", str(corpus_index_dir))
        assert code == 0 and json.loads(found)["id"] == whole
