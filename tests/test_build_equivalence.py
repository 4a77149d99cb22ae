"""The build's shortcuts change nothing: an index built with them equals one built without.

Indexing keeps results of repeated work (a location field's places, a text's skill
matches, a source file's resolved path) and reads ASCII text with an ASCII tokenizer.
The same corpus postings are indexed twice, once as usual and once with every such
shortcut bypassed (each posting's work done afresh); the two indexes must hold the same
bytes in every segment file and side table, and answer the same searches with the same
hits, totals and facets.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from search import JobIndex, load_postings
from search.extract import locations, skills
from search.store import analysis, building, documents, layout
from search.store.layout import INDEX_NAME
from search.store.schema import SCHEMA_VERSION
from tests.conftest import read_corpus

#: Enough postings to repeat location strings and skill lists many times over.
SIZE = 300
#: One clock for both builds, so the times stored with each posting agree.
CLOCK = 1_790_000_000.0
QUERIES = ["machine learning engineer", "python", "data scientist sql", "remote", ""]
FILTERS: list[dict[str, list[str]]] = [{}, {"city": ["Seattle"]}, {"skill": ["python"]}]


def _uncached(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bypass every cache of repeated indexing work."""
    monkeypatch.setattr(locations, "_from_field", locations._from_field.__wrapped__)
    monkeypatch.setattr(documents, "_resolved", documents._resolved.__wrapped__)
    find_hits = skills.SkillVocabulary._hits

    def fresh_hits(self: skills.SkillVocabulary, text: str) -> object:
        self._last, self._inner_cache = None, {}
        return find_hits(self, text)

    monkeypatch.setattr(skills.SkillVocabulary, "_hits", fresh_hits)
    monkeypatch.setattr(analysis, "_ASCII_TOKENS", analysis._TOKENS)


def _build(rows: Path, path: Path, prepare: Callable[[], None]) -> None:
    prepare()
    JobIndex.rebuild(path, load_postings(rows))


def _files(path: Path) -> dict[str, bytes]:
    """Every file of the index's current build, segment ids replaced by their order."""
    folder = layout.current(path, SCHEMA_VERSION)
    names = sorted(
        {p.name.split(".")[0] for p in folder.iterdir() if p.name.startswith(f"{INDEX_NAME}_")}
    )
    renamed = {name: f"segment{i}" for i, name in enumerate(names)}
    files: dict[str, bytes] = {}
    for file in sorted(folder.rglob("*")):
        if not file.is_file() or file.name.startswith((".", "_")):
            continue  # the pointer's lock and the table of contents name segment ids
        relative = str(file.relative_to(folder))
        data = file.read_bytes()
        for name, stable in renamed.items():
            relative = relative.replace(name, stable)
            data = data.replace(name.encode(), stable.encode())
        files[relative] = data
    return files


def _answers(path: Path) -> list[object]:
    out: list[object] = []
    with JobIndex.open(path) as index:
        for text in QUERIES:
            for where in FILTERS:
                found = index.search(text, where, limit=20)
                hits = [(h.posting.id, h.score) for h in found]
                out.append((text, where, found.total, hits, found.facets))
        out.append([index.get(h.posting.id) for h in index.search("engineer", limit=50)])
    return out


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    rows = tmp_path_factory.mktemp("rows") / "rows.jsonl"
    rows.write_text("".join(json.dumps(r) + "\n" for r in read_corpus(SIZE)), encoding="utf-8")
    clock = types.SimpleNamespace(time=lambda: CLOCK)
    usual, plain = tmp_path_factory.mktemp("usual") / "i", tmp_path_factory.mktemp("plain") / "i"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(building, "time", clock)
        _build(rows, usual, lambda: None)
        _build(rows, plain, lambda: _uncached(patch))
    return usual, plain


@pytest.mark.corpus
def test_caches_are_used(builds: tuple[Path, Path]) -> None:
    """The shortcuts are taken (else the comparison below proves nothing)."""
    assert locations._from_field.cache_info().hits > 0
    assert documents._resolved.cache_info().hits > 0


@pytest.mark.corpus
def test_same_bytes_in_every_file(builds: tuple[Path, Path]) -> None:
    usual, plain = _files(builds[0]), _files(builds[1])
    assert sorted(usual) == sorted(plain)
    assert any(name.startswith("side/") for name in usual)
    for name, data in usual.items():
        assert data == plain[name], name


@pytest.mark.corpus
def test_same_answers(builds: tuple[Path, Path]) -> None:
    assert _answers(builds[0]) == _answers(builds[1])


@pytest.mark.parametrize(
    "text",
    [
        "C++ and C# on .NET, Node.js/React.js; e.g. R, Go (golang) & SQL_Server 2019.",
        "Senior ML Engineer -- 5+ years; pay: $120,000-$150,000/yr; a.b.c d_e",
        "",
    ],
)
def test_ascii_tokens_are_the_unicode_tokens(text: str) -> None:
    assert text.isascii()
    assert analysis._ASCII_TOKENS(text) == analysis._TOKENS(text)
