"""``jobsearch evaluate --index typesense://...`` on the 3-node cluster of
``tests/cluster.py``: the judged queries run on the cluster beside the embedded engine,
the cluster's figures come from the cluster's own answers, the temporary collections go
away, the URL's own collection is left as it was, and what cannot run there is said."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner

from search import evaluate
from search.cli.commands import main
from search.cluster import writer
from search.errors import ClusterError
from search.jobindex import JobIndex
from tests.cluster import LocalCluster
from tests.conftest import DATA

#: How long a dropped collection may take to leave every node's list.
GONE_WITHIN = 15.0


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def no_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the sample queries: the corpus slice takes minutes to index twice."""
    monkeypatch.setattr(evaluate, "CORPUS", tmp_path / "absent.jsonl.gz")


@pytest.fixture(scope="module")
def own(ts_cluster: LocalCluster) -> Iterator[str]:
    """A collection of the user's (the sample file), which evaluate must leave alone."""
    url = ts_cluster.url(f"ev_{uuid.uuid4().hex[:8]}")
    code, _, err = run("index", str(DATA), "--index", url)
    assert code == 0, err
    yield url
    writer.drop(url)


def _listed(cluster: LocalCluster, n: int) -> list[str]:
    request = urllib.request.Request(
        f"{cluster.node_url(n)}/collections", headers={"X-TYPESENSE-API-KEY": cluster.key}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return [str(c["name"]) for c in json.load(answer)]


def _eval_collections(cluster: LocalCluster, prefix: str) -> list[str]:
    """The evaluation collections of ``prefix`` any node still lists, once every node
    has caught up with the drops (or ``GONE_WITHIN`` has passed)."""
    deadline = time.monotonic() + GONE_WITHIN
    while True:
        left = [c for n in (1, 2, 3) for c in _listed(cluster, n) if c.startswith(prefix)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.25)


def _rows(out: str) -> dict[str, list[float]]:
    return {
        r[2]: [float(x) for x in r[3:6]]
        for r in (line.split() for line in out.splitlines() if line.startswith("sample "))
    }


def _per_query(out: str) -> dict[str, list[float]]:
    """qid -> [ours, bm25, cluster] nDCG@10 of the --per-query listing."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("qid "))
    return {
        line.split()[0]: [float(x) for x in line.split()[1:4]]
        for line in lines[start + 1 :]
        if line.strip()
    }


def test_evaluate_runs_the_judged_queries_on_the_cluster_beside_the_embedded_engine(
    ts_cluster: LocalCluster, own: str, no_corpus: None
) -> None:
    key = own.split("://", 1)[1].split("@", 1)[0]
    own_name = own.rpartition("/")[2]
    before = writer.count(own)

    code, out, err = run("evaluate", "--per-query", "--index", own)
    assert code == 0, err
    assert key not in out + err
    rows = _rows(out)
    assert list(rows) == ["ours", "bm25", "cluster"]
    assert all(0.0 <= v <= 1.0 for figures in rows.values() for v in figures)
    assert "cluster: ours on typesense://***@" in out and "scored in jobsearch" in out
    assert "cluster refused" not in out

    # The embedded rows are what evaluate prints without a cluster.
    code, alone, err = run("evaluate", "--per-query")
    assert code == 0, err
    assert _rows(alone) == {"ours": rows["ours"], "bm25": rows["bm25"]}

    # The cluster column is the cluster's own answers scored: the same queries through
    # `jobsearch search` on a collection of the same postings give the same nDCG@10.
    per_query = _per_query(out)
    judged = {j.qid: j for j in evaluate.load_judgments() if j.collection == "sample"}
    assert set(per_query) == set(judged)
    for qid, j in judged.items():
        args = [j.text]
        for name, values in j.filters.items():
            if values is True:
                args.append(f"--{name}")
                continue
            for value in values:
                args += [f"--{name}", value]
        code, found, err = run("search", *args, "--limit", "10", "--format", "json", "--index", own)
        assert code == 0, err
        ids = [hit["id"] for hit in json.loads(found)["hits"]]
        grades = [j.grades.get(i, 0) for i in ids]
        assert per_query[qid][2] == pytest.approx(
            evaluate.ndcg(grades, list(j.grades.values())), abs=5e-4
        ), qid

    # The temporary collections are gone from every node; the user's is as it was.
    assert _eval_collections(ts_cluster, f"{own_name}-eval-") == []
    assert writer.count(own) == before


def test_a_folder_is_not_a_cluster_to_evaluate_on(tmp_path: Path) -> None:
    code, out, err = run("evaluate", "--index", str(tmp_path))
    assert code == 1 and out == ""
    assert "--index names a cluster" in err and "Traceback" not in err


def test_facts_do_not_depend_on_the_index(ts_cluster: LocalCluster) -> None:
    code, _, err = run("evaluate", "--facts", "--index", ts_cluster.url("x"))
    assert code == 1 and "--facts measures the extractors" in err


def test_an_unreachable_cluster_is_one_line(no_corpus: None) -> None:
    code, out, err = run("evaluate", "--index", "typesense://secret@127.0.0.1:9/x")
    assert code == 1 and out == ""
    assert "Traceback" not in err and "secret" not in err
    assert "127.0.0.1:9" in err


class _Refusing:
    """A cluster index that refuses every search, as one would a filter it lacks."""

    def search(self, *args: Any, **kwargs: Any) -> None:
        raise ClusterError("salary filters are not available on a cluster index yet")


def test_a_query_the_cluster_refuses_scores_zero_and_is_listed(tmp_path: Path) -> None:
    indexes = evaluate.build_eval_indexes(tmp_path, None)
    try:
        refusing = cast(Mapping[str, JobIndex], {"sample": _Refusing()})
        judgments = [j for j in evaluate.load_judgments() if j.collection == "sample"][:2]
        report = evaluate.evaluate(indexes, judgments, refusing, "the test cluster")
    finally:
        for index in indexes.values():
            index.close()
    assert report.systems == ("ours", "bm25", "cluster")
    assert [qid for qid, _ in report.refused] == [j.qid for j in judgments]
    assert report.means["sample"]["cluster"] == {"ndcg@10": 0.0, "mrr": 0.0, "p@10": 0.0}
    assert report.means["sample"]["ours"]["ndcg@10"] > 0
    text = evaluate.format_report(report)
    assert f"cluster refused {judgments[0].qid} (scored 0): salary filters" in text
