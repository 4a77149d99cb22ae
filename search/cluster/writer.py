"""Writing postings to a cluster index: upsert, delete, rebuild behind an alias.

The collection a URL names is always an alias. A rebuild writes a new collection
``COLLECTION-<UTC time>`` and points the alias at it only when every posting is in,
then drops the old one: readers never see a half-built index, and a rebuild that fails
leaves the old one as it was. Postings are sent in batches of 1,000 (``import`` with
``action=upsert``); a document the server refuses is reported with its reason and the
rest of its batch is kept. While one batch is being imported the next is built.

As the embedded engine does, a posting keeps the time its id first entered the index,
and one whose content did not change is not sent again (``unchanged``). Those are read
back from the cluster (any node), so right after another writer's batch a lagging
follower may make one count as new.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from search.cluster import schema as c
from search.cluster.client import Cluster, ImportResult, connect
from search.cluster.documents import stored_hash, to_cluster_doc
from search.cluster.url import ClusterURL
from search.errors import ClusterBusyError, ClusterError, ClusterIndexNotFoundError, InputError
from search.model import JobPosting
from search.store.documents import content_hash

BATCH = 1_000
#: Ids per lookup of the documents already there (a filter in the request line).
LOOKUP = 200
#: How long a batch waits for a leader (an election takes about 8 s) before failing.
LEADER_PATIENCE = 30.0
#: Seconds between two tries of a batch while no leader takes it.
RETRY_EVERY = 0.5

Target = ClusterURL | str | Cluster


@dataclass(frozen=True, slots=True)
class DocumentFailure:
    """A posting the cluster refused, and the server's reason."""

    id: str
    error: str


@dataclass(slots=True)
class UpsertSummary:
    """What an upsert or rebuild did, counted by posting id (as ``AddSummary``):
    ``merged`` counts postings repeating an id seen earlier in the run (the last one is
    kept); ``rejected`` the postings the cluster refused, listed in ``failures``."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    merged: int = 0
    ids: list[str] = field(default_factory=list)
    failures: list[DocumentFailure] = field(default_factory=list)
    #: The collection written (a rebuild's new one).
    collection: str = ""

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


@contextlib.contextmanager
def _opened(target: Target) -> Iterator[Cluster]:
    if isinstance(target, Cluster):
        yield target
        return
    with connect(target) as cluster:
        yield cluster


#: A collection made by ``new_collection_name``.
_REBUILT = re.compile(r".+-\d{8}t\d{12}")


def new_collection_name(alias: str) -> str:
    """``ALIAS-<UTC time to the microsecond>``: a rebuild's collection."""
    return f"{alias}-{datetime.now(UTC).strftime('%Y%m%dt%H%M%S%f')}"


def _collection(cluster: Cluster, alias: str) -> str | None:
    """The collection an alias names (or a collection of that very name), else None."""
    target = cluster.resolve(alias)
    if target is None and alias in cluster.collections():
        return alias
    return target


def create(url: Target) -> str:
    """A new empty collection behind the URL's alias; its name. ``ClusterError`` when
    the alias exists already."""
    with _opened(url) as cluster:
        alias = cluster.url.collection
        if _collection(cluster, alias) is not None:
            raise ClusterError(
                f"the cluster has a collection {alias!r} already",
                hint="add to it, or rebuild it",
            )
        name = new_collection_name(alias)
        cluster.create_collection(c.collection_schema(name))
        cluster.set_alias(alias, name)
        cluster.wait_alias(alias, name)
        return name


