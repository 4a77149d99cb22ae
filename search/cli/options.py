"""The options commands share, as decorators, and the command class that reads QUERY.

Kept apart from the commands so each command reads as what it does: ``--index``,
``--format`` (with ``--csv-raw``), ``--limit`` and the filters are declared once here,
so every command offers the same four formats and the same filters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from search.cli.records import OutputFormat

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_INDEX = "index"
#: Put before a query word that click would otherwise read as an option; removed again
#: by ``query_argument`` before the command sees the word.
_MARK = " "


class QueryCommand(click.Command):
    """A command whose QUERY may hold words starting with "-": ``search -python``
    excludes python, as the query syntax promises.

    Click reads any argument starting with "-" as options (``-python`` as ``-p -y -t
    -h ...``, and ``-h`` would show the help). Here a single-dash word that is not one of
    the command's options is kept as a query word. An unknown ``--word`` stays an error,
    since it is most often a misspelt option, and the error says how to search for it:
    after ``--``, everything is query text.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = _options(self.get_params(ctx))
        kept: list[str] = []
        value_next = False
        for at, arg in enumerate(args):
            if arg == "--":
                kept.extend(args[at:])
                break
            name = arg.split("=", 1)[0]
            if value_next:
                value_next = False
            elif name in takes_value:
                value_next = takes_value[name] and "=" not in arg
            elif len(arg) > 1 and arg[0] == "-" and arg[1] != "-":
                arg = _MARK + arg
            kept.append(arg)
        try:
            return super().parse_args(ctx, kept)
        except click.NoSuchOption as exc:
            hint = (
                "To search for it, put the query after --: "
                f"{_typed_before_query(self, ctx)} -- {exc.option_name}"
            )
            raise click.NoSuchOption(
                exc.option_name, f"{exc.format_message()} {hint}", ctx=exc.ctx
            ) from None


def _typed_before_query(command: click.Command, ctx: click.Context) -> str:
    """What to type before ``--`` and the query: the whole command path (``jobsearch
    watch add``, not ``jobsearch add``) and the arguments that come before the query."""
    names = [c.command.name for c in _chain(ctx)][1:]
    before = [
        p.human_readable_name
        for p in command.params
        if isinstance(p, click.Argument) and p.name != "query"
    ]
    return " ".join(["jobsearch", *(n for n in names if n), *before])


def _chain(ctx: click.Context) -> list[click.Context]:
    """The contexts from the root command down to ``ctx``."""
    found: list[click.Context] = []
    at: click.Context | None = ctx
    while at is not None:
        found.append(at)
        at = at.parent
    return found[::-1]


def _options(params: Sequence[click.Parameter]) -> dict[str, bool]:
    """Every option string of the command, and whether it takes a value."""
    found: dict[str, bool] = {}
    for param in params:
        if isinstance(param, click.Option):
            takes = not (param.is_flag or param.count)
            for name in (*param.opts, *param.secondary_opts):
                found[name] = takes
    return found


def _unmark(_: click.Context, __: click.Parameter, words: tuple[str, ...]) -> tuple[str, ...]:
    """The query words with the mark of ``QueryCommand`` taken off."""
    return tuple(w.removeprefix(_MARK) if w.startswith(_MARK + "-") else w for w in words)


def query_argument(func: F) -> F:
    """QUERY: the words of the query, as typed (``-word`` excludes a word)."""
    return click.argument("query", nargs=-1, callback=_unmark)(func)


def literal_option(func: F) -> F:
    """``--literal``: the words as typed, none read as a place, level, workplace or type."""
    return click.option(
        "--literal",
        is_flag=True,
        help="Search the words as typed: read no place, level, workplace or "
        "employment type from them.",
    )(func)


class IndexLocation(click.ParamType):
    """An index directory (a ``Path``) or a cluster URL (``typesense://...``, kept as
    text: ``click.Path`` made it ``typesense:/``). A malformed URL is refused here in one
    line, its key masked."""

    name = "index"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "://" in value:
            from search.cluster.url import is_cluster_url, parse_url
            from search.errors import ClusterError

            if is_cluster_url(value):
                try:
                    parse_url(value)
                except ClusterError as exc:
                    self.fail(str(exc), param, ctx)
                return value
        return _FOLDER.convert(value, param, ctx)


