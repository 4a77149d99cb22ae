"""The HTTP JSON API: the library's calls over HTTP, answering with the same JSON shapes as
``--format json`` on the command line.

Every handler is a plain function: Starlette runs it in a worker thread, and ``JobIndex``
is safe to share between threads (each search reads the snapshot it started on; a
commit by another process is served from the next request on).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from search.errors import InputError, InvalidFilterError, JobSearchError
from search.ingest.postings import load_postings
from search.records import (
    hit_record,
    posting_record,
    results_record,
    watch_record,
)
from search.serve import params
from search.serve.security import check_change
from search.serve.service import Service

__all__ = ["UnsupportedMediaType", "json_response", "routes"]

#: The body types ``POST /api/postings`` reads, and the file suffix ``load_postings``
#: reads each as.
POSTING_TYPES = {
    "application/json": ".json",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
}


class UnsupportedMediaType(JobSearchError):
    """A request body of a type the endpoint does not read (HTTP 415)."""


def _media_type(request: Request) -> str:
    """The body's media type without parameters, in lower case (types ignore case)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def json_response(data: Any, status: int = 200) -> Response:
    """JSON as the command line writes it (every character kept, UTF-8)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status, media_type="application/json")


def _pairs(request: Request) -> list[tuple[str, str]]:
    return list(request.query_params.multi_items())


def _search(service: Service, args: Mapping[str, Any]) -> dict[str, Any]:
    args = dict(args)
    text = args.pop("text", "")
    collapse = not args.pop("all", False)
    literal = args.pop("literal", False)
    options = {
        k: args.pop(k)
        for k in ("sort", "page", "limit", "title_only", "explain", "facets", "facet_top")
        if k in args
    }
    index = service.index
    results = index.search(text, collapse=collapse, understand=not literal, **options, **args)
    short = index.short_ids(h.posting.id for h in results.hits)
    return results_record(results, short)


def search(request: Request) -> Response:
    """GET /api/search: one page of hits, with facets, notes and how the text was read."""
    service: Service = request.app.state.service
    args = params.read(_pairs(request), params.SEARCH, params.FILTERS)
    return json_response(_search(service, args))


def facets(request: Request) -> Response:
    """GET /api/facets: facet counts for a query and filters."""
    service: Service = request.app.state.service
    args = params.read(_pairs(request), params.FACETS, params.FILTERS)
    text = args.pop("text", "")
    literal = args.pop("literal", False)
    top = args.pop("facet_top", 10)
    results = service.index.search(text, limit=1, facet_top=top, understand=not literal, **args)
    return json_response(
        {
            "query": results.query,
            "filters": results.filters.as_dict(),
            "total": results.total,
            "facets": results.facets,
            "notes": list(results.notes),
            "read_as": results.read_as,
        }
    )


def posting(request: Request) -> Response:
    """GET /api/postings/{id}: one posting in full, by id or unique start of one."""
    service: Service = request.app.state.service
    params.read(_pairs(request))
    found = service.index.get(request.path_params["id"])
    # As ``jobsearch show --format json`` writes it: the caller named it already, so
    # no short id.
    return json_response({**posting_record(found), "description": found.description})


def similar(request: Request) -> Response:
    """GET /api/postings/{id}/similar: postings most like this one."""
    service: Service = request.app.state.service
    args = params.read(_pairs(request), params.SIMILAR)
    index = service.index
    full = index.resolve(request.path_params["id"])
    hits = index.similar(full, limit=args["limit"])
    short = index.short_ids([full, *(h.posting.id for h in hits)])
    return json_response(
        {"id": full, "hits": [hit_record(h, short.get(h.posting.id)) for h in hits]}
    )


def stats(request: Request) -> Response:
    """GET /api/stats: size and make-up of the index."""
    service: Service = request.app.state.service
    params.read(_pairs(request))
    return json_response(service.index.stats().as_dict())


def watches(request: Request) -> Response:
    """GET /api/watches: the saved searches."""
    service: Service = request.app.state.service
    params.read(_pairs(request))
    len(service.index)  # an index gone or damaged is a 503, not an empty list
    return json_response([watch_record(w) for w in service.index.watches.list()])


async def _json_body(request: Request) -> Any:
    if _media_type(request) != "application/json":
        raise UnsupportedMediaType(
            "the request body must be JSON", hint="send Content-Type: application/json"
        )
    body = await request.body()
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise InvalidFilterError(f"the request body is not valid JSON: {exc}") from None


async def watch_add(request: Request) -> Response:
    """POST /api/watches: save a search ({"name", "query", "filters"}); needs the token."""
    service: Service = request.app.state.service
    check_change(request.headers, dict(request.cookies), service.token)
    params.read(_pairs(request))
    data = await _json_body(request)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise InvalidFilterError(
            'a saved search is a JSON object with a "name"',
            hint='{"name": "ml", "query": "machine learning", "filters": {"city": ["Seattle"]}}',
        )
    unknown = sorted(set(data) - {"name", "query", "filters"})
    if unknown:
        raise InvalidFilterError(
            f"unknown field {unknown[0]!r} of a saved search", hint="fields: name, query, filters"
        )
    text = data.get("query") or ""
    filters = data.get("filters") or {}
    if not isinstance(text, str) or not isinstance(filters, dict):
        raise InvalidFilterError('"query" is text and "filters" an object of filters')
    filters = params.library_filters(filters)
    watch = await service.run(service.index.watches.add, data["name"], text, filters)
    return json_response(watch_record(watch), 201)


async def watch_remove(request: Request) -> Response:
    """DELETE /api/watches/{name}: forget a saved search; needs the token."""
    service: Service = request.app.state.service
    check_change(request.headers, dict(request.cookies), service.token)
    params.read(_pairs(request))
    await service.run(service.index.watches.remove, request.path_params["name"])
    return Response(status_code=204)


def _new_record(found: Mapping[str, Any], service: Service) -> dict[str, Any]:
    index = service.index
    short = index.short_ids(h.posting.id for hits in found.values() for h in hits)
    return {
        watch: [hit_record(h, short.get(h.posting.id)) for h in hits]
        for watch, hits in found.items()
    }


def new_peek(request: Request) -> Response:
    """GET /api/new: what is new to each saved search (or ``watch``), without marking it."""
    service: Service = request.app.state.service
    args = params.read(_pairs(request), params.NEW)
    len(service.index)  # an index gone or damaged is a 503 before its lock is asked for
    found = service.index.watches.new(args.get("watch"), mark=False)
    return json_response(_new_record(found, service))


async def new_mark(request: Request) -> Response:
    """POST /api/new: what is new, recorded as seen once it is written; needs the token."""
    service: Service = request.app.state.service
    check_change(request.headers, dict(request.cookies), service.token)
    args = params.read(_pairs(request), params.NEW)
    len(service.index)

    def check() -> dict[str, Any]:
        with service.index.watches.checking(args.get("watch"), True) as found:
            return _new_record(found, service)

    return json_response(await service.run(check))


async def add(request: Request) -> Response:
    """POST /api/postings: add or update postings (a JSON array, or JSON Lines with
    Content-Type application/x-ndjson); needs the token. Invalid records are reported
    and the valid ones kept, as ``jobsearch index`` does."""
    service: Service = request.app.state.service
    check_change(request.headers, dict(request.cookies), service.token)
    params.read(_pairs(request))
    suffix = POSTING_TYPES.get(_media_type(request))
    if suffix is None:
        raise UnsupportedMediaType(
            "postings are sent as JSON or JSON Lines",
            hint="Content-Type: application/json or application/x-ndjson",
        )
    body = await request.body()
    summary = await service.run(_add_file, service, body, suffix)
    return json_response(summary)


def _add_file(service: Service, body: bytes, suffix: str) -> dict[str, Any]:
    rejected: list[str] = []
    with tempfile.TemporaryDirectory(prefix="jobsearch-add-") as folder:
        path = Path(folder) / f"postings{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(body)
        source = load_postings(path, on_reject=lambda r: rejected.append(str(r)))
        postings = list(source)
    # Rejections name the line of the request, not the temporary file it was read from.
    rejected = [r.replace(str(path), "request") for r in rejected]
    if not postings:
        raise InputError(
            "no valid posting in the request" + (f": {rejected[0]}" if rejected else ""),
        )
    summary = service.index.add(postings)
    return {
        "added": summary.added,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "merged": summary.merged,
        "rejected": len(rejected),
        "rejections": rejected[:20],
        "ids": summary.ids,
    }


async def delete(request: Request) -> Response:
    """DELETE /api/postings/{id}: delete a posting by id or unique start; needs the token."""
    service: Service = request.app.state.service
    check_change(request.headers, dict(request.cookies), service.token)
    params.read(_pairs(request))
    deleted = await service.run(service.index.delete, [request.path_params["id"]])
    return json_response({"deleted": deleted})


def routes() -> list[Route]:
    return [
        Route("/api/search", search, methods=["GET"]),
        Route("/api/facets", facets, methods=["GET"]),
        Route("/api/stats", stats, methods=["GET"]),
        Route("/api/postings", add, methods=["POST"]),
        Route("/api/postings/{id:str}", posting, methods=["GET"]),
        Route("/api/postings/{id:str}", delete, methods=["DELETE"]),
        Route("/api/postings/{id:str}/similar", similar, methods=["GET"]),
        Route("/api/watches", watches, methods=["GET"]),
        Route("/api/watches", watch_add, methods=["POST"]),
        Route("/api/watches/{name:str}", watch_remove, methods=["DELETE"]),
        Route("/api/new", new_peek, methods=["GET"]),
        Route("/api/new", new_mark, methods=["POST"]),
    ]
