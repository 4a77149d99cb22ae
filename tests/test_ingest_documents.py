"""JSON, JSON Lines and XML read exactly as their own modules read them (issue 14).

The oracles are the standard library's: ``json`` and ``xml.etree.ElementTree`` read the
same text, and each entry they find must be one record (through ``export_record``, at
the line where it starts) or the rejection of its content; a bad entry is reported on
its own, never merged with another.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.ingest import RawRecord, Rejection, read_records
from search.ingest.exports import export_record
from search.ingest.records import FieldError, Item


def expect(pairs: dict[str, str] | list[tuple[str, str]], path: Path, line: int) -> Item:
    try:
        return export_record(pairs, str(path), line)
    except FieldError as exc:
        return Rejection(str(path), line, str(exc))


def fields(path: Path) -> list[tuple[int, object]]:
    return [
        (it.line, it.fields if isinstance(it, RawRecord) else it.reason)
        for it in read_records([path])
    ]


#: Text with what a writer must escape or a reader could split at: quotes, backslashes,
#: markup, ampersands, line breaks and the Unicode line separators JSON leaves raw.
TEXT = st.text(alphabet='aB 1,."\\<>&;\n\u2028\u00e9', max_size=15)
POSTING = st.fixed_dictionaries({"id": TEXT, "title": TEXT, "description": TEXT})


# --- JSON and JSON Lines --------------------------------------------------------------------


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(postings=st.lists(POSTING, min_size=1, max_size=6))
def test_any_json_lines_file_reads_back_exactly(tmp_path: Path, postings: list[dict]) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in postings))
    expected = [expect(p, path, n) for n, p in enumerate(postings, 1)]
    assert list(read_records([path])) == expected


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    postings=st.lists(POSTING, min_size=1, max_size=6),
    wrapper=st.sampled_from(["", "jobs", "positions"]),
)
def test_any_json_document_reads_back_exactly(
    tmp_path: Path, postings: list[dict], wrapper: str
) -> None:
    """A bare array, or one under a wrapper key (named like one or not), one entry a line."""
    entries = ",\n".join(json.dumps(p, ensure_ascii=False) for p in postings)
    text = (
        f'{{"count": {len(postings)}, "{wrapper}": [\n{entries}\n]}}'
        if wrapper
        else f"[\n{entries}\n]"
    )
    path = tmp_path / "p.json"
    path.write_text(text)
    assert json.loads(text)  # the json module reads it
    expected = [expect(p, path, n) for n, p in enumerate(postings, 2)]
    assert list(read_records([path])) == expected


def test_a_repeated_wrapper_key_is_read_as_the_json_module_reads_it(tmp_path: Path) -> None:
    text = (
        '{"jobs": [{"title": "Old", "description": "gone"}],\n'
        ' "jobs": [\n{"title": "New", "description": "kept"}]}'
    )
    path = tmp_path / "twice.json"
    path.write_text(text)
    assert json.loads(text)["jobs"] == [{"title": "New", "description": "kept"}]
    assert fields(path) == [(3, {"title": "New", "description": "kept"})]


def test_a_posting_with_a_list_of_places_is_not_a_wrapper(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text(
        json.dumps({"title": "Analyst", "summary": "SQL.", "locations": [{"city": "Austin"}]})
    )
    assert fields(path) == [
        (1, {"title": "Analyst", "location": "Austin", "description": "summary: SQL."})
    ]


def test_a_json_lines_line_may_hold_a_list_of_postings(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        '[{"title": "A", "description": "one"}, {"title": "B", "description": "two"}]\n'
        '{"title": "C", "description": "three"}\n'
        '[{"title": "D"}, 4]\n'
    )
    assert fields(path) == [
        (1, {"title": "A", "description": "one"}),
        (1, {"title": "B", "description": "two"}),
        (2, {"title": "C", "description": "three"}),
        (3, "expected a JSON object, got list"),
    ]


# --- XML ---------------------------------------------------------------------------------


XML_TEXT = st.text(alphabet='aB 1,."<>&;\n\u00e9]', max_size=15)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(postings=st.lists(st.tuples(XML_TEXT, XML_TEXT), min_size=1, max_size=6))
def test_any_xml_feed_reads_back_exactly(tmp_path: Path, postings: list[tuple[str, str]]) -> None:
    """Jobs written by ElementTree (text escaped), one after another in a feed."""
    text, starts = "<source>\n", []
    for title, description in postings:
        job = ET.Element("job")
        ET.SubElement(job, "title").text = title
        ET.SubElement(job, "description").text = description
        starts.append(text.count("\n") + 1)
        text += ET.tostring(job, encoding="unicode") + "\n"
    text += "</source>\n"
    path = tmp_path / "feed.xml"
    path.write_text(text)
    read = [(job.findtext("title"), job.findtext("description")) for job in ET.fromstring(text)]
    assert read == postings  # the xml module reads back what was written
    expected = [
        expect([("title", t.strip()), ("description", d.strip())], path, line)
        for (t, d), line in zip(postings, starts, strict=True)
    ]
    assert list(read_records([path])) == expected


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (  # XHTML written into the feed: every part of its text, in order
            "Intro <b>bold</b> tail.<p>We build.</p><ul><li>Python</li><li>SQL</li></ul>",
            "Intro bold tail.\nWe build.\n\nPython\n\nSQL",
        ),
        (  # paragraphs are not a list of values
            "<p>First paragraph.</p><p>Second, with a comma.</p>",
            "First paragraph.\n\nSecond, with a comma.",
        ),
        ("Plain &amp; simple", "Plain & simple"),
    ],
)
def test_an_xml_description_written_as_xhtml_keeps_all_its_text(
    tmp_path: Path, description: str, expected: str
) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(
        f"<source><job><title>T</title><description>{description}</description>"
        "<locations><location>Austin</location><location>Remote</location></locations>"
        "</job></source>"
    )
    words = "".join(ET.fromstring(path.read_text()).find("job/description").itertext()).split()
    [(_, found)] = fields(path)
    assert found == {"title": "T", "location": "Austin, Remote", "description": expected}
    assert "".join(found["description"].split()) == "".join(words)  # nothing is lost


def test_a_personio_description_written_as_xhtml_keeps_all_its_text(tmp_path: Path) -> None:
    path = tmp_path / "p.xml"
    path.write_text(
        "<workzag-jobs><position><id>1</id><name>Intern</name><jobDescriptions>"
        "<jobDescription><name>Tasks</name><value>Clean <b>data</b>, then<ul><li>model"
        "</li><li>report</li></ul></value></jobDescription></jobDescriptions></position>"
        "</workzag-jobs>"
    )
    [(_, found)] = fields(path)
    assert found["description"] == "Tasks\nClean data, then\n\nmodel\n\nreport"
