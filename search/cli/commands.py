"""The ``jobsearch`` group: every command, each imported only when it runs.

A terminal search should start at once, so the group knows its commands by name and
imports a command's module only when that command is run (or its own ``--help`` is
shown): ``jobsearch search`` never loads indexing, saved searches or the HTTP service,
and ``jobsearch --version`` or ``--help`` load no engine at all. ``--help`` lists each
command with the summary written here, which a test holds equal to the command's own.

The commands live in ``search.cli.querying`` (search, show, similar, facets, stats,
evaluate), ``search.cli.indexing`` (index, delete), ``search.cli.watching`` (watch, new)
and ``search.cli.serving`` (serve).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click

from search.cli.app import JobSearchGroup
from search.version import __version__


@dataclass(frozen=True, slots=True)
class Lazy:
    """Where a command is defined, and the summary ``jobsearch --help`` lists for it."""

    module: str
    attribute: str
    summary: str

    def load(self) -> click.Command:
        command = getattr(importlib.import_module(self.module), self.attribute)
        if not isinstance(command, click.Command):  # pragma: no cover - a wrong entry
            raise TypeError(f"{self.module}.{self.attribute} is not a click command")
        return command


#: Every command of ``jobsearch``, by name.
COMMANDS: Mapping[str, Lazy] = {
    "delete": Lazy("search.cli.indexing", "delete_command", "Delete postings by id."),
    "evaluate": Lazy(
        "search.cli.querying", "evaluate_command", "Measure ranking, or the extracted facts."
    ),
    "facets": Lazy("search.cli.querying", "facets_command", "Count matching postings by facet."),
    "index": Lazy("search.cli.indexing", "index_command", "Index posting files or directories."),
    "new": Lazy("search.cli.watching", "new_command", "Postings new to each saved search."),
    "search": Lazy(
        "search.cli.querying", "search_command", "Search postings by keyword and filters."
    ),
    "serve": Lazy("search.cli.serving", "serve_command", "Serve the HTTP API and the web page."),
    "show": Lazy("search.cli.querying", "show_command", "Show one posting in full."),
    "similar": Lazy("search.cli.querying", "similar_command", "Postings most like another one."),
    "stats": Lazy("search.cli.querying", "stats_command", "Size and make-up of the index."),
    "watch": Lazy("search.cli.watching", "watch_group", "Saved searches, for `jobsearch new`."),
}


class LazyGroup(JobSearchGroup):
    """A group whose commands (``COMMANDS``) are imported on first use."""

    def __init__(self, *args: Any, lazy: Mapping[str, Lazy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in self.lazy:
            found = self.lazy[cmd_name].load()
            self.add_command(found, cmd_name)
        return found

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click lists commands, with the summaries of those not yet imported taken
        from ``COMMANDS`` (click shortens them in the same way) instead of importing
        every command to read its help."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            loaded = self.commands.get(name)
            if loaded is None:
                stand_in = click.Command(name, help=self.lazy[name].summary)
                rows.append((name, stand_in.get_short_help_str(limit)))
            elif not loaded.hidden:
                rows.append((name, loaded.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jobsearch")
def main() -> None:
    """Search job postings: index files, then search by keyword, place, employer, pay,
    workplace, experience, skill and more.

    \b
    Examples:
      jobsearch index data/
      jobsearch search "machine learning" --city Seattle
      jobsearch search python --workplace remote --salary-min 150k --format json
      jobsearch show 3f2a9c1b
    """


if __name__ == "__main__":  # pragma: no cover
    main()
