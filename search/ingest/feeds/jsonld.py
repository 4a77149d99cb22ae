"""JSON-LD: ``<script type="application/ld+json">`` blocks and the JobPostings in them.

Career pages embed their postings this way, and real blocks are often not strict JSON:
raw newlines inside strings, an HTML comment or CDATA wrapper around the block, the
whole block HTML-escaped, trailing commas. Each block is parsed leniently, one at a
time (one bad block costs only itself), and searched for JobPosting objects, also inside
``@graph`` arrays and list-valued blocks. Nothing is fetched: ``@context`` is a name.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from search.ingest.context import ReadContext
from search.ingest.feeds import schemaorg
from search.ingest.files import DocumentTooLargeError, read_document
from search.ingest.records import FieldError, Item, Rejection

SHAPE = "json-ld"
_BLOCK = re.compile(
    r"<script\b[^>]*?\btype\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script\s*>",
    re.IGNORECASE | re.DOTALL,
)
_PAGE_URL = (
    re.compile(r"<link\b[^>]*\brel=[\"']?canonical[\"']?[^>]*\bhref=[\"']([^\"']+)", re.I),
    re.compile(r"<meta\b[^>]*\bproperty=[\"']og:url[\"'][^>]*\bcontent=[\"']([^\"']+)", re.I),
)
_WRAPPERS = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("//<![CDATA[", "//]]>"))
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
#: How deep to look for JobPostings inside a block or a wrapper document.
_MAX_DEPTH = 8


def has_blocks(value: str) -> bool:
    return "ld+json" in value and _BLOCK.search(value) is not None


def page_url(page: str) -> str:
    """The page's own address, from its canonical link or ``og:url``, when it gives one."""
    for pattern in _PAGE_URL:
        match = pattern.search(page)
        if match:
            return html.unescape(match[1]).strip()
    return ""


def parse_block(block: str) -> Any:
    """A block's JSON value, read leniently; JSONDecodeError when even that fails."""
    body = block.strip()
    for start, end in _WRAPPERS:
        if body.startswith(start) and body.endswith(end):
            body = body[len(start) : -len(end)].strip()
    if body.startswith(("{&quot;", "[&quot;", "{ &quot;")):
        body = html.unescape(body)
    try:
        return json.loads(body, strict=False)
    except json.JSONDecodeError:
        return json.loads(_TRAILING_COMMA.sub(r"\1", body), strict=False)


def postings_in(value: object, depth: int = 0) -> Iterator[dict[str, Any]]:
    """JobPosting objects in a JSON value: itself, ``@graph`` members, list items."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from postings_in(item, depth + 1)
    elif schemaorg.is_job_posting(value):
        yield value  # type: ignore[misc]
    elif isinstance(value, dict):
        for key in ("@graph", "mainEntity", "itemListElement", "item"):
            if key in value:
                yield from postings_in(value[key], depth + 1)


def records(value: object, ctx: ReadContext, line: int) -> Iterator[Item]:
    """Records for every JobPosting in ``value`` (other schema.org types are skipped)."""
    for posting in postings_in(value):
        ctx.saw(SHAPE)
        try:
            yield schemaorg.draft(posting, ctx).record(ctx.source, line, title_as_description=True)
        except FieldError as exc:
            yield Rejection(ctx.source, line, str(exc))


def page_records(page: str, ctx: ReadContext, line: int = 1) -> Iterator[Item]:
    """Records from every JSON-LD block of an HTML page (or part of one).

    ``line`` is where the page starts in its file; each record points at its block.
    """
    url = page_url(page)
    saved, ctx.page_url = ctx.page_url, url or ctx.page_url
    try:
        for match in _BLOCK.finditer(page):
            at = line + page.count("\n", 0, match.start())
            try:
                value = parse_block(match[1])
            except (ValueError, RecursionError) as exc:
                yield Rejection(ctx.source, at, f"invalid JSON-LD block: {_short(exc)}")
                continue
            yield from records(value, ctx, at)
    finally:
        ctx.page_url = saved


def embedded(value: object, ctx: ReadContext, line: int, depth: int = 0) -> Iterator[Item]:
    """Postings inside a document that is not itself a posting.

    Scrapers save pages' JSON-LD in wrappers (``{"pages": {name: {"url", "page"}}}``);
    the ``url`` beside a page is the posting's address when the block names none.
    """
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from embedded(item, ctx, line, depth + 1)
    elif schemaorg.is_job_posting(value) or (isinstance(value, dict) and "@graph" in value):
        yield from records(value, ctx, line)
    elif isinstance(value, dict):
        saved = ctx.page_url
        url = value.get("url")
        ctx.page_url = url if isinstance(url, str) and url.startswith("http") else saved
        try:
            for item in value.values():
                if isinstance(item, str) and has_blocks(item):
                    yield from page_records(item, ctx, line)
                elif isinstance(item, dict | list):
                    yield from embedded(item, ctx, line, depth + 1)
        finally:
            ctx.page_url = saved


def _short(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc).split(";")[0][:120]


def read_html(stream: BinaryIO, ctx: ReadContext) -> Iterator[Item]:
    """The JobPostings of a saved HTML page, from its JSON-LD; nothing is run or fetched.

    Pages are decoded as UTF-8 with bad bytes replaced (a stray Latin-1 byte in a page's
    chrome should not cost its postings). A page with no JobPosting is one rejection.
    """
    try:
        page = read_document(stream).decode("utf-8", errors="replace")
    except DocumentTooLargeError as exc:
        yield Rejection(ctx.source, 1, str(exc))
        return
    found = False
    for item in page_records(page, ctx):
        found = True
        yield item
    if not found:
        yield Rejection(ctx.source, 1, "no schema.org JobPosting (JSON-LD) in this page")
