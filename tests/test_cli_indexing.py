"""``jobsearch index`` and ``jobsearch delete`` (issues 10 and 11): per-file reports,
column maps, pruning, paths checked before an index is made, the progress bar and its
final stage, and an interrupt answered truthfully from the index itself.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.filesize import decimal

from search.cli.commands import main
from search.store.faults import READ_STEP
from search.store.layout import META_FILE
from tests.conftest import ROOT, default_sigint


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def rows_file(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def posting(n: int, words: str = "Spark and Kafka", prefix: str = "p") -> dict[str, object]:
    return {
        "id": f"{prefix}{n}",
        "title": f"Data Engineer {n}",
        "location": "Seattle, WA",
        "description": f"{words}, team {n}.",
    }


def held(index: Path) -> int:
    code, out, _ = run("stats", "--format", "json", "--index", str(index))
    assert code == 0
    return int(json.loads(out)["postings"])


def test_each_file_is_reported_with_its_format_and_counts(tmp_path: Path) -> None:
    jsonl = rows_file(tmp_path / "a.jsonl", [posting(1), posting(2), posting(1, "Changed")])
    table = tmp_path / "b.csv"
    table.write_text("id,title,location,description\nc1,Analyst,Boston,SQL reports.\n")
    code, _, err = run("index", str(jsonl), str(table), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    assert f"{jsonl}: jsonl, 3 read, 2 kept, 1 merged, 0 rejected" in err
    assert f"{table}: csv, 1 read, 1 kept, 0 merged, 0 rejected" in err
    assert "used by different records" in err and f"{jsonl}:1" in err and f"{jsonl}:3" in err
    assert "holds 3 postings" in err


def test_a_column_map_reads_exports_no_rule_recognises(tmp_path: Path) -> None:
    """Unknown columns are kept as text; --map says which is the id, title and place."""
    export = tmp_path / "export.csv"
    export.write_text(
        "Req,Role Name,Where,Job Summary\n"
        "r1,Data Engineer,Seattle,Build Redshift pipelines.\n"
        "r2,Analyst,Boston,Tableau dashboards.\n",
        encoding="utf-8",
    )
    index = tmp_path / "ix"
    mapped = ["--map", "id=Req", "--map", "title=Role Name", "--map", "location=Where"]
    code, _, err = run("index", str(export), *mapped, "--index", str(index))
    assert code == 0, err
    code, out, _ = run(
        "search", "redshift", "--city", "Seattle", "--format", "json", "--index", str(index)
    )
    hits = json.loads(out)["hits"]
    assert [(h["id"], h["title"]) for h in hits] == [("r1", "Data Engineer")]


def test_a_bad_map_or_path_is_refused_before_an_index_is_made(tmp_path: Path) -> None:
    good = rows_file(tmp_path / "good.jsonl", [posting(1)])
    index = tmp_path / "ix"
    code, _, err = run("index", str(good), "--map", "nonsense", "--index", str(index))
    assert code == 1 and "nonsense" in err and not index.exists()
    code, _, err = run("index", str(good), str(tmp_path / "gone.jsonl"), "--index", str(index))
    assert code == 1 and "gone.jsonl" in err and not index.exists()


def test_prune_drops_postings_a_feed_no_longer_holds(tmp_path: Path) -> None:
    feed = rows_file(tmp_path / "feed.jsonl", [posting(1), posting(2), posting(3)])
    index = tmp_path / "ix"
    assert run("index", str(feed), "--index", str(index))[0] == 0
    rows_file(feed, [posting(1), posting(3)])
    code, _, err = run("index", str(feed), "--index", str(index))
    assert code == 0 and held(index) == 3  # without --prune, nothing is dropped
    code, _, err = run("index", str(feed), "--prune", "--index", str(index))
    assert code == 0 and "pruned 1" in err and held(index) == 2
    assert run("show", "p2", "--index", str(index))[0] == 1
    assert run("index", str(feed), "--prune", "--rebuild", "--index", str(index))[0] == 2
    rows_file(feed, [posting(3)])
    code, _, err = run("index", str(feed), "--prune", "--strict", "--index", str(index))
    assert code == 0 and "pruned 1" in err and held(index) == 1  # checked whole, then pruned


def test_the_final_write_is_a_stage_of_its_own(tmp_path: Path) -> None:
    feed = rows_file(tmp_path / "feed.jsonl", [posting(1)])
    code, _, err = run("index", str(feed), "--index", str(tmp_path / "ix"))
    assert code == 0
    lines = err.splitlines()
    assert any(line.startswith("writing the index") for line in lines)
    assert lines.index(next(x for x in lines if x.startswith("writing"))) < len(lines) - 1


def test_an_index_of_another_schema_is_rebuilt(tmp_path: Path) -> None:
    """The error for an index of an older version says to rebuild; the rebuild must work."""
    feed = rows_file(tmp_path / "feed.jsonl", [posting(1), posting(2)])
    index = tmp_path / "ix"
    assert run("index", str(feed), "--index", str(index))[0] == 0
    (index / META_FILE).write_text(json.dumps({"schema_version": 0}), encoding="utf-8")
    code, _, err = run("search", "--index", str(index))
    assert code == 1 and "--rebuild" in err
    code, _, err = run("index", "--rebuild", str(feed), "--index", str(index))
    assert code == 0, err
    assert held(index) == 2


def test_delete_removes_postings_by_id(tmp_path: Path) -> None:
    feed = rows_file(tmp_path / "feed.jsonl", [posting(1), posting(2)])
    index = tmp_path / "ix"
    run("index", str(feed), "--index", str(index))
    code, _, err = run("delete", "p1", "--index", str(index))
    assert code == 0 and "deleted 1 posting;" in err and "holds 1 posting" in err
    assert run("delete", "--index", str(index))[0] == 2  # at least one id


# -- on a terminal, and interrupted -------------------------------------------------


def environment(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, "PYTHONPATH": str(ROOT), **more}


def many(path: Path, count: int) -> Path:
    """``count`` postings with some text each: a few seconds of indexing in one process."""
    words = "python spark kafka airflow sql kubernetes golang pipelines platform search"
    text = " ".join(words.split()[n % 10] for n in range(150))
    return rows_file(path, [posting(n, f"{text} {n}", "many-") for n in range(count)])


#: ``jobsearch`` with the records' rate shown from the start: however fast the machine
#: indexes, the rate is on the screen (by default it waits for half a second).
RATE_AT_ONCE = (
    "from search.cli import indexing; indexing.RATE_AFTER_S = 0.0; "
    "from search.cli.commands import main; main(prog_name='jobsearch')"
)


def test_the_progress_bar_has_a_total_a_rate_and_the_final_stage(tmp_path: Path) -> None:
    source = many(tmp_path / "many.jsonl", 400)
    main_end, side = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", RATE_AT_ONCE, "index", str(source), "--index", str(tmp_path / "ix")],
        stdin=side,
        stdout=side,
        stderr=side,
        env=environment(COLUMNS="160", LINES="40", TERM="xterm"),
    )
    os.close(side)
    shown = b""
    while select.select([main_end], [], [], 60)[0]:
        try:
            chunk = os.read(main_end, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    assert proc.wait(timeout=60) == 0
    os.close(main_end)
    screen = shown.decode(errors="replace")
    size = decimal(source.stat().st_size)
    assert f"0 bytes/{size}" in screen and f"{size}/{size}" in screen  # bytes read of all
    assert "400/400 records" in screen and "/s" in screen  # records of their total, rate
    assert "writing the index" in screen and "0:00:0" in screen  # the stage, the time
    assert "holds 400 postings" in screen


def _interrupt(args: list[str], at: str) -> subprocess.CompletedProcess[str]:
    """Run jobsearch and press Ctrl-C (SIGINT to its process group, as a terminal does)
    when the writer reaches the step ``at`` (``search.store.faults``): a known point of
    the work, however fast or busy the machine."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "search", *args],
        preexec_fn=default_sigint,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(JOBSEARCH_INTERRUPT=at),
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the command did not end after Ctrl-C")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize(
    ("at", "told"),
    [
        # while reading the input: nothing was committed
        (READ_STEP, "interrupted: nothing was committed; {index} holds 5 postings, as before"),
        # right after the commit: the new postings are kept
        (
            "add:committed",
            "interrupted: what was committed before the interrupt is kept: {index} holds "
            "605 postings (+600 since the start); index the same files again to finish",
        ),
    ],
)
def test_an_interrupted_add_says_what_the_index_holds(tmp_path: Path, at: str, told: str) -> None:
    """Ctrl-C said "the index keeps everything committed" whatever had happened."""
    index = tmp_path / "ix"
    first = rows_file(tmp_path / "first.jsonl", [posting(n) for n in range(5)])
    assert run("index", str(first), "--index", str(index))[0] == 0
    source = many(tmp_path / "many.jsonl", 600)
    proc = _interrupt(["index", str(source), "--index", str(index)], at=at)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == told.format(index=index)
    code, _, err = run("index", str(source), "--index", str(index))  # no lock left behind
    assert code == 0 and "holds 605 postings" in err and held(index) == 605


