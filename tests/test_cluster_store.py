"""The cluster store: URLs, postings as Typesense documents and back, and writing to a
real 3-node cluster on loopback (``tests/cluster.py``): upsert, delete, rebuild behind
an alias, counts that converge on every node, and one-line errors."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from search import load_postings
from search.cluster import expr as x
from search.cluster import schema as c
from search.cluster import writer
from search.cluster.client import Cluster, connect
from search.cluster.documents import from_cluster_doc, indexed_us, term_token, to_cluster_doc
from search.cluster.url import ClusterURL, is_cluster_url, mask, parse_url
from search.errors import ClusterError, ClusterIndexNotFoundError, InputError
from search.model import JobPosting, Pay, Place
from search.store import fields as f
from search.store.analysis import FastTextAnalysis
from search.store.documents import to_document
from tests.cluster import LocalCluster
from tests.conftest import DATA, read_corpus

SECRET = "s3cretKEY"
INDEXED = 1_765_000_000.123456

# -- URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "nodes", "collection", "scheme"),
    [
        (f"typesense://{SECRET}@127.0.0.1:8108/jobs", (("127.0.0.1", 8108),), "jobs", "http"),
        (
            f"typesense://{SECRET}@127.0.0.1:8108,127.0.0.2:8108,127.0.0.3:9000/jobs_v2",
            (("127.0.0.1", 8108), ("127.0.0.2", 8108), ("127.0.0.3", 9000)),
            "jobs_v2",
            "http",
        ),
        (
            f"typesenses://{SECRET}@Search.Example.com:443/jobs/",
            (("search.example.com", 443),),
            "jobs",
            "https",
        ),
        (
            f"TYPESENSE://{SECRET}@[::1]:8108,db2/jobs",
            (("[::1]", 8108), ("db2", 8108)),
            "jobs",
            "http",
        ),
    ],
)
def test_a_cluster_url_names_key_nodes_and_collection(
    text: str, nodes: tuple[tuple[str, int], ...], collection: str, scheme: str
) -> None:
    url = parse_url(text)
    assert (url.key, url.nodes, url.collection, url.scheme) == (SECRET, nodes, collection, scheme)
    assert is_cluster_url(text)
    for shown in (repr(url), str(url), url.display()):
        assert SECRET not in shown
    assert "***@" in url.display()
    assert parse_url(url.display().replace("***", SECRET)) == url


def test_a_key_may_be_percent_encoded() -> None:
    assert parse_url("typesense://a%40b%2Fc@h:1/jobs").key == "a@b/c"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("http://h:8108/jobs", "must start with typesense://"),
        ("typesense://h:8108/jobs", "no API key"),
        ("typesense://@h:8108/jobs", "empty API key"),
        (f"typesense://{SECRET}@/jobs", "no node"),
        (f"typesense://{SECRET}@h:8108", "no collection"),
        (f"typesense://{SECRET}@h:8108/", "no collection"),
        (f"typesense://{SECRET}@h:99999/jobs", "bad port"),
        (f"typesense://{SECRET}@h:port/jobs", "bad port"),
        (f"typesense://{SECRET}@h:1,,g:2/jobs", "bad host"),
        (f"typesense://{SECRET}@h:1,h:1/jobs", "listed twice"),
        (f"typesense://{SECRET}@h:1/jobs/extra", "bad collection"),
        (f"typesense://{SECRET}@h:1/jobs?x=1", "no query"),
        (f"typesense://{SECRET}@h_x:1/jobs", "bad host"),
    ],
)
def test_a_bad_cluster_url_is_one_line_with_the_key_masked(text: str, why: str) -> None:
    with pytest.raises(ClusterError) as caught:
        parse_url(text)
    message = str(caught.value)
    assert why in message
    assert "\n" not in message
    assert SECRET not in message
    assert "typesense://KEY@HOST:PORT" in message


def test_only_cluster_schemes_are_cluster_urls() -> None:
    assert not is_cluster_url("index/")
    assert not is_cluster_url(Path("/tmp/typesense"))
    assert not is_cluster_url("https://h/jobs")
    assert mask(f"typesense://{SECRET}@h:1/x") == "typesense://***@h:1/x"


# -- documents --------------------------------------------------------------------------


def _corpus_postings(tmp_path: Path, rows: int) -> list[JobPosting]:
    source = tmp_path / "rows.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in read_corpus(rows)), encoding="utf-8")
    return list(load_postings(source))


@pytest.fixture(scope="module")
def sample_postings() -> list[JobPosting]:
    return list(load_postings(DATA))


def _as_stored(posting: JobPosting) -> JobPosting:
    return replace(posting, indexed_at=datetime.fromtimestamp(INDEXED, tz=UTC))


def _check_round_trip(postings: list[JobPosting]) -> None:
    analysis = FastTextAnalysis()
    for posting in postings:
        doc = to_cluster_doc(posting, INDEXED)
        # What the server receives is plain JSON.
        doc = json.loads(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        back = from_cluster_doc(doc)
        assert back == _as_stored(posting), posting.id
        assert back.extra == posting.extra
        assert all(v is not None and v != "" and v != [] for v in doc.values()), posting.id
        embedded = to_document(posting, analysis, indexed=INDEXED)
        for name, source in ((c.TITLE_TERMS, f.TITLE), (c.DESCRIPTION_TERMS, f.DESCRIPTION)):
            expected = Counter(
                {term_token(t): n for t, n in embedded.postings.get(source, {}).items()}
            )
            assert Counter(doc.get(name, [])) == expected, (posting.id, name)
        for name, source in ((c.CITIES, f.CITY), (c.CITY_KEY, f.CITY_KEY), (c.SKILLS, f.SKILL)):
            assert doc.get(name, []) == sorted(embedded.postings.get(source, {})), (
                posting.id,
                name,
            )
        assert doc[c.DUP_KEY] in embedded.postings[f.DUP_KEY]
        geo = [t.split(":") for t in sorted(embedded.postings.get(f.GEO, {}))]
        assert doc.get(c.GEO, []) == [[float(lat), float(lon)] for lat, lon in geo]


def test_every_sample_posting_comes_back_exactly(sample_postings: list[JobPosting]) -> None:
    assert len(sample_postings) == 10
    _check_round_trip(sample_postings)


def test_corpus_postings_come_back_exactly(tmp_path: Path) -> None:
    postings = _corpus_postings(tmp_path, 500)
    assert len(postings) == 500
    _check_round_trip(postings)


def test_facts_a_posting_does_not_state_are_absent() -> None:
    bare = JobPosting(id="bare", title="Welder", description="Weld things.")
    doc = to_cluster_doc(bare, INDEXED)
    assert set(c.REQUIRED) <= set(doc)
    for name in (
        c.PAY_ANNUAL_LOW,
        c.PAY_CURRENCY,
        c.YEARS,
        c.DEGREE,
        c.POSTED,
        c.GEO,
        c.CITIES,
        c.COMPANY,
    ):
        assert name not in doc
    assert doc[c.REMOTE] is False
    assert doc[c.INDEXED_US] == round(INDEXED * 1_000_000)
    for moment in (INDEXED, time.time(), 1_700_000_000.9999996, 0.0):
        again = to_cluster_doc(bare, indexed_us(moment) / 1_000_000)
        assert (
            from_cluster_doc(again).indexed_at
            == from_cluster_doc(to_cluster_doc(bare, moment)).indexed_at
        )
    assert from_cluster_doc(doc) == _as_stored(bare)


def test_stated_facts_are_typed_for_filters() -> None:
    posting = JobPosting(
        id="full",
        title="Senior C++ Engineers",
        description="Build node.js services. Remote in the US.",
        places=(Place(city="Seattle", state="WA", country="US", lat=47.60621, lon=-122.33207),),
        pay=Pay(min=60.0, max=70.0, currency="USD", period="hour", estimate=True),
        degree="master",
        experience_years=5,
        skills=("c++",),
        posted=datetime(2025, 10, 2).date(),
    )
    doc = to_cluster_doc(posting, INDEXED)
    assert doc[c.PAY_ANNUAL_LOW] == 60.0 * 2080 and doc[c.PAY_ANNUAL_HIGH] == 70.0 * 2080
    assert doc[c.PAY_ESTIMATE] is True and doc[c.PAY_KIND] == "estimate"
    assert doc[c.DEGREE] == c.DEGREE_RANKS["master"] == 2
    assert doc[c.YEARS] == 5
    assert doc[c.POSTED] == (posting.posted - datetime(1970, 1, 1).date()).days  # type: ignore[operator]
    assert doc[c.GEO] == [[47.6062, -122.3321]]
    assert doc[c.STATES] == ["WA"]
    # c++ keeps its own token, apart from the letter c.
    assert term_token("c++") != "c" and term_token("c++") in doc[c.SKILL_TERMS]
    [node] = FastTextAnalysis().terms("node.js")
    assert node != "node" and term_token(node) in doc[c.DESCRIPTION_TERMS]


def test_a_lone_surrogate_travels_as_valid_json_and_comes_back() -> None:
    # The ingest never lets one into the text (the embedded engine's keys need UTF-8);
    # other stored fields travel as JSON escapes.
    posting = JobPosting(
        id="odd", title="Cook", description="Cook well.", location_text="Paris \ud800"
    )
    doc = to_cluster_doc(posting, INDEXED)
    wire = json.dumps(doc, ensure_ascii=False).encode("utf-8")  # fails on a lone surrogate
    assert from_cluster_doc(json.loads(wire)) == _as_stored(posting)


def test_without_the_client_package_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "typesense", None)
    with pytest.raises(ClusterError) as caught:
        connect(f"typesense://{SECRET}@127.0.0.1:8108/jobs")
    assert (
        str(caught.value) == 'the typesense client is not installed (pip install -e ".[cluster]")'
    )


# -- against the cluster ----------------------------------------------------------------


@pytest.fixture()
def alias(ts_cluster: LocalCluster) -> Iterator[str]:
    """A fresh collection alias URL; whatever it holds is dropped afterwards."""
    url = ts_cluster.url(f"jobs_{uuid.uuid4().hex[:8]}")
    yield url
    with connect(url) as cluster:
        name = cluster.url.collection
        # A follower may still list what was dropped a moment ago.
        for collection in cluster.collections():
            if collection == name or collection.startswith(f"{name}-"):
                with contextlib.suppress(ClusterIndexNotFoundError):
                    cluster.drop_collection(collection)
        with contextlib.suppress(ClusterIndexNotFoundError):
            cluster.drop_alias(name)


def eventually(check: Callable[[], bool], within: float = 30.0) -> bool:
    """Whether ``check`` holds within ``within`` seconds: a read may reach a follower
    that applies the leader's last write a moment later."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def converged(cluster: Cluster, name: str, expected: int, within: float = 30.0) -> list[int | None]:
    """Every node's count, polled until all equal ``expected`` or ``within`` passes."""
    deadline = time.monotonic() + within
    counts = cluster.node_counts(name)
    while counts != [expected] * 3 and time.monotonic() < deadline:
        time.sleep(0.2)
        counts = cluster.node_counts(name)
    return counts


