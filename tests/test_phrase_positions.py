"""Word positions for quoted phrases: written right, matched exactly, old indexes still read.

A phrase that is not a skill phrase is matched from the positions each segment keeps
beside its title and description postings (``search.store.positions``). These tests
build real indexes: one with positions, one written as before positions existed (the
writer told to keep none), and one mixing both kinds of segment; they check that

- the positions a segment stores give back each posting's analysed terms, in order;
- a phrase finds, through positions, the postings Whoosh's own ``Phrase`` over a
  positional index finds, for generated phrases (hypothesis), in title and description
  and in a title search's unstemmed title words, with stop words and one-letter tokens
  between, repeated words, three words;
- an index without positions answers as before (stored text, and the bound's note),
  and a mixed index answers as one with positions where the old path was not bounded;
- damaged position tables are refused with the clean error, not a traceback.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as windex
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema

from search import JobIndex, load_postings
from search.cli import main
from search.errors import SchemaVersionError
from search.query import phrases
from search.store import segments
from search.store.analysis import FastTextAnalysis, text_analyzer, title_analyzer
from search.store.positions import POSITION_FIELDS
from search.store.reading import Snapshot

#: Words of the generated text: none a stop word, a skill word or a stem of another.
WORDS = ["alpha", "bravo", "cobalt", "delta", "ember", "falcon", "garnet", "harbor"]
#: What may stand between two words: nothing that is a term ("of the", "x", ".").
BETWEEN = [" ", " ", " ", " of the ", " x ", ". ", ", a "]
BATCHES = (300, 250)


def _text(rng: random.Random, n: int) -> str:
    words = rng.choices(WORDS, [1 / (k + 1) for k in range(len(WORDS))], k=rng.randint(3, 40))
    out = words[0]
    for word in words[1:]:
        out += rng.choice(BETWEEN) + word
    return out.capitalize() + f". Ref k{n}."


def _rows(seed: int, start: int, count: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    return [
        {
            "id": f"p{n:05d}",
            "title": " ".join(rng.sample(WORDS, rng.randint(1, 3))).title() + " Engineer",
            "company": "Acme",
            "location": "Seattle, WA",
            "description": _text(rng, n),
        }
        for n in range(start, start + count)
    ]


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _build(folder: Path, positioned: tuple[bool, ...], monkeypatch: pytest.MonkeyPatch) -> Path:
    """An index of ``BATCHES`` (one segment each), batch i written with positions when
    ``positioned[i]``; then some postings deleted."""
    path = folder / "index"
    JobIndex.create(path).close()
    start = 0
    for i, (count, keep) in enumerate(zip(BATCHES, positioned, strict=True)):
        with monkeypatch.context() as patch:
            patch.setattr(segments, "POSITION_FIELDS", POSITION_FIELDS if keep else ())
            rows = _write(folder / f"batch{i}.jsonl", _rows(i, start, count))
            with JobIndex.open(path) as index:
                index.add(load_postings(rows))
        start += count
    with JobIndex.open(path) as index:
        index.delete([f"p{n:05d}" for n in range(0, start, 7)])
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The same postings three ways: with positions, without, and mixed."""
    monkeypatch = pytest.MonkeyPatch()
    out = {}
    for name, kinds in (("new", (True, True)), ("old", (False, False)), ("mixed", (False, True))):
        out[name] = _build(tmp_path_factory.mktemp(name), kinds, monkeypatch)
    monkeypatch.undo()
    yield out


@pytest.fixture(scope="module")
def reference(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> windex.Index:
    """The live titles and descriptions, indexed by Whoosh's own writer with positions."""
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text_analyzer(), phrase=True),
        title_words=TEXT(analyzer=title_analyzer(), phrase=True),
        description=TEXT(analyzer=text_analyzer(), phrase=True),
    )
    made = windex.create_in(str(tmp_path_factory.mktemp("whoosh")), schema)
    with JobIndex.open(built["new"]) as index:
        reader = index.searcher.reader()
        with made.writer() as writer:
            for docnum in reader.all_doc_ids():
                stored = reader.stored_fields(docnum)
                writer.add_document(
                    id=stored["id"],
                    title=stored["title"],
                    title_words=stored["title"],
                    description=stored["description"],
                )
    return made


@pytest.fixture(scope="module")
def opened(built: dict[str, Path]) -> Iterator[dict[str, JobIndex]]:
    indexes = {name: JobIndex.open(path) for name, path in built.items()}
    yield indexes
    for index in indexes.values():
        index.close()


def _ids(index: JobIndex, text: str, title_only: bool = False) -> set[str]:
    found = index.search_all(text, collapse=False, title_only=title_only)
    return {hit.posting.id for hit in found}


def _whoosh_ids(reference: windex.Index, field: str, words: list[str]) -> set[str]:
    with reference.searcher() as searcher:
        return {hit["id"] for hit in searcher.search(wq.Phrase(field, words), limit=None)}


# -- what is written ----------------------------------------------------------------------


