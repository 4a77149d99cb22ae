"""Our bulk segment writer against Whoosh's own writer: the same index, posting by posting.

The same postings are written twice, once through ``SegmentWriter.add_document`` and once
through ``search.store.segments``; every term of every field must have the same
documents, weights, values and statistics, and every document the same stored fields
and field lengths. The side tables must list the same postings as Whoosh's reader.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.reading import IndexReader

from search import JobPosting, load_postings
from search.extract.skills import skill_spellings
from search.store import fields as f
from search.store.analysis import FastTextAnalysis
from search.store.documents import _keyword_values, duplicate_key, to_document
from search.store.layout import INDEX_NAME
from search.store.phrases import phrase_terms
from search.store.schema import shared_schema
from search.store.segments import SegmentBuilder
from search.store.sidecar import SegmentTables
from search.store.writer import commit
from tests.conftest import DATA, ROOT

ROWS = ROOT / "tests" / "data" / "jobseeker_rows.jsonl"


def _postings() -> list[JobPosting]:
    postings = [*load_postings(DATA), *load_postings(ROWS)]
    # An employer named with a comma is one term of the ID field, not two.
    return [*postings, replace(postings[0], id="comma-employer", company="Acme, Inc.")]


def _phrase_value(terms: Counter[str]) -> str:
    return ",".join(itertools.chain.from_iterable([t] * n for t, n in sorted(terms.items())))


#: One first-indexed time for both writers, so their stored fields can be compared.
FIRST_INDEXED = 1_790_000_000.0


def _whoosh_fields(posting: JobPosting) -> dict[str, object]:
    """What Whoosh's own writer is given for a posting: the raw values of every field."""
    analysis = FastTextAnalysis()
    doc = to_document(posting, analysis, indexed=FIRST_INDEXED)
    values: dict[str, object] = {
        name: value
        for name, value in _keyword_values(posting, duplicate_key(posting)).items()
        if value not in (None, "")
    }
    values.update(doc.stored)
    values[f.SKILL_TEXT] = " ; ".join(skill_spellings(posting.skills))
    values[f.TITLE_WORDS] = posting.title
    for text_field, phrase_field in f.PHRASE_FIELDS.items():
        found = phrase_terms(analysis.terms(getattr(posting, text_field)))
        if found:
            values[phrase_field] = _phrase_value(found)
    if posting.posted:
        from datetime import datetime

        values[f.POSTED] = datetime.combine(posting.posted, datetime.min.time())
    return values


def _build_ours(folder: Path, postings: list[JobPosting]) -> IndexReader:
    storage = FileStorage(str(folder)).create()
    storage.create_index(shared_schema(), indexname=INDEX_NAME)
    builder = SegmentBuilder(storage, shared_schema(), folder / "side")
    analysis = FastTextAnalysis()
    for posting in postings:
        builder.add(to_document(posting, analysis, indexed=FIRST_INDEXED))
    commit(folder, [builder.finish()])
    return FileIndex(storage, shared_schema(), INDEX_NAME).reader()


def _build_whoosh(folder: Path, postings: list[JobPosting]) -> IndexReader:
    storage = FileStorage(str(folder)).create()
    index = storage.create_index(shared_schema(), indexname=INDEX_NAME)
    with index.writer() as writer:
        for posting in postings:
            writer.add_document(**_whoosh_fields(posting))
    return index.reader()


@pytest.fixture(scope="module")
def readers(tmp_path_factory: pytest.TempPathFactory) -> tuple[IndexReader, IndexReader, Path]:
    postings = _postings()
    ours_dir = tmp_path_factory.mktemp("ours")
    return (
        _build_ours(ours_dir, postings),
        _build_whoosh(tmp_path_factory.mktemp("whoosh"), postings),
        ours_dir,
    )


def _terms(reader: IndexReader) -> list[tuple[str, bytes]]:
    return sorted(reader.all_terms())


def _searched_terms(reader: IndexReader) -> list[tuple[str, bytes]]:
    """The terms of the fields whose Whoosh postings are written (not filter-only)."""
    return [(fn, t) for fn, t in _terms(reader) if fn not in f.FILTER_ONLY_FIELDS]


def test_same_terms_in_every_field(readers: tuple[IndexReader, IndexReader, Path]) -> None:
    ours, theirs, _ = readers
    assert _terms(ours) == _searched_terms(theirs)
    assert {fn for fn, _ in _terms(theirs)} & f.FILTER_ONLY_FIELDS, "no filter field compared"


def test_same_postings_and_statistics(readers: tuple[IndexReader, IndexReader, Path]) -> None:
    ours, theirs, _ = readers
    for field, term in _searched_terms(theirs):
        a, b = ours.term_info(field, term), theirs.term_info(field, term)
        assert (a.doc_frequency(), a.weight(), a.max_weight()) == (
            b.doc_frequency(),
            b.weight(),
            b.max_weight(),
        ), (field, term)
        assert (a.min_length(), a.max_length()) == (b.min_length(), b.max_length()), (field, term)
        ma, mb = ours.postings(field, term), theirs.postings(field, term)
        assert list(ma.items_as("weight")) == list(mb.items_as("weight")), (field, term)
        if theirs.schema[field].format.fixed_value_size():
            ma, mb = ours.postings(field, term), theirs.postings(field, term)
            assert list(ma.all_items()) == list(mb.all_items()), (field, term)


def test_same_stored_fields_and_lengths(readers: tuple[IndexReader, IndexReader, Path]) -> None:
    ours, theirs, _ = readers
    assert ours.doc_count_all() == theirs.doc_count_all()
    for docnum in range(theirs.doc_count_all()):
        assert ours.stored_fields(docnum) == theirs.stored_fields(docnum)
        for field in (f.TITLE, f.DESCRIPTION, f.SKILL_TEXT):
            assert ours.doc_field_length(docnum, field) == theirs.doc_field_length(docnum, field)
    for field in (f.TITLE, f.DESCRIPTION, f.SKILL_TEXT):
        assert ours.field_length(field) == theirs.field_length(field)


def test_side_tables_list_whoosh_postings(readers: tuple[IndexReader, IndexReader, Path]) -> None:
    """Every side table holds the postings Whoosh's own writer makes of its field
    (filter-only fields included, which our segments keep in the side tables alone)."""
    ours, theirs, folder = readers
    segment = ours.segment()
    tables = SegmentTables(folder / "side" / segment.segment_id())
    for field in f.SIDE_FIELDS:
        table = tables.table(field)
        names = [t for fn, t in _terms(theirs) if fn == field]
        assert (table.terms.tolist() if table is not None else []) == names, field
        for term in names:
            docs, weights = table.postings(term)  # type: ignore[union-attr]
            expected = list(theirs.postings(field, term).items_as("weight"))
            ws = weights.tolist() if weights is not None else [1.0] * len(docs)
            got = list(zip(docs.tolist(), ws, strict=True))
            assert [(d, float(w)) for d, w in got] == [(d, float(w)) for d, w in expected]
