"""The web page over HTTP, against a real ``jobsearch serve`` process: shareable search
addresses, errors as pages with a 4xx status, hostile postings shown as text, the token
cookie and cross-site posts, saved searches, "new since your last visit", and no file
outside the package's static folder."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
from markupsafe import escape

from search import JobIndex, load_postings
from search.results import MARK_CLOSE, MARK_OPEN
from search.serve import views
from tests.web_server import (
    HOSTILE_URL,
    IMG_COMPANY,
    SCRIPT_TITLE,
    TOKEN,
    Server,
    build_index,
    serving,
)


def esc(text: str) -> str:
    """Text as the page's templates escape it."""
    return str(escape(text))


FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def server(index_dir: Path) -> Iterator[Server]:
    """A read-only server."""
    with serving(index_dir) as running:
        yield running


@pytest.fixture()
def token_server(index_dir: Path, tmp_path: Path) -> Iterator[Server]:
    """A server with a token, over a private copy of the index (saved searches write)."""
    import shutil

    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    with serving(copy, "--token", TOKEN) as running:
        yield running


def hrefs(body: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a [^>]*href="([^"]*)"', body)]


def api(server: Server, target: str) -> Any:
    """The JSON the API gives for ``target``."""
    status, _, body = server.get(target)
    assert status == 200, body
    return json.loads(body)


# -- search ---------------------------------------------------------------------------------


def test_a_search_address_gives_the_same_search_as_the_api(server: Server) -> None:
    query = urlencode([("q", "scientist"), ("city", "Seattle"), ("sort", "newest")])
    status, headers, body = server.get(f"/?{query}")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    expected = api(server, f"/api/search?{query}")
    total = expected["total"]
    assert isinstance(total, int) and total > 0
    heading = re.search(r'<h1 id="results-heading">\s*([\d,]+) jobs?', body)
    assert heading and int(heading.group(1).replace(",", "")) == total
    hits = expected["hits"]
    assert isinstance(hits, list)
    for hit in hits:
        assert f'href="/postings/{hit["short_id"]}"' in body
    # the form keeps the query and filters, so searching again keeps them
    assert 'value="scientist"' in body
    assert '<input type="hidden" name="city" value="Seattle">' in body
    assert '<strong aria-current="true">newest</strong>' in body


def test_facet_links_add_their_filter_and_picked_values_remove_it(server: Server) -> None:
    _, _, body = server.get("/?q=scientist")
    links = [h for h in hrefs(body) if "city=" in h]
    assert links, "no city facet links"
    picked = links[0]
    pairs = parse_qsl(urlsplit(picked).query)
    assert ("q", "scientist") in pairs and any(k == "city" for k, _ in pairs)
    status, _, narrowed = server.get(picked)
    assert status == 200
    city = next(v for k, v in pairs if k == "city")
    total = api(server, "/api/search?" + urlsplit(picked).query)["total"]
    assert f"{total:,} job" in narrowed
    # the picked value is marked, and its link (and the chip) go back to the search
    assert 'class="picked" aria-current="true"' in narrowed
    assert f'aria-label="Remove filter City: {city}"' in narrowed
    assert "/?q=scientist" in hrefs(narrowed)


def test_paging_links_walk_the_pages(server: Server) -> None:
    _, _, first = server.get("/?q=scientist&limit=2")
    assert 'rel="next"' in first and 'rel="prev"' not in first
    nxt = next(h for h in hrefs(first) if "page=2" in h)
    status, _, second = server.get(nxt)
    assert status == 200
    assert '<strong aria-current="page">2</strong>' in second
    page_one = api(server, "/api/search?q=scientist&limit=2")["hits"]
    page_two = api(server, "/api/search?q=scientist&limit=2&page=2")["hits"]
    assert isinstance(page_one, list) and isinstance(page_two, list)
    assert f"/postings/{page_two[0]['short_id']}" in second
    assert f"/postings/{page_one[0]['short_id']}" not in second