def _known(
    cluster: Cluster, collection: str | None, ids: Sequence[str]
) -> dict[str, tuple[str, int]]:
    """Id -> (content hash, indexed_us) of the documents of ``ids`` already stored."""
    if collection is None:
        return {}
    plain = sorted({i for i in ids if "`" not in i})
    out: dict[str, tuple[str, int]] = {}
    fields = f"{c.ID},{c.CONTENT_HASH},{c.INDEXED_US}"
    for start in range(0, len(plain), LOOKUP):
        quoted = ",".join(f"`{i}`" for i in plain[start : start + LOOKUP])
        params = {"filter_by": f"id:[{quoted}]", "include_fields": fields}
        for doc in cluster.export(collection, params):
            out[str(doc[c.ID])] = (str(doc.get(c.CONTENT_HASH, "")), int(doc[c.INDEXED_US]))
    return out


def _import(cluster: Cluster, collection: str, docs: list[dict[str, Any]]) -> list[ImportResult]:
    """Import one batch, waiting up to ``LEADER_PATIENCE`` for a leader (an upsert of the
    same documents again is harmless)."""
    deadline = time.monotonic() + LEADER_PATIENCE
    while True:
        try:
            return cluster.import_documents(collection, docs, "upsert")
        except ClusterBusyError:
            if time.monotonic() > deadline:
                raise
            time.sleep(RETRY_EVERY)


@dataclass(slots=True)
class _Batch:
    docs: list[dict[str, Any]]
    #: Whether each document's id was in the collection already.
    existed: list[bool]


