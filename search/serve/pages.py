"""The web page for people (server-rendered HTML, every posting text escaped)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

__all__ = ["error_page", "routes"]


def error_page(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8><title>jobsearch: error</title>"
        f"<p>{escape(message)}</p><p><a href='/'>Search</a></p></html>"
    )
    return HTMLResponse(body, status, headers=dict(headers or {}))


def home(request: Request) -> Response:
    return HTMLResponse(
        "<!doctype html><html lang=en><meta charset=utf-8><title>jobsearch</title></html>"
    )


def routes() -> list[Route]:
    return [Route("/", home, methods=["GET"])]
