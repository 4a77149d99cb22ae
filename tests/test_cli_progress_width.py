"""Issue 17, indexing at 80 columns: the progress bar is one line, the per-file lines
wrap at spaces (never "0 rejecte" / "d"), and the time left comes from the records'
rate as soon as that is known."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from rich.progress import Progress

from search.cli import indexing
from search.ingest.postings import load_postings
from search.ingest.report import FileReport
from tests.test_cli_indexing import many


def _terminal(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)


def _bar_lines(meter: indexing.Meter, width: int) -> list[str]:
    """The bar as a terminal of ``width`` columns shows it."""
    screen = _terminal(width)
    screen.print(meter.progress.make_tasks_table(meter.progress.tasks))
    return screen.file.getvalue().splitlines()  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [60, 80, 100, 160])
def test_the_bar_is_one_line_at_any_width(tmp_path: Path, width: int) -> None:
    source = load_postings([str(many(tmp_path / "many.jsonl", 50))])
    with indexing.meter(source, _terminal(width)) as meter:
        meter.progress.update(meter.task, completed=source.size or 1, records=9387, of=9387)
        meter.stage("writing the index")
        meter.advance(12_345)
        meter.progress.tasks[0].start_time = meter.progress.get_time() - 81  # 1:21 in
        lines = _bar_lines(meter, width)
    assert len(lines) == 1 and len(lines[0]) <= width, lines
    assert "writing the index" in lines[0] and "records" in lines[0]


def test_file_lines_wrap_at_spaces_on_a_terminal(tmp_path: Path) -> None:
    console = _terminal(80)
    source = load_postings([str(many(tmp_path / "many.jsonl", 5))])
    report = FileReport(
        source="/home/someone/exports/2026-12/all-postings-from-the-board.jsonl",
        format="jsonl",
        read=12_345,
        kept=12_000,
        merged=345,
        rejected=0,
    )
    # The bar itself is left out (disable): only the lines printed above it are read.
    indexing.Meter(Progress(console=console, disable=True), source).file_done(report)
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    lines = [line.rstrip() for line in shown.splitlines() if line.strip()]
    assert len(lines) == 2 and all(len(line) <= 80 for line in lines), lines
    assert " ".join(lines) == str(report)  # broken at a space: every word whole


def test_time_left_follows_the_records_rate(tmp_path: Path) -> None:
    source = load_postings([str(many(tmp_path / "many.jsonl", 50))])
    with indexing.meter(source, _terminal(160)) as meter:
        task = meter.progress.tasks[0]
        column = indexing._TimeLeftColumn()
        meter.advance(0)
        assert column.render(task).plain == "-:--:--"  # no rate yet
        size = source.size or 1000
        # 20 s in, a quarter of the input read: three times as long again.
        task.start_time = meter.progress.get_time() - 20
        meter.progress.update(meter.task, completed=size // 4, records=100)
        assert column.render(task).plain in ("0:00:59", "0:01:00", "0:01:01")
        # Every file read, 400 records of 1,000 in 40 s: 600 more at 10/s.
        task.start_time = meter.progress.get_time() - 40
        meter.progress.update(meter.task, completed=size, records=400, of=1000)
        assert column.render(task).plain in ("0:00:59", "0:01:00", "0:01:01")
