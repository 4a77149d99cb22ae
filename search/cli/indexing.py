"""``jobsearch index`` and ``jobsearch delete``: changing the index, and saying truthfully
what changed.

Indexing reports, per file, what the file was read as and what became of its records;
a progress bar on a terminal shows how far reading has got, its rate and the time left,
then the final "writing the index" step. An interrupt is answered from the index itself:
what it holds after the interrupt, counted, not assumed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich import filesize
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
)
from rich.table import Column, Table
from rich.text import Text

from search.cli.app import DEFAULT_DATA, err, say
from search.cli.opener import open_index
from search.cli.options import index_option
from search.cli.safe import message
from search.errors import IndexNotFoundError, InputError, JobSearchError, SchemaVersionError
from search.jobindex import JobIndex
from search.opening import shown

if TYPE_CHECKING:
    from search.ingest import Rejection
    from search.ingest.postings import PostingSource
    from search.ingest.report import FileReport, LoadReport
    from search.model import JobPosting

MAX_REJECTIONS_SHOWN = 20
#: Seconds of indexing before the records' rate is shown (sooner it says little).
RATE_AFTER_S = 0.5


class _RecordsColumn(ProgressColumn):
    """Records handed to the writer, of how many (once every file is read), a second."""

    def render(self, task: Task) -> Text:
        done, total = int(task.fields["records"]), task.fields["of"]
        of = f"/{int(total):,}" if total is not None else ""
        elapsed = task.elapsed or 0.0
        rate = f", {done / elapsed:,.0f}/s" if elapsed > RATE_AFTER_S else ""
        return Text(f"{done:,}{of} records{rate}")


class _TimeLeftColumn(ProgressColumn):
    """Time left, from the records' rate once it is known (``RATE_AFTER_S``): the records
    still to write at that rate when their total is known, else the input still to read
    at the rate it has been read so far. Rich's own column waited for a window of samples
    ("-:--:--" for seconds) and then extrapolated from bursts (a wild first value)."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        done, total = int(task.fields["records"]), task.fields["of"]
        left: float | None = None
        if elapsed > RATE_AFTER_S and done:
            if total is not None:
                left = max(int(total) - done, 0) / (done / elapsed)
            elif task.total and task.completed:
                left = elapsed * max(task.total - task.completed, 0) / task.completed
        shown = "-:--:--" if left is None else str(timedelta(seconds=int(left)))
        return Text(shown, style="progress.remaining")


class _BytesColumn(ProgressColumn):
    """The input files read, of their total size."""

    def render(self, task: Task) -> Text:
        read, size = int(task.completed), int(task.total or 0)
        return Text(f"{filesize.decimal(read)}/{filesize.decimal(size)}", "progress.download")


class _ElapsedColumn(ProgressColumn):
    """Time since the start, running until the index is written (rich's own column
    stops when the bar is full)."""

    def render(self, task: Task) -> Text:
        return Text(str(timedelta(seconds=int(task.elapsed or 0))), style="progress.elapsed")


class Meter:
    """What the writer reports. The bar fills with the input read, in bytes, so that even
    one large file shows how far it has got and the time left; beside it, the records
    handed to the writer (of their total once every file is read) and their rate; last,
    the stage of the final write."""

    def __init__(self, progress: Progress, source: PostingSource) -> None:
        self.progress = progress
        self.source = source
        self.unread = len(source.files)
        self.records = 0
        self.read = 0
        size = source.size
        self.task = progress.add_task("reading", total=size or None, records=0, of=None)

    def advance(self, count: int) -> None:
        """``progress`` of the library: ``count`` more records handed to the writer."""
        self.records += count
        self.progress.update(self.task, completed=self.source.position, records=self.records)

    def file_done(self, report: FileReport) -> None:
        """A file is read: its figures are printed, and once every file is, the records'
        total is known."""
        self.unread -= 1
        self.read += report.read
        of = self.read if self.unread <= 0 else None
        self.progress.update(self.task, completed=self.source.position, of=of)
        self._line(str(report))
        columns = report.columns_line()
        if columns:
            self._line("  " + columns)

    def _line(self, line: str) -> None:
        """A line above the bar; on a terminal wrapped at spaces to its width (the
        terminal's own wrap cut words: "0 rejecte" / "d"), else left whole for scripts."""
        console = self.progress.console
        console.print(message(line), soft_wrap=not console.is_terminal)

    def stage(self, name: str) -> None:
        """The library's ``stage``: reading is done, ``name`` (the final write) begins."""
        self.progress.update(self.task, description=name)
        if not err().is_terminal:
            say(f"{name}…")


#: Below this many columns the bar leaves out the bytes read and the time elapsed.
FULL_WIDTH = 120
#: What the narrow bar's other columns take at most: spinner, "writing the index",
#: "9,387/9,387 records, 12,345/s", the time left and the spaces between.
_NARROW_FIXED = 1 + 17 + 29 + 7 + 4 + 1


