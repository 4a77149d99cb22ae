"""The ``jobsearch`` command: a thin shell over ``JobIndex``. No Whoosh in here.

Everything printed for people goes through ``search.cli.safe``: the consoles never read
markup, and text from postings, files and users reaches them as cleaned ``Text``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from search.cli.options import (
    QueryCommand,
    filter_options,
    index_option,
    limit_option,
    output_options,
    query_argument,
)
from search.cli.render import (
    OutputFormat,
    facets_table,
    hit_record,
    hits_csv,
    hits_table,
    posting_record,
    posting_view,
    result_messages,
    results_record,
    results_view,
    stats_view,
    to_json,
    to_jsonl,
)
from search.cli.safe import clean, message
from search.errors import IndexNotFoundError, InputError, JobSearchError
from search.jobindex import JobIndex
from search.model import JobPosting
from search.version import __version__

DEFAULT_DATA = "data"
MAX_REJECTIONS_SHOWN = 20

# No markup and no emoji codes: a "[" or ":" in a posting is text, never styling.
out = Console(soft_wrap=False, highlight=False, markup=False, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def say(*parts: str | tuple[str, str]) -> None:
    """One line on stderr, every part cleaned (see ``search.cli.safe.message``)."""
    err.print(message(*parts))


class JobSearchGroup(click.Group):
    """Turns every ``JobSearchError`` into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except JobSearchError as exc:
            say(("error:", "bold red"), " ", str(exc))
            sys.exit(1)
        except KeyboardInterrupt:
            say("interrupted: the index keeps everything committed before the interrupt")
            sys.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)


def _filters(kwargs: dict[str, Any]) -> dict[str, Any]:
    since = kwargs.pop("since", None)
    return {**kwargs, "since": since.date() if isinstance(since, datetime) else None}


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None]]:
    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.completed} postings"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(label, total=None)
        yield lambda count: bar.advance(task, count)


def _build(index_dir: Path, paths: Sequence[str], rebuild: bool, strict: bool) -> None:
    from search.ingest import Rejection  # only indexing reads files
    from search.ingest.postings import load_postings

    rejections: list[Rejection] = []
    source = load_postings(paths, strict=strict, on_reject=rejections.append)
    # --strict checks every record before anything is written.
    postings: Iterable[JobPosting] = list(source) if strict else source
    with _progress(clean(f"indexing {', '.join(paths)}")) as advance:
        if rebuild:
            summary = JobIndex.rebuild(index_dir, postings, progress=advance)
            index = JobIndex.open(index_dir)
        else:
            index = JobIndex.open_or_create(index_dir)
            summary = index.add(postings, progress=advance)
    for rejection in rejections[:MAX_REJECTIONS_SHOWN]:
        say(("rejected", "yellow"), " ", str(rejection))
    if len(rejections) > MAX_REJECTIONS_SHOWN:
        say(f"... and {len(rejections) - MAX_REJECTIONS_SHOWN} more rejected records")
    say(
        f"added {summary.added}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"rejected {len(rejections)}; {index_dir} holds {len(index)} "
        f"posting{'' if len(index) == 1 else 's'}"
    )
    index.close()
    if rejections and not summary.total:
        raise InputError(
            f"no valid postings in {', '.join(paths)}", hint="see the rejected records above"
        )


def _open(index_dir: Path, ctx: click.Context) -> JobIndex:
    """Open the index; build the default one from data/ the first time it is needed."""
    try:
        return JobIndex.open(index_dir)
    except IndexNotFoundError:
        source = DEFAULT_DATA
        is_default = ctx.get_parameter_source("index_dir") == click.core.ParameterSource.DEFAULT
        if not (is_default and Path(source).is_dir()):
            raise
        say(f"no index at {index_dir}/: building it from {source}/ first")
        _build(index_dir, [source], rebuild=False, strict=False)
        return JobIndex.open(index_dir)


def _echo(text: str) -> None:
    """Machine output as it is: click would strip some escape sequences when piped,
    changing the data (JSON escapes them anyway; CSV keeps text as text)."""
    click.echo(text, nl=not text.endswith("\n"), color=True)


@click.group(cls=JobSearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jobsearch")
def main() -> None:
    """Search job postings: index files, then search by keyword, city, skill and more."""


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path())
@index_option
@click.option("--rebuild", is_flag=True, help="Replace the index instead of updating it.")
@click.option("--strict", is_flag=True, help="Fail on the first bad record, before writing.")
def index_command(paths: tuple[str, ...], index_dir: Path, rebuild: bool, strict: bool) -> None:
    """Index posting files or directories (.txt listings, .jsonl, .json, .csv, also .gz).

    PATHS default to data/. Postings are upserted by id: indexing the same data twice
    adds nothing.
    """
    _build(index_dir, list(paths) or [DEFAULT_DATA], rebuild, strict)