_ABANDONED = "interrupted: the rebuild was abandoned; the old index is unchanged: {index} holds "


@pytest.mark.parametrize(
    ("at", "told", "count"),
    [
        (READ_STEP, _ABANDONED + "5 postings", 5),
        ("rebuild:built", _ABANDONED + "5 postings", 5),
        (
            "rebuild:switched",
            "interrupted after the new index was swapped in: {index} holds 600 postings",
            600,
        ),
    ],
)
def test_an_interrupted_rebuild_leaves_the_old_index_or_the_new(
    tmp_path: Path, at: str, told: str, count: int
) -> None:
    index = tmp_path / "ix"
    first = rows_file(tmp_path / "first.jsonl", [posting(n) for n in range(5)])
    assert run("index", str(first), "--index", str(index))[0] == 0
    source = many(tmp_path / "many.jsonl", 600)
    proc = _interrupt(["index", "--rebuild", str(source), "--index", str(index)], at=at)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == told.format(index=index)
    assert held(index) == count


def test_ctrl_c_ends_a_build_on_every_core(tmp_path: Path) -> None:
    """Past 3,000 postings the build runs in worker processes; Ctrl-C used to leave the
    command waiting forever on a queue whose readers were gone."""
    index = tmp_path / "ix"
    source = many(tmp_path / "many.jsonl", 3200)
    proc = _interrupt(["index", str(source), "--index", str(index)], at=READ_STEP)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("interrupted")
    code, _, err = run("index", str(source), "--index", str(index))  # nothing left locked
    assert code == 0 and "holds 3,200 postings" in err
