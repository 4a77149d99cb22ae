"""Saved searches and what is new: ``jobsearch watch add|list|remove`` and ``jobsearch new``.

The job alert of every job board, kept locally: a watch is a query and filters with a
name, stored beside the index (``watches.json`` in the index directory, or for a cluster
index on this machine: ``search.cluster.index.state_folder``); ``new`` lists,
for each watch, the postings first indexed since it was last checked, and records the
check. Re-indexing the same postings makes nothing new: postings keep their first
indexed time. ``--format json`` is for scripts (a cron job that mails new postings).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from search.cli.app import colour_off, delivered, say
from search.cli.opener import open_index
from search.cli.options import (
    QueryCommand,
    filter_options,
    index_option,
    output_options,
    query_argument,
)
from search.cli.output import Shapes, write
from search.cli.render import hits_table, minute
from search.cli.safe import text
from search.records import CSV_COLUMNS, hit_record, posting_row, watch_record
from search.results import Hit
from search.watches import Watch

WATCH_COLUMNS = ("name", "query", "filters", "created", "checked")
NO_WATCHES = "No saved searches: add one with `jobsearch watch add NAME QUERY`."


def _filters_text(filters: Mapping[str, object]) -> str:
    """The filters as a person reads them: "city Seattle, remote", not "remote True"."""
    return ", ".join(_filter_text(name.replace("_", " "), v) for name, v in filters.items())


def _filter_text(name: str, value: object) -> str:
    if isinstance(value, bool):
        return name if value else f"not {name}"
    return f"{name} {', '.join(map(str, value)) if isinstance(value, list) else value}"


@click.group("watch")
def watch_group() -> None:
    """Saved searches, for `jobsearch new`.

    Name a query and filters; `jobsearch new` then lists the postings new to each.

    Watches are kept beside the index, in watches.json in the index directory; for a
    cluster index (typesense://...), on this machine under $JOBSEARCH_STATE_DIR
    (default ~/.local/state/jobsearch).

    \b
    Examples:
      jobsearch watch add ml "machine learning" --city Seattle
      jobsearch watch list
      jobsearch watch remove ml
    """


@watch_group.command("add", cls=QueryCommand)
@click.argument("name")
@query_argument
@filter_options
@index_option
@click.pass_context
def watch_add(
    ctx: click.Context, name: str, query: tuple[str, ...], index_dir: Path, **filters: Any
) -> None:
    """Save a search under a name.

    QUERY (optional) and filters are given as `jobsearch search` takes them.

    Postings indexed from now on that match it are listed by `jobsearch new NAME`.
    Adding a NAME that exists replaces it.

    \b
    Examples:
      jobsearch watch add ml "machine learning" --city Seattle
      jobsearch watch add remote-rust rust --workplace remote --salary-min 150k
    """
    with open_index(index_dir, ctx) as index:
        watch = index.watches.add(name, " ".join(query), **filters)
    record = watch_record(watch)
    what = "; ".join(x for x in (record["query"], _filters_text(record["filters"])) if x)
    say(
        f"watching {watch.name!r}: {what or 'every posting'} "
        f"(`jobsearch new {watch.name}` lists what is indexed from now on)"
    )


@watch_group.command("list")
@output_options
@click.pass_context
def watch_list(ctx: click.Context, index_dir: Path, fmt: str, csv_raw: bool) -> None:
    """The saved searches, with when each was last checked.

    \b
    Examples:
      jobsearch watch list
      jobsearch watch list --format json
    """
    with open_index(index_dir, ctx) as index:
        watches = index.watches.list()
    records = [watch_record(w) for w in watches]
    rows = [{**r, "filters": _filters_text(r["filters"])} for r in records]
    write(
        fmt,
        Shapes(
            view=lambda: _watches_view(watches),
            document=lambda: records,
            lines=lambda: records,
            rows=lambda: rows,
            columns=WATCH_COLUMNS,
        ),
        raw=csv_raw,
    )


def _watches_view(watches: Sequence[Watch]) -> RenderableType:
    if not watches:
        return Text(NO_WATCHES)
    table = Table(title_justify="left")
    for column in ("Name", "Query", "Filters", "Created", "Last checked"):
        table.add_column(column)
    for w in watches:
        cells = (w.name, w.text, _filters_text(w.given), minute(w.created), minute(w.checked))
        table.add_row(*(text(c or "—") for c in cells))
    return table


@watch_group.command("remove")
@click.argument("name")
@index_option
@click.pass_context
def watch_remove(ctx: click.Context, name: str, index_dir: Path) -> None:
    """Forget the saved search NAME.

    \b
    Examples:
      jobsearch watch remove ml
    """
    with open_index(index_dir, ctx) as index:
        index.watches.remove(name)
    say(f"removed the saved search {name!r}")


@click.command("new")
@click.argument("name", required=False)
@click.option("--peek", is_flag=True, help="List what is new without recording the check.")
@output_options
@click.pass_context
def new_command(
    ctx: click.Context, name: str | None, peek: bool, index_dir: Path, fmt: str, csv_raw: bool
) -> None:
    """Postings new to each saved search.

    Lists the postings first indexed since each saved search (or only NAME) was last
    checked.

    Each run records the check once its listing is written in full, so the next lists
    only what came after (unless --peek); a listing that could not be written (a full
    disk, Ctrl-C) stays new.
    JSON maps each watch's name to its new postings; JSON Lines and CSV carry a
    "watch" field on each posting.

    \b
    Examples:
      jobsearch new
      jobsearch new ml --format json | jq -r '.ml[].url'
      jobsearch new --peek
    """
    # The check is recorded only after the listing is written and flushed without error:
    # a full disk, a closed pipe, Ctrl-C or a kill while printing leaves it all new.
    with open_index(index_dir, ctx) as index, index.watches.checking(name, not peek) as found:
        short = index.short_ids(h.posting.id for hits in found.values() for h in hits)
        _write_new(found, short, fmt, csv_raw)
        delivered()


def _write_new(
    found: Mapping[str, Sequence[Hit]], short: Mapping[str, str], fmt: str, csv_raw: bool
) -> None:
    write(
        fmt,
        Shapes(
            view=lambda: _new_view(found, short),
            document=lambda: {
                watch: [hit_record(h, short.get(h.posting.id)) for h in hits]
                for watch, hits in found.items()
            },
            lines=lambda: (
                {"watch": watch, **hit_record(h, short.get(h.posting.id))}
                for watch, hits in found.items()
                for h in hits
            ),
            rows=lambda: (
                {"watch": watch, **posting_row(h)} for watch, hits in found.items() for h in hits
            ),
            columns=("watch", *CSV_COLUMNS),
        ),
        raw=csv_raw,
    )


def _new_view(found: Mapping[str, Sequence[Hit]], short: Mapping[str, str]) -> RenderableType:
    if not found:
        return Text(NO_WATCHES)
    parts: list[RenderableType] = []
    for watch, hits in found.items():
        noun = "new posting" if len(hits) == 1 else "new postings"
        parts.append(text(f"{watch}: {len(hits) or 'no'} {noun}", "bold"))
        if hits:
            parts.append(hits_table(hits, short, plain_marks=colour_off()))
    return Group(*parts)
