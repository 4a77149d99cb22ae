"""Shared fixtures: real Whoosh indexes built in temporary directories.

The real corpus (``../shared/corpus/jobs.jsonl.gz``) is optional: fixtures that need it
skip when it is absent, and every test using them is marked ``corpus`` so that
``pytest -m "not corpus"`` gives a quick loop (about half a minute).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

import pytest
from hypothesis import settings

from search import JobIndex, load_postings
from search.ingest import parse_listing_text

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "jobs.jsonl.gz"
SAMPLE_FILE = DATA / "amazon_science_jobs.txt"

#: Fixtures that read the corpus; tests using any of them get the ``corpus`` marker.
CORPUS_FIXTURES = frozenset({"corpus_rows", "corpus_index", "corpus_index_dir", "corpus_head"})

#: Under CI (``CI`` set, as ``.ci/run`` does) property tests draw the same examples on every
#: run, so a red build is reproducible; locally they explore new examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

#: The 3-node Typesense cluster fixture (``ts_cluster``) of the cluster tests.
pytest_plugins = ("tests.cluster",)

IndexFactory = Callable[[Iterable[dict[str, object]], str], JobIndex]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if CORPUS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.corpus)


def sample_postings() -> list[tuple[str, str]]:
    """(location line, description) of the 10 sample postings (the seed's Related content)."""
    text = SAMPLE_FILE.read_text(encoding="utf-8")
    return [(location, description) for _, location, description in parse_listing_text(text)]


def need_corpus() -> Path:
    """The corpus path, or skip the calling test when the corpus is absent."""
    if not CORPUS.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    return CORPUS


def read_corpus(limit: int | None = None) -> list[dict[str, str]]:
    """The corpus rows (the first ``limit`` of them), skipping when it is absent."""
    with gzip.open(need_corpus(), "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in islice(lines, limit)]


@pytest.fixture(scope="session")
def corpus_rows() -> list[dict[str, str]]:
    """Every corpus row as a dict, read once per session."""
    return read_corpus()


@pytest.fixture(scope="session")
def corpus_head(corpus_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The first 1,500 corpus rows: enough words and counts for spelling, quick to index."""
    return corpus_rows[:1500]


@pytest.fixture(scope="session")
def index_of(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexFactory]:
    """Build a small index from rows (dicts in the JSON Lines shape); one per name.

    Every index made is closed at the end of the session.
    """
    made: dict[str, JobIndex] = {}

    def build(rows: Iterable[dict[str, object]], name: str) -> JobIndex:
        if name not in made:
            folder = tmp_path_factory.mktemp(name)
            source = folder / "rows.jsonl"
            source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
            rejected: list[object] = []
            index = JobIndex.create(folder / "index")
            index.add(load_postings(source, on_reject=rejected.append))
            assert rejected == [], rejected[:3]
            made[name] = index
        return made[name]

    yield build
    for index in made.values():
        index.close()


@pytest.fixture(scope="session")
def sample_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the 10 sample postings, built once per test session."""
    path = tmp_path_factory.mktemp("sample") / "index"
    with JobIndex.create(path) as index:
        summary = index.add(load_postings(DATA))
    assert summary.added == 10
    return path


@pytest.fixture()
def sample_index(sample_index_dir: Path) -> Iterator[JobIndex]:
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
    """An index of the whole real corpus, built once per session."""
    corpus = need_corpus()
    path = tmp_path_factory.mktemp("corpus") / "index"
    rejected: list[object] = []
    with JobIndex.create(path) as index:
        index.add(load_postings(corpus, on_reject=rejected.append))
    assert rejected == []
    return path


@pytest.fixture()
def corpus_index(corpus_index_dir: Path) -> Iterator[JobIndex]:
    with JobIndex.open(corpus_index_dir) as index:
        yield index


def default_sigint() -> None:
    """For ``Popen(preexec_fn=...)``: the child takes Ctrl-C as a terminal's process
    does, also when these tests run in a background job (which starts with SIGINT
    ignored, and a process that starts so keeps ignoring it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
