"""Reading a hit's stored fields: the restricted unpickler reads every stored document of
a real index exactly as ``pickle.loads`` does, still refuses code, and searches answer
the same through it as through the unbuffered reader it replaced."""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import whoosh.codec.whoosh3 as w3
import whoosh.columns as columns

from search import JobIndex
from search.errors import UnsafeIndexError
from search.store import safeload
from search.store.reading import Snapshot


def _unbuffered(data: bytes, *args: object, **kwargs: object) -> Any:
    """The reader before: the restricted unpickler over a bare ``BytesIO``."""
    return safeload._Restricted(io.BytesIO(data)).load()


def _every_stored_document(path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Read every stored document of the index at ``path``, each checked against
    ``pickle.loads`` of the same bytes (our own test index: safe to unpickle)."""
    read: list[int] = []

    def checked(data: bytes, *args: object, **kwargs: object) -> Any:
        got = safeload.loads(data)
        assert got == pickle.loads(data)
        assert got == _unbuffered(data)
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


@pytest.mark.parametrize("data", [b"", pickle.dumps("x" * 100_000), pickle.dumps([{}] * 3)])
def test_the_buffered_reader_takes_any_length(data: bytes) -> None:
    if not data:
        with pytest.raises(EOFError):
            safeload.loads(data)
        return
    assert safeload.loads(data) == pickle.loads(data)


class _Boom:
    def __reduce__(self) -> tuple[Callable[..., Any], tuple[str]]:
        return (print, ("ran",))


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_code_is_refused_whatever_the_protocol(protocol: int) -> None:
    with pytest.raises(UnsafeIndexError, match="contains code"):
        safeload.loads(pickle.dumps({"payload": [1, _Boom()]}, protocol=protocol))


def _answers(index: JobIndex, queries: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    return [index.search(text, **filters) for text, filters in queries]


def test_searches_answer_the_same_as_through_the_unbuffered_reader(
    corpus_index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries: list[tuple[str, dict[str, Any]]] = [
        ("python data engineer", {}),
        ("machine learning", {"city": ["Seattle"]}),
        ("senior software engineer remote", {}),
        ("applied scientist", {"skill": ["python"]}),
        ("", {"city": ["New York"]}),
    ]
    with JobIndex.open(corpus_index_dir) as index:
        new = _answers(index, queries)
    monkeypatch.setattr(columns, "loads", _unbuffered)
    monkeypatch.setattr(w3, "loads", _unbuffered)
    # A fresh process's reader: nothing read before is kept.
    with JobIndex.open(corpus_index_dir) as index:
        old = _answers(index, queries)
    assert [r.total for r in new] == [r.total for r in old]
    assert any(r.hits for r in new)
    assert new == old
