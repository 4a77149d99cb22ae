"""The per-file report of a load: format recognised, read, kept, merged, rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.errors import InputError
from search.ingest import Rejection
from search.ingest.postings import load_postings
from search.ingest.report import FileReport, LoadReport

GREENHOUSE_ENTRY = {
    "id": 1,
    "title": "Engineer",
    "absolute_url": "https://boards.greenhouse.io/a/jobs/1",
    "internal_job_id": 9,
    "content": "&lt;p&gt;Write code.&lt;/p&gt;",
}

FILES = {
    "a.csv": "id,title,description\nc1,Analyst,Analyse.\nc2,Broken\n",
    "b.jsonl": "\n".join(
        [json.dumps({"id": "c1", "title": "Analyst", "description": "Analyse."}), "{bad", "{}"]
    ),
    "c.json": json.dumps({"jobs": [GREENHOUSE_ENTRY]}),
    "d.txt": "US, WA, Seattle\nBuild things.\nGB, London\n",
    "e.html": '<script type="application/ld+json">'
    + json.dumps({"@type": "JobPosting", "title": "Nurse", "description": "Care."})
    + "</script>",
    "f.xml": "<source><job><title>Driver</title><description>Drive.</description></job></source>",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_one_report_per_file_in_reading_order(folder: Path) -> None:
    report = LoadReport()
    seen: list[FileReport] = []
    rejected: list[Rejection] = []
    postings = list(
        load_postings(folder, report=report, on_file=seen.append, on_reject=rejected.append)
    )
    rows = [(Path(f.source).name, f.format, f.read, f.kept, f.merged, f.rejected) for f in seen]
    assert rows == [
        ("a.csv", "csv", 2, 1, 0, 1),
        ("b.jsonl", "jsonl", 3, 0, 1, 2),
        ("c.json", "greenhouse (json)", 1, 1, 0, 0),
        ("d.txt", "listing", 2, 1, 0, 1),
        ("e.html", "json-ld (html)", 1, 1, 0, 0),
        ("f.xml", "indeed-xml (xml)", 1, 1, 0, 0),
    ]
    assert report.files == seen
    assert (report.read, report.kept, report.merged, report.rejected) == (10, 5, 1, 4)
    assert len(postings) == report.kept + report.merged
    assert len(rejected) == report.rejected
    assert report.conflict_count == 0  # c1 has the same content in both files


def test_a_file_report_reads_as_one_line(folder: Path) -> None:
    seen: list[FileReport] = []
    list(load_postings(folder / "c.json", on_file=seen.append))
    assert str(seen[0]) == (
        f"{folder / 'c.json'}: greenhouse (json), 1 read, 1 kept, 0 merged, 0 rejected"
    )


def test_a_file_with_nothing_readable_still_reports(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("")
    report = LoadReport()
    assert list(load_postings(path, report=report, on_reject=lambda _r: None)) == []
    [only] = report.files
    assert (only.format, only.read, only.rejected) == ("json", 1, 1)


def test_strict_stops_at_the_first_rejection(folder: Path) -> None:
    with pytest.raises(InputError, match=r"a\.csv:3: row has 2 fields, header has 3"):
        list(load_postings(folder, strict=True))


def test_reading_the_same_file_twice_merges_everything(folder: Path) -> None:
    path = folder / "c.json"
    report = LoadReport()
    postings = list(load_postings([path, path], report=report))
    assert [(f.kept, f.merged) for f in report.files] == [(1, 0), (0, 1)]
    assert len({p.id for p in postings}) == 1 and report.conflict_note() is None
