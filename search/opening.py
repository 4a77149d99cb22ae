"""Opening the index a command (or a service) reads: the one at a path, or, the first
time, one built from a folder of postings.

The CLI calls down into this with its own way of building (a progress bar and a report
of what was read); a library caller or a service gets a quiet build.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from search.errors import IndexNotFoundError
from search.jobindex import JobIndex
from search.store import layout

#: Builds the index at a path from files and folders (``jobsearch index`` does it with a
#: progress bar and a report).
Build = Callable[[Path, Sequence[str]], object]


def open_or_build(
    path: str | os.PathLike[str],
    data: str | os.PathLike[str] | None = None,
    build: Build | None = None,
) -> JobIndex:
    """The index at ``path``; when there is none and ``data`` is a folder, the index
    built from it first (by ``build``, else quietly). ``IndexNotFoundError`` otherwise.
    A cluster URL opens the index on the cluster (never built here)."""
    if is_cluster(path):
        return JobIndex.open(path)
    where = Path(path)
    try:
        index = JobIndex.open(where)
    except IndexNotFoundError:
        if data is None or not Path(data).is_dir():
            raise
        (build or _add_files)(where, [str(data)])
        return JobIndex.open(where)
    # A rebuild that was killed left its half-built folder: gone now, not at the next
    # writer (only when no writer holds the lock; never waits).
    layout.sweep_if_idle(where)
    return index


def is_cluster(path: str | os.PathLike[str]) -> bool:
    """Whether an index location is a cluster URL rather than a folder (then nothing
    about it is a file: no lock, no first build from data/, no folder to create)."""
    if "://" not in str(path):
        return False
    from search.cluster.url import is_cluster_url

    return is_cluster_url(path)


def shown(path: str | os.PathLike[str]) -> str:
    """An index location as messages show it: a cluster URL with its key masked."""
    if is_cluster(path):
        from search.cluster.url import mask

        return mask(str(path))
    return str(path)


def _add_files(path: Path, paths: Sequence[str]) -> None:
    from search.ingest.postings import load_postings  # only building reads files

    with JobIndex.open_or_create(path) as index:
        index.add(load_postings(paths))