def _one_line() -> Column:
    return Column(no_wrap=True, overflow="ellipsis")


class _FittingProgress(Progress):
    """A progress display that stays on one line at any terminal width: at 80 columns
    the full set of columns wrapped onto two lines."""

    def make_tasks_table(self, tasks: Iterable[Task]) -> Table:
        live = getattr(self, "live", None)  # None while Progress itself is being made
        width = live.console.width if live is not None else FULL_WIDTH
        description = TextColumn("{task.description}", markup=False, table_column=_one_line())
        records = _RecordsColumn(table_column=_one_line())
        left = _TimeLeftColumn(table_column=_one_line())
        if width >= FULL_WIDTH:
            self.columns = (
                SpinnerColumn(),
                description,
                BarColumn(),
                records,
                _BytesColumn(table_column=_one_line()),
                _ElapsedColumn(table_column=_one_line()),
                left,
            )
        else:
            bar = BarColumn(bar_width=max(width - _NARROW_FIXED, 5))
            self.columns = (SpinnerColumn(), description, bar, records, left)
        return super().make_tasks_table(tasks)


@contextmanager
def meter(source: PostingSource, console: Console | None = None) -> Iterator[Meter]:
    """The progress display of one run of indexing, on ``console`` (stderr)."""
    console = console or err()
    with _FittingProgress(console=console, transient=True, disable=not console.is_terminal) as bar:
        yield Meter(bar, source)


def _held(index_dir: Path) -> tuple[int, int] | None:
    """(postings, segments) in the index now; None when there is no index this version
    reads (none yet, or one of another schema that a rebuild replaces)."""
    try:
        with JobIndex.open(index_dir) as index:
            stats = index.stats()
    except (IndexNotFoundError, SchemaVersionError):
        return None
    return stats.postings, stats.segments or 0


def _postings(count: int) -> str:
    return f"{count:,} posting{'' if count == 1 else 's'}"


def _created_by_us(index_dir: Path) -> Path | None:
    """The topmost folder that writing ``index_dir`` would create: None when the index
    folder is already there (or is a link), so that only what this run made is removed."""
    if os.path.lexists(index_dir):
        return None
    top = index_dir.absolute()
    while not os.path.lexists(top.parent) and top.parent != top:
        top = top.parent
    return top


def _nothing_left(created: Path | None, index_dir: Path) -> bool:
    """Remove the folder a first index made when it ended holding no posting, so that no
    empty index is left that later commands would take as real. True when removed."""
    if created is None or created.is_symlink() or not created.is_dir():
        return False
    try:
        # Another writer that made the same new folder meanwhile (and refused this
        # run as "locked") is writing there: the folder is its, not ours to remove.
        with JobIndex.write_lock(index_dir, wait=0):
            held = _held(index_dir)
            if held is not None and held[0] > 0:
                return False
            shutil.rmtree(created)  # refuses a link; never follows one inside
    except (JobSearchError, OSError):  # locked by another writer, or not ours to lock
        return False
    return True


def interrupted(
    index_dir: Path, before: tuple[int, int] | None, rebuild: bool, created: Path | None = None
) -> str:
    """What an interrupted run left, read from the index itself and compared with what
    it held at the start: an add keeps the segments it committed, a rebuild that was not
    swapped in leaves the old index as it was, and a first index that committed nothing
    leaves no folder behind."""
    if _nothing_left(created, index_dir):
        return f"interrupted: nothing was indexed; no index was left at {index_dir}"
    after = _held(index_dir)
    if after is None:
        if rebuild:
            return f"interrupted: the rebuild was abandoned; {index_dir} is as it was"
        return f"interrupted: no index was made at {index_dir}"
    held = f"{index_dir} holds {_postings(after[0])}"
    start = before or (0, 0)
    if after == start:
        if rebuild and before is not None:
            return f"interrupted: the rebuild was abandoned; the old index is unchanged: {held}"
        return f"interrupted: nothing was committed; {held}" + (", as before" if before else "")
    if rebuild:
        return f"interrupted after the new index was swapped in: {held}"
    return (
        f"interrupted: what was committed before the interrupt is kept: {held} "
        f"({after[0] - start[0]:+,} since the start); index the same files again to finish"
    )


def open_sources(
    paths: Sequence[str], strict: bool, field_map: Sequence[str]
) -> tuple[PostingSource, list[Rejection], LoadReport]:
    """The postings of ``paths`` to index, the list their rejected records go to, and
    the per-file report (for the embedded index and a cluster alike)."""
    from search.ingest.postings import load_postings  # only indexing reads files
    from search.ingest.report import LoadReport

    rejections: list[Rejection] = []
    report = LoadReport()
    source = load_postings(
        paths,
        strict=strict,
        on_reject=rejections.append,
        field_map=list(field_map) or None,
        report=report,
    )
    return source, rejections, report


