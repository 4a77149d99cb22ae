"""The ``jobsearch`` command line: click commands over ``JobIndex`` and their rendering.

``run`` is the command's entry point. It imports the commands itself, so that Ctrl-C in
the first moments (while click, rich and the index code are still being imported,
before click's own handler exists) ends as cleanly as it does later: "interrupted" and
status 130, never a traceback. ``main`` (the click group, for tests and embedding) is
imported on first use.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from search.cli.commands import main

__all__ = ["main", "run"]

#: The shell's status for a command ended by SIGINT (128 + 2).
INTERRUPTED = 130


def run() -> None:
    """Run ``jobsearch`` with the process's arguments (the console script and
    ``python -m search``)."""
    try:
        from search.cli.commands import main

        main(prog_name="jobsearch")
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C changes nothing
        with contextlib.suppress(OSError):
            os.write(2, b"interrupted\n")  # plain bytes: rich may not be imported yet
        sys.exit(INTERRUPTED)


def __getattr__(name: str) -> Any:
    if name == "main":
        from search.cli.commands import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