def test_upsert_needs_the_collection_or_creates_it(
    alias: str, sample_postings: list[JobPosting]
) -> None:
    with pytest.raises(ClusterIndexNotFoundError):
        writer.upsert(alias, sample_postings)
    summary = writer.upsert(alias, sample_postings, create_missing=True)
    assert (summary.added, summary.updated, summary.rejected) == (10, 0, 0)
    with connect(alias) as cluster:
        name = cluster.url.collection
        assert eventually(lambda: cluster.resolve(name) == summary.collection)
        assert converged(cluster, name, 10) == [10, 10, 10]
        stored = cluster.get_document(name, sample_postings[3].id)
        assert stored is not None
        assert from_cluster_doc(stored) == replace(
            sample_postings[3], indexed_at=from_cluster_doc(stored).indexed_at
        )
        assert cluster.get_document(name, "no-such-id") is None


def test_a_document_a_search_named_is_waited_for_on_every_node(
    alias: str, sample_postings: list[JobPosting]
) -> None:
    """A node that committed a write may apply it a moment later: a read of a document
    that a search just named asks every node again for a while before calling it gone;
    an ordinary read of an unknown id answers at once."""
    writer.upsert(alias, sample_postings[:3], create_missing=True)
    late = sample_postings[3]
    with connect(alias) as cluster:
        name = cluster.url.collection
        converged(cluster, name, 3)
        assert cluster.get_document(name, late.id) is None
        found: list[dict[str, Any] | None] = []
        reader = threading.Thread(
            target=lambda: found.append(cluster.get_document(name, late.id, wait=20.0))
        )
        reader.start()
        time.sleep(0.5)
        assert reader.is_alive()  # still asking: the document is not written yet
        writer.upsert(alias, [late])
        reader.join(30)
        assert found and found[0] is not None and found[0]["id"] == late.id


