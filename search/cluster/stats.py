"""``jobsearch stats`` on a cluster index: the same figures, asked of Typesense.

Counts are of postings, as the embedded engine's stats are. Distinct cities, countries
and skills are the facets' counts of distinct values (one value returned each); the
posted range is the first and last posting by date. What a cluster does not say (size
on disk, segments, the embedded format's version, when it was last written) is None,
shown as "not known", never made up.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from search.cluster import expr as x
from search.cluster import schema as c
from search.cluster.backend import FACETS, ClusterBackend, ClusterMatch
from search.cluster.url import ClusterURL
from search.results import IndexStats
from search.store import fields as f
from search.store.documents import EPOCH

#: The facets ``stats`` shows, as the embedded engine's (``search.query.stats``).
SHOWN = (*f.FACET_FIELDS, "posted")


def cluster_stats(backend: ClusterBackend, url: ClusterURL, postings: int) -> IndexStats:
    everything = ClusterMatch(x.TRUE, x.TRUE)
    base: dict[str, Any] = {"q": "*", "query_by": c.TITLE_TERMS}
    cluster, collection = backend.cluster, backend.collection
    distinct = cluster.search(
        collection,
        dict(
            base,
            per_page=0,
            facet_by=",".join(FACETS[name] for name in (f.CITY, f.COUNTRY, f.SKILL)),
            max_facet_values=1,
        ),
    )
    totals = {
        facet["field_name"]: int(facet.get("stats", {}).get("total_values", 0))
        for facet in distinct.get("facet_counts", [])
    }
    remote = cluster.search(collection, dict(base, per_page=0, filter_by=f"{c.REMOTE}:=true"))
    first, last = (_posted(backend, base, order) for order in ("asc", "desc"))
    top = backend.facets(everything, top=10, fold=False)
    return IndexStats(
        index=url.display(),
        postings=postings,
        size_bytes=None,
        schema_version=None,
        segments=None,
        cities=totals.get(c.CITIES, 0),
        countries=totals.get(c.COUNTRIES, 0),
        skills=totals.get(c.SKILLS, 0),
        remote=int(remote.get("found", 0)),
        posted_first=first,
        posted_last=last,
        written=None,
        top={name: values for name, values in top.items() if name in SHOWN},
    )


def _posted(backend: ClusterBackend, base: dict[str, Any], order: str) -> str | None:
    """The first (``asc``) or last (``desc``) date a posting states, ISO; None when none
    states one."""
    answer = backend.cluster.search(
        backend.collection,
        dict(
            base,
            filter_by=f"{c.POSTED}:>=0",
            sort_by=f"{c.POSTED}:{order}",
            per_page=1,
            include_fields=c.POSTED,
        ),
    )
    hits = answer.get("hits", [])
    if not hits:
        return None
    day = int(hits[0]["document"][c.POSTED])
    return (EPOCH + timedelta(days=day)).isoformat()
