"""Index the corpus into a local 3-node Typesense cluster and print what it cost.

    python scripts/cluster_store_bench.py                 # ../shared/corpus/jobs.jsonl.gz
    python scripts/cluster_store_bench.py --file F.jsonl  # any postings file

Starts three nodes on 127.0.0.1-3 as the tests do (``tests/cluster.py``), reads the
postings (timed apart: extraction is the same for both engines), times making the
documents alone, then a rebuild into the cluster (batches of 1,000) until every node
counts every posting, an upsert of the same postings (all unchanged), and prints the
resident memory of each node. Asserts nothing: the figures are read, not tested.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search import load_postings  # noqa: E402
from search.cluster import writer  # noqa: E402
from search.cluster.client import connect  # noqa: E402
from search.cluster.documents import to_cluster_doc  # noqa: E402
from tests.cluster import running_cluster  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "jobs.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=CORPUS)
    args = parser.parse_args()

    start = time.perf_counter()
    postings = list(load_postings(args.file))
    read = time.perf_counter() - start
    print(f"read {len(postings):,} postings in {read:.1f} s (extraction, both engines)")

    start = time.perf_counter()
    for posting in postings:
        to_cluster_doc(posting, 0.0)
    docs = time.perf_counter() - start
    print(f"documents alone: {docs:.1f} s ({len(postings) / docs:,.0f} postings/s)")

    with tempfile.TemporaryDirectory() as root, running_cluster(Path(root)) as cluster:
        empty = [cluster.rss_mib(n) for n in (1, 2, 3)]
        url = cluster.url("jobs")
        start = time.perf_counter()
        summary = writer.rebuild(url, postings)
        acked = time.perf_counter() - start
        with connect(url) as client:
            while client.node_counts("jobs") != [summary.total] * 3:
                time.sleep(0.1)
        everywhere = time.perf_counter() - start
        print(
            f"rebuild: {summary.added:,} added, {summary.rejected} refused, "
            f"{summary.merged} merged; acknowledged in {acked:.1f} s "
            f"({summary.total / acked:,.0f} postings/s), on all 3 nodes after "
            f"{everywhere:.1f} s ({summary.total / everywhere:,.0f} postings/s)"
        )
        start = time.perf_counter()
        again = writer.upsert(url, postings)
        print(
            f"upsert of the same postings: {again.unchanged:,} unchanged, {again.updated} "
            f"updated in {time.perf_counter() - start:.1f} s"
        )
        rss = [cluster.rss_mib(n) for n in (1, 2, 3)]
        print(
            "RSS per node (MiB): "
            + ", ".join(
                f"node {n}: {after:.0f} (empty {before:.0f})"
                for n, before, after in zip((1, 2, 3), empty, rss, strict=True)
            )
        )


if __name__ == "__main__":
    main()