def test_upsert_skips_unchanged_and_keeps_the_first_indexed_time(
    alias: str, sample_postings: list[JobPosting]
) -> None:
    writer.upsert(alias, sample_postings, create_missing=True)
    with connect(alias) as cluster:
        name = cluster.url.collection
        converged(cluster, name, 10)
        first = cluster.get_document(name, sample_postings[0].id)
        assert first is not None
        changed = replace(sample_postings[0], title="Applied Scientist, renamed")
        again = writer.upsert(cluster, [*sample_postings[1:], changed, sample_postings[2]])
        assert (again.added, again.updated, again.unchanged, again.merged) == (0, 1, 9, 1)
        converged(cluster, name, 10)
        deadline = time.monotonic() + 30
        now = cluster.get_document(name, changed.id)
        while (now is None or now[c.TITLE] != changed.title) and time.monotonic() < deadline:
            time.sleep(0.2)
            now = cluster.get_document(name, changed.id)
        assert now is not None and now[c.TITLE] == changed.title
        assert now[c.INDEXED_US] == first[c.INDEXED_US]
        assert from_cluster_doc(now).indexed_at == from_cluster_doc(first).indexed_at


def test_delete_removes_by_id_on_every_node(alias: str, sample_postings: list[JobPosting]) -> None:
    writer.rebuild(alias, sample_postings)
    ids = [p.id for p in sample_postings[:3]]
    assert writer.delete(alias, [*ids, "no-such-id", ids[0]]) == 3
    with connect(alias) as cluster:
        assert converged(cluster, cluster.url.collection, 7) == [7, 7, 7]
    assert writer.delete(alias, ids) == 0


