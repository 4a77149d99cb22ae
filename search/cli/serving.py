"""``jobsearch serve``: the HTTP API and the web page over an index.

The server stack is imported only here, so other commands never pay for it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click

from search.cli.app import say
from search.cli.opener import open_index
from search.cli.options import index_option
from search.opening import is_cluster, shown

__all__ = ["serve_command"]


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, or one clear line on why it cannot be had."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise click.ClickException(f"cannot listen on {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
        hint = f" (try --port {port + 1})" if exc.errno == errno.EADDRINUSE else ""
        raise click.ClickException(f"{host}:{port} {why}{hint}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class _Stopped(Exception):
    """SIGTERM or Ctrl-C: the normal end of a server."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stopped


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGINT end the block as the normal stop of a server.

    uvicorn handles both while it serves, and once it has shut down it raises the
    signal again for the handler that was there before it: Python's defaults would
    then kill the process by SIGTERM (status -15) or print "interrupted" (130), as if
    the server had failed. Here the signal ends the block quietly (the command then
    says "stopped" and exits 0), also when it comes before uvicorn has started. The
    handlers before are put back after."""
    kinds = (signal.SIGTERM, signal.SIGINT)
    before = {kind: signal.getsignal(kind) for kind in kinds}
    for kind in kinds:
        signal.signal(kind, _stop)
    try:
        with contextlib.suppress(_Stopped):
            yield
    finally:
        for kind, handler in before.items():
            signal.signal(kind, handler)


def _address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


@click.command("serve")
@index_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0: every interface).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes answering requests (one per core is a good start).",
)
@click.option(
    "--token",
    envvar="JOBSEARCH_TOKEN",
    metavar="TOKEN",
    help="Allow changes (saved searches, add, delete) to holders of TOKEN "
    "(environment variable JOBSEARCH_TOKEN); without it the service is read-only.",
)
@click.option(
    "--new-token",
    is_flag=True,
    help="Allow changes with a new random token (printed with the address).",
)
@click.option("--access-log", is_flag=True, help="Log every request on stderr.")
@click.pass_context
def serve_command(
    ctx: click.Context,
    index_dir: Path | str,
    host: str,
    port: int,
    workers: int,
    token: str | None,
    new_token: bool,
    access_log: bool,
) -> None:
    """Serve the HTTP API and the web page.

    Answers from the last committed snapshot of the index: while `jobsearch index`
    or `--rebuild` runs in another process, searches go on and the new postings are
    served from the next request on. Read-only unless started with a token; a
    browser gets the token from the address printed at start.

    \b
    Examples:
      jobsearch serve
      jobsearch serve --index /srv/jobs --host 0.0.0.0 --port 8000 --workers 2
      JOBSEARCH_TOKEN=s3cret jobsearch serve
      curl -s 'http://127.0.0.1:8080/api/search?q=python&city=Seattle'
    """
    if new_token:
        token = secrets.token_urlsafe(24)
    if token is not None and len(token) < 16:
        raise click.BadParameter("a token needs at least 16 characters", param_hint="--token")
    with open_index(index_dir, ctx) as index:
        postings = len(index)
        path = index_dir if is_cluster(index_dir) else index.path.resolve()
    with _stopped_by_signals():
        _serve(path, postings, host, port, workers, token, new_token, access_log)
    say("stopped")


def _serve(
    path: Path | str,
    postings: int,
    host: str,
    port: int,
    workers: int,
    token: str | None,
    new_token: bool,
    access_log: bool,
) -> None:
    """Bind, say where, and serve until a signal stops the server."""
    import uvicorn

    from search.serve.app import ENV_INDEX, ENV_TOKEN

    sock = _bind(host, port)
    address = _address(sock)
    os.environ[ENV_INDEX] = str(path)
    if token:
        os.environ[ENV_TOKEN] = token
    else:
        os.environ.pop(ENV_TOKEN, None)
    mode = "changes need the token" if token else "read-only"
    click.echo(f"serving {shown(path)} ({postings:,} postings, {mode}) at {address}", nl=True)
    if new_token:
        click.echo(f"open {address}/?token={token} to save searches in a browser")
    say(f"{workers} worker{'s' * (workers > 1)}; Ctrl-C stops")
    config = uvicorn.Config(
        "search.serve.app:from_environment",
        factory=True,
        workers=workers,
        log_level="warning",
        access_log=access_log,
        lifespan="on",
        timeout_graceful_shutdown=5,
        server_header=False,
    )
    if workers == 1:
        uvicorn.Server(config).run(sockets=[sock])
    else:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[sock]).run()
