"""Issue 17, the pager: a posting taller than the terminal is paged so that it looks as
the table does. ``less`` shows escape codes as text unless told ``-R``, so the pager is
given ``LESS`` with R (``FRX`` when unset, as git does); without colour it gets plain text.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.terminal import on_a_terminal

RECORDER = """\
import json, os, sys
text = sys.stdin.read()
json.dump({"argv": sys.argv[1:], "LESS": os.environ.get("LESS"), "text": text},
          open(sys.argv[1], "w"))
"""


def _paged(index: Path, tmp_path: Path, **env: str) -> dict[str, object]:
    """What a recording pager received when ``show`` paged a long posting."""
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    record = tmp_path / "paged.json"
    record.unlink(missing_ok=True)
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "LESS")}
    full = {
        **base,
        "PYTHONPATH": str(ROOT),
        "PAGER": f"{sys.executable} {script} {record}",
        "LINES": "20",
        "COLUMNS": "80",
        "TERM": "xterm-256color",
        **env,
    }
    args = [sys.executable, "-m", "search", "show", "hc716bbe", "--index", str(index)]
    on_a_terminal(args, full)
    got: dict[str, object] = json.loads(record.read_text())
    return got


def test_coloured_pages_tell_less_to_show_colour(sample_index_dir: Path, tmp_path: Path) -> None:
    got = _paged(sample_index_dir, tmp_path)
    text = str(got["text"])
    assert "Applied Science Intern" in text and "\x1b[" in text  # the output has colour
    assert got["LESS"] == "FRX"


@pytest.mark.parametrize(("given", "expected"), [("i", "i -R"), ("-iR", "-iR"), ("-r", "-r")])
def test_a_users_less_options_are_kept_and_get_r(
    sample_index_dir: Path, tmp_path: Path, given: str, expected: str
) -> None:
    got = _paged(sample_index_dir, tmp_path, LESS=given)
    assert got["LESS"] == expected


def test_no_color_pages_plain_text(sample_index_dir: Path, tmp_path: Path) -> None:
    got = _paged(sample_index_dir, tmp_path, NO_COLOR="1")
    text = str(got["text"])
    assert "Applied Science Intern" in text and "\x1b" not in text
    assert got["LESS"] is None  # nothing to tell a pager that gets plain text
