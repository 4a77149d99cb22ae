"""The service as an ASGI application: the JSON API under ``/api``, its OpenAPI document,
and the web page for people, over one ``JobIndex``.

Every error a person or a program can cause is answered with a 4xx status and the same
one-line message the command line prints; a server-side problem (a locked or damaged
index, a full disk) with a 5xx status and its own clear line, never a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from search.errors import (
    AmbiguousIdError,
    ClusterError,
    IndexLockedError,
    IndexNotFoundError,
    InputError,
    InvalidFilterError,
    InvalidQueryError,
    JobSearchError,
    PostingNotFoundError,
    SchemaVersionError,
    WatchNotFoundError,
    WriteFailedError,
    damaged_read,
)
from search.jobindex import JobIndex
from search.serve import api, pages
from search.serve.openapi import document
from search.serve.security import Forbidden, Limits, TooLarge
from search.serve.service import Service

__all__ = ["ENV_INDEX", "ENV_TOKEN", "create_app", "from_environment", "status_of"]

#: What a worker process reads its index and token from (``jobsearch serve`` sets them).
ENV_INDEX = "JOBSEARCH_INDEX"
ENV_TOKEN = "JOBSEARCH_TOKEN"

log = logging.getLogger("jobsearch.serve")

_STATUS: tuple[tuple[type[JobSearchError], int], ...] = (
    (AmbiguousIdError, 400),
    (PostingNotFoundError, 404),
    (WatchNotFoundError, 404),
    (Forbidden, 403),
    (TooLarge, 413),
    (api.UnsupportedMediaType, 415),
    (InvalidFilterError, 400),
    (InvalidQueryError, 400),
    (InputError, 400),
    (IndexLockedError, 503),
    (ClusterError, 503),
    (IndexNotFoundError, 503),
    (SchemaVersionError, 503),
    (WriteFailedError, 507),
)


def status_of(error: JobSearchError) -> int:
    """The HTTP status of an error jobsearch raises."""
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api") or path == "/openapi.json"


def _answer(request: Request, status: int, message: str) -> Response:
    headers = {"retry-after": "1"} if status == 503 else None
    if _wants_json(request):
        response = api.json_response({"error": message, "status": status}, status)
        if headers:
            response.headers.update(headers)
        return response
    return pages.error_page(request, status, message, headers)


async def _jobsearch_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JobSearchError)
    return _answer(request, status_of(exc), str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: f"nothing at {request.url.path}", 405: "method not allowed here"}
    message = messages.get(exc.status_code, str(exc.detail))
    response = _answer(request, exc.status_code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    damaged = damaged_read(exc)
    if damaged is not None:
        return _answer(request, 503, str(damaged))
    log.exception("unexpected error answering %s", request.url.path)
    return _answer(request, 500, "the service failed on this request; its log says why")


def _openapi(request: Request) -> Response:
    return api.json_response(document())


#: Threads of one process that run requests at once. A search is CPU work that holds the
#: interpreter most of the time: more threads than cores only take turns, and each turn
#: costs (8 clients on one process: 32 ms of CPU per search with 40 threads against 19 ms
#: alone). Requests beyond these wait their turn; more processes (``--workers``) scale.
REQUEST_THREADS = 2


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    yield


def create_app(service: Service) -> Starlette:
    """The application answering from ``service``'s index."""
    app = Starlette(
        lifespan=_lifespan,
        routes=[
            *api.routes(),
            Route("/openapi.json", _openapi, methods=["GET"]),
            *pages.routes(),
        ],
        exception_handlers={
            JobSearchError: _jobsearch_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    app.state.service = service
    app.add_middleware(Limits)
    return app


def from_environment() -> Any:
    """The application of a worker process: the index and token ``jobsearch serve``
    put in the environment (uvicorn's factory for ``--workers`` above 1)."""
    index = JobIndex.open(os.environ.get(ENV_INDEX) or "index")
    return create_app(Service(index, os.environ.get(ENV_TOKEN)))
