"""Named steps of a write where the tests make a writer crash or be interrupted.

``JOBSEARCH_FAULT=<step>`` kills the writer at that step, as a crash would (the tests
check that any crash leaves the old state or the new one); ``JOBSEARCH_INTERRUPT=<step>``
presses Ctrl-C there: SIGINT to the process group when the writer leads it (a command
started from a terminal, with its build workers), else to the writer alone. So an
interrupt lands at a known point instead of after a guessed number of seconds. Neither
variable is set outside the tests; unset, ``fault`` does nothing.
"""

from __future__ import annotations

import os
import signal

#: Where a writer can be made to die or be interrupted, in the order they happen.
FAULT_STEPS = (
    "add:segment-written",
    "add:committed",
    "delete:marked",
    "rebuild:built",
    "rebuild:switched",
)
#: A chunk of the input has been read and handed to the builder (reading goes on).
READ_STEP = "build:read"


def fault(step: str) -> None:
    """Die, or be interrupted, here when the environment asks for it (tests only)."""
    if os.environ.get("JOBSEARCH_FAULT") == step:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("JOBSEARCH_INTERRUPT") == step:
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpgrp(), signal.SIGINT)
        else:
            os.kill(os.getpid(), signal.SIGINT)
