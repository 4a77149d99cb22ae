"""The HTTP JSON API against a real ``jobsearch serve`` process on a loopback port.

Every answer is compared with what the command line writes for the same question
(``--format json``, or its one-line error): the API is the library over HTTP, not a
second opinion. Writes go to a copy of the sample index on a server started with a
token; the read-only server answers from the shared sample index.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from search.cli.commands import main
from search.serve.security import COOKIE, MAX_BODY_BYTES, MAX_URL_BYTES, SECURITY_HEADERS
from tests.serving import Answer, Server, serve, start

TOKEN = "test-token-0123456789abcdef"
SECURITY = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}


def cli(index: Path, *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``jobsearch ARGS --index INDEX``."""
    result = CliRunner().invoke(main, [*args, "--index", str(index)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def cli_json(index: Path, *args: str) -> Any:
    code, out, err = cli(index, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def cli_error(index: Path, *args: str) -> str:
    """The one line the command line prints for an error, without its ``error:``."""
    code, _, err = cli(index, *args)
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0].removeprefix("error: ")


def error_of(answer: Answer, status: int) -> str:
    """The message of a JSON error answer, checked to have ``status``."""
    assert answer.status == status, (answer.status, answer.text)
    data = answer.json()
    assert data == {"error": data["error"], "status": status}
    assert "\n" not in data["error"] and "Traceback" not in data["error"]
    return str(data["error"])


@pytest.fixture(scope="module")
def index_dir(sample_index_dir: Path) -> Path:
    return sample_index_dir.resolve()


@pytest.fixture(scope="module")
def reader(index_dir: Path) -> Iterator[Server]:
    """A read-only server over the sample index."""
    with serve(index_dir) as server:
        yield server


@pytest.fixture(scope="module")
def writable_dir(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("serve-writes") / "index"
    shutil.copytree(index_dir, target)
    return target.resolve()


@pytest.fixture(scope="module")
def writer(writable_dir: Path) -> Iterator[Server]:
    """A server that allows changes to a copy of the sample index, with ``TOKEN``."""
    with serve(writable_dir, token=TOKEN) as server:
        yield server


@pytest.fixture(scope="module")
def some_id(reader: Server) -> str:
    return str(reader.get("/api/search", {"q": "scientist"}).json()["hits"][0]["id"])


# -- the same JSON as the command line ----------------------------------------------------

SEARCHES: list[tuple[list[tuple[str, str]], list[str]]] = [
    ([("q", "scientist")], ["scientist"]),
    (
        [("q", "science"), ("city", "Seattle"), ("city", "Boston"), ("sort", "newest")],
        ["science", "--city", "Seattle", "--city", "Boston", "--sort", "newest"],
    ),
    (
        [("q", "science"), ("limit", "3"), ("page", "2")],
        ["science", "--limit", "3", "--page", "2"],
    ),
    ([("level", "intern"), ("country", "US")], ["--level", "intern", "--country", "US"]),
    ([("q", "machine learning"), ("title", "true")], ["machine learning", "--title"]),
    ([("q", "applied science"), ("all", "true")], ["applied science", "--all"]),
    ([("q", "python"), ("explain", "true")], ["python", "--explain"]),
    ([("q", "senior scientist seattle")], ["senior scientist seattle"]),
    ([("q", "seattle"), ("literal", "true")], ["seattle", "--literal"]),
    ([("skill", "pytorch"), ("skill", "nlp")], ["--skill", "pytorch", "--skill", "nlp"]),
    (
        [("exclude_company", "Amazon"), ("exclude", "intern")],
        ["--exclude-company", "Amazon", "--exclude", "intern"],
    ),
    ([("near", "Seattle, WA"), ("radius", "30mi")], ["--near", "Seattle, WA", "--radius", "30mi"]),
    ([("since", "2000-01-01"), ("sort", "pay")], ["--since", "2000-01-01", "--sort", "pay"]),
    ([("q", "scienec")], ["scienec"]),
]


@pytest.mark.parametrize(("query", "argv"), SEARCHES, ids=lambda v: str(v)[:40])
def test_search_is_the_cli_json(
    reader: Server, index_dir: Path, query: list[tuple[str, str]], argv: list[str]
) -> None:
    answer = reader.get("/api/search", query)
    assert answer.status == 200, answer.text
    assert answer.json() == cli_json(index_dir, "search", *argv)


def test_repeated_filters_are_ored(reader: Server) -> None:
    def total(*cities: str) -> int:
        return int(reader.get("/api/search", [("city", c) for c in cities]).json()["total"])

    seattle, boston, both = total("Seattle"), total("London"), total("Seattle", "London")
    assert 0 < seattle < both and 0 < boston < both and both <= seattle + boston


def test_paging_walks_every_hit_once(reader: Server) -> None:
    first = reader.get("/api/search", {"q": "science", "limit": 3}).json()
    seen = [h["id"] for h in first["hits"]]
    for page in range(2, first["pages"] + 1):
        seen += [
            h["id"]
            for h in reader.get("/api/search", {"q": "science", "limit": 3, "page": page}).json()[
                "hits"
            ]
        ]
    assert len(seen) == len(set(seen)) == first["total"] + first["partial_total"]


def test_facets_are_the_cli_json(reader: Server, index_dir: Path) -> None:
    answer = reader.get("/api/facets", {"q": "science", "country": "US", "facet_top": 3})
    assert answer.json() == cli_json(
        index_dir, "facets", "science", "--country", "US", "--top", "3"
    )
    assert all(len(values) <= 3 for values in answer.json()["facets"].values())


def test_a_posting_by_unique_prefix_is_the_cli_show(
    reader: Server, index_dir: Path, some_id: str
) -> None:
    whole = reader.get(f"/api/postings/{some_id}")
    by_prefix = reader.get(f"/api/postings/{some_id[:9]}")
    assert whole.json() == by_prefix.json() == cli_json(index_dir, "show", some_id[:9])
    assert whole.json()["id"] == some_id and whole.json()["description"]


def test_similar_is_the_cli_json(reader: Server, index_dir: Path, some_id: str) -> None:
    answer = reader.get(f"/api/postings/{some_id[:9]}/similar", {"limit": 3})
    assert answer.json() == cli_json(index_dir, "similar", some_id[:9], "--limit", "3")
    assert answer.json()["id"] == some_id and 0 < len(answer.json()["hits"]) <= 3


def test_stats_is_the_cli_json(reader: Server, index_dir: Path) -> None:
    assert reader.get("/api/stats").json() == cli_json(index_dir, "stats")


def test_head_answers_like_get_without_a_body(reader: Server) -> None:
    get, head = reader.get("/api/stats"), reader.request("HEAD", "/api/stats")
    assert head.status == 200 and head.body == b""
    assert head.headers["content-length"] == get.headers["content-length"]


# -- errors: the command line's line, as JSON with a 4xx status ---------------------------


@pytest.mark.parametrize(
    ("query", "argv"),
    [
        ({"salary_min": "lots"}, ["--salary-min", "lots"]),
        ({"since": "someday"}, ["--since", "someday"]),
        ({"radius": "far", "near": "Seattle"}, ["--radius", "far", "--near", "Seattle"]),
        ({"level": "wizard"}, ["--level", "wizard"]),
        ({"q": "a" * 1_001}, ["a" * 1_001]),
        ({"q": " ".join(["word"] * 65)}, [" ".join(["word"] * 65)]),
        ({"q": "(" * 40 + "x" + ")" * 40}, ["(" * 40 + "x" + ")" * 40]),
    ],
    ids=["salary", "since", "radius", "level", "long query", "many words", "nesting"],
)
def test_a_bad_search_is_the_cli_error(
    reader: Server, index_dir: Path, query: dict[str, str], argv: list[str]
) -> None:
    message = error_of(reader.get("/api/search", query), 400)
    assert message == cli_error(index_dir, "search", *argv)


def test_an_unknown_id_is_a_404_with_the_cli_error(reader: Server, index_dir: Path) -> None:
    for path in ("/api/postings/zzzz", "/api/postings/zzzz/similar"):
        assert error_of(reader.get(path), 404) == cli_error(index_dir, "show", "zzzz")


def test_an_ambiguous_prefix_is_a_400_with_the_cli_error(reader: Server, index_dir: Path) -> None:
    message = error_of(reader.get("/api/postings/h"), 400)
    assert message == cli_error(index_dir, "show", "h")
    assert "starts several ids" in message


@pytest.mark.parametrize(
    ("path", "query", "says"),
    [
        ("/api/search", {"citty": "Seattle"}, "unknown parameter 'citty' (did you mean 'city'?)"),
        ("/api/stats", {"q": "x"}, "unknown parameter 'q'"),
        ("/api/watches", {"name": "x"}, "unknown parameter 'name'"),
        ("/api/new", {"wach": "x"}, "unknown parameter 'wach'"),
        ("/api/facets", {"page": "2"}, "unknown parameter 'page'"),
        ("/api/search", {"page": "0"}, "parameter 'page' takes a whole number from 1"),
        ("/api/search", {"page": "x"}, "parameter 'page' takes a whole number"),
        ("/api/search", {"limit": "101"}, "parameter 'limit' takes a whole number from 1 to 100"),
        ("/api/search", {"sort": "best"}, "parameter 'sort' takes relevance"),
        ("/api/search", {"title": "maybe"}, "parameter 'title' takes true or false"),
        ("/api/search", [("q", "a"), ("q", "b")], "parameter 'q' is given 2 times"),
        ("/api/search", {"city": "x" * 1_001}, "parameter 'city' is 1,001 characters long"),
    ],
)
def test_bad_parameters_are_400s_saying_which(
    reader: Server, path: str, query: Any, says: str
) -> None:
    assert error_of(reader.get(path, query), 400).startswith(says)


def test_similar_takes_1_to_50(reader: Server, some_id: str) -> None:
    path = f"/api/postings/{some_id}/similar"
    for bad in ("0", "51", "-1", "5.5"):
        assert "parameter 'limit'" in error_of(reader.get(path, {"limit": bad}), 400)
    assert reader.get(path, {"limit": "50"}).status == 200


def test_unknown_paths_and_methods_are_json_under_api(reader: Server) -> None:
    assert error_of(reader.get("/api/nothing"), 404) == "nothing at /api/nothing"
    assert error_of(reader.get("/api/postings/x/y/z"), 404).startswith("nothing at")
    answer = reader.request("PUT", "/api/search")
    assert error_of(answer, 405) == "method not allowed here"
    assert "GET" in answer.headers["allow"]
    assert error_of(reader.request("POST", "/api/stats"), 405)
    assert reader.get("/api/../etc/passwd").status == 404


def test_hostile_input_never_gives_a_5xx(reader: Server) -> None:
    odd = ["\x00", "%", "\x7f\x1b[31m", "'\"<>", "é" * 300, "\u202e", "0x" + "9" * 400]
    for value in odd:
        for name in ("q", "city", "since", "salary_min", "near", "radius", "company", "max_years"):
            answer = reader.get("/api/search", {name: value})
            assert answer.status in (200, 400), (name, value, answer.text)
        assert reader.get(f"/api/postings/{quote(value[:50], safe='')}").status in (400, 404)
    assert reader.get("/api/postings/%ff%fe").status in (400, 404)


# -- limits and headers -----------------------------------------------------------------


def test_a_too_long_address_is_414(reader: Server) -> None:
    answer = reader.get("/api/search", {"q": "a" * (MAX_URL_BYTES + 10)})
    assert "the limit is 8,192" in error_of(answer, 414)


def _raw(
    server: Server, head: str, chunks: Sequence[bytes] | Iterator[bytes] = ()
) -> tuple[int, Any]:
    """Send ``head`` and then ``chunks`` on a bare socket, and read the answer: a body
    past the limit is answered before all of it is sent, which ``http.client`` (sending
    it all first) would see as a reset connection."""
    host, port = server.host.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=60) as connection:
        connection.sendall(head.encode())
        for chunk in chunks:
            connection.sendall(chunk)
        received = b""
        while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"}"):
            more = connection.recv(65536)
            if not more:
                break
            received += more
    status_line, _, rest = received.partition(b"\r\n")
    body = rest.partition(b"\r\n\r\n")[2]
    return int(status_line.split()[1]), json.loads(body)


def test_a_too_large_body_is_413_with_or_without_a_length(writer: Server) -> None:
    head = (
        f"POST /api/postings HTTP/1.1\r\nHost: {writer.host}\r\n"
        f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
    )
    status, body = _raw(writer, head + f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n")
    assert status == 413 and "too large" in body["error"]

    def chunks() -> Iterator[bytes]:
        megabyte = 1 << 20
        for _ in range(MAX_BODY_BYTES // megabyte):
            yield b"%x\r\n%s\r\n" % (megabyte, b" " * megabyte)
        yield b"1\r\n \r\n"  # one byte past the limit, and the body not ended

    status, body = _raw(writer, head + "Transfer-Encoding: chunked\r\n\r\n", chunks())
    assert status == 413 and "too large" in body["error"]


def test_every_answer_has_the_security_headers(reader: Server, some_id: str) -> None:
    answers = [
        reader.get("/api/search", {"q": "x"}),
        reader.get(f"/api/postings/{some_id}"),
        reader.get("/api/search", {"salary_min": "lots"}),
        reader.get("/api/nothing"),
        reader.request("DELETE", "/api/search"),
        reader.request("POST", "/api/watches", json_body={"name": "x"}),
        reader.get("/api/search", {"q": "a" * (MAX_URL_BYTES + 10)}),
        reader.get("/openapi.json"),
        reader.request("HEAD", "/api/stats"),
    ]
    for answer in answers:
        for name, value in SECURITY.items():
            assert answer.headers.get(name) == value, (answer.status, name)
        assert "server" not in answer.headers


# -- changes: the token ------------------------------------------------------------------


def test_a_server_without_a_token_is_read_only(reader: Server, some_id: str) -> None:
    changes = [
        ("POST", "/api/postings", [{"title": "x", "description": "y"}]),
        ("DELETE", f"/api/postings/{some_id}", None),
        ("POST", "/api/watches", {"name": "x"}),
        ("DELETE", "/api/watches/x", None),
        ("POST", "/api/new", None),
    ]
    for method, path, body in changes:
        for token in (None, TOKEN):
            answer = reader.request(method, path, json_body=body, token=token)
            assert error_of(answer, 403).startswith("this service is read-only"), path
    assert reader.get(f"/api/postings/{some_id}").status == 200


def test_changes_need_the_token(writer: Server) -> None:
    body = {"name": "tokened", "query": "science"}
    assert "needs the service's token" in error_of(
        writer.request("POST", "/api/watches", json_body=body), 403
    )
    wrong = writer.request("POST", "/api/watches", json_body=body, token="x" * len(TOKEN))
    assert "needs the service's token" in error_of(wrong, 403)
    basic = writer.request(
        "POST", "/api/watches", json_body=body, headers={"Authorization": f"Basic {TOKEN}"}
    )
    assert basic.status == 403
    assert writer.request("POST", "/api/watches", json_body=body, token=TOKEN).status == 201
    assert writer.request("DELETE", "/api/watches/tokened", token=TOKEN).status == 204


def test_the_cookie_counts_only_from_the_same_origin(writer: Server) -> None:
    cookie = {"Cookie": f"{COOKIE}={TOKEN}"}
    body = {"name": "cookie"}
    own = f"http://{writer.host}"
    cross = [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site", "Origin": own},
        {"Sec-Fetch-Site": "same-site"},
        {"Referer": "http://evil.example/form"},
    ]
    for headers in cross:
        answer = writer.request(
            "POST", "/api/watches", json_body=body, headers={**cookie, **headers}
        )
        assert error_of(answer, 403) == "a change from another site is refused", headers
    form = writer.request(
        "POST",
        "/api/watches",
        body="name=cookie",
        headers={
            **cookie,
            "Origin": "http://evil.example",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert form.status == 403
    same = [{"Origin": own}, {"Sec-Fetch-Site": "same-origin"}, {"Referer": f"{own}/?q=x"}]
    for headers in same:
        answer = writer.request(
            "POST", "/api/watches", json_body=body, headers={**cookie, **headers}
        )
        assert answer.status == 201, (headers, answer.text)
    assert writer.request("DELETE", "/api/watches/cookie", token=TOKEN).status == 204


NEW_POSTINGS = [
    {
        "id": "api-test-1",
        "title": "Quokka Wrangler",
        "company": "Zoo Co",
        "location": "Seattle, WA",
        "description": "Look after quokkas. Python a plus.",
    },
    {"title": "no description here"},
    {
        "id": "api-test-2",
        "title": "Senior Quokka Wrangler",
        "company": "Zoo Co",
        "location": "Boston, MA",
        "description": "Lead the quokka team.",
    },
]


def test_watches_new_add_and_delete_are_the_cli_json(writer: Server, writable_dir: Path) -> None:
    saved = writer.request(
        "POST",
        "/api/watches",
        json_body={"name": "quokkas", "query": "quokka", "filters": {"city": ["Seattle"]}},
        token=TOKEN,
    )
    assert saved.status == 201, saved.text
    assert saved.json()["name"] == "quokkas" and saved.json()["filters"] == {"city": ["Seattle"]}
    listed = writer.get("/api/watches").json()
    assert listed == cli_json(writable_dir, "watch", "list")
    assert [w["name"] for w in listed] == ["quokkas"]
    assert writer.get("/api/new").json() == {"quokkas": []}

    # JSON Lines: the invalid row is reported with its line, the valid ones kept.
    lines = "".join(json.dumps(p) + "\n" for p in NEW_POSTINGS)
    added = writer.request(
        "POST",
        "/api/postings",
        body=lines,
        headers={"Content-Type": "application/x-ndjson; charset=utf-8"},
        token=TOKEN,
    )
    assert added.status == 200, added.text
    summary = added.json()
    assert (summary["added"], summary["rejected"]) == (2, 1)
    assert summary["rejections"] == ["request:2: missing description"]
    assert sorted(summary["ids"]) == ["api-test-1", "api-test-2"]

    peek = writer.get("/api/new").json()
    assert peek == cli_json(writable_dir, "new", "--peek")
    assert [h["id"] for h in peek["quokkas"]] == ["api-test-1"]
    assert writer.get("/api/new", {"watch": "quokkas"}).json() == peek
    assert writer.get("/api/new").json() == peek  # a peek marks nothing

    marked = writer.request("POST", "/api/new", token=TOKEN)
    assert marked.json() == peek
    assert writer.get("/api/new").json() == {"quokkas": []}
    assert cli_json(writable_dir, "new", "--peek") == {"quokkas": []}

    # A JSON array: an unchanged posting is counted as such.
    again = writer.request("POST", "/api/postings", json_body=NEW_POSTINGS[:1], token=TOKEN)
    assert (again.json()["added"], again.json()["unchanged"]) == (0, 1)
    found = writer.get("/api/search", {"q": "quokka"}).json()
    assert {h["id"] for h in found["hits"]} == {"api-test-1", "api-test-2"}

    deleted = writer.request("DELETE", "/api/postings/api-test-2", token=TOKEN)
    assert deleted.status == 200 and deleted.json() == {"deleted": 1}
    assert writer.get("/api/postings/api-test-2").status == 404
    gone = writer.request("DELETE", "/api/postings/api-test-2", token=TOKEN)
    assert error_of(gone, 404) == cli_error(writable_dir, "show", "api-test-2")

    assert writer.request("DELETE", "/api/watches/quokkas", token=TOKEN).status == 204
    missing = writer.request("DELETE", "/api/watches/quokkas", token=TOKEN)
    assert error_of(missing, 404) == cli_error(writable_dir, "watch", "remove", "quokkas")
    assert writer.get("/api/watches").json() == []


@pytest.mark.parametrize(
    ("body", "headers", "status", "says"),
    [
        ("[]", {"Content-Type": "application/json"}, 400, "no valid posting in the request"),
        ('{"a": 1}', {"Content-Type": "application/json"}, 400, "no valid posting"),
        ("[1, 2]", {"Content-Type": "application/json"}, 400, "no valid posting"),
        ("nope", {"Content-Type": "application/json"}, 400, "no valid posting"),
        ("x", {"Content-Type": "text/plain"}, 415, "postings are sent as JSON or JSON Lines"),
        ("x", {}, 415, "postings are sent as JSON"),
    ],
)
def test_bad_postings_are_refused_in_one_line(
    writer: Server, body: str, headers: dict[str, str], status: int, says: str
) -> None:
    message = error_of(
        writer.request("POST", "/api/postings", body=body, headers=headers, token=TOKEN), status
    )
    assert message.startswith(says) and "/tmp" not in message and "jobsearch-add" not in message


@pytest.mark.parametrize(
    ("body", "headers", "status", "says"),
    [
        ('{"name": "a/b"}', {"Content-Type": "application/json"}, 400, "bad name for a saved"),
        ('{"name": ""}', {"Content-Type": "application/json"}, 400, "bad name for a saved"),
        ('{"query": "x"}', {"Content-Type": "application/json"}, 400, "a saved search is"),
        ('["x"]', {"Content-Type": "application/json"}, 400, "a saved search is"),
        ('{"name": "x", "color": 1}', {"Content-Type": "application/json"}, 400, "unknown field"),
        (
            '{"name": "x", "filters": {"salary_min": "lots"}}',
            {"Content-Type": "application/json"},
            400,
            "unreadable amount 'lots'",
        ),
        (
            '{"name": "x", "filters": {"bogus": 1}}',
            {"Content-Type": "application/json"},
            400,
            "unknown filter 'bogus'",
        ),
        ('{"name": "x", "query": 5}', {"Content-Type": "application/json"}, 400, '"query" is'),
        ('{"name": "x"', {"Content-Type": "application/json"}, 400, "the request body is not"),
        ('{"name": "x"}', {"Content-Type": "text/plain"}, 415, "the request body must be JSON"),
        ('{"name": "x"}', {"Content-Type": "APPLICATION/JSON"}, 201, ""),
    ],
)
def test_saving_a_search_checks_what_it_is_sent(
    writer: Server, body: str, headers: dict[str, str], status: int, says: str
) -> None:
    answer = writer.request("POST", "/api/watches", body=body, headers=headers, token=TOKEN)
    if status == 201:
        assert answer.status == 201, answer.text
        writer.request("DELETE", "/api/watches/x", token=TOKEN)
    else:
        assert error_of(answer, status).startswith(says)


def test_writing_routes_refuse_unknown_parameters(writer: Server) -> None:
    for method, path in [
        ("POST", "/api/watches"),
        ("DELETE", "/api/watches/x"),
        ("POST", "/api/postings"),
        ("DELETE", "/api/postings/x"),
        ("POST", "/api/new"),
    ]:
        answer = writer.request(method, path, {"bogus": "1"}, json_body={"name": "x"}, token=TOKEN)
        assert error_of(answer, 400).startswith("unknown parameter 'bogus'"), path


# -- the index going away or damaged while serving ---------------------------------------


def test_an_index_removed_or_damaged_while_serving_is_a_503(
    index_dir: Path, tmp_path: Path
) -> None:
    work = tmp_path / "index"
    shutil.copytree(index_dir, work)
    with serve(work) as server:
        assert server.get("/api/search", {"q": "science"}).status == 200
        shutil.move(work, tmp_path / "aside")
        for path in ("/api/search", "/api/stats", "/api/watches", "/api/new", "/api/facets"):
            answer = server.get(path)
            message = error_of(answer, 503)
            assert message.startswith(f"no index at {work}"), message
            assert answer.headers["retry-after"] == "1"
        shutil.move(tmp_path / "aside", work)
        assert server.get("/api/search", {"q": "science"}).status == 200

        (work / "jobsearch.json").write_bytes(b"\x00garbage\xff" * 10)
        for path in ("/api/search", "/api/stats", "/api/postings/h"):
            answer = server.get(path)
            message = error_of(answer, 503)
            assert answer.headers["retry-after"] == "1"
            assert "rebuild" in message or "damaged" in message or "unreadable" in message, message
        assert server.process.poll() is None
    assert server.returncode == 0


def test_a_busy_index_is_a_503_with_retry_after(writer: Server, writable_dir: Path) -> None:
    from search.store import layout

    posting = writer.get("/api/search", {"q": "scientist"}).json()["hits"][0]["id"]
    with layout.locked(writable_dir):
        answer = writer.request("DELETE", f"/api/postings/{posting}", token=TOKEN)
        assert answer.status == 503, answer.text
        assert answer.headers["retry-after"] == "1"
        assert writer.get("/api/search", {"q": "science"}).status == 200  # reads go on


# -- the process ----------------------------------------------------------------------


def test_sigterm_stops_cleanly(index_dir: Path) -> None:
    server = start(index_dir)
    try:
        assert server.first_line.startswith(f"serving {index_dir} (10 postings, read-only) at")
        assert server.get("/api/stats").status == 200
    finally:
        code = server.stop()
    stderr = server.output()[1]
    server.remove_output()
    assert code == 0
    assert stderr.strip().splitlines()[-1] == "stopped", stderr
    assert "Traceback" not in stderr


def test_sigint_stops_cleanly(index_dir: Path) -> None:
    server = start(index_dir)
    try:
        server.process.send_signal(signal.SIGINT)
        server.process.wait(20)
    finally:
        server.stop()
    stderr = server.output()[1]
    server.remove_output()
    assert server.returncode == 0
    assert stderr.strip().splitlines()[-1] == "stopped"


def test_a_port_in_use_is_one_line_and_exit_1(index_dir: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--index", str(index_dir), "--port", str(port)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"Error: 127.0.0.1:{port} is in use (try --port {port + 1})"]


def test_two_workers_serve(index_dir: Path, some_id: str) -> None:
    with serve(index_dir, "--workers", "2") as server:
        for _ in range(10):
            assert server.get("/api/search", {"q": "science"}).json()["total"] > 0
        assert server.get(f"/api/postings/{some_id}").status == 200
        assert server.get("/api/search", {"salary_min": "lots"}).status == 400
        assert "Traceback" not in server.output()[1]
    assert server.returncode == 0


def test_a_short_token_is_refused(index_dir: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--index", str(index_dir), "--token", "short"])
    assert result.exit_code == 2
    assert "a token needs at least 16 characters" in result.stderr


def test_the_openapi_document_is_valid_and_lists_every_route(reader: Server) -> None:
    from openapi_spec_validator import validate

    document = reader.get("/openapi.json").json()
    validate(document)
    operations = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    assert operations == {
        ("GET", "/api/search"),
        ("GET", "/api/facets"),
        ("GET", "/api/stats"),
        ("POST", "/api/postings"),
        ("GET", "/api/postings/{id}"),
        ("DELETE", "/api/postings/{id}"),
        ("GET", "/api/postings/{id}/similar"),
        ("GET", "/api/watches"),
        ("POST", "/api/watches"),
        ("DELETE", "/api/watches/{name}"),
        ("GET", "/api/new"),
        ("POST", "/api/new"),
    }
