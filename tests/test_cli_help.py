"""Every command explains itself: ``--help`` with at least one example, and the README's
option lists are the options ``--help`` shows (checked, so neither drifts).

The README marks each list with ``<!-- options: COMMAND -->`` before it; the list is the
options in backquotes up to the next blank line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from search.cli.commands import main
from tests.conftest import ROOT

README = ROOT / "README.md"
_MARKER = re.compile(r"<!-- options: ([a-z ]+) -->\n(.*?)(?:\n\n|\Z)", re.S)


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every command and subcommand (the group itself first)."""
    yield path
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        sub = group.get_command(ctx, name)
        assert sub is not None
        if isinstance(sub, click.Group):
            yield from commands(sub, (*path, name))
        else:
            yield (*path, name)


def command_of(path: tuple[str, ...]) -> click.Command:
    found: click.Command = main
    for name in path:
        assert isinstance(found, click.Group)
        sub = found.get_command(click.Context(found), name)
        assert sub is not None
        found = sub
    return found


def help_options(path: tuple[str, ...]) -> set[str]:
    """Every long option the command's ``--help`` lists (negations included)."""
    command = command_of(path)
    names: set[str] = set()
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            names.update(o for o in (*param.opts, *param.secondary_opts) if o.startswith("--"))
    return names - {"--help", "--version"}


def readme_lists() -> dict[str, set[str]]:
    return {
        name: set(re.findall(r"`(--[a-z][a-z-]*)", body))
        for name, body in _MARKER.findall(README.read_text(encoding="utf-8"))
    }


ALL = sorted(commands())


def test_the_command_tree_is_the_documented_one() -> None:
    assert ALL == [
        (),
        ("delete",),
        ("evaluate",),
        ("facets",),
        ("index",),
        ("new",),
        ("search",),
        ("serve",),
        ("show",),
        ("similar",),
        ("stats",),
        ("watch",),
        ("watch", "add"),
        ("watch", "list"),
        ("watch", "remove"),
    ]


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "jobsearch")
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    example = re.compile(rf"^\s+jobsearch {re.escape(' '.join(path))}", re.M)
    assert example.search(result.stdout), result.stdout


@pytest.mark.parametrize("path", [p for p in ALL if p and p != ("watch",)], ids=" ".join)
def test_the_readme_lists_the_options_help_shows(path: tuple[str, ...]) -> None:
    documented = readme_lists()
    name = " ".join(path)
    assert name in documented, f"README.md has no <!-- options: {name} --> list"
    assert documented[name] == help_options(path)


def test_every_readme_list_names_a_command() -> None:
    known = {" ".join(p) for p in ALL}
    assert set(readme_lists()) <= known
