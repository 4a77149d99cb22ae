"""A command imports only what it needs, so that a terminal search starts at once.

Each test runs the real ``jobsearch`` entry point in a fresh Python process and reads
back the modules it had imported when it exited: ``search`` loads no indexing, saved
searches, HTTP service or evaluation code, JSON output no rich, and ``--version`` and
``--help`` no engine at all. Which modules, not how long: times go in
``scripts/benchmark.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from search.cli.commands import COMMANDS, main
from tests.conftest import ROOT

#: Runs ``jobsearch`` with the given arguments and writes every module imported by the
#: time the process exits (click ends it with SystemExit) to the file named first.
_DRIVER = """
import atexit, sys
out, sys.argv = sys.argv[1], ["jobsearch", *sys.argv[2:]]
atexit.register(lambda: open(out, "w").write("\\n".join(sorted(sys.modules))))
from search.cli import run
run()
"""

#: Never needed to search, show or count: indexing, saved searches, the HTTP service
#: and evaluation.
NOT_FOR_READING = (
    "search.ingest",
    "search.cli.indexing",
    "search.cli.watching",
    "search.cli.serving",
    "search.watches",
    "search.serve",
    "search.evaluate",
    "search.natural",
    "search.factcheck",
    "search.goldcheck",
    "search.store.writer",
    "search.query.baseline",
    # reading a posting's text for facts happens when it is indexed
    "search.extract.locations",
    "starlette",
    "uvicorn",
    "jinja2",
)
#: The engine: never needed for --version or --help.
ENGINE = ("numpy", "whoosh", "search.jobindex", "search.query", "search.store", "search.extract")


def imported(tmp_path: Path, *args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules a whole ``jobsearch ARGS`` process imported, and the process."""
    listing = tmp_path / "modules.txt"
    env = {**os.environ, "JOBSEARCH_NO_CLUSTER": "1", "NO_COLOR": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(listing), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(listing.read_text(encoding="utf-8").split("\n")), done


def loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    """The modules in ``modules`` that are, or are inside, one of ``prefixes``."""
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_a_json_search_loads_the_engine_and_nothing_for_indexing_or_serving(
    tmp_path: Path, sample_index_dir: Path
) -> None:
    modules, done = imported(
        tmp_path, "search", "engineer", "--index", str(sample_index_dir), "--format", "json"
    )
    assert json.loads(done.stdout)["total"] > 0
    assert done.stderr == ""  # no notes, so nothing needed rich for stderr either
    assert {"search.jobindex", "search.cli.querying", "numpy"} <= modules
    assert loaded(modules, NOT_FOR_READING) == []
    assert loaded(modules, ("rich",)) == []


def test_a_table_loads_rich_and_still_no_indexing_or_serving(
    tmp_path: Path, sample_index_dir: Path
) -> None:
    modules, done = imported(tmp_path, "search", "engineer", "--index", str(sample_index_dir))
    assert "engineer" in done.stdout.lower()
    assert {"rich.console", "rich.table", "search.cli.render"} <= modules
    assert loaded(modules, NOT_FOR_READING) == []


@pytest.mark.parametrize(
    "args",
    [
        ("facets", "--format", "json"),
        ("facets", "--format", "csv"),
        ("stats", "--format", "jsonl"),
    ],
)
def test_other_reading_commands_load_nothing_for_indexing_or_serving(
    tmp_path: Path, sample_index_dir: Path, args: tuple[str, ...]
) -> None:
    modules, done = imported(tmp_path, *args, "--index", str(sample_index_dir))
    assert done.stdout.strip()
    assert loaded(modules, NOT_FOR_READING) == []
    assert loaded(modules, ("rich",)) == []


def test_show_as_json_loads_nothing_for_indexing_or_serving(
    tmp_path: Path, sample_index_dir: Path
) -> None:
    _, found = imported(
        tmp_path, "search", "--index", str(sample_index_dir), "--format", "jsonl", "--limit", "1"
    )
    posting_id = json.loads(found.stdout.splitlines()[0])["id"]
    modules, done = imported(
        tmp_path, "show", posting_id, "--index", str(sample_index_dir), "--format", "json"
    )
    assert json.loads(done.stdout)["id"] == posting_id
    assert loaded(modules, NOT_FOR_READING) == []
    assert loaded(modules, ("rich",)) == []


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("search", "--help")])
def test_version_and_help_load_no_engine(tmp_path: Path, args: tuple[str, ...]) -> None:
    modules, done = imported(tmp_path, *args)
    assert "jobsearch" in done.stdout
    assert loaded(modules, ENGINE) == []
    assert loaded(modules, ("rich", *NOT_FOR_READING)) == []


def test_indexing_still_loads_what_it_needs(tmp_path: Path) -> None:
    """The lazy group finds a command that lives in another module (the control: the
    listing does show a module when a command uses it)."""
    modules, done = imported(
        tmp_path, "index", str(ROOT / "data"), "--index", str(tmp_path / "index")
    )
    assert {"search.cli.indexing", "search.ingest", "search.store.writer"} <= modules
    assert "10" in done.stderr


def test_every_command_is_registered_under_its_own_name_with_its_own_summary() -> None:
    """``--help`` lists the registry's summaries without importing the commands: each
    must be what the command's own help would list, at any terminal width."""
    ctx = click.Context(main)
    for name, entry in COMMANDS.items():
        command = entry.load()
        assert command.name == name
        for limit in (20, 45, 70, 200):
            stand_in = click.Command(name, help=entry.summary)
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit)
    assert main.list_commands(ctx) == sorted(COMMANDS)
