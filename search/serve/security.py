"""What keeps the service safe: headers on every answer, bounded requests, and the token
that endpoints which change anything require.

The service is read-only unless started with a token. A program proves it holds the
token with ``Authorization: Bearer TOKEN``; a browser gets it once from the address the
server prints (``/?token=...``) and keeps it in a cookie that is HttpOnly and
SameSite=Strict. A change sent by a browser must also come from the service's own pages
(its ``Origin``, or ``Sec-Fetch-Site: same-origin``), so a form on another site cannot
post to it even with the cookie.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from search.errors import JobSearchError

__all__ = [
    "COOKIE",
    "MAX_BODY_BYTES",
    "MAX_URL_BYTES",
    "SECURITY_HEADERS",
    "Forbidden",
    "Limits",
    "check_change",
    "token_matches",
]

#: The cookie a browser keeps the token in.
COOKIE = "jobsearch_token"
#: Largest request body: postings to add, as JSON or JSON Lines.
MAX_BODY_BYTES = 8 << 20
#: Longest request target (path and query string).
MAX_URL_BYTES = 8_192

#: Sent with every answer: no inline script or style, nothing framed, nothing sniffed,
#: no referrer carried to the sites of apply links.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


class Forbidden(JobSearchError):
    """A change asked for without the token, or from another site."""


class TooLarge(JobSearchError):
    """A request body or address past the limits."""


def token_matches(given: str | None, token: str | None) -> bool:
    """Whether ``given`` is the service's token (compared in constant time)."""
    if not token or not given:
        return False
    return hmac.compare_digest(given.encode(), token.encode())


def _bearer(headers: MutableMapping[str, str] | Any) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, credential = value.partition(" ")
    return credential.strip() if scheme.lower() == "bearer" else None


def _same_origin(headers: Any, host: str) -> bool:
    """Whether a browser says the request comes from this service's own pages."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        referer = headers.get("referer")
        return referer is None or urlsplit(referer).netloc == host
    return urlsplit(origin).netloc == host


def check_change(headers: Any, cookies: dict[str, str], token: str | None) -> None:
    """Allow a request that changes something, or raise ``Forbidden`` saying why."""
    if not token:
        raise Forbidden(
            "this service is read-only",
            hint="start it with --token (or JOBSEARCH_TOKEN) to allow changes",
        )
    if token_matches(_bearer(headers), token):
        return
    if token_matches(cookies.get(COOKIE), token):
        if _same_origin(headers, headers.get("host", "")):
            return
        raise Forbidden("a change from another site is refused")
    raise Forbidden(
        "this needs the service's token", hint="send the header Authorization: Bearer TOKEN"
    )


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Limits:
    """ASGI middleware: security headers on every answer; a request whose address or
    body passes the limits is answered 414/413 before any of it reaches the service."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        if target > MAX_URL_BYTES:
            await _refuse(
                send_with_headers,
                414,
                f"the address is {target:,} bytes long; the limit is {MAX_URL_BYTES:,}",
            )
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            await _refuse(
                send_with_headers,
                413,
                f"the request body is too large; the limit is {MAX_BODY_BYTES:,} bytes",
            )
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise TooLarge(
                        f"the request body is too large; the limit is {MAX_BODY_BYTES:,} bytes"
                    )
            return message

        await self.app(scope, bounded_receive, send_with_headers)


async def _refuse(send: Send, status: int, message: str) -> None:
    import json

    body = json.dumps({"error": message, "status": status}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
