"""The real CLI with ``--index typesense://...`` on the 3-node cluster of
``tests/cluster.py``: it answers as the embedded engine does on the same files, indexes
with the embedded indexer's per-file report, deletes by id prefix, says in one line
what a cluster index does not offer, and never prints the URL's key."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from search.cli.commands import main
from search.cluster import writer
from search.cluster.client import connect
from tests.cluster import LocalCluster
from tests.conftest import DATA

SAMPLE = DATA / "amazon_science_jobs.txt"
SEARCHES: list[list[str]] = [
    ["machine learning", "--city", "Seattle, WA"],
    ["intern", "--level", "intern"],
    ["scientist", "--country", "US", "--page", "2", "--limit", "3"],
    ["--skill", "deep learning"],
    ["data", "-python"],
    ["scientist", "--literal", "--near", "Seattle, WA", "--radius", "30mi"],
]


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


def _new_url(ts_cluster: LocalCluster) -> str:
    return ts_cluster.url(f"cli_{uuid.uuid4().hex[:8]}")


@pytest.fixture
def url(ts_cluster: LocalCluster) -> Iterator[str]:
    """A collection name not made yet; dropped at the end if it was."""
    where = _new_url(ts_cluster)
    yield where
    with connect(where) as cluster:
        if cluster.resolve(cluster.url.collection) is not None:
            writer.drop(where)


@pytest.fixture(scope="module")
def indexed(ts_cluster: LocalCluster) -> Iterator[str]:
    """The sample listings indexed into the cluster through ``jobsearch index``."""
    where = _new_url(ts_cluster)
    code, _, err = run("index", str(SAMPLE), "--index", where)
    assert code == 0, err
    yield where
    writer.drop(where)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli") / "index"
    code, _, err = run("index", str(SAMPLE), "--index", str(path))
    assert code == 0, err
    return str(path)


def _key(url: str) -> str:
    return url.split("://", 1)[1].split("@", 1)[0]


def _answer(args: list[str], index: str) -> dict[str, Any]:
    code, out, err = run("search", *args, "--format", "json", "--index", index)
    assert code == 0, err
    found: dict[str, Any] = json.loads(out)
    return found


@pytest.mark.parametrize("args", SEARCHES, ids=[" ".join(a) for a in SEARCHES])
def test_search_answers_as_the_embedded_engine(
    indexed: str, embedded: str, args: list[str]
) -> None:
    mine, real = _answer(args, indexed), _answer(args, embedded)
    for name in ("total", "partial_total", "pages", "facets", "notes", "read_as", "filters"):
        assert mine[name] == real[name], name
    # Typesense's text-match orders equal hits its own way: the same postings, each the same.
    assert sorted(h["id"] for h in mine["hits"]) == sorted(h["id"] for h in real["hits"])


def test_the_table_answers_and_never_shows_the_key(indexed: str) -> None:
    args = ["machine learning", "--city", "Seattle, WA"]
    code, out, err = run("search", *args, "--index", indexed)
    assert code == 0, err
    assert out.startswith("5 postings match")
    assert _key(indexed) not in out + err
    # Every posting has its room in an 80-column table.
    for hit in _answer(args, indexed)["hits"]:
        assert hit["title"].split()[0] in out


def test_the_url_is_read_from_the_environment(indexed: str, embedded: str) -> None:
    code, out, err = run("facets", "--format", "json", env={"JOBSEARCH_INDEX": indexed})
    assert code == 0, err
    code, real, _ = run("facets", "--format", "json", "--index", embedded)
    assert json.loads(out) == json.loads(real)


def test_show_by_unique_prefix_as_the_embedded_engine(indexed: str, embedded: str) -> None:
    first = _answer(["intern"], embedded)["hits"][0]
    shown = []
    for index in (indexed, embedded):
        code, out, err = run("show", first["short_id"], "--format", "json", "--index", index)
        assert code == 0, err
        record = json.loads(out)
        record.pop("indexed_at")  # each index keeps its own time of first indexing
        shown.append(record)
    assert shown[0] == shown[1] and shown[0]["id"] == first["id"]


def _new(index: str, env: dict[str, str]) -> dict[str, list[str]]:
    code, out, err = run("new", "--format", "json", "--index", index, env=env)
    assert code == 0, err
    return {name: [hit["id"] for hit in hits] for name, hits in json.loads(out).items()}


def test_saved_searches_on_the_cluster_report_each_new_posting_once(
    url: str, tmp_path: Path
) -> None:
    """Kept on this machine (``$JOBSEARCH_STATE_DIR``), reporting what the cluster
    first indexed since the last check, each posting once."""
    env = {"JOBSEARCH_STATE_DIR": str(tmp_path / "state")}
    code, _, err = run("index", str(SAMPLE), "--index", url, env=env)
    assert code == 0, err
    code, _, err = run("watch", "add", "ml", "machine learning", "--index", url, env=env)
    assert code == 0 and err.startswith("watching 'ml'"), err
    assert _new(url, env) == {"ml": []}
    rows = [
        {"id": "new-ml-1", "title": "Machine Learning Engineer", "description": "Train models.",
         "location": "Seattle, WA"},
        {"id": "new-other-1", "title": "Accountant", "description": "Ledgers.",
         "location": "Austin, TX"},
    ]  # fmt: skip
    more = tmp_path / "more.jsonl"
    more.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, _, err = run("index", str(more), "--index", url, env=env)
    assert code == 0, err
    with connect(url) as cluster:  # the check reads every node: wait until they agree
        name = cluster.url.collection
        deadline = time.monotonic() + 30
        while cluster.node_counts(name) != [12] * 3 and time.monotonic() < deadline:
            time.sleep(0.2)
    assert _new(url, env) == {"ml": ["new-ml-1"]}
    assert _new(url, env) == {"ml": []}
    code, _, err = run("index", str(more), "--index", url, env=env)  # the same again
    assert code == 0, err
    assert _new(url, env) == {"ml": []}
    folders = list((tmp_path / "state" / "clusters").iterdir())
    assert len(folders) == 1 and (folders[0] / "watches.json").is_file()
    assert folders[0].stat().st_mode & 0o777 == 0o700
    assert _key(url) not in folders[0].name
    code, _, err = run("watch", "remove", "ml", "--index", url, env=env)
    assert code == 0, err
    code, out, _ = run("watch", "list", "--format", "json", "--index", url, env=env)
    assert json.loads(out) == []


def _similar(posting_id: str, index: str) -> list[str]:
    code, out, err = run("similar", posting_id, "--format", "json", "--index", index)
    assert code == 0, err
    hits = json.loads(out)["hits"]
    assert all(hit["snippet"] for hit in hits)
    return [hit["id"] for hit in hits]


def test_similar_on_the_cluster_finds_what_the_embedded_engine_finds(
    indexed: str, embedded: str
) -> None:
    """Same key terms (Bo1 over document counts), same spread over jobs and employers;
    scored without term counts or lengths, so most but not all hits agree."""
    ids = [hit["id"] for hit in _answer(["--limit", "10"], embedded)["hits"]]
    assert len(ids) == 10
    shared = same_first = 0
    for posting_id in ids:
        mine, real = _similar(posting_id[:9], indexed), _similar(posting_id, embedded)
        assert posting_id not in mine and len(set(mine)) == len(mine) == len(real)
        shared += len(set(mine) & set(real))
        same_first += mine[0] == real[0]
    # Measured: 47 of the 50 hits shared, and the same first hit for 9 of 10.
    assert shared >= 42 and same_first >= 7


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["search", "ml", "--explain"], "--explain"),
    ],
)
def test_what_a_cluster_cannot_do_is_one_line(indexed: str, args: list[str], what: str) -> None:
    code, out, err = run(*args, "--index", indexed)
    assert code == 1 and not out
    assert err.startswith(f"error: {what}") and "not available on a cluster index" in err
    assert len(err.strip().splitlines()) == 1 and _key(indexed) not in err


def test_stats_on_the_cluster_are_the_embedded_engines(indexed: str, embedded: str) -> None:
    """The same figures from the same postings; what a cluster does not know is null."""
    figures = []
    for index in (indexed, embedded):
        code, out, err = run("stats", "--format", "json", "--index", index)
        assert code == 0, err
        figures.append(json.loads(out))
    mine, real = figures
    assert mine["index"] == _masked(indexed) and _key(indexed) not in out
    assert (mine["size_bytes"], mine["segments"], mine["schema_version"], mine["written"]) == (
        None,
        None,
        None,
        None,
    )
    same = ("postings", "cities", "countries", "skills", "remote", "posted_first", "posted_last")
    assert {k: mine[k] for k in same} == {k: real[k] for k in same}
    assert mine["postings"] == 10 and mine["cities"] > 0
    assert mine["top"] == real["top"]
    code, table, err = run("stats", "--index", indexed)
    assert code == 0 and "not known" in table, err


def test_a_malformed_url_is_refused_with_its_key_masked() -> None:
    code, _, err = run("search", "x", "--index", "typesense://s3cret-key@/jobs")
    assert code == 2
    assert "not a cluster URL: typesense://***@/jobs" in err and "s3cret" not in err


def test_a_missing_collection_or_a_wrong_key_is_one_line(ts_cluster: LocalCluster) -> None:
    for where, said in [
        (ts_cluster.url("no_such_index"), "has no collection or alias 'no_such_index'"),
        (ts_cluster.url("x").replace(ts_cluster.key, "wrong-key"), "refused the API key"),
    ]:
        code, out, err = run("search", "x", "--index", where)
        assert (code, out) == (1, "")
        assert said in err and len(err.strip().splitlines()) == 1 and _key(where) not in err


def _masked(url: str) -> str:
    return url.replace(_key(url), "***")


def test_index_reports_each_file_as_the_embedded_indexer(
    url: str, tmp_path: Path, ts_cluster: LocalCluster
) -> None:
    code, _, real = run("index", str(SAMPLE), "--index", str(tmp_path / "ix"))
    assert code == 0
    file_line = next(line for line in real.splitlines() if line.startswith(str(SAMPLE)))
    code, _, err = run("index", str(SAMPLE), "--index", url)
    assert code == 0, err
    assert file_line in err.splitlines()
    held = f"{_masked(url)} holds 10 postings"
    assert f"added 10, updated 0, unchanged 0, rejected 0; {held}" in err
    assert _key(url) not in err
    code, _, err = run("index", str(SAMPLE), "--index", url)
    assert f"added 0, updated 0, unchanged 10, rejected 0; {held}" in err
    with connect(url) as cluster:
        before = cluster.resolve(cluster.url.collection)
    code, _, err = run("index", str(SAMPLE), "--rebuild", "--index", url)
    assert code == 0, err
    assert f"added 10, updated 0, unchanged 0, rejected 0; {held}" in err
    with connect(url) as cluster:
        # Every node reads the new collection through the alias.
        for _ in cluster.url.nodes:
            after = cluster.resolve(cluster.url.collection)
            assert after is not None and after != before


def test_delete_by_prefix_and_the_count_after(url: str) -> None:
    assert run("index", str(SAMPLE), "--index", url)[0] == 0
    code, out, _ = run("search", "--format", "json", "--limit", "2", "--index", url)
    ids = [h["id"] for h in json.loads(out)["hits"]]
    code, _, err = run("delete", ids[0][:10], ids[1], "--index", url)
    assert code == 0, err
    assert err.strip() == f"deleted 2 postings; {_masked(url)} holds 8 postings"
    code, _, err = run("delete", "no-such-id", "--index", url)
    assert code == 1 and "no posting with id 'no-such-id'" in err


def test_copies_of_one_job_for_several_cities_count_once(url: str, tmp_path: Path) -> None:
    rows = [
        {
            "id": f"copy{n}",
            "title": "Data Engineer",
            "company": "Acme",
            "location": city,
            "description": "Spark and Kafka pipelines for our data platform.",
        }
        for n, city in enumerate(["Seattle, WA", "Boston, MA", "Austin, TX"])
    ]
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, _, err = run("index", str(jobs), "--index", url)
    assert code == 0, err
    assert f"{jobs}: jsonl, 3 read, 3 kept, 0 merged, 0 rejected" in err
    one = _answer(["data engineer"], url)
    assert one["total"] == 1 and len(one["hits"][0]["duplicates"]) == 2
    assert one["facets"]["city"] == {"Austin": 1, "Boston": 1, "Seattle": 1}
    assert _answer(["data engineer", "--all"], url)["total"] == 3


def test_prune_and_a_first_index_of_nothing(url: str, tmp_path: Path) -> None:
    code, _, err = run("index", str(SAMPLE), "--prune", "--index", url)
    assert code == 1 and "--prune is not available on a cluster index yet" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "no text"}\n', encoding="utf-8")
    code, _, err = run("index", str(bad), "--index", url)
    assert code == 1
    assert f"nothing was indexed; no index was left at {_masked(url)}" in err
    with connect(url) as cluster:
        assert cluster.resolve(cluster.url.collection) is None


def test_serve_answers_from_the_cluster_without_showing_the_key(
    indexed: str, embedded: str
) -> None:
    from tests.serving import serve

    query = {"q": "machine learning", "city": "Seattle, WA"}
    with serve(embedded) as server:
        real = server.get("/api/search", query).json()
    with serve(indexed) as server:
        assert server.first_line.startswith(f"serving {_masked(indexed)} (10 postings, read-only)")
        mine = server.get("/api/search", query).json()
        assert server.get("/api/stats").json()["postings"] == 10
        printed = "".join(server.output())
    assert (mine["total"], mine["facets"], mine["notes"]) == (
        real["total"],
        real["facets"],
        real["notes"],
    )
    assert _key(indexed) not in printed


@pytest.mark.parametrize(
    "text",
    [
        "senior scientist",
        "intern",
        "remote scientist",
        "full time scientist",
        "intern machine learning",
        "senior remote scientist",
        "scientist seattle",
        "applied scientist in seattle wa",
        "intern san francisco",
        "senior scientist new york",
        "machine learning remote us",
    ],
)
def test_words_are_read_as_conditions_as_the_embedded_engine_reads_them(
    indexed: str, embedded: str, text: str
) -> None:
    """The same reading, totals, partial matches and kept-below notes; the same
    postings, those stating every fact asked for first."""
    mine, real = _answer([text], indexed), _answer([text], embedded)
    assert mine["read_as"] == real["read_as"] and real["read_as"] != text
    same = ("total", "partial_total", "notes")
    assert {k: mine[k] for k in same} == {k: real[k] for k in same}
    assert sorted(h["id"] for h in mine["hits"]) == sorted(h["id"] for h in real["hits"])

    def stated(hit: dict[str, Any]) -> int:
        return sum(
            f"{kind} {hit[name]}" in real["read_as"]
            for kind, name in (("level", "level"), ("workplace", "workplace"))
        )

    tiers = [stated(hit) for hit in mine["hits"] if not hit.get("partial")]
    real_tiers = [stated(hit) for hit in real["hits"] if not hit.get("partial")]
    assert tiers == sorted(tiers, reverse=True) == sorted(real_tiers, reverse=True)


def test_a_phrase_of_three_words_is_exact_on_the_cluster(url: str, tmp_path: Path) -> None:
    """Its pairs of words may stand apart ("distributed systems" here, "systems
    engineer" there): the postings holding every pair are checked in their terms."""
    rows = [
        {"id": "exact", "title": "Distributed Systems Engineer", "description": "Build it."},
        {"id": "apart", "title": "Engineer",
         "description": "Work on distributed systems. Systems engineer wanted."},
    ]  # fmt: skip
    source = tmp_path / "phrases.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, _, err = run("index", str(source), "--index", url)
    assert code == 0, err
    embedded = str(tmp_path / "index")
    code, _, err = run("index", str(source), "--index", embedded)
    assert code == 0, err
    for index in (url, embedded):
        found = _answer(['"distributed systems engineer"'], index)
        assert [hit["id"] for hit in found["hits"] if not hit.get("partial")] == ["exact"]
        assert found["total"] == 1 and not any("pairs" in n for n in found["notes"])
    found = _answer(['"distributed systems engineer"', "--exclude", "wanted"], url)
    assert found["total"] == 1