@main.command("search", cls=QueryCommand)
@query_argument
@filter_options
@click.option("--title", "title_only", is_flag=True, help="Match the query in titles only.")
@click.option(
    "--all", "show_all", is_flag=True, help="Show every copy of a job posted for several places."
)
@click.option("--explain", is_flag=True, help="Show why each hit matched and how it scored.")
@click.option(
    "--sort", type=click.Choice(["relevance", "newest"]), default="relevance", show_default=True
)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@limit_option(10)
@output_options()
@click.pass_context
def search_command(
    ctx: click.Context,
    query: tuple[str, ...],
    index_dir: Path,
    fmt: str,
    csv_raw: bool,
    **options: Any,
) -> None:
    """Search postings: keywords (quotes, AND/OR/NOT, -word to exclude) plus filters.

    With no QUERY, lists every posting that passes the filters, newest first.
    `jobsearch search python -java` excludes java; every word after -- is query text
    (`jobsearch search -- --python`). Queries are limited in length, words, quoted
    phrases and nesting; past a limit the error says which.
    """
    index = _open(index_dir, ctx)
    show_all = options.pop("show_all")
    results = index.search(" ".join(query), collapse=not show_all, **_filters(options))
    fmt_ = OutputFormat(fmt)
    if fmt_ is OutputFormat.JSON:
        _echo(to_json(results_record(results)))
    elif fmt_ is OutputFormat.JSONL:
        _echo(to_jsonl(hit_record(h) for h in results))
    elif fmt_ is OutputFormat.CSV:
        _echo(hits_csv(results, raw=csv_raw))
    else:
        out.print(results_view(results))
    if fmt_ in (OutputFormat.JSONL, OutputFormat.CSV):
        for line in result_messages(results):
            say(line)


@main.command("show")
@click.argument("posting_id")
@output_options([OutputFormat.TABLE, OutputFormat.JSON])
@click.pass_context
def show_command(ctx: click.Context, posting_id: str, index_dir: Path, fmt: str) -> None:
    """Show one posting in full, with the places it offers and how they were resolved."""
    posting = _open(index_dir, ctx).get(posting_id)
    if fmt == OutputFormat.JSON.value:
        _echo(to_json({**posting_record(posting), "description": posting.description}))
    else:
        out.print(posting_view(posting))


@main.command("similar")
@click.argument("posting_id")
@limit_option(5)
@output_options()
@click.pass_context
def similar_command(
    ctx: click.Context, posting_id: str, limit: int, index_dir: Path, fmt: str, csv_raw: bool
) -> None:
    """Postings most like POSTING_ID."""
    hits = _open(index_dir, ctx).similar(posting_id, limit=limit)
    fmt_ = OutputFormat(fmt)
    if fmt_ is OutputFormat.JSON:
        _echo(to_json({"id": posting_id, "hits": [hit_record(h) for h in hits]}))
    elif fmt_ is OutputFormat.JSONL:
        _echo(to_jsonl(hit_record(h) for h in hits))
    elif fmt_ is OutputFormat.CSV:
        _echo(hits_csv(hits, raw=csv_raw))
    else:
        out.print(hits_table(hits, title=f"Postings like {posting_id}"))


@main.command("facets", cls=QueryCommand)
@query_argument
@filter_options
@output_options([OutputFormat.TABLE, OutputFormat.JSON])
@click.pass_context
def facets_command(
    ctx: click.Context, query: tuple[str, ...], index_dir: Path, fmt: str, **options: Any
) -> None:
    """Counts of city, country, skill, role and level for a query and filters."""
    results = _open(index_dir, ctx).search(" ".join(query), limit=1, **_filters(options))
    if results.suggestion:
        say(f"did you mean: {results.suggestion}")
    if fmt == OutputFormat.JSON.value:
        _echo(
            to_json(
                {
                    "query": results.query,
                    "filters": results.filters.as_dict(),
                    "total": results.total,
                    "facets": results.facets,
                }
            )
        )
    else:
        out.print(Text(f"{results.total} matching postings"))
        out.print(facets_table(results.facets))


@main.command("stats")
@output_options([OutputFormat.TABLE, OutputFormat.JSON])
@click.pass_context
def stats_command(ctx: click.Context, index_dir: Path, fmt: str) -> None:
    """Size and make-up of the index."""
    stats = _open(index_dir, ctx).stats()
    if fmt == OutputFormat.JSON.value:
        _echo(to_json(stats))
    else:
        out.print(stats_view(stats))


@main.command("evaluate")
@click.option(
    "--corpus",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The corpus holding the judged slice (default: ../shared/corpus/jobs.jsonl.gz).",
)
@click.option("--per-query", is_flag=True, help="Show each query's figures too.")
def evaluate_command(corpus: Path | None, per_query: bool) -> None:
    """Measure ranking on the judged queries: nDCG@10, MRR and P@10 beside plain BM25.

    Runs from a source checkout (the judgments live in tests/relevance/). Without the
    corpus, only the sample-data queries are measured.
    """
    import search.evaluate as evaluate  # only this command needs it

    if not evaluate.JUDGMENTS.exists():
        raise InputError(
            f"no judged queries at {evaluate.JUDGMENTS}",
            hint="run `jobsearch evaluate` from a source checkout",
        )
    source = corpus or evaluate.CORPUS
    if corpus is not None and not corpus.exists():
        raise InputError(f"no such file: {corpus}")
    if not source.exists():
        say(f"corpus not found at {source}: measuring the sample queries only")
    report = evaluate.run(source if source.exists() else None)
    _echo(evaluate.format_report(report, per_query=per_query))


if __name__ == "__main__":  # pragma: no cover
    main()
