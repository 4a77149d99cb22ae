"""``JobIndex`` over a Typesense cluster: ``JobIndex.open("typesense://...")``.

Searches run the same policy (``search.query.pipeline``) over ``ClusterBackend``;
writes go through ``search.cluster.writer`` (upsert, delete). Each search reads through
a new backend, so document numbers never outlive the search that made them, and a
rebuild switched in by the alias is seen by the next search. What a cluster index
does not offer yet says so in one line (``ClusterError``), never a wrong answer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from search.cluster import schema as c
from search.cluster import writer
from search.cluster.backend import ClusterBackend
from search.cluster.client import Cluster, connect
from search.cluster.stats import cluster_stats
from search.cluster.url import ClusterURL, parse_url
from search.errors import AmbiguousIdError, ClusterError, PostingNotFoundError
from search.jobindex import JobIndex
from search.model import JobPosting
from search.results import Hit, IndexStats

if TYPE_CHECKING:
    from search.watches import Watches

#: Ids a prefix lookup reads at most.
PREFIX_IDS = 250


class ClusterIndex(JobIndex):
    """A job-posting index on a Typesense cluster (see the module's docstring)."""

    def __init__(self, url: ClusterURL) -> None:
        super().__init__(path=None)  # type: ignore[arg-type]
        self.url = url
        self.cluster: Cluster = connect(url)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> ClusterIndex:
        """Open the cluster index of a URL; ``ClusterIndexNotFoundError`` when the
        cluster has no such collection or alias."""
        index = cls(parse_url(path))
        try:
            index.cluster.num_documents(index.url.collection)
        except BaseException:
            index.close()
            raise
        return index

    def close(self) -> None:
        self.cluster.close()

    def _read(self) -> ClusterBackend:  # type: ignore[override]
        return ClusterBackend(self.cluster, self.url.collection)

    def __len__(self) -> int:
        """Postings in the index as the leader counts them (a follower may lag a write
        just acknowledged), else as any node does."""
        counted = self.cluster.leader_count(self.url.collection)
        if counted is None:
            counted = self.cluster.num_documents(self.url.collection)
        return counted

    def add(  # type: ignore[override]
        self, postings: Iterable[JobPosting], progress: Callable[[int], None] | None = None
    ) -> writer.UpsertSummary:
        return writer.upsert(self.cluster, postings, progress=progress)

    def delete(self, ids: Iterable[str]) -> int:
        """Delete postings by id or unique id prefix; every one is resolved first, so
        one that names no posting, or several, deletes nothing."""
        full = [self.resolve(i) for i in ids]
        return writer.delete(self.cluster, full)

    def resolve(self, posting_id: str) -> str:
        if not isinstance(posting_id, str) or not posting_id.strip():
            raise _not_found(str(posting_id))
        if self.cluster.get_document(self.url.collection, posting_id) is not None:
            return posting_id
        answer = self.cluster.search(
            self.url.collection,
            {
                "q": posting_id,
                "query_by": "id_text",
                "prefix": "true",
                "num_typos": 0,
                "per_page": PREFIX_IDS,
                "include_fields": "id",
            },
        )
        found = sorted(
            {
                str(hit["document"]["id"])
                for hit in answer.get("hits", [])
                if str(hit["document"]["id"]).startswith(posting_id)
            }
        )
        if not found:
            raise _not_found(posting_id)
        if len(found) > 1:
            shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
            raise AmbiguousIdError(
                f"{posting_id!r} starts several ids: {shown}", hint="give more of the id"
            )
        return found[0]

    def get(self, posting_id: str) -> JobPosting:
        backend = self._read()
        num = backend.number(self.resolve(posting_id))
        if num is None:
            raise _not_found(posting_id)
        return backend.posting(num)

    def short_ids(self, ids: Iterable[str], least: int = 8) -> dict[str, str]:
        """Ids shown whole: finding each one's shortest unique prefix would cost a
        request per id on a cluster."""
        return {i: i for i in ids}

    def _unavailable(self, what: str) -> ClusterError:
        return ClusterError(f"{what} is not available on a cluster index yet")

    def similar(self, posting_id: str, limit: int = 5) -> tuple[Hit, ...]:
        """As ``JobIndex.similar``: key terms scored by how many postings hold each (a
        cluster counts documents, not occurrences), ranked by Typesense's text match."""
        from search.cluster.similar import similar as similar_to  # loaded when asked for

        backend = self._read()
        num = backend.number(self.resolve(posting_id))
        if num is None:
            raise _not_found(posting_id)
        return similar_to(backend, num, limit)

    def stats(self) -> IndexStats:
        """Postings, distinct places and skills, remote postings, the posted range and
        the ten most frequent values of each facet (postings, not jobs, as embedded).
        Size on disk, segments, format version and last write are not known."""
        return cluster_stats(self._read(), self.url, len(self))

    def newest_indexed(self) -> float:
        """The newest first-indexed time that every answering node holds: the lowest of
        the nodes' newest. The writer stamps postings in the order they are written,
        so a node holding a posting holds every one stamped before it, and a search
        asked after this answers on any node with all of them (one writer at a time)."""
        each = [
            n
            for n in self.cluster.highest_on_each_node(
                self.url.collection, c.INDEXED_US, c.TITLE_TERMS
            )
            if n is not None
        ]
        if not each:
            raise self.cluster.unreachable(write=False)
        return min(each) / 1_000_000

    @property
    def watches(self) -> Watches:
        """The saved searches of this cluster index, kept on this machine (a file under
        ``state_folder``): a person's job alerts, not the cluster's."""
        from search.watches import Watches

        return Watches(self, folder=state_folder(self.url))

    def baseline(self, *args: Any, **kwargs: Any) -> list[str]:
        raise self._unavailable("the plain BM25 baseline")


def state_folder(url: ClusterURL) -> Path:
    """Where this machine keeps what it saves about a cluster index (its saved
    searches): ``$JOBSEARCH_STATE_DIR``, else ``$XDG_STATE_HOME/jobsearch``, else
    ``~/.local/state/jobsearch``; then ``clusters/COLLECTION@HOST_PORT,...``."""
    base = os.environ.get("JOBSEARCH_STATE_DIR") or ""
    if not base:
        xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        base = str(Path(xdg) / "jobsearch")
    nodes = ",".join(f"{host}_{port}" for host, port in url.nodes)
    name = re.sub(r"[^\w.,@-]", "_", f"{url.collection}@{nodes}")
    return Path(base) / "clusters" / name


def _not_found(posting_id: str) -> PostingNotFoundError:
    return PostingNotFoundError(
        f"no posting with id {posting_id!r}",
        hint="search results list the ids: `jobsearch search` or JobIndex.search",
    )
