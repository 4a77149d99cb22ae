"""Running the real command on a pseudo-terminal, as a person at a terminal would."""

from __future__ import annotations

import os
import pty
import select
import subprocess


def on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the command with a pseudo-terminal as stdin, stdout and stderr."""
    main_end, side = pty.openpty()
    proc = subprocess.Popen(args, stdin=side, stdout=side, stderr=side, env=env, close_fds=True)
    os.close(side)
    shown = b""
    while True:
        ready, _, _ = select.select([main_end], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(main_end, 65536)
        except OSError:  # the terminal closed: the command has finished
            break
        if not chunk:
            break
        shown += chunk
    proc.wait(timeout=30)
    os.close(main_end)
    assert proc.returncode == 0, shown.decode(errors="replace")
    return shown.decode(errors="replace")
