"""The library as a program uses it: honest add summaries, documented parameters, typed
filter keywords, and error hints that speak to a library caller too."""

from __future__ import annotations

import inspect
import json
import typing
from pathlib import Path

import pytest

from search import IndexNotFoundError, JobIndex, SchemaVersionError, load_postings
from search.filters import Filters, FilterValues


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _posting(key: str, title: str = "Data Engineer") -> str:
    return json.dumps(
        {"id": key, "title": title, "location": "Paris", "description": f"{title} {key}"}
    )


def test_add_counts_records_rejected_while_reading(tmp_path: Path) -> None:
    source = _write(tmp_path / "jobs.jsonl", [_posting("1"), "{not json", _posting("2"), "[]"])
    seen: list[object] = []
    with JobIndex.create(tmp_path / "index") as index:
        summary = index.add(load_postings(source, on_reject=seen.append))
    assert (summary.added, summary.rejected) == (2, 2)
    assert len(seen) == 2


def test_rebuild_counts_them_too(tmp_path: Path) -> None:
    source = _write(tmp_path / "jobs.jsonl", [_posting("1"), "{not json"])
    summary = JobIndex.rebuild(tmp_path / "index", load_postings(source, on_reject=print))
    assert (summary.added, summary.rejected) == (1, 1)


def test_summary_ids_are_only_what_changed(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.jsonl", [_posting("1"), _posting("2")])
    second = _write(tmp_path / "b.jsonl", [_posting("1"), _posting("2", "Data Scientist")])
    with JobIndex.create(tmp_path / "index") as index:
        assert sorted(index.add(load_postings(first)).ids) == ["1", "2"]
        again = index.add(load_postings(second))
    assert (again.unchanged, again.updated, again.ids) == (1, 1, ["2"])


def test_search_documents_every_parameter() -> None:
    doc = inspect.getdoc(JobIndex.search) or ""
    for name in inspect.signature(JobIndex.search).parameters:
        if name in ("self", "filter_values"):
            continue
        assert f"``{name}``" in doc, name
    for name in (f.name for f in Filters.__dataclass_fields__.values()):
        if name != "indexed_after":
            assert name in doc or name in (inspect.getdoc(Filters.of) or ""), name


def test_filter_keywords_are_typed_and_match_filters() -> None:
    hints = typing.get_type_hints(FilterValues)
    assert set(hints) == set(Filters.__dataclass_fields__)
    for method in (JobIndex.search, JobIndex.search_all, JobIndex.facets):
        annotation = str(inspect.signature(method).parameters["filter_values"].annotation)
        assert "FilterValues" in annotation, method


def test_facets_take_filters_and_a_top(sample_index: JobIndex) -> None:
    counted = sample_index.facets("", city="Seattle", top=3)
    assert counted["city"]["Seattle"] == 7
    assert all(len(values) <= 3 for values in counted.values())


def test_error_hints_speak_to_library_callers(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError) as missing:
        JobIndex.open(tmp_path / "none")
    assert "JobIndex.create" in str(missing.value) and "jobsearch index" in str(missing.value)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "jobsearch.json").write_text('{"schema_version": 1}')
    with pytest.raises(SchemaVersionError) as old:
        JobIndex.open(tmp_path / "old")
    assert "JobIndex.rebuild" in str(old.value) and "--rebuild" in str(old.value)
