"""Shared fixtures: real Whoosh indexes built in temporary directories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from search import JobIndex, load_postings
from search.ingest import parse_listing_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
CORPUS = ROOT.parent / "shared" / "corpus" / "jobs.jsonl.gz"
SAMPLE_FILE = DATA / "amazon_science_jobs.txt"


def sample_postings() -> list[tuple[str, str]]:
    """(location line, description) of the 10 sample postings (the seed's Related content)."""
    text = SAMPLE_FILE.read_text(encoding="utf-8")
    return [(location, description) for _, location, description in parse_listing_text(text)]


@pytest.fixture(scope="session")
def sample_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the 10 sample postings, built once per test session."""
    path = tmp_path_factory.mktemp("sample") / "index"
    with JobIndex.create(path) as index:
        summary = index.add(load_postings(DATA))
    assert summary.added == 10
    return path


@pytest.fixture()
def sample_index(sample_index_dir: Path) -> JobIndex:
    with JobIndex.open(sample_index_dir) as index:
        yield index


@pytest.fixture()
def sample_copy(sample_index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the sample index, for tests that write."""
    target = tmp_path / "index"
    shutil.copytree(sample_index_dir, target)
    return target


@pytest.fixture(scope="session")
def corpus_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the real corpus; tests using it skip when the corpus is absent."""
    if not CORPUS.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    path = tmp_path_factory.mktemp("corpus") / "index"
    rejected: list[object] = []
    with JobIndex.create(path) as index:
        index.add(load_postings(CORPUS, on_reject=rejected.append))
    assert rejected == []
    return path


@pytest.fixture()
def corpus_index(corpus_index_dir: Path) -> JobIndex:
    with JobIndex.open(corpus_index_dir) as index:
        yield index
