"""The commands that read the index: ``search``, ``show``, ``similar``, ``facets``,
``stats`` and ``evaluate``. A thin shell over ``JobIndex``; no Whoosh in here.

Each command reads its options, makes one ``JobIndex`` call and prints what comes back
in the format asked for (``search.cli.output``). Everything printed for people goes
through ``search.cli.safe``: the consoles never read markup, and text from postings,
files and users reaches them as cleaned ``Text``. Indexing and deleting live in
``search.cli.indexing``, saved searches in ``search.cli.watching``; the group that
loads each command's module on first use in ``search.cli.commands``.

Only what every output needs is imported here: the engine loads when the index is
opened, and rich (``search.cli.render``) when a table is shown, so JSON and CSV output
never import it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from search.cli.app import colour_off, emit, say
from search.cli.opener import open_index
from search.cli.options import (
    IndexLocation,
    QueryCommand,
    filter_options,
    limit_option,
    literal_option,
    output_options,
    query_argument,
)
from search.cli.output import Shapes, hit_shapes, write
from search.cli.records import OutputFormat
from search.errors import InputError
from search.records import (
    FACET_COLUMNS,
    POSTING_COLUMNS,
    STAT_COLUMNS,
    facet_rows,
    hit_record,
    posting_record,
    posting_row,
    results_record,
    stat_rows,
)
from search.results import SORTS, SearchResults, Sort

if TYPE_CHECKING:
    from rich.console import RenderableType

    from search.jobindex import JobIndex

STREAMED = (OutputFormat.JSONL.value, OutputFormat.CSV.value)


class _ShortIds(Mapping[str, str]):
    """Short ids worked out one hit at a time, for a stream of every match: each id's
    shortest unique start depends on the index only, so a stream gets what a page gets."""

    def __init__(self, index: JobIndex) -> None:
        self._index = index

    def __getitem__(self, posting_id: str) -> str:
        return self._index.short_ids([posting_id])[posting_id]

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _render() -> ModuleType:
    """``search.cli.render``, imported when a table is shown (it brings in rich)."""
    import search.cli.render as render

    return render


def _facets_view(results: SearchResults, notes: list[str]) -> RenderableType:
    """The facets table under the total and the notes."""
    from rich.console import Group
    from rich.text import Text

    return Group(
        Text(f"{results.total:,} matching postings"),
        *(Text(n, style="yellow") for n in notes),
        _render().facets_table(results.facets),
    )


def _unreachable() -> Any:
    raise AssertionError("every match is written as JSON Lines or CSV only")


def messages(results: SearchResults) -> list[str]:
    """Notes for a person: did-you-mean, the library's notes (fuzzy fallback, filter
    values that match nothing, postings left out for lacking a fact, a page past the end)."""
    # When the corrected spelling's results are shown, the library's note says so.
    shown = results.fuzzy and results.suggestion
    suggestion = [f"did you mean: {results.suggestion}"] if results.suggestion and not shown else []
    read = [f"read as: {results.read_as}"] if results.read_as else []
    return [*read, *suggestion, *results.notes]


@click.command("search", cls=QueryCommand)
@query_argument
@filter_options
@click.option("--title", "title_only", is_flag=True, help="Match the query in titles only.")
@literal_option
@click.option(
    "--all", "show_all", is_flag=True, help="Show every copy of a job posted for several places."
)
@click.option("--explain", is_flag=True, help="Show why each hit matched and how it scored.")
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="pay: highest yearly pay first (postings stating none last).",
)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@limit_option(10, all_results=True)
@click.option(
    "--all-results",
    is_flag=True,
    help="Every match, streamed without pages (with --format jsonl or csv); as --limit 0.",
)
@output_options
@click.pass_context
def search_command(
    ctx: click.Context,
    query: tuple[str, ...],
    index_dir: Path,
    fmt: str,
    csv_raw: bool,
    all_results: bool,
    show_all: bool,
    title_only: bool,
    literal: bool,
    explain: bool,
    sort: Sort,
    page: int,
    limit: int,
    **filters: Any,
) -> None:
    """Search postings by keyword and filters.

    QUERY: keywords, "quoted phrases", AND/OR/NOT, -word to exclude. With no QUERY,
    lists every posting that passes the filters, newest first. Postings that have only
    some of the words come after those that have them all, marked "partial". Every
    word after -- is query text (`jobsearch search -- --python`).

    Words for a place, a level, a workplace or an employment type are read as such
    ("senior rust engineer berlin": rust engineer, level senior, city Berlin; "read
    as:" says how): they leave out postings stating another fact and list those
    stating none below. Quoted words, --literal and a filter for the same fact keep
    the words as typed.

    \b
    Examples:
      jobsearch search "machine learning" --city "Seattle, WA"
      jobsearch search senior rust engineer berlin
      jobsearch search '"data engineer" -crypto' --exclude-company Acme
      jobsearch search --company Ramp --workplace hybrid --max-years 3
      jobsearch search python --salary-min 150k --currency USD --sort pay
      jobsearch search --near "Palo Alto, CA" --radius 20mi --since 7d
      jobsearch search LLM --all-results --format jsonl > llm.jsonl
    """
    text, collapse = " ".join(query), not show_all
    with open_index(index_dir, ctx) as index:
        if all_results or limit == 0:
            if fmt not in STREAMED:
                raise click.UsageError("every match is streamed: add --format jsonl (or csv)")
            hits = index.search_all(
                text,
                sort=sort,
                title_only=title_only,
                collapse=collapse,
                understand=not literal,
                **filters,
            )
            streamed = _ShortIds(index)
            write(
                fmt,
                hit_shapes(hits, streamed, view=_unreachable, document=_unreachable),
                raw=csv_raw,
            )
            return
        results = index.search(
            text,
            sort=sort,
            limit=limit,
            page=page,
            title_only=title_only,
            collapse=collapse,
            explain=explain,
            facets=fmt in (OutputFormat.TABLE.value, OutputFormat.JSON.value),
            understand=not literal,
            **filters,
        )
        short = index.short_ids(h.posting.id for h in results.hits)
    notes = messages(results)
    shapes = hit_shapes(
        results.hits,
        short,
        view=lambda: _render().results_view(results, short, notes, colour_off()),
        document=lambda: results_record(results, short),
        notes=notes,
    )
    write(fmt, shapes, raw=csv_raw)


@click.command("show")
@click.argument("posting_id")
@click.option("--no-pager", is_flag=True, help="Print long postings without a pager.")
@output_options
@click.pass_context
def show_command(
    ctx: click.Context, posting_id: str, no_pager: bool, index_dir: Path, fmt: str, csv_raw: bool
) -> None:
    """Show one posting in full.

    Its facts, the places it offers and how they were resolved, and its text.
    POSTING_ID may be any unique start of an id.

    On a terminal, a posting taller than the screen opens in your pager ($PAGER).

    \b
    Examples:
      jobsearch show 3f2a9c1b
      jobsearch show 3f2a9c1b --format json | jq .pay
    """
    with open_index(index_dir, ctx) as index:
        posting = index.get(posting_id)
    record = {**posting_record(posting), "description": posting.description}
    shapes = Shapes(
        view=lambda: _render().posting_view(posting),
        document=lambda: record,
        lines=lambda: [record],
        rows=lambda: [{**posting_row(posting), "description": posting.description}],
        columns=(*POSTING_COLUMNS, "description"),
    )
    write(fmt, shapes, raw=csv_raw, page=not no_pager)


@click.command("similar")
@click.argument("posting_id")
@limit_option(5)
@output_options
@click.pass_context
def similar_command(
    ctx: click.Context, posting_id: str, limit: int, index_dir: Path, fmt: str, csv_raw: bool
) -> None:
    """Postings most like another one.

    POSTING_ID may be any unique start of an id; employers are spread out.

    \b
    Examples:
      jobsearch similar 3f2a9c1b
      jobsearch similar 3f2a9c1b --limit 20 --format csv > like.csv
    """
    with open_index(index_dir, ctx) as index:
        full = index.resolve(posting_id)
        hits = index.similar(full, limit=limit)
        short = index.short_ids([full, *(h.posting.id for h in hits)])
    shapes = hit_shapes(
        hits,
        short,
        view=lambda: _render().hits_table(
            hits,
            short,
            title=f"Postings like {_render().shown_id(full, short)}",
            plain_marks=colour_off(),
        ),
        document=lambda: {
            "id": full,
            "hits": [hit_record(h, short.get(h.posting.id)) for h in hits],
        },
    )
    write(fmt, shapes, raw=csv_raw)


@click.command("facets", cls=QueryCommand)
@query_argument
@filter_options
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many values of each facet to count.",
)
@literal_option
@output_options
@click.pass_context
def facets_command(
    ctx: click.Context,
    query: tuple[str, ...],
    top: int,
    literal: bool,
    index_dir: Path,
    fmt: str,
    csv_raw: bool,
    **filters: Any,
) -> None:
    """Count matching postings by facet.

    Counts by city, country, skill, role, level, company, workplace, pay band and
    years of experience, for a query and filters.

    JSON Lines and CSV give one row per value: facet, value, count.

    \b
    Examples:
      jobsearch facets --level intern
      jobsearch facets "data engineer" --top 30
      jobsearch facets --country US --format csv > facets.csv
    """
    with open_index(index_dir, ctx) as index:
        results = index.search(
            " ".join(query), limit=1, facet_top=top, understand=not literal, **filters
        )
    notes = messages(results)
    document = {
        "query": results.query,
        "filters": results.filters.as_dict(),
        "total": results.total,
        "facets": results.facets,
        "notes": list(results.notes),
        "read_as": results.read_as,
    }
    shapes = Shapes(
        view=lambda: _facets_view(results, notes),
        document=lambda: document,
        lines=lambda: facet_rows(results.facets),
        rows=lambda: facet_rows(results.facets),
        columns=FACET_COLUMNS,
        notes=notes,
    )
    write(fmt, shapes, raw=csv_raw)


@click.command("stats")
@output_options
@click.pass_context
def stats_command(ctx: click.Context, index_dir: Path, fmt: str, csv_raw: bool) -> None:
    """Size and make-up of the index.

    JSON Lines and CSV give one row per figure: name, value (top values are named
    top.FACET.VALUE).

    \b
    Examples:
      jobsearch stats
      jobsearch stats --format json | jq .postings
    """
    with open_index(index_dir, ctx) as index:
        stats = index.stats().as_dict()
    shapes = Shapes(
        view=lambda: _render().stats_view(stats),
        document=lambda: stats,
        lines=lambda: stat_rows(stats),
        rows=lambda: stat_rows(stats),
        columns=STAT_COLUMNS,
    )
    write(fmt, shapes, raw=csv_raw)


@click.command("evaluate")
@click.option(
    "--corpus",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The corpus holding the judged postings (default: ../shared/corpus/jobs.jsonl.gz).",
)
@click.option("--per-query", is_flag=True, help="Show each query's figures too.")
@click.option(
    "--corpus-index",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="An index of the corpus for the natural queries (default: one is built in a "
    "temporary folder, a minute or more).",
)
@click.option(
    "--facts",
    is_flag=True,
    help="Measure the extracted facts instead (pay, workplace, years, degree, type, "
    "level): coverage, precision and recall on the judged sample.",
)
@click.option(
    "--gold",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --facts: a CSV, JSON or JSON Lines export whose columns state the facts "
    "(name them with --map); measured from the text alone and as indexed.",
)
@click.option(
    "--map",
    "gold_map",
    multiple=True,
    metavar="FACT=COLUMN",
    help="With --gold (repeatable): the column stating a fact, e.g. --map location=Location "
    "--map level=formatted_experience_level; FACT==VALUE for one value in every row.",
)
@click.option("--errors", is_flag=True, help="With --gold: list every disagreement too.")
@click.option(
    "--index",
    "cluster",
    type=IndexLocation(),
    default=None,
    help="A cluster to measure beside the embedded engine: typesense://KEY@HOST:PORT"
    "[,HOST:PORT...]/NAME. The judged postings go to temporary collections NAME-eval-* "
    "there, dropped at the end; NAME itself is not read or changed.",
)
def evaluate_command(
    corpus: Path | None,
    per_query: bool,
    corpus_index: Path | None,
    facts: bool,
    gold: Path | None,
    gold_map: tuple[str, ...],
    errors: bool,
    cluster: str | Path | None,
) -> None:
    """Measure ranking, or the extracted facts.

    Ranking on the judged queries: nDCG@10, MRR and P@10 beside plain BM25; and, with
    the corpus, the natural queries ("junior data analyst remote"): reachable P@10 of
    ours, ours with the words as typed, and SQLite FTS5. Or, with --facts, the fact
    extractors' coverage, precision and recall on judged postings, or on any export
    whose columns say the truth (--gold FILE --map FACT=COLUMN).

    Runs from a source checkout (the judgments live in tests/). Without the corpus,
    only the sample-data queries are measured; --facts needs the corpus (or --gold).

    With --index typesense://..., the judged queries also run on that cluster (system
    "cluster", beside ours and BM25 on the embedded engine); the natural queries run on
    the embedded engine and FTS5 only, and the output says so.

    \b
    Examples:
      jobsearch evaluate
      jobsearch evaluate --per-query
      jobsearch evaluate --corpus-index corpus-index/
      jobsearch evaluate --index typesense://KEY@127.0.0.1:8108/jobs
      jobsearch evaluate --facts
      jobsearch evaluate --facts --gold postings.csv --map location=location \\
          --map remote=remote_allowed --map level=formatted_experience_level
    """
    if corpus is not None and not corpus.exists():
        raise InputError(f"no such file: {corpus}")
    if (gold is not None or gold_map or errors) and not facts:
        raise InputError("--gold, --map and --errors measure facts", hint="add --facts")
    if cluster is not None and not isinstance(cluster, str):
        raise InputError(
            "--index names a cluster to measure ranking on: evaluate builds its own "
            "embedded indexes in a temporary folder",
            hint="give typesense://KEY@HOST:PORT/NAME, or leave --index out",
        )
    if cluster is not None and facts:
        raise InputError(
            "--facts measures the extractors, which run in Python whatever the index",
            hint="leave --index out",
        )
    if gold is not None:
        emit(_gold_facts(gold, gold_map, errors) + "\n")
        return
    if gold_map:
        raise InputError("--map names the columns of a --gold file", hint="add --gold FILE")
    if facts:
        emit(_facts(corpus) + "\n")
        return
    import search.evaluate as evaluate  # only this command needs it

    if not evaluate.JUDGMENTS.exists():
        raise InputError(
            f"no judged queries at {evaluate.JUDGMENTS}",
            hint="run `jobsearch evaluate` from a source checkout",
        )
    source = corpus or evaluate.CORPUS
    if not source.exists():
        say(f"corpus not found at {source}: measuring the sample queries only")
    left: list[str] = []
    if cluster is not None:
        say("writing the judged postings to temporary collections on the cluster")
    report = evaluate.run(source if source.exists() else None, cluster=cluster, left_behind=left)
    for where in left:
        say(f"could not drop the temporary collection {where}: drop it by hand")
    emit(evaluate.format_report(report, per_query=per_query))
    if source.exists():
        import search.natural as natural

        if corpus_index is None:
            say("indexing the corpus for the natural queries (a minute or more)")
        found = natural.run_natural(source, corpus_index)
        emit(natural.format_natural(found, per_query=per_query))
        if cluster is not None:
            emit(
                "natural queries: embedded engine and FTS5 only, not run on the cluster "
                "(they would need the whole corpus written to it)"
            )


def _gold_facts(gold: Path, gold_map: tuple[str, ...], errors: bool) -> str:
    """The gold-column table (see ``search.goldcheck``), with a progress line on stderr."""
    import search.goldcheck as goldcheck  # only this command needs it

    spec = goldcheck.parse_gold_map(gold_map)
    report = goldcheck.measure_gold(gold, spec)
    say(f"{gold}: {report.rows:,} rows judged, {report.unusable:,} without a description")
    lines = [goldcheck.gold_table(report, spec.facts)]
    if errors:
        lines += ["", *(goldcheck.miss_line(miss) for miss in report.misses)]
    return "\n".join(lines)


def _facts(corpus: Path | None) -> str:
    """The factcheck table (see ``search.factcheck``)."""
    import search.factcheck as factcheck  # only this command needs it

    source, judged = corpus or factcheck.CORPUS, factcheck.JUDGED
    for needed in (source, judged):
        if not needed.exists():
            raise InputError(
                f"no such file: {needed}",
                hint="the judged facts need the corpus and a source checkout",
            )
    return factcheck.table(factcheck.measure(source, judged))