def test_the_positions_give_back_each_postings_terms_in_order(built: dict[str, Path]) -> None:
    analysis, titles = FastTextAnalysis(), FastTextAnalysis.titles()
    snapshot = Snapshot(built["new"])
    try:
        assert len(snapshot.parts) == len(BATCHES)
        for part in snapshot.parts:
            for field in POSITION_FIELDS:
                assert part.tables.positioned(field)
                table = part.tables.table(field)
                assert table is not None
                rebuilt: dict[int, dict[int, str]] = {}
                for raw in table.terms.tolist():
                    found = part.tables.term_positions(field, raw)
                    assert found is not None and len(found.docs)
                    places = np.split(found.positions, np.cumsum(found.counts)[:-1])
                    for doc, at in zip(found.docs.tolist(), places, strict=True):
                        assert list(at) == sorted(at)
                        for p in at.tolist():
                            assert p not in rebuilt.setdefault(doc, {})
                            rebuilt[doc][p] = raw.decode("utf-8")
                for doc in range(part.tables.doc_count):
                    stored = snapshot.reader.stored_fields(part.offset + doc)
                    if field == "title_words":  # the title, read by the title analyzer
                        terms = titles.terms(stored["title"])
                    else:
                        terms = analysis.terms(stored[field])
                    held = rebuilt.get(doc, {})
                    assert [held[p] for p in sorted(held)] == terms
                    assert sorted(held) == list(range(len(terms)))
    finally:
        snapshot.close()


def test_an_index_written_without_positions_has_none(built: dict[str, Path]) -> None:
    snapshot = Snapshot(built["old"])
    try:
        for part in snapshot.parts:
            assert not any(part.tables.positioned(field) for field in POSITION_FIELDS)
            assert part.tables.term_positions("description", b"alpha") is None
    finally:
        snapshot.close()


# -- what is found --------------------------------------------------------------------------

_word = st.sampled_from(WORDS)
_phrase = st.lists(_word, min_size=2, max_size=3)
_joint = st.sampled_from([" ", " of the ", " a "])


@settings(max_examples=80, deadline=None, derandomize=True)
@given(words=_phrase, joint=_joint, field=st.sampled_from(["description", "title", "title_words"]))
def test_a_phrase_finds_what_whoosh_positions_find_on_every_kind_of_index(
    opened: dict[str, JobIndex],
    reference: windex.Index,
    words: list[str],
    joint: str,
    field: str,
) -> None:
    """``title_words`` is what a title search (``--title``) reads: its words unstemmed."""
    title_only = field == "title_words"
    phrase = f'"{joint.join(words)}"'
    text = phrase if title_only else f"{field}:{phrase}"
    expected = _whoosh_ids(reference, field, words)
    assert _ids(opened["new"], text, title_only) == expected
    # Small enough that the old path reads every candidate: it finds the same.
    assert _ids(opened["old"], text, title_only) == expected
    assert _ids(opened["mixed"], text, title_only) == expected


@pytest.mark.parametrize(
    "text",
    [
        '"cobalt harbor"',
        '"alpha bravo" "bravo alpha"',
        '"alpha alpha"',
        '"alpha bravo cobalt"',
        'alpha -"bravo alpha"',
        'title:"alpha engineer"',
        '"alpha bravo" OR delta',
        '"bravo of the alpha"',
    ],
)
def test_searches_with_phrases_answer_alike_on_every_kind_of_index(
    opened: dict[str, JobIndex], text: str
) -> None:
    new = opened["new"].search(text, collapse=False, limit=50)
    assert new.total, "a search that finds nothing compares nothing"
    assert not any("phrase" in note for note in new.notes)
    for name in ("old", "mixed"):
        other = opened[name].search(text, collapse=False, limit=50)
        assert (other.total, other.partial_total) == (new.total, new.partial_total)
        assert [(h.posting.id, h.score) for h in other] == [(h.posting.id, h.score) for h in new]
        assert other.facets == new.facets


def test_the_bound_applies_only_where_positions_are_missing(
    built: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(phrases, "MAX_CHECKED", 3)
    text = '"alpha bravo"'
    # Freshly opened: a phrase's answer is kept for the snapshot's life.
    with JobIndex.open(built["new"]) as index:
        new = index.search(text, collapse=False)
    with JobIndex.open(built["old"]) as index:
        old = index.search(text, collapse=False)
    with JobIndex.open(built["mixed"]) as index:
        mixed = index.search(text, collapse=False)
    assert not any("phrase" in note for note in new.notes)
    note = 'the phrase "alpha bravo" was checked in 3 of the'
    assert any(n.startswith(note) and "without word positions" not in n for n in old.notes)
    assert any(n.startswith(note) and n.endswith("without word positions") for n in mixed.notes)
    assert old.total < mixed.total < new.total


# -- damage ---------------------------------------------------------------------------------


def _damaged_copy(built: dict[str, Path], tmp_path: Path, change: str) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(built["new"], copy)
    generation = json.loads((copy / "jobsearch.json").read_text())["generation"]
    meta_path = sorted((copy / generation / "side").glob("*/tables.json"))[-1]
    meta = json.loads(meta_path.read_text())
    arrays = meta["arrays"]
    if change == "pointer shape":
        arrays["description.posptr"]["shape"] = [3]
    elif change == "positions count":
        arrays["description.pos"]["shape"] = [arrays["description.pos"]["shape"][0] - 1]
    elif change == "positions of another table":
        arrays["description.pos"] = dict(arrays["description.docs"])
    meta_path.write_text(json.dumps(meta))
    return copy


@pytest.mark.parametrize(
    "change", ["pointer shape", "positions count", "positions of another table"]
)
def test_damaged_positions_are_refused_cleanly(
    built: dict[str, Path], tmp_path: Path, change: str
) -> None:
    copy = _damaged_copy(built, tmp_path, change)
    with JobIndex.open(copy) as index, pytest.raises(SchemaVersionError):
        index.search('"alpha bravo"')
    result = CliRunner().invoke(main, ["search", '"alpha bravo"', "--index", str(copy)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "side tables" in result.stderr
