"""The web page for people: a search with live facets, a page per posting, saved searches
and what is new since the last visit. Server-rendered HTML that works without script; the
one small script only adds a key to focus the search box and folds the filters on a
narrow screen.

Every search is a GET address with the same parameters as ``/api/search`` (read by
``params.read``), so it can be shared and bookmarked. Posting text is hostile: every
template is autoescaped, and the only markup made from it is built from escaped text
(``views.marked``, ``views.paragraphs``). Forms that change something post to this
service only and pass ``security.check_change`` (the token cookie and same origin).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from search.errors import InputError, InvalidFilterError, InvalidQueryError
from search.results import SearchResults
from search.serve import params, views
from search.serve.security import COOKIE, Forbidden, check_change, token_matches
from search.serve.service import Service

__all__ = ["VISIT_COOKIE", "error_page", "routes"]

HERE = Path(__file__).parent
#: When the browser last came (seconds since 1970), kept a year.
VISIT_COOKIE = "jobsearch_visit"
#: For the length of one visit (a session cookie): the previous visit's time, so every
#: page of this visit counts what is new since then ("0" on a first visit).
SINCE_COOKIE = "jobsearch_since"
_DIGITS = re.compile(r"[0-9]{1,12}")
#: The largest form a page posts (a name and a search address).
MAX_FORM_BYTES = 16_384
#: How many similar postings a posting page lists.
SIMILAR = 5

_env = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # templates are package files: no stat of each on every render
)
_env.globals.update(
    marked=views.marked,
    places=views.places,
    pay=views.pay,
    years=views.years,
    day=views.day,
)


def _render(name: str, code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(name).render(**context), code)


def error_page(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """The page for an error the application maps to ``status`` (the CLI's one line)."""
    response = _render("error.html", status, title="error", message=message, status=status)
    response.headers.update(dict(headers or {}))
    return response


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _has_token(request: Request, service: Service) -> bool:
    return token_matches(request.cookies.get(COOKIE), service.token)


def _pairs(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items())


# -- the search ---------------------------------------------------------------------------


def _run_search(service: Service, args: dict[str, Any]) -> SearchResults:
    """``JobIndex.search`` with the arguments ``params.read`` gave (as ``/api/search``)."""
    args = dict(args)
    text = args.pop("text", "")
    collapse = not args.pop("all", False)
    literal = args.pop("literal", False)
    options = {
        k: args.pop(k)
        for k in ("sort", "page", "limit", "title_only", "explain", "facets", "facet_top")
        if k in args
    }
    return service.index.search(text, collapse=collapse, understand=not literal, **options, **args)


def _visit(request: Request) -> tuple[float | None, dict[str, str]]:
    """The time of the previous visit (None on a first one) and the cookies to set."""
    now = int(time.time())
    during = _seconds(request.cookies.get(SINCE_COOKIE), now)
    if during is not None:
        return (during or None), {}
    since = _seconds(request.cookies.get(VISIT_COOKIE), now) or 0
    return (since or None), {SINCE_COOKIE: str(since), VISIT_COOKIE: str(now)}


def _seconds(value: str | None, now: int) -> int | None:
    """A time a cookie holds (whole seconds since 1970, not after ``now``), else None."""
    if value is None or not _DIGITS.fullmatch(value) or int(value) > now:
        return None
    return int(value)


def _new_since(
    service: Service, args: Mapping[str, Any], pairs: list[tuple[str, str]], since: float
) -> tuple[int, str] | None:
    """How many postings matching this search entered the index after ``since``, and
    the search that lists them; None when none did (most visits: no search is run)."""
    if "indexed_after" in args or service.index.newest_indexed() <= since:
        return None
    moment = datetime.fromtimestamp(since, UTC).isoformat(timespec="seconds")
    counting = {**args, "indexed_after": moment, "page": 1, "limit": 1, "facets": False}
    found = _run_search(service, counting).total
    if not found:
        return None
    return found, views.search_url([*views.without_page(pairs), ("indexed_after", moment)])


def _take_token(request: Request, service: Service, pairs: list[tuple[str, str]]) -> Response:
    """``/?token=TOKEN``: keep the token in an HttpOnly, SameSite=Strict cookie and go
    to the same address without it (so it leaves the address bar and history)."""
    given = [v for k, v in pairs if k == "token"]
    if not service.writable:
        raise Forbidden("this service is read-only", hint="start it with --token to save searches")
    if len(given) != 1 or not token_matches(given[0], service.token):
        raise Forbidden("that is not this service's token")
    rest = [(k, v) for k, v in pairs if k != "token"]
    response = RedirectResponse(views.search_url(rest), 303)
    response.set_cookie(
        COOKIE, given[0], max_age=30 * 86_400, path="/", httponly=True, samesite="strict"
    )
    return response


def home(request: Request) -> Response:
    """GET /: the search page."""
    service = _service(request)
    pairs = _pairs(request)
    if any(k == "token" for k, _ in pairs):
        return _take_token(request, service, pairs)
    since, cookies = _visit(request)
    context: dict[str, Any] = {
        "title": "jobsearch",
        "q": next((v for k, v in pairs if k == "q"), ""),
        "pairs": pairs,
        "hidden": [(k, v) for k, v in views.without_page(pairs) if k != "q"],
        "chips": views.chips(pairs),
        "clear": views.search_url([(k, v) for k, v in pairs if k == "q"]),
        "error": None,
        "results": None,
        "facets": [],
        "new": None,
        "writable": service.writable,
        "has_token": _has_token(request, service),
        "search_query": "",
    }
    status = 200
    try:
        args = params.read(pairs, params.SEARCH, params.FILTERS)
        results = _run_search(service, args)
        if since is not None:
            context["new"] = _new_since(service, args, pairs, since)
    except (InvalidFilterError, InvalidQueryError, InputError) as exc:
        context["error"] = str(exc)
        status = 400
    else:
        hits = results.hits
        short = service.index.short_ids(h.posting.id for h in hits)
        context.update(
            results=results,
            hits=[(h, short[h.posting.id]) for h in hits],
            facets=views.facet_views(results.facets, pairs) if args.get("facets") else [],
            sorts=views.sort_links(pairs, args["sort"]),
            pager=views.pager(pairs, results.page, results.pages),
            search_query=urlencode(views.without_page(pairs)),
            suggestion=(
                views.search_url([("q", results.suggestion)])
                if results.suggestion and results.suggestion != results.query
                else None
            ),
        )
        if context["q"]:
            context["title"] = f"{context['q']} - jobsearch"
    response = _render("search.html", status, **context)
    for name, value in cookies.items():
        age = 365 * 86_400 if name == VISIT_COOKIE else None
        response.set_cookie(name, value, max_age=age, path="/", httponly=True, samesite="lax")
    return response


# -- one posting --------------------------------------------------------------------------


def posting(request: Request) -> Response:
    """GET /postings/{id}: a posting in full (id or unique start of one)."""
    service = _service(request)
    params.read(_pairs(request))
    index = service.index
    found = index.get(request.path_params["id"])
    similar = index.similar(found.id, limit=SIMILAR)
    short = index.short_ids([found.id, *(h.posting.id for h in similar)])
    return _render(
        "posting.html",
        title=f"{found.title} - jobsearch",
        posting=found,
        short_id=short[found.id],
        paragraphs=views.paragraphs(found.description),
        apply=views.apply_link(found),
        similar=[(h, short[h.posting.id]) for h in similar],
    )


# -- saved searches -----------------------------------------------------------------------

#: A filter's URL name by its library name (``employment_type`` -> ``type``).
_URL_NAME = {p.target: p.name for p in params.FILTERS}


def _watch_url(text: str, given: Mapping[str, Any]) -> str:
    named = {_URL_NAME.get(k, k): v for k, v in given.items()}
    return views.search_url(params.query_string({"q": text, **named}))


def watches(request: Request) -> Response:
    """GET /watches: the saved searches, what is new for each, and their buttons."""
    service = _service(request)
    params.read(_pairs(request))
    listed = []
    if service.writable:
        saved = service.index.watches
        found = saved.new(mark=False)
        ids = [h.posting.id for hits in found.values() for h in hits]
        short = service.index.short_ids(ids)
        for watch in saved.list():
            hits = found.get(watch.name, ())
            listed.append(
                {
                    "watch": watch,
                    "url": _watch_url(watch.text, watch.given),
                    "new": [(h, short[h.posting.id]) for h in hits],
                }
            )
    return _render(
        "watches.html",
        title="Saved searches - jobsearch",
        writable=service.writable,
        has_token=_has_token(request, service),
        listed=listed,
    )


async def _form(request: Request) -> dict[str, str]:
    """The fields of a posted form (URL-encoded, one value each, bounded)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/x-www-form-urlencoded":
        raise InvalidFilterError("this form is sent URL-encoded")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise InvalidFilterError(f"the form is past {MAX_FORM_BYTES:,} bytes")
    try:
        fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise InvalidFilterError("the form cannot be read") from None
    return dict(fields)


def _checked(request: Request) -> Service:
    service = _service(request)
    check_change(request.headers, dict(request.cookies), service.token)
    return service


async def watch_save(request: Request) -> Response:
    """POST /watches: save the search of the page as ``name``."""
    service = _checked(request)
    form = await _form(request)
    name = form.get("name", "").strip()
    args = params.read(parse_qsl(form.get("search", "")), params.SEARCH, params.FILTERS)
    text = args.get("text", "")
    filters = {p.target: args[p.target] for p in params.FILTERS if p.target in args}
    await service.run(service.index.watches.add, name, text, filters)
    return RedirectResponse("/watches", 303)


async def watch_seen(request: Request) -> Response:
    """POST /watches/seen: what is new to ``name`` counts as seen."""
    service = _checked(request)
    form = await _form(request)
    await service.run(lambda: service.index.watches.new(form.get("name", ""), mark=True))
    return RedirectResponse("/watches", 303)


async def watch_remove(request: Request) -> Response:
    """POST /watches/remove: forget the saved search ``name``."""
    service = _checked(request)
    form = await _form(request)
    await service.run(service.index.watches.remove, form.get("name", ""))
    return RedirectResponse("/watches", 303)


def routes() -> list[BaseRoute]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/postings/{id:str}", posting, methods=["GET"]),
        Route("/watches", watches, methods=["GET"]),
        Route("/watches", watch_save, methods=["POST"]),
        Route("/watches/seen", watch_seen, methods=["POST"]),
        Route("/watches/remove", watch_remove, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
