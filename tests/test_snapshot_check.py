"""A reader that trusts its cached check for new commits still sees every commit.

``JobIndex`` remembers the stat of the pointer file and of the build folder, and skips
re-reading them while both are unchanged and settled (changed over ``SETTLED_S`` ago): a
server asks on every request. Here the files are dated an hour back so the cached check
is in use, and another ``JobIndex`` (as another process would) adds and rebuilds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from search import JobIndex
from search.model import JobPosting
from search.store import layout


def posting(posting_id: str) -> JobPosting:
    return JobPosting(
        id=posting_id,
        title="Lighthouse keeper",
        description=f"Keep lamp {posting_id} of a lighthouse lit through the night.",
        company="Coastal Lights",
    )


def settle(path: Path) -> None:
    """Date the pointer file and the build folder it names an hour back."""
    old = time.time() - 3600
    folder = path / str(layout.read_meta(path)["generation"])
    for where in (path / layout.META_FILE, folder):
        os.utime(where, (old, old), follow_symlinks=False)


def test_a_settled_reader_skips_rereading_and_still_sees_adds_and_rebuilds(
    sample_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = 0
    read_meta = layout.read_meta

    def counted(*args: Any, **kwargs: Any) -> dict[str, Any]:
        nonlocal reads
        reads += 1
        return read_meta(*args, **kwargs)

    monkeypatch.setattr(layout, "read_meta", counted)
    settle(sample_copy)
    reader = JobIndex.open(sample_copy)
    assert len(reader) == 10
    reads = 0
    assert reader.search("lighthouse").total == 0
    assert reads == 0, "a settled, unchanged index is not read again"

    JobIndex.open(sample_copy).add([posting("lamp-1")])
    assert reader.search("lighthouse").total == 1
    assert len(reader) == 11

    settle(sample_copy)
    assert len(reader) == 11
    JobIndex.rebuild(sample_copy, [posting("lamp-2"), posting("lamp-3")])
    assert reader.search("lighthouse").total == 2
    assert len(reader) == 2
