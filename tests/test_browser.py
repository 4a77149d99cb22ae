"""The web page in a real browser: Debian's Chromium driven by Playwright against a real
``jobsearch serve`` process over the sample postings and two hostile ones.

A person types a query, pages, picks a facet, opens a posting, follows a similar one and
saves a search; the hostile postings run no script; the page fits 360 px without
scrolling sideways and works from the keyboard and with script off.

Chromium is found as $JOBSEARCH_CHROMIUM, ``chromium`` or ``chromium-browser`` on the
PATH (Debian: ``apt-get install chromium``); Playwright never downloads one. Without it
these tests skip with that hint on a developer's machine and fail under CI (``CI`` set,
as ``.ci/run`` does), where a browser test must never be skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.web_server import IMG_COMPANY, SCRIPT_TITLE, TOKEN, Server, build_index, serving

CHROMIUM = Path(
    os.environ.get("JOBSEARCH_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
    or "/usr/bin/chromium"
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        why = f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def server(index_dir: Path) -> Iterator[Server]:
    with serving(index_dir) as running:
        yield running


@pytest.fixture()
def token_server(index_dir: Path, tmp_path: Path) -> Iterator[Server]:
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    with serving(copy, "--token", TOKEN) as running:
        yield running


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (its own cookies) at 1280 px; dialogs and CSP reports are recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.dialogs = []
    tab.csp = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.on(
        "console",
        lambda m: tab.csp.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        yield tab
    finally:
        context.close()


def test_search_page_facet_posting_and_similar(page: Any, server: Server) -> None:
    page.goto(f"{server.address}/?limit=3")
    page.fill("#q", "scientist")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=scientist*")
    assert ("q", "scientist") in query_of(page.url) and ("limit", "3") in query_of(page.url)
    assert "scientist" in page.locator("#results-heading").inner_text()
    first_titles = page.locator(".hit h3 a").all_inner_texts()
    assert len(first_titles) == 3

    # page on
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url("**page=2*")
    assert page.locator('.pager [aria-current="page"]').inner_text() == "2"
    assert page.locator(".hit h3 a").all_inner_texts() != first_titles

    # pick the first city: the filter is added, page 1 again, shown and removable
    city_link = page.locator('section[aria-labelledby="facet-city"] a').first
    city = city_link.inner_text().strip()
    count = int(
        page.locator('section[aria-labelledby="facet-city"] .count').first.inner_text().strip()
    )
    city_link.click()
    page.wait_for_url("**city=*")
    pairs = query_of(page.url)
    assert ("city", city) in pairs and not any(k == "page" for k, _ in pairs)
    heading = page.locator("#results-heading").inner_text()
    assert heading.startswith(f"{count} job")
    chip = page.get_by_role("link", name=f"Remove filter City: {city}")
    assert chip.count() == 1

    # open a posting, then a similar one
    title = page.locator(".hit h3 a").first.inner_text()
    page.locator(".hit h3 a").first.click()
    page.wait_for_url("**/postings/*")
    assert page.locator("main h1").inner_text() == title
    assert page.locator(".description p").count() >= 1
    similar = page.locator(".similar li a").first
    similar_title = similar.inner_text()
    similar.click()
    page.wait_for_url("**/postings/*")
    assert page.locator("main h1").inner_text() == similar_title
    assert page.csp == [] and page.dialogs == []


def test_the_keyboard_reaches_everything(page: Any, server: Server) -> None:
    page.goto(f"{server.address}/?q=scientist")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#results"
    page.locator(".hit h3 a").first.focus()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    # typing "/" in the box is a character, not a jump
    page.keyboard.type("a/b")
    assert page.input_value("#q") == "a/b"
    # focus is visible: an outline on a focused link
    page.locator(".hit h3 a").first.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_everything_works_with_script_off(browser: Any, server: Server) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    try:
        tab = context.new_page()
        tab.goto(f"{server.address}/")
        tab.fill("#q", "scientist")
        tab.press("#q", "Enter")
        tab.wait_for_url("**q=scientist*")
        # the filters are open without script, even on a narrow screen
        assert tab.locator("#filters").get_attribute("open") is not None
        tab.locator('section[aria-labelledby="facet-level"] a').first.click()
        tab.wait_for_url("**level=*")
        tab.locator(".hit h3 a").first.click()
        tab.wait_for_url("**/postings/*")
        assert tab.locator(".similar").count() == 1
    finally:
        context.close()


def test_hostile_postings_run_no_script(page: Any, server: Server) -> None:
    for target in (
        "/?q=pwned",
        "/?q=pwned&city=Seattle",
        "/postings/hostile-script",
        "/postings/hostile-img",
    ):
        response = page.goto(f"{server.address}{target}")
        assert response.status == 200
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.pwned") == "undefined", target
    # the titles are on the page as text
    page.goto(f"{server.address}/postings/hostile-script")
    assert page.locator("main h1").inner_text() == SCRIPT_TITLE
    assert page.locator(".similar li a").first.inner_text() == IMG_COMPANY
    # its javascript: address is not a link
    assert page.locator('a[href^="javascript"]').count() == 0
    assert page.locator("a.button").count() == 0
    page.goto(f"{server.address}/?q=pwned")
    assert SCRIPT_TITLE in page.locator(".hits").inner_text()
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.dialogs == []
    assert page.csp == []


def test_save_a_search_with_the_token_from_the_address(page: Any, token_server: Server) -> None:
    page.goto(f"{token_server.address}/?token={TOKEN}&q=scientist")
    assert "token" not in page.url and ("q", "scientist") in query_of(page.url)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["jobsearch_token"]["httpOnly"] is True
    assert cookies["jobsearch_token"]["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find("jobsearch_token") == -1

    page.goto(f"{token_server.address}/?q=scientist&city=Seattle")
    page.fill("#watch-name", "seattle-sci")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/watches")
    link = page.get_by_role("link", name="seattle-sci")
    assert link.count() == 1
    link.click()
    page.wait_for_url("**/?*")
    assert query_of(page.url) == [("q", "scientist"), ("city", "Seattle")]

    page.goto(f"{token_server.address}/watches")
    page.get_by_role("button", name="Remove seattle-sci").click()
    page.wait_for_url("**/watches")
    assert page.get_by_role("link", name="seattle-sci").count() == 0
    assert page.csp == []


@pytest.mark.parametrize("width", [360, 1280])
def test_pages_fit_the_screen(browser: Any, server: Server, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        tab = context.new_page()
        for target in (
            "/?q=scientist",
            "/?q=pwned",
            "/postings/hostile-script",
            "/watches",
            "/?page=abc",
        ):
            tab.goto(f"{server.address}{target}")
            wide = tab.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, (target, wide)
        tab.goto(f"{server.address}/?q=scientist")
        folded = tab.locator("#filters").get_attribute("open") is None
        assert folded == (width == 360)
        # on a narrow screen the filters come before the results; on a wide one beside them
        filters = tab.locator("#filters").bounding_box()
        results = tab.locator("#results").bounding_box()
        if width == 360:
            assert filters["y"] + filters["height"] <= results["y"]
        else:
            assert filters["x"] + filters["width"] <= results["x"]
    finally:
        context.close()
