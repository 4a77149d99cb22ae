"""``jobsearch index FILES --index typesense://...``: the same reading, per-file report and
summary line as the embedded indexer, written through ``search.cluster.writer``.

An update upserts in batches as the files are read (the collection and its alias are
made at the first index); ``--rebuild`` writes a new collection and switches the alias
to it only when every posting is in, so searches never see a half-built index. Copies
of one job posted for several cities stay one document each, with the embedded
engine's duplicate key: searches count them once, as the embedded engine does, and
``--all`` shows every copy. The URL's key is never printed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from search.cli.app import say
from search.errors import ClusterIndexNotFoundError, InputError

if TYPE_CHECKING:
    from search.cluster.writer import UpsertSummary
    from search.model import JobPosting


def _held(url: str) -> int | None:
    """Postings in the cluster index now, as the leader counts them (a follower may lag
    the write just acknowledged); None when there is no such index yet."""
    from search.cluster.index import ClusterIndex

    try:
        with ClusterIndex.open(url) as index:
            return len(index)
    except ClusterIndexNotFoundError:
        return None


def _increments(advance: Callable[[int], None]) -> Callable[[int], None]:
    """The writer reports its running total; the progress bar takes steps."""
    done = 0

    def progress(total: int) -> None:
        nonlocal done
        if total > done:
            advance(total - done)
            done = total

    return progress


def build(
    url: str,
    paths: Sequence[str],
    *,
    rebuild: bool = False,
    strict: bool = False,
    field_map: Sequence[str] = (),
    prune: bool = False,
) -> None:
    """Read ``paths`` into the cluster index of ``url`` (see the module's docstring)."""
    from search.cli.indexing import _postings, _report, meter, open_sources
    from search.cluster import writer
    from search.opening import shown

    if prune:
        raise InputError(
            "--prune is not available on a cluster index yet",
            hint="rebuild it from the full files with --rebuild",
        )
    where = shown(url)
    source, rejections, report = open_sources(paths, strict, field_map)
    before = _held(url)
    try:
        with meter(source) as bar:
            source.on_file = bar.file_done
            postings: Iterable[JobPosting] = source.read_all() if strict else source
            progress = _increments(bar.advance)
            if rebuild:
                summary = writer.rebuild(url, postings, progress=progress)
            else:
                summary = writer.upsert(url, postings, create_missing=True, progress=progress)
    except KeyboardInterrupt:
        say(_interrupted(url, where, before, rebuild))
        raise SystemExit(130) from None
    except InputError:
        _report(rejections, report.conflict_note())  # why nothing could be written
        raise
    _report(rejections, report.conflict_note())
    _refused(summary)
    held = _held(url) or 0
    holds = f"{where} holds {_postings(held)}"
    if before is None and held == 0 and summary.total == 0:
        writer.drop(url)  # a first index that took nothing leaves no empty collection
        holds = f"nothing was indexed; no index was left at {where}"
    rejected = len(rejections) + summary.rejected
    if rebuild:  # a new index, as the embedded engine counts it: every posting added
        summary.added, summary.updated = summary.added + summary.updated, 0
    say(
        f"added {summary.added}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"rejected {rejected}; {holds}"
    )
    if rejected and not summary.total:
        raise InputError(
            f"no valid postings in {', '.join(paths)}", hint="see the rejected records above"
        )


def _refused(summary: UpsertSummary) -> None:
    """The postings the cluster refused, with the server's reason (as rejected records)."""
    from search.cli.indexing import MAX_REJECTIONS_SHOWN

    for failure in summary.failures[:MAX_REJECTIONS_SHOWN]:
        say(("rejected", "yellow"), " ", f"posting {failure.id!r} by the cluster: {failure.error}")
    if len(summary.failures) > MAX_REJECTIONS_SHOWN:
        say(f"... and {len(summary.failures) - MAX_REJECTIONS_SHOWN} more refused postings")


def _interrupted(url: str, where: str, before: int | None, rebuild: bool) -> str:
    """What an interrupt left, counted on the cluster: a rebuild's new collection is
    dropped (the old one stays); an update keeps the batches the cluster acknowledged."""
    from search.cli.indexing import _postings

    after = _held(url)
    if rebuild:
        if after is None:
            return f"interrupted: the rebuild was abandoned; no index was made at {where}"
        return f"interrupted: the rebuild was abandoned; {where} is as it was"
    if after is None:
        return f"interrupted: no index was made at {where}"
    start = before or 0
    return (
        f"interrupted: the batches written before the interrupt are kept: {where} holds "
        f"{_postings(after)} ({after - start:+,} since the start); index the same files "
        "again to finish"
    )
