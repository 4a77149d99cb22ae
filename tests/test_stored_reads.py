"""Reading a hit's stored fields: the restricted unpickler reads every stored document of
a real index exactly as ``pickle.loads`` does, and refuses code whatever the protocol."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import whoosh.columns as columns

from search.errors import UnsafeIndexError
from search.store import safeload
from search.store.reading import Snapshot


def _every_stored_document(path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Read every stored document of the index at ``path``, each checked against
    ``pickle.loads`` of the same bytes (our own test index: safe to unpickle)."""
    read: list[int] = []

    def checked(data: bytes, *args: object, **kwargs: object) -> Any:
        got = safeload.loads(data)
        assert got == pickle.loads(data)
        read.append(len(data))
        return got

    monkeypatch.setattr(columns, "loads", checked)
    snapshot = Snapshot(path)
    try:
        for doc in range(snapshot.doc_count_all):
            assert snapshot.reader.stored_fields(doc)["id"]
    finally:
        snapshot.close()
    return len(read)


def test_every_stored_sample_posting_reads_as_pickle_reads_it(
    sample_index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _every_stored_document(sample_index_dir, monkeypatch) == 10


def test_every_stored_corpus_posting_reads_as_pickle_reads_it(
    corpus_index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _every_stored_document(corpus_index_dir, monkeypatch) > 9000


class _Boom:
    def __reduce__(self) -> tuple[Callable[..., Any], tuple[str]]:
        return (print, ("ran",))


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_code_is_refused_whatever_the_protocol(protocol: int) -> None:
    with pytest.raises(UnsafeIndexError, match="contains code"):
        safeload.loads(pickle.dumps({"payload": [1, _Boom()]}, protocol=protocol))