@pytest.mark.parametrize(
    "query",
    ["page=abc", "sort=best", "since=someday", "citty=Seattle", "limit=0", "remote=perhaps"],
)
def test_a_bad_value_is_the_apis_one_line_error_on_the_page_with_400(
    server: Server, query: str
) -> None:
    status, _, body = server.get(f"/?{query}")
    assert status == 400
    api_status, _, api_body = server.get(f"/api/search?{query}")
    assert api_status == 400
    message = json.loads(api_body)["error"]
    shown = re.search(r'<p class="error" role="alert">([^<]*)</p>', body)
    assert shown and html.unescape(shown.group(1)) == message
    assert '<input id="q"' in body  # the search box is still there


def test_pages_have_a_language_title_viewport_and_skip_link(server: Server) -> None:
    for target in ("/", "/?q=scientist", "/postings/hostile-img", "/watches", "/nowhere"):
        _, _, body = server.get(target)
        assert '<html lang="en">' in body
        assert re.search(r"<title>[^<]+</title>", body)
        assert 'name="viewport"' in body
        assert 'class="skip" href="#' in body
        assert "<style" not in body and " style=" not in body
        assert re.findall(r"<script[^>]*>", body) in ([], ['<script src="/static/page.js" defer>'])


def test_a_missing_posting_is_a_404_page_and_an_ambiguous_prefix_a_400(server: Server) -> None:
    status, headers, body = server.get("/postings/no-such-posting")
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert "no posting with id" in body
    status, _, body = server.get("/postings/hostile-")
    assert status == 400 and "starts several ids" in body


# -- hostile postings -------------------------------------------------------------------------


def assert_inert(body: str) -> None:
    """Nothing of the hostile text became markup, and no link runs script."""
    assert SCRIPT_TITLE not in body
    assert "<img" not in body
    assert "onerror=" not in body.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert "<em>" not in body and "<a href=javascript" not in body
    for link in hrefs(body):
        assert not link.strip().lower().startswith(("javascript:", "data:", "vbscript:")), link


def test_hostile_postings_are_text_in_results_and_facets(server: Server) -> None:
    status, _, body = server.get("/?q=pwned")
    assert status == 200
    assert_inert(body)
    assert esc(SCRIPT_TITLE) in body  # the title is shown, as text
    assert esc(IMG_COMPANY) in body
    # the snippet's own marks are <mark>; the posting's "<em>" stays text
    assert "<mark>" in body
    # facet values from hostile text are text too
    _, _, facets = server.get("/?q=pwned&city=Seattle")
    assert_inert(facets)


def test_hostile_posting_page_is_text_and_its_javascript_url_is_no_link(server: Server) -> None:
    status, headers, body = server.get("/postings/hostile-script")
    assert status == 200
    assert "script-src 'self'" in headers["content-security-policy"]
    assert_inert(body)
    assert f"<h1>{esc(SCRIPT_TITLE)}</h1>" in body
    assert esc(HOSTILE_URL) in body  # shown as text
    assert "javascript:" not in "".join(hrefs(body))
    # paragraphs and line breaks are kept
    assert "<br>" in body and body.count("<p>") >= 2
    # the similar postings list the other hostile posting, as text
    similar = body.split('id="similar-heading"')[1]
    assert 'href="/postings/hostile-i"' in similar
    assert esc(IMG_COMPANY) in similar


def test_an_http_apply_link_opens_apart_without_referrer(server: Server) -> None:
    _, _, body = server.get("/postings/hostile-img")
    link = re.search(r'<a class="button" href="([^"]+)" target="_blank" rel="([^"]+)"', body)
    assert link, "no apply link"
    assert html.unescape(link.group(1)) == "https://example.com/jobs/1?a=1&b=<x>"
    assert set(link.group(2).split()) == {"noopener", "noreferrer", "nofollow"}


def test_marked_snippets_escape_first_and_keep_marks_balanced() -> None:
    text = f"a {MARK_OPEN}<b>x</b>{MARK_CLOSE} {MARK_CLOSE}{MARK_OPEN}{MARK_OPEN}y"
    assert str(views.marked(text)) == "a <mark>&lt;b&gt;x&lt;/b&gt;</mark> <mark>y</mark>"


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://jobs.example/1", "https://jobs.example/1"),
        ("HTTP://jobs.example/1", "HTTP://jobs.example/1"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example/x", None),
        ("https:///nohost", None),
        ("mailto:jobs@example.com", None),
    ],
)
def test_only_http_addresses_become_links(url: str, link: str | None) -> None:
    assert views.safe_url(url) == link


