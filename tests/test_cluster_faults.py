"""The leader of a real 3-node Typesense cluster is killed (SIGKILL) during a stream of
writes and searches (``scripts/cluster_faults.py``): searches keep answering from the
other nodes, writes resume after the new election, every acknowledged write is there
afterwards, the restarted node catches up, and with two of three nodes down searches
still answer until the survivor notices it has no leader (Typesense then refuses
reads), while a write fails at once in one clear line; from the library and the real CLI.

The cluster is this test's own (its nodes are killed), not the session's ``ts_cluster``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.cluster_faults import WRITES_AFTER, Figures, run
from search import load_postings
from search.cluster.writer import LEADER_PATIENCE
from tests.cluster import LocalCluster, running_cluster, server_binary
from tests.conftest import DATA, ROOT


@pytest.fixture(scope="module")
def after_faults(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LocalCluster, Figures]]:
    """The scenario run once; the cluster is left with two of its three nodes down."""
    server_binary()  # fails (or skips) saying what to install
    with running_cluster(tmp_path_factory.mktemp("faults")) as cluster:
        yield cluster, run(cluster, list(load_postings(DATA)))


def test_searches_keep_answering_while_the_leader_is_down(
    after_faults: tuple[LocalCluster, Figures],
) -> None:
    _, figures = after_faults
    assert figures.searches_after_kill > 0
    assert figures.searches_failed == 0, figures.search_errors


def test_writes_resume_after_the_election_and_none_acknowledged_is_lost(
    after_faults: tuple[LocalCluster, Figures],
) -> None:
    _, figures = after_faults
    assert figures.new_leader != figures.killed_leader
    assert figures.writes_acknowledged_after_kill >= WRITES_AFTER
    assert figures.seconds_without_writes > 0
    assert figures.acknowledged_missing == []
    # Every posting: the built collection and each acknowledged write, none twice.
    assert figures.leader_count == figures.postings + figures.writes_acknowledged


def test_the_restarted_node_catches_up(after_faults: tuple[LocalCluster, Figures]) -> None:
    _, figures = after_faults
    assert figures.restarted_count == figures.leader_count


def test_two_nodes_down_searches_answer_and_writes_fail_in_one_line(
    after_faults: tuple[LocalCluster, Figures],
) -> None:
    _, figures = after_faults
    # The survivor answers until it notices it has no leader (about 10 s): the first
    # searches, made at once, are answered.
    assert figures.two_down_searches_answered >= 1
    # The write fails at once (no wait for a leader that cannot be elected), as a
    # write ("accepts no writes") or, once the survivor refuses reads, at the read it
    # begins with ("cannot answer"); either way saying what to do.
    assert figures.two_down_write_seconds < LEADER_PATIENCE
    error = figures.two_down_write_error
    assert "only 1 of 3 nodes answer" in error and "start the nodes that are down" in error


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "search", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_the_cli_with_two_nodes_down(after_faults: tuple[LocalCluster, Figures]) -> None:
    """Once the survivor refuses reads, a search and an index run each end in one line."""
    cluster, figures = after_faults
    assert figures.two_down_search_error.startswith("the cluster cannot answer: only 1 of 3")
    url = cluster.url("jobs")
    for args, words in [
        (("search", "machine learning"), "cannot answer"),
        (("index", str(Path(DATA) / "amazon_science_jobs.txt")), "cannot answer"),
    ]:
        done = _cli(*args, "--index", url)
        assert done.returncode != 0, done.stdout
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert words in lines[0] and "start the nodes that are down" in lines[0]
        assert cluster.key not in done.stderr