def test_rebuild_switches_the_alias_and_drops_the_old_collection(
    alias: str, sample_postings: list[JobPosting]
) -> None:
    first = writer.rebuild(alias, sample_postings)
    assert first.added == 10
    with connect(alias) as cluster:
        name = cluster.url.collection
        assert eventually(lambda: cluster.resolve(name) == first.collection)
        assert converged(cluster, name, 10) == [10, 10, 10]
        before = cluster.get_document(name, sample_postings[5].id)
        second = writer.rebuild(cluster, sample_postings[4:8])
        assert (second.added, second.updated) == (0, 4)
        assert second.collection != first.collection
        assert eventually(lambda: cluster.resolve(name) == second.collection)
        assert eventually(lambda: first.collection not in cluster.collections())
        assert converged(cluster, name, 4) == [4, 4, 4]
        after = cluster.get_document(name, sample_postings[5].id)
        assert before is not None and after is not None
        assert after[c.INDEXED_US] == before[c.INDEXED_US]
        assert writer.count(cluster) in {4, 10}  # a follower may answer a moment late
        writer.drop(cluster)
        assert eventually(lambda: cluster.resolve(name) is None)
        assert eventually(lambda: second.collection not in cluster.collections())


def test_a_rebuild_with_nothing_written_keeps_the_old_collection(
    alias: str, sample_postings: list[JobPosting]
) -> None:
    first = writer.rebuild(alias, sample_postings)
    with pytest.raises(InputError, match="no posting could be written"):
        writer.rebuild(alias, [])
    with connect(alias) as cluster:
        name = cluster.url.collection
        assert eventually(lambda: cluster.resolve(name) == first.collection)
        assert eventually(
            lambda: [n for n in cluster.collections() if n.startswith(name)] == [first.collection]
        )