# -- static files ---------------------------------------------------------------------------


def test_static_files_are_served_and_nothing_else(server: Server) -> None:
    status, headers, body = server.get("/static/page.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    status, headers, _ = server.get("/static/page.js")
    assert status == 200 and "javascript" in headers["content-type"]
    for target in (
        "/static/",
        "/static/../pages.py",
        "/static/..%2fpages.py",
        "/static/%2e%2e/pages.py",
        "/static/%2e%2e%2fpages.py",
        "/static/..%2f..%2f..%2fpyproject.toml",
        "/static/%252e%252e/pages.py",
        "/static/....//pages.py",
        "/static/%2fetc%2fpasswd",
        "/static//etc/passwd",
        "/static/..\\pages.py",
        "/static/templates/../../app.py",
    ):
        status, _, body = server.get(target)
        assert status in (404, 400), (target, status)
        assert "Starlette" not in body and "import " not in body and "root:" not in body


# -- the token cookie and saved searches --------------------------------------------------------


def cookie_header(headers: object) -> list[str]:
    return headers.get_all("set-cookie") or []  # type: ignore[attr-defined, no-any-return]


def test_the_token_address_sets_a_strict_httponly_cookie_and_drops_the_token(
    token_server: Server,
) -> None:
    status, headers, _ = token_server.get(f"/?token={TOKEN}&q=scientist&city=Seattle")
    assert status == 303
    assert headers["location"] == "/?q=scientist&city=Seattle"
    (cookie,) = [c for c in cookie_header(headers) if c.startswith("jobsearch_token=")]
    parts = {p.strip().split("=")[0].lower(): p.strip() for p in cookie.split(";")}
    assert parts["jobsearch_token"] == f"jobsearch_token={TOKEN}"
    assert "httponly" in parts
    assert parts["samesite"].lower() == "samesite=strict"
    assert parts["path"] == "Path=/"


def test_a_wrong_token_sets_no_cookie(token_server: Server, server: Server) -> None:
    for running, token in ((token_server, "not-the-token-at-all"), (server, TOKEN)):
        status, headers, body = running.get(f"/?token={token}")
        assert status == 403
        assert not [c for c in cookie_header(headers) if c.startswith("jobsearch_token=")]
        assert "token" in body or "read-only" in body


def save(running: Server, name: str, search: str, origin: str | None, cookie: bool = True):
    headers = dict(FORM)
    if cookie:
        headers["cookie"] = f"jobsearch_token={TOKEN}"
    if origin is not None:
        headers["origin"] = origin
    body = urlencode({"name": name, "search": search}).encode()
    return running.request("POST", "/watches", body=body, headers=headers)


def test_saved_searches_from_the_page(token_server: Server) -> None:
    cookie = {"cookie": f"jobsearch_token={TOKEN}"}
    _, _, page = token_server.get("/?q=scientist&city=Seattle", headers=cookie)
    assert 'action="/watches"' in page
    assert 'name="search" value="q=scientist&amp;city=Seattle"' in page
    status, headers, _ = save(
        token_server, "seattle-sci", "q=scientist&city=Seattle", token_server.address
    )
    assert status == 303 and headers["location"] == "/watches"
    listed = api(token_server, "/api/watches")
    assert listed == [
        {
            "name": "seattle-sci",
            "query": "scientist",
            "filters": {"city": ["Seattle"]},
            "created": listed[0]["created"],
            "checked": None,
        }
    ]
    _, _, watches = token_server.get("/watches", headers=cookie)
    assert 'href="/?q=scientist&amp;city=Seattle">seattle-sci</a>' in watches
    assert "Nothing new." in watches
    status, _, _ = token_server.request(
        "POST",
        "/watches/seen",
        body=b"name=seattle-sci",
        headers={**FORM, **cookie, "origin": token_server.address},
    )
    assert status == 303
    assert api(token_server, "/api/watches")[0]["checked"] is not None
    status, _, _ = token_server.request(
        "POST",
        "/watches/remove",
        body=b"name=seattle-sci",
        headers={**FORM, **cookie, "sec-fetch-site": "same-origin"},
    )
    assert status == 303
    assert api(token_server, "/api/watches") == []


def test_a_cross_site_or_tokenless_post_is_refused(token_server: Server, server: Server) -> None:
    cases = [
        (token_server, "http://evil.example", True),
        (token_server, "null", True),
        (token_server, token_server.address, False),
        (server, server.address, True),
    ]
    for running, origin, cookie in cases:
        status, _, body = save(running, "evil", "q=x", origin, cookie)
        assert status == 403, (origin, cookie, status)
        assert '<p class="error"' in body
    status, _, _ = token_server.request(
        "POST",
        "/watches/remove",
        body=b"name=x",
        headers={**FORM, "cookie": f"jobsearch_token={TOKEN}", "sec-fetch-site": "cross-site"},
    )
    assert status == 403
    assert api(token_server, "/api/watches") == []


def test_without_a_token_the_page_says_how_to_save(server: Server) -> None:
    _, _, page = server.get("/?q=scientist")
    assert "Saved searches need <code>jobsearch serve --token</code>" in page
    assert 'method="post"' not in page
    _, _, watches = server.get("/watches")
    assert "jobsearch serve --token" in watches


# -- new since the last visit ----------------------------------------------------------------


def test_a_first_visit_remembers_its_time(server: Server) -> None:
    before = int(time.time())
    _, headers, body = server.get("/")
    cookies = {c.split("=")[0]: c.split(";")[0].split("=")[1] for c in cookie_header(headers)}
    assert before <= int(cookies["jobsearch_visit"]) <= int(time.time())
    assert cookies["jobsearch_since"] == "0"
    assert "new since your last visit" not in body


def test_a_later_visit_counts_what_is_new_since_the_last(server: Server) -> None:
    # a visit before the index was built: everything matching is new
    old = {"cookie": "jobsearch_visit=1000"}
    _, headers, body = server.get("/?q=scientist&city=Seattle", headers=old)
    total = api(server, "/api/search?q=scientist&city=Seattle")["total"]
    found = re.search(r'<p class="new"><a href="([^"]+)">([\d,]+) new since your last visit', body)
    assert found, "no new-since line"
    assert int(found.group(2).replace(",", "")) == total
    link = html.unescape(found.group(1))
    assert ("indexed_after", "1970-01-01T00:16:40+00:00") in parse_qsl(urlsplit(link).query)
    assert server.get(link)[0] == 200
    # the rest of this visit keeps counting from the previous one
    (since,) = [c for c in cookie_header(headers) if c.startswith("jobsearch_since=")]
    assert since.split(";")[0] == "jobsearch_since=1000"
    # a visit after the newest posting: nothing new, no line
    now = {"cookie": f"jobsearch_visit={int(time.time())}"}
    assert "new since your last visit" not in server.get("/?q=scientist", headers=now)[2]


def test_cookie_values_that_are_not_times_are_ignored(server: Server) -> None:
    for value in ("abc", "-5", "99999999999999", "9" * 40, quote("<script>"), "\u00b2"):
        for name in ("jobsearch_visit", "jobsearch_since"):
            status, _, body = server.get("/", headers={"cookie": f"{name}={value}"})
            assert status == 200 and "new since your last visit" not in body, (name, value)


def test_pay_and_experience_bands_link_to_the_filters_that_select_them() -> None:
    pairs = [("q", "x"), ("salary_min", "150000"), ("currency", "USD"), ("page", "3")]
    facets = {
        "pay": {"USD 150-200k": 3, "EUR 0-50k": 1, "USD 250k+": 1},
        "experience": {"2-3 years": 4, "10+ years": 1},
        "level": {"senior": 2, "unknown": 5},
    }
    found = {f.name: f.choices for f in views.facet_views(facets, pairs)}
    usd, eur, top = found["pay"]
    assert usd.picked and usd.href == "/?q=x"  # picking it again drops it
    assert eur.href == "/?q=x&salary_min=1&currency=EUR"
    assert top.href == "/?q=x&salary_min=250000&currency=USD"
    three, ten = found["experience"]
    assert three.href == "/?q=x&salary_min=150000&currency=USD&max_years=3"
    assert ten.href is None and ten.count == 1
    senior, unknown = found["level"]
    assert senior.href == "/?q=x&salary_min=150000&currency=USD&level=senior"
    assert unknown.href is None and unknown.text == "not stated"


def test_type_and_posted_counts_link_to_the_filters_that_select_them() -> None:
    pairs = [("q", "x"), ("since", "7d"), ("type", "contract"), ("page", "2")]
    facets = {
        "employment_type": {"full-time": 6, "contract": 2, "unknown": 3},
        "posted": {"past day": 1, "past 3 days": 2, "past week": 4, "past month": 4, "unknown": 0},
    }
    found = {f.name: f.choices for f in views.facet_views(facets, pairs)}
    full, contract, unstated = found["employment_type"]
    assert (full.text, full.count, full.picked) == ("full-time", 6, False)
    assert full.href == "/?q=x&since=7d&type=contract&type=full-time"
    assert contract.picked and contract.href == "/?q=x&since=7d"
    assert unstated.href is None and unstated.text == "not stated" and unstated.count == 3
    day, three, week, month, undated = found["posted"]
    assert [c.count for c in found["posted"]] == [1, 2, 4, 4, 0]
    # a band picks the since value whose total it counted, replacing the one in use
    assert day.href == "/?q=x&type=contract&since=1d" and not day.picked
    assert three.href == "/?q=x&type=contract&since=3d"
    assert week.picked and week.href == "/?q=x&type=contract"
    assert month.href == "/?q=x&type=contract&since=30d"
    assert undated.href is None and undated.text == "not stated"


_CHOICE = re.compile(
    r'<a href="([^"]*)"[^>]*>(?:<span class="tick"[^>]*>[^<]*</span> )?([^<]*)</a>\s*'
    r'<span class="count">([\d,]+)</span>'
)


def _section(body: str, name: str) -> list[tuple[str, str, int]]:
    """(link, text, count) of each linked value of one facet list of the page."""
    found = re.search(rf'aria-labelledby="facet-{name}">(.*?)</section>', body, re.S)
    assert found, f"no {name} facet on the page"
    return [
        (html.unescape(h), html.unescape(t), int(n.replace(",", "")))
        for h, t, n in _CHOICE.findall(found.group(1))
    ]


def test_type_and_posted_counts_on_the_page_are_what_their_links_find(tmp_path: Path) -> None:
    """Postings dated back from today, with types: each count shown is the total of the
    search its link opens (a posted band sets its since value)."""
    today = date.today()
    ages = [(0, "contract"), (2, "full-time"), (5, "full-time"), (20, None), (90, "part-time")]
    rows = [
        {
            "id": f"dated-{n}",
            "title": f"Data Engineer {n}",
            "company": "Initech",
            "location": "Seattle, WA",
            "posted": (today - timedelta(days=age)).isoformat(),
            "description": f"Initech builds data pipelines, team {n}.",
            **({"employment_type": kind} if kind else {}),
        }
        for n, (age, kind) in enumerate(ages)
    ]
    source = tmp_path / "dated.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with JobIndex.create(tmp_path / "index") as index:
        index.add(load_postings(source))
    with serving(tmp_path / "index") as server:
        _, _, body = server.get("/?q=engineer")
        types = _section(body, "employment_type")
        posted = _section(body, "posted")
        assert [(t, n) for _, t, n in types] == [
            ("full-time", 2),
            ("contract", 1),
            ("part-time", 1),
        ]
        assert [(t, n) for _, t, n in posted] == [
            ("past day", 1),
            ("past 3 days", 2),
            ("past week", 3),
            ("past month", 4),
        ]
        for link, text, count in types + posted:
            query = urlsplit(link).query
            assert ("q", "engineer") in parse_qsl(query), link
            assert api(server, "/api/search?" + query)["total"] == count, text
        week = next(link for link, text, _ in posted if text == "past week")
        assert ("since", "7d") in parse_qsl(urlsplit(week).query)
        # picked, the band is marked and its link drops the date limit again
        _, _, narrowed = server.get(week)
        assert ("/?q=engineer", "past week", 3) in _section(narrowed, "posted")
