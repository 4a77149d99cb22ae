"""What every command shares: the two consoles, the group that turns errors into one
line, and writing machine output (``search.cli.indexing`` opens the index).

Data goes to stdout (``out``, or ``emit`` for machine formats), messages to stderr
(``say``). Neither console reads markup: every string from a posting, a file or a user
reaches them through ``search.cli.safe``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

import click

from search.cli.safe import clean, message
from search.errors import JobSearchError, damaged_read, write_failed

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

DEFAULT_DATA = "data"


def quiet_exit() -> NoReturn:
    """Leave quietly with status 0 when the reader of stdout has gone (``| head -1``).

    A closed pipe is how a pager or ``head`` says it has read enough; that is success,
    not an error. stdout is pointed at /dev/null first so that the final flush at exit
    cannot fail again (Python would then print a warning and exit 120).
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test runner's buffer)
        pass
    raise SystemExit(0)


def _console(**options: Any) -> Console:
    """A rich console whose broken pipe ends the command quietly with status 0.

    Rich's own default exits with status 1, which made ``jobsearch facets | head -1``
    fail with nothing on stderr. No markup and no emoji codes: a "[" or ":" in a posting
    is text, never styling. Rich is imported here, when something is first shown to a
    person: JSON, JSON Lines and CSV without notes never need it.
    """
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            quiet_exit()

    return _Console(highlight=False, markup=False, emoji=False, **options)


@cache
def out() -> Console:
    """The console of stdout (tables and views), made on first use."""
    return _console(soft_wrap=False)


@cache
def err() -> Console:
    """The console of stderr (messages and progress), made on first use."""
    return _console(stderr=True, soft_wrap=True)


def say(*parts: str | tuple[str, str]) -> None:
    """One line on stderr, every part cleaned (see ``search.cli.safe.message``)."""
    err().print(message(*parts))


def colour_off() -> bool:
    """True when stdout shows no styles at all (a pipe, a file, NO_COLOR, TERM=dumb):
    then marks that styles would carry (matched words) must be written as characters."""
    return out().no_color or out().color_system is None


class JobSearchGroup(click.Group):
    """Turns every ``JobSearchError`` into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except JobSearchError as exc:
            say(("error:", "bold red"), " ", str(exc))
            sys.exit(1)
        except KeyboardInterrupt:
            say("interrupted")
            sys.exit(130)
        except BrokenPipeError:
            quiet_exit()
        except Exception as exc:
            damaged = damaged_read(exc)  # a damaged index file met while reading it
            if damaged is None:
                raise
            say(("error:", "bold red"), " ", str(damaged))
            sys.exit(1)


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal, as the system says (``FORCE_COLOR`` makes rich call
    a pipe a terminal): there every format is inert; a pipe or file gets exact bytes."""
    try:
        return os.isatty(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # a test runner's buffer
        return False


@contextlib.contextmanager
def writing_output() -> Iterator[None]:
    """An ``OSError`` of writing stdout (a full disk, ``> /dev/full``) as one line.

    stdout is pointed at /dev/null first, so that the final flush at exit cannot fail
    again with a second message. A closed pipe is not an error (``quiet_exit``).
    """
    try:
        yield
    except OSError as exc:
        failed = write_failed(exc, "the output")
        if failed is None:
            raise
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        raise failed from None


def emit(text: str) -> None:
    """Machine output as it is when piped or redirected: click would strip some escape
    sequences, changing the data (JSON escapes them anyway; CSV keeps text as text).

    On a terminal it is made inert as the table is (``search.cli.safe.clean``): a
    posting's ESC, OSC or BEL is shown escaped, never obeyed.
    """
    if text:
        if stdout_is_terminal():
            text = clean(text, lines=True)
        with writing_output():
            click.echo(text, nl=not text.endswith("\n"), color=True)


def delivered() -> None:
    """Everything printed so far has left this process: stdout flushed, with its errors
    raised, and synced to disk when it is a file, so that what follows (``new``
    recording a check) never runs ahead of the output."""
    with writing_output():
        sys.stdout.flush()
        try:
            fd = sys.stdout.fileno()
        except (OSError, ValueError, AttributeError):  # a test runner's buffer
            return
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fsync(fd)


def show(view: RenderableType, *, page: bool = False) -> None:
    """A renderable on stdout; with ``page``, through the user's pager when stdout is a
    terminal and the view is taller than it (as ``git log`` does)."""
    console = out()
    with writing_output():
        if not (page and console.is_terminal):
            console.print(view)
            return
        with console.capture() as captured:
            console.print(view)
        shown = captured.get()
        if shown.count("\n") < console.height:
            console.file.write(shown)
            console.file.flush()
        else:
            coloured = not colour_off()
            with _pager_reads_colour(coloured):
                click.echo_via_pager(shown, color=coloured)


@contextlib.contextmanager
def _pager_reads_colour(coloured: bool) -> Iterator[None]:
    """The environment a pager needs to show styled text as styles, as git sets it.

    ``less`` shows escape codes as ``ESC[1m`` unless told ``-R``: with ``LESS`` unset it
    gets ``FRX`` (raw colour, quit when one screen, keep the text on exit); a ``LESS``
    without R gets ``-R`` added. ``lv`` gets ``-c``. Without colour the text given to the
    pager is plain (click strips it) and the environment is left alone. Restored after.
    """
    if not coloured:
        yield
        return
    before = {name: os.environ.get(name) for name in ("LESS", "LV")}
    less = before["LESS"]
    if not less:
        os.environ["LESS"] = "FRX"
    elif "R" not in less and "r" not in less:
        os.environ["LESS"] = f"{less} -R"
    if before["LV"] is None:
        os.environ["LV"] = "-c"
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