def test_a_refused_document_is_reported_and_the_others_kept(
    alias: str, sample_postings: list[JobPosting], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_id = sample_postings[4].id
    made = writer.to_cluster_doc

    def broken(posting: JobPosting, indexed: float) -> dict[str, Any]:
        doc = made(posting, indexed)
        if posting.id == bad_id:
            doc[c.INDEXED_US] = "not a number"  # the server refuses this field's type
        return doc

    monkeypatch.setattr(writer, "to_cluster_doc", broken)
    # Only stop words: a title with no analysed term, and no description at all.
    stop_words = JobPosting(id="stop-words", title="IT", description="")
    assert set(c.REQUIRED) <= set(to_cluster_doc(stop_words, INDEXED))
    summary = writer.rebuild(alias, [*sample_postings, stop_words], batch_size=4)
    assert (summary.added, summary.rejected) == (10, 1)
    assert [failure.id for failure in summary.failures] == [bad_id]
    assert "indexed_us" in summary.failures[0].error
    assert bad_id not in summary.ids
    with connect(alias) as cluster:
        name = cluster.url.collection
        assert converged(cluster, name, 10) == [10, 10, 10]
        assert cluster.get_document(name, bad_id) is None
        assert cluster.get_document(name, stop_words.id) is not None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _one_line(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_no_node_up_is_one_line() -> None:
    port = _free_port()
    url = f"typesense://{SECRET}@127.0.0.1:{port},127.0.0.2:{port}/jobs"
    for call in (lambda: writer.count(url), lambda: writer.upsert(url, [])):
        with pytest.raises(ClusterError) as caught:
            call()
        message = _one_line(caught.value)
        assert message.startswith("no node of the cluster answers")
        assert SECRET not in message


def test_a_wrong_key_is_one_line(ts_cluster: LocalCluster) -> None:
    url = ts_cluster.url("jobs").replace(ts_cluster.key, SECRET)
    with pytest.raises(ClusterError) as caught:
        writer.count(url)
    message = _one_line(caught.value)
    assert "refused the API key" in message and SECRET not in message


def test_an_unknown_collection_is_one_line(ts_cluster: LocalCluster) -> None:
    url = ts_cluster.url("no_such_collection")
    for call in (
        lambda: writer.count(url),
        lambda: writer.drop(url),
        lambda: writer.delete(url, ["x"]),
    ):
        with pytest.raises(ClusterIndexNotFoundError) as caught:
            call()
        message = _one_line(caught.value)
        assert "no collection or alias 'no_such_collection'" in message
        assert ts_cluster.key not in message


def test_the_parsed_url_of_the_fixture_lists_three_nodes(ts_cluster: LocalCluster) -> None:
    url = parse_url(ts_cluster.url("x"))
    assert isinstance(url, ClusterURL)
    assert [host for host, _ in url.nodes] == ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    with connect(url) as cluster:
        assert all(h.ok for h in cluster.health())


def test_value_tests_of_one_field_merge_where_the_meaning_stays() -> None:
    """Typesense takes at most 100 operations in a filter: ORed tests of one field,
    and ANDed negated ones, become one test; the others stay apart."""
    a, b = x.one_of(c.TITLE_TERMS, ["a"]), x.one_of(c.TITLE_TERMS, ["b"])
    other = x.one_of(c.DESCRIPTION_TERMS, ["a"])
    assert x.render(x.any_of([a, b, other, a])) == (
        "title_terms:=[`a`,`b`] || description_terms:=[`a`]"
    )
    assert x.render(x.all_of([x.negate(a), x.negate(b)])) == "title_terms:!=[`a`,`b`]"
    assert x.render(x.all_of([a, b])) == "title_terms:=[`a`] && title_terms:=[`b`]"
    assert x.render(x.any_of([x.negate(a), x.negate(b)])) == (
        "title_terms:!=[`a`] || title_terms:!=[`b`]"
    )


def test_merged_tests_count_as_the_separate_ones_and_too_many_is_one_line(
    alias: str, sample_postings: list[JobPosting]
) -> None:
    writer.rebuild(alias, sample_postings)
    with connect(alias) as cluster:
        name = cluster.url.collection

        def found(where: str) -> int:
            asked = {"q": "*", "query_by": c.TITLE_TERMS, "filter_by": where, "per_page": 0}
            return int(cluster.search(name, asked)["found"])

        words = ["scientist", "intern"]
        tests = [x.one_of(c.TITLE_TERMS, [w]) for w in words]
        for merged, apart in (
            (x.any_of(tests), " || ".join(x.render(t) for t in tests)),
            (x.all_of(map(x.negate, tests)), " && ".join(x.render(x.negate(t)) for t in tests)),
        ):
            assert found(x.render(merged)) == found(apart)
        assert found(x.render(x.any_of(tests))) == 10
        too_many = " && ".join(
            f"({c.TITLE_TERMS}:!=[`w{i}`] || {c.SKILLS}:=[`s{i}`])" for i in range(40)
        )
        with pytest.raises(ClusterError, match="more conditions than Typesense takes") as caught:
            found(too_many)
        assert caught.value.hint == "search with fewer words or filters"