def build(
    index_dir: Path | str,
    paths: Sequence[str],
    *,
    rebuild: bool = False,
    strict: bool = False,
    field_map: Sequence[str] = (),
    prune: bool = False,
) -> None:
    """Read ``paths`` into the index (every path checked before anything is written)."""
    if isinstance(index_dir, str):  # a cluster URL (``search.cli.options.IndexLocation``)
        from search.cli.cluster_indexing import build as build_on_cluster

        return build_on_cluster(
            index_dir, paths, rebuild=rebuild, strict=strict, field_map=field_map, prune=prune
        )
    source, rejections, report = open_sources(paths, strict, field_map)
    before = _held(index_dir)
    created = _created_by_us(index_dir)
    try:
        with meter(source) as bar:
            source.on_file = bar.file_done
            # --strict checks every record before anything is written.
            postings: Iterable[JobPosting] = source.read_all() if strict else source
            if rebuild:
                summary = JobIndex.rebuild(index_dir, postings, bar.advance, stage=bar.stage)
            else:
                with JobIndex.open_or_create(index_dir) as index:
                    summary = index.add(postings, bar.advance, prune=prune, stage=bar.stage)
    except KeyboardInterrupt:
        say(interrupted(index_dir, before, rebuild, created))
        raise SystemExit(130) from None
    except Exception:
        _nothing_left(created, index_dir)  # a failed first index leaves no empty one
        raise
    _report(rejections, report.conflict_note())
    held = _held(index_dir)
    count = held[0] if held else 0
    pruned = f", pruned {summary.pruned}" if prune else ""
    holds = f"{index_dir} holds {_postings(count)}"
    if rejections and not summary.total and _nothing_left(created, index_dir):
        holds = f"nothing was indexed; no index was left at {index_dir}"
    say(
        f"added {summary.added}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"rejected {len(rejections)}{pruned}; {holds}"
    )
    if rejections and not summary.total:
        raise InputError(
            f"no valid postings in {', '.join(paths)}", hint="see the rejected records above"
        )


def _report(rejections: Sequence[Rejection], conflicts: str | None) -> None:
    for rejection in rejections[:MAX_REJECTIONS_SHOWN]:
        say(("rejected", "yellow"), " ", str(rejection))
    if len(rejections) > MAX_REJECTIONS_SHOWN:
        say(f"... and {len(rejections) - MAX_REJECTIONS_SHOWN} more rejected records")
    if conflicts:
        say(("note:", "yellow"), " ", conflicts)


@click.command("index")
@click.argument("paths", nargs=-1, type=click.Path())
@index_option
@click.option("--rebuild", is_flag=True, help="Replace the index instead of updating it.")
@click.option("--strict", is_flag=True, help="Fail on the first bad record, before writing.")
@click.option(
    "--map",
    "field_map",
    multiple=True,
    metavar="KEY=COLUMN",
    help="Read KEY from COLUMN, for exports whose columns no rule recognises "
    "(repeatable): --map 'description=Job Summary'.",
)
@click.option(
    "--prune",
    is_flag=True,
    help="The files are read in full: drop postings indexed from them earlier that they "
    "no longer hold (closed jobs).",
)
def index_command(
    paths: tuple[str, ...],
    index_dir: Path,
    rebuild: bool,
    strict: bool,
    field_map: tuple[str, ...],
    prune: bool,
) -> None:
    """Index posting files or directories.

    Reads .txt listings, .jsonl, .json, .csv, .html, .xml and job-board feeds (Ashby,
    Greenhouse, Lever, JSON-LD, Indeed-style XML), also gzip-compressed.

    PATHS default to data/. Postings are upserted by id: indexing the same data twice
    adds nothing. Each file's format and counts (read, kept, merged, rejected) are
    printed as it is finished.

    \b
    Examples:
      jobsearch index
      jobsearch index exports/ feed.json --index /tmp/jobs
      jobsearch index jobs.csv --map 'description=Job Summary' --map 'url=Apply Link'
      jobsearch index --prune greenhouse-feed.json
      jobsearch index --rebuild
    """
    if prune and rebuild:
        raise click.UsageError("--prune updates an index; --rebuild replaces it: use one")
    build(
        index_dir,
        list(paths) or [DEFAULT_DATA],
        rebuild=rebuild,
        strict=strict,
        field_map=field_map,
        prune=prune,
    )


@click.command("delete")
@click.argument("ids", nargs=-1, required=True)
@index_option
@click.pass_context
def delete_command(ctx: click.Context, ids: tuple[str, ...], index_dir: Path) -> None:
    """Delete postings by id.

    Each ID may be any unique start of an id, as search shows it.

    Every id is checked first: one that names no posting, or several, deletes nothing.

    \b
    Examples:
      jobsearch delete 3f2a9c1b
      jobsearch search --company Acme --format jsonl | jq -r .id | xargs jobsearch delete
    """
    with open_index(index_dir, ctx) as index:
        deleted = index.delete(ids)
        count = len(index)
    say(f"deleted {_postings(deleted)}; {shown(index_dir)} holds {_postings(count)}")
