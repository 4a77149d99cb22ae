"""Under a real terminal (a pty), no command in any format lets a posting's ESC, OSC,
BEL, C1 control or bidi override through (issue 16).

``--format csv`` wrote posting text raw, so a posting could retitle the window, clear
the screen or plant a hyperlink through search, similar, show, watch list and new.
Piped or redirected, every format stays byte-exact (the CSV test at the end).

A fresh Python runs the real CLI with its stdout on a pty (so rich and the CLI see a
terminal, colours on): one process runs every command in every format, marking where
each begins, and ``python -m search`` runs once more the way a user would.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import JobIndex, load_postings
from search.cli import main
from tests.conftest import ROOT
from tests.test_hostile_output import HOSTILE

#: What rich may send for styling: SGR sequences only.
STYLE = re.compile(r"\x1b\[[0-9;]*m")
#: What must never reach the terminal from a posting.
RAW = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e", "\u2066", "\u2028")
FORMATS = ("table", "json", "jsonl", "csv")
MARK = "=====CASE "

DRIVER = """
import json, os, sys
from search.cli.commands import main
for n, args in enumerate(json.loads(sys.argv[1])):
    os.write(1, f"\\n{MARK}{n}=====\\n".encode())
    try:
        main(args, prog_name="jobsearch")
    except SystemExit as exc:
        if exc.code not in (0, None):
            os.write(2, f"case {n} ended with {exc.code}\\n".encode())
    sys.stdout.flush()
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index with the hostile posting new to a saved search (for ``new``)."""
    where = tmp_path_factory.mktemp("pty")
    first = where / "first.jsonl"
    other = {**HOSTILE, "id": "evil-0", "title": "Analyst", "company": "Other \x1b]0;x\x07"}
    first.write_text(json.dumps(other) + "\n", encoding="utf-8")
    later = where / "later.jsonl"
    later.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    index = where / "index"
    with JobIndex.create(index) as made:
        made.add(load_postings(first))
        made.watches.add("everything")
        made.add(load_postings(later))
    return index


def _under_pty(argv: list[str]) -> tuple[str, str]:
    """(what the terminal received, stderr) of ``argv`` run with stdout on a pty."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "PAGER": "cat"}
    env.pop("NO_COLOR", None)
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE
    )
    os.close(slave)
    received = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every holder of the pty's other end has closed it
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    stderr = proc.communicate(timeout=300)[1].decode("utf-8", "replace")
    return received.decode("utf-8", "replace"), stderr


def _cases(index: Path) -> list[list[str]]:
    where = ["--index", str(index)]
    cases = []
    for fmt in FORMATS:
        shown = ["--format", fmt, *where]
        cases += [
            ["search", "python", *shown],
            ["search", "--all-results", *shown] if fmt in ("jsonl", "csv") else ["stats", *shown],
            ["similar", "evil-0", *shown],
            ["show", "evil-1", "--no-pager", *shown],
            ["show", "evil-1", *shown],
            ["facets", *shown],
            ["watch", "list", *shown],
            ["new", "--peek", *shown],
        ]
    return cases


def test_no_command_in_any_format_sends_a_control_from_a_posting(hostile: Path) -> None:
    cases = _cases(hostile)
    shown, stderr = _under_pty(
        [sys.executable, "-c", DRIVER.replace("{MARK}", MARK), json.dumps(cases)]
    )
    assert "ended with" not in stderr and "Traceback" not in stderr, stderr
    parts = shown.split(MARK)[1:]
    assert len(parts) == len(cases)
    assert "\x1b[" in shown  # a colour terminal: styles are on
    for case, part in zip(cases, parts, strict=True):
        body = part.split("=====", 1)[1]
        if case[0] in ("search", "similar", "show", "new"):
            assert "pwned" in body, f"the posting is missing from {' '.join(case[:4])}"
        plain = STYLE.sub("", body)
        for char in RAW:
            assert char not in plain, f"{char!r} reached the terminal from {' '.join(case[:4])}"


def test_csv_on_a_terminal_shows_the_controls_escaped(hostile: Path) -> None:
    """The real entry point, as a user runs it."""
    show = ["show", "evil-1", "--format", "csv", "--index", str(hostile)]
    shown, stderr = _under_pty([sys.executable, "-m", "search", *show])
    assert stderr == ""
    assert "\\x1b]0;pwned\\x07" in shown
    for char in RAW:
        assert char not in STYLE.sub("", shown)


def test_csv_piped_stays_byte_exact(hostile: Path) -> None:
    """Not a terminal: the text is the posting's, byte for byte."""
    result = CliRunner().invoke(
        main, ["show", "evil-1", "--format", "csv", "--csv-raw", "--index", str(hostile)]
    )
    assert result.exit_code == 0
    assert HOSTILE["title"] in result.stdout
    assert "\x1b]8;;file:///etc/passwd\x07" in result.stdout
