"""Opening the index for a command, building the default one the first time.

Apart from ``search.cli.indexing`` so that a search imports neither the indexing
command's progress display nor the ingestion code: those load only when the default
index must be built first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from search.cli.app import DEFAULT_DATA, say

if TYPE_CHECKING:
    from search.jobindex import JobIndex


def open_index(index_dir: Path | str, ctx: click.Context) -> JobIndex:
    """Open the index; build the default one from data/ the first time it is needed."""
    from search.opening import open_or_build  # the engine loads when a command needs it

    is_default = ctx.get_parameter_source("index_dir") == click.core.ParameterSource.DEFAULT

    def first_build(path: Path, paths: Sequence[str]) -> None:
        from search.cli.indexing import build

        say(f"no index at {path}/: building it from {paths[0]}/ first")
        build(path, paths)

    return open_or_build(index_dir, DEFAULT_DATA if is_default else None, first_build)