_FOLDER = click.Path(file_okay=False, path_type=Path)


def index_option(func: F) -> F:
    return click.option(
        "--index",
        "index_dir",
        envvar="JOBSEARCH_INDEX",
        default=DEFAULT_INDEX,
        show_default=True,
        type=IndexLocation(),
        help="Index directory, or a cluster: typesense://KEY@HOST:PORT[,HOST:PORT...]/NAME "
        "(environment variable JOBSEARCH_INDEX).",
    )(func)


def output_options(func: F) -> F:
    """``--format`` (table, json, jsonl, csv), ``--csv-raw`` and ``--index``."""
    func = click.option(
        "--csv-raw",
        is_flag=True,
        help="With --format csv, write every cell as it is. By default a cell "
        "starting with = + - @ (a formula to a spreadsheet) gets a leading '.",
    )(func)
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice([f.value for f in OutputFormat]),
        default=OutputFormat.TABLE.value,
        show_default=True,
        help="table for people; json, jsonl or csv for programs.",
    )(func)
    return index_option(func)


def limit_option(default: int, *, all_results: bool = False) -> Callable[[F], F]:
    """``--limit N``; where ``all_results``, 0 streams every match (as --all-results)."""
    more = " 0: every match, streamed (jsonl or csv)." if all_results else ""
    return click.option(
        "--limit",
        type=click.IntRange(min=0 if all_results else 1),
        default=default,
        show_default=True,
        help="Hits per page." + more,
    )


def filter_options(func: F) -> F:
    """The filters shared by ``search``, ``facets`` and ``watch add``.

    Values go to the library as typed: it checks them and says what is wrong, so the
    command line and the library accept the same things.
    """
    options = [
        click.option("--city", multiple=True, help="City (repeat to OR): 'Seattle, WA', NYC."),
        click.option("--state", multiple=True, help="State or region: WA, California, KA."),
        click.option("--country", multiple=True, help="Country name or ISO code: DE, Germany, GB."),
        click.option("--skill", multiple=True, help="Skill or alias: pytorch, NLP, k8s."),
        click.option("--role", multiple=True, help="Role family: 'data scientist', engineer."),
        click.option(
            "--level", multiple=True, help="intern, entry, mid, senior, principal, manager."
        ),
        click.option(
            "--type",
            "employment_type",
            multiple=True,
            help="full-time, part-time, contract, temporary, internship.",
        ),
        click.option("--company", multiple=True, help="Employer (any case or punctuation)."),
        click.option(
            "--exclude-company", multiple=True, help="Leave out postings of this employer."
        ),
        click.option("--workplace", multiple=True, help="remote, hybrid or onsite (repeat to OR)."),
        click.option(
            "--remote/--on-site",
            default=None,
            help="Same as --workplace remote (or --workplace onsite).",
        ),
        click.option(
            "--salary-min",
            metavar="AMOUNT",
            help="Yearly pay the posting's range reaches: 150000, 150k. "
            "Postings stating no pay, or only a job site's estimate of it "
            "('Glassdoor est.'), are left out (a note counts them).",
        ),
        click.option("--currency", metavar="CODE", help="Currency of --salary-min: USD, EUR, GBP."),
        click.option(
            "--estimates",
            is_flag=True,
            default=None,
            help="With --salary-min, count pay that is only a job site's estimate too.",
        ),
        click.option(
            "--max-years",
            metavar="N",
            help="At most N years of experience required (postings stating none left out).",
        ),
        click.option(
            "--degree",
            help="The highest degree you hold: none, bachelor, master, phd.",
        ),
        click.option("--near", help="A city to search around: 'Palo Alto, CA'."),
        click.option("--radius", "radius_km", help="Distance for --near: 50km (default), 30mi."),
        click.option("--exclude", multiple=True, help="Leave out postings with this word."),
        click.option(
            "--since",
            metavar="WHEN",
            help="Posted on or after: today, yesterday, 3d, 2w, 1m or YYYY-MM-DD.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func