def _write(
    cluster: Cluster,
    collection: str,
    postings: Iterable[JobPosting],
    known_in: str | None,
    keep_unchanged: bool,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> UpsertSummary:
    """Write every posting to ``collection``; ``known_in`` is where the first-indexed
    times (and, with ``keep_unchanged``, the unchanged postings) are looked up."""
    summary = UpsertSummary(collection=collection)
    clock = _Clock()
    seen: set[str] = set()
    counted: set[str] = set()

    def finish(batch: _Batch, future: Future[list[ImportResult]]) -> None:
        for doc, existed, result in zip(batch.docs, batch.existed, future.result(), strict=True):
            if doc[c.ID] in counted:
                continue  # a later copy of an id counted in an earlier batch
            counted.add(doc[c.ID])
            if result.get("success"):
                summary.ids.append(doc[c.ID])
                if existed:
                    summary.updated += 1
                else:
                    summary.added += 1
            else:
                summary.rejected += 1
                summary.failures.append(
                    DocumentFailure(doc[c.ID], str(result.get("error", "refused")))
                )
        if progress is not None:
            progress(summary.total + summary.rejected + summary.merged)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: tuple[_Batch, Future[list[ImportResult]]] | None = None
        for chunk in _chunks(postings, batch_size):
            fresh: list[JobPosting] = []
            for posting in chunk:
                if posting.id in seen:
                    # The last copy of an id wins, as in the embedded engine.
                    summary.merged += 1
                    fresh = [p for p in fresh if p.id != posting.id]
                seen.add(posting.id)
                fresh.append(posting)
            known = _known(cluster, known_in, [p.id for p in fresh])
            batch = _Batch([], [])
            for posting in fresh:
                before = known.get(posting.id)
                first = before[1] / 1_000_000 if before is not None else clock.next()
                same = before is not None and before[0] == stored_hash(content_hash(posting))
                if keep_unchanged and same:
                    if posting.id not in counted:
                        counted.add(posting.id)
                        summary.unchanged += 1
                        summary.ids.append(posting.id)
                    continue
                batch.docs.append(to_cluster_doc(posting, first))
                batch.existed.append(before is not None)
            if pending is not None:
                finish(*pending)
                pending = None
            if batch.docs:
                pending = (batch, pool.submit(_import, cluster, collection, batch.docs))
        if pending is not None:
            finish(*pending)
    return summary


class _Clock:
    """First-indexed times of new postings: the clock's, in whole microseconds, each
    after the one before. Batches are written in order, one at a time, so on every node
    a posting stamped later is applied later: a saved search that read the newest stamp
    one node holds, and searched after, has seen every posting stamped up to it
    (``ClusterIndex.newest_indexed``)."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> float:
        self.last = max(int(time.time() * 1_000_000), self.last + 1)
        return self.last / 1_000_000


def _chunks(postings: Iterable[JobPosting], size: int) -> Iterator[list[JobPosting]]:
    chunk: list[JobPosting] = []
    for posting in postings:
        chunk.append(posting)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def upsert(
    url: Target,
    postings: Iterable[JobPosting],
    *,
    create_missing: bool = False,
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> UpsertSummary:
    """Add or update postings in the URL's collection; a posting the cluster refuses is
    counted and listed, the others are kept. ``create_missing`` creates the collection
    when the alias does not exist (else ``ClusterIndexNotFoundError``)."""
    with _opened(url) as cluster:
        alias = cluster.url.collection
        collection = _collection(cluster, alias)
        if collection is None:
            if not create_missing:
                raise ClusterIndexNotFoundError(
                    f"the cluster has no collection or alias {alias!r}",
                    hint="create it with a rebuild, or check the name in the URL",
                )
            collection = create(cluster)
        summary = _write(cluster, collection, postings, collection, True, batch_size, progress)
        cluster.wait_replicated(collection)
        return summary


def rebuild(
    url: Target,
    postings: Iterable[JobPosting],
    *,
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> UpsertSummary:
    """Replace the URL's collection by one built from ``postings`` only: written aside,
    then the alias is switched to it and the old collection dropped. Postings keep the
    time they first entered the old collection. When nothing could be written, or
    anything fails, the new collection is dropped and the old one stays."""
    with _opened(url) as cluster:
        alias = cluster.url.collection
        old = cluster.resolve(alias)
        if old is None and alias in cluster.collections():
            raise ClusterError(
                f"{alias!r} on the cluster is a collection, not an alias: a rebuild would "
                "have to delete it before the new one is ready",
                hint="rebuild under another name, then drop it",
            )
        name = new_collection_name(alias)
        cluster.create_collection(c.collection_schema(name))
        try:
            summary = _write(cluster, name, postings, old, False, batch_size, progress)
            cluster.wait_replicated(name)
            if summary.total == 0:
                raise InputError(
                    f"no posting could be written: the cluster index {alias!r} is unchanged"
                )
            cluster.set_alias(alias, name)
            cluster.wait_alias(alias, name)  # no node reads the old one once it is dropped
        except BaseException:
            with contextlib.suppress(ClusterError):
                cluster.drop_collection(name)
            raise
        # A follower may have answered with the alias as it was a moment ago: every
        # earlier collection of this alias goes, not only the one it named.
        for stale in cluster.collections():
            ours = bool(_REBUILT.fullmatch(stale)) and stale.rpartition("-")[0] == alias
            if stale == old or (ours and stale < name):
                with contextlib.suppress(ClusterIndexNotFoundError):
                    cluster.drop_collection(stale)
        return summary


def delete(url: Target, ids: Iterable[str]) -> int:
    """Delete postings by id; how many were there."""
    with _opened(url) as cluster:
        alias = cluster.url.collection
        deleted = cluster.delete_ids(alias, list(dict.fromkeys(ids)))
        cluster.wait_replicated(alias)
        return deleted


def count(url: Target) -> int:
    """How many postings the URL's collection holds (as one node sees it)."""
    with _opened(url) as cluster:
        return cluster.num_documents(cluster.url.collection)


def drop(url: Target) -> None:
    """Delete the URL's alias and the collection behind it (for tests and clean-up)."""
    with _opened(url) as cluster:
        alias = cluster.url.collection
        target = cluster.resolve(alias)
        if target is None:
            if alias not in cluster.collections():
                raise ClusterIndexNotFoundError(
                    f"the cluster has no collection or alias {alias!r}",
                    hint="check the name in the URL",
                )
            cluster.drop_collection(alias)
            return
        cluster.drop_alias(alias)
        cluster.drop_collection(target)
