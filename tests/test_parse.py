"""Reading posting files into raw records: every format, every way a file can be bad."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.errors import InputError
from search.ingest import (
    SUPPORTED_SUFFIXES,
    RawRecord,
    Rejection,
    find_files,
    parse_listing_text,
    read_records,
)
from search.ingest.columns import is_placeholder
from search.ingest.listing import is_location_line
from tests.conftest import SHARED, need_corpus

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SEED = SHARED / "seeds/000_9e290a8299886a5e.txt"
SAMPLE = REPO / "data/amazon_science_jobs.txt"

needs_seed = pytest.mark.skipif(not SEED.is_file(), reason="seed article not available")


def write(path: Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path``, gzip-compressed when the name ends in ``.gz``."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def items(path: Path) -> list[RawRecord | Rejection]:
    return list(read_records([path]))


def summary(found: list[RawRecord | Rejection]) -> list[tuple[str, int, object]]:
    """Each item as (kind, line, fields-or-reason), for one exact comparison."""
    return [
        ("record", it.line, it.fields)
        if isinstance(it, RawRecord)
        else ("reject", it.line, it.reason)
        for it in found
    ]


# --- JSON Lines ---------------------------------------------------------------------

JSONL_MIXED = "\n".join(
    [
        '{"id": "a1", "title": "Data Engineer", "description": "Build pipelines."}',
        "",
        '{"id": "a2" "title": "broken"}',
        '["not", "an", "object"]',
        '{"id": "a4", "title": "No text here"}',
        '{"id": "a5", "title": ["Engineer"], "description": "x"}',
        '{"id": 6, "title": "  ML Engineer  ", "description": " Train models. ", "extra": 1}',
    ]
)
JSONL_EXPECTED = [
    ("record", 1, {"id": "a1", "title": "Data Engineer", "description": "Build pipelines."}),
    ("reject", 3, "invalid JSON: Expecting ',' delimiter (col 13)"),
    ("reject", 4, "expected a JSON object, got list"),
    ("reject", 5, "missing description"),
    ("reject", 6, "field 'title' must be text, got list"),
    ("record", 7, {"id": "6", "title": "ML Engineer", "description": "Train models."}),
]


@pytest.mark.parametrize("name", ["jobs.jsonl", "jobs.ndjson", "jobs.jsonl.gz", "jobs.ndjson.gz"])
def test_jsonl_keeps_good_lines_around_bad_ones(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, JSONL_MIXED)
    found = items(path)
    assert summary(found) == JSONL_EXPECTED
    assert {it.source for it in found} == {str(path)}


def test_jsonl_bad_utf8_line_is_rejected_alone(tmp_path: Path) -> None:
    data = b'{"description": "one"}\n{"description": "caf\xe9"}\r\n{"description": "three"}\n'
    path = write(tmp_path / "latin1.jsonl", data)
    assert summary(items(path)) == [
        ("record", 1, {"description": "one"}),
        ("reject", 2, "not valid UTF-8 text"),
        ("record", 3, {"description": "three"}),
    ]


def test_jsonl_bom_and_deep_nesting(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = write(tmp_path / "bom.jsonl", '\ufeff{"description": "first"}\n' + deep + "\n")
    assert summary(items(path)) == [
        ("record", 1, {"description": "first"}),
        ("reject", 2, "invalid JSON: nested too deeply"),
    ]


# --- key names and values -----------------------------------------------------------

ALIASES = [
    ("id", "id"),
    ("id", "job_id"),
    ("id", "jobId"),
    ("id", "JOB-ID"),
    ("id", "requisition_id"),
    ("id", "requisitionId"),
    ("id", "uuid"),
    ("title", "title"),
    ("title", "Job Title"),
    ("title", "job_title"),
    ("title", "jobTitle"),
    ("title", "name"),
    ("title", "position"),
    ("location", "location"),
    ("location", "locations"),
    ("location", "job_location"),
    ("location", "locationName"),
    ("posted", "posted"),
    ("posted", "date"),
    ("posted", "publishedAt"),
    ("posted", "published_at"),
    ("posted", "datePosted"),
    ("posted", "posted_at"),
    ("posted", "created_at"),
    ("posted", "updated_at"),
    ("company", "company"),
    ("company", "company_name"),
    ("company", "companyName"),
    ("company", "employer"),
    ("company", "organization"),
    ("url", "url"),
    ("url", "job_url"),
    ("url", "jobUrl"),
    ("url", "applyUrl"),
    ("url", "link"),
]


@pytest.mark.parametrize(("canonical", "key"), ALIASES)
def test_key_name_variants(tmp_path: Path, canonical: str, key: str) -> None:
    value = "2025-03-01" if canonical == "posted" else "value"
    row = {key: f" {value} ", "description": "d", "unrelated": 7}
    path = write(tmp_path / "v.jsonl", json.dumps(row))
    assert summary(items(path)) == [("record", 1, {canonical: value, "description": "d"})]


@pytest.mark.parametrize(
    "key", ["description", "descriptionPlain", "description_plain", "text", "body", "content"]
)
def test_description_variants(tmp_path: Path, key: str) -> None:
    path = write(tmp_path / "d.jsonl", json.dumps({key: "Write code."}))
    assert summary(items(path)) == [("record", 1, {"description": "Write code."})]


def test_html_description_is_a_last_resort_with_tags_stripped(tmp_path: Path) -> None:
    rows = [
        {"description": "", "descriptionHtml": "<p>Fish &amp; chips</p><ul><li>Fry</li></ul>"},
        {"description": "plain wins", "descriptionHtml": "<p>html</p>"},
        {"descriptionHtml": "<style>p{}</style><div>Only <b>bold</b></div>"},
    ]
    path = write(tmp_path / "h.jsonl", "\n".join(json.dumps(r) for r in rows))
    assert [it.fields["description"] for it in items(path)] == [  # type: ignore[union-attr]
        "Fish & chips\n\nFry",
        "plain wins",
        "Only bold",
    ]


def test_updated_at_only_when_no_other_date(tmp_path: Path) -> None:
    rows = [
        {"description": "d", "updated_at": "2025-02-02", "created_at": "2025-01-01"},
        {"description": "d", "updated_at": "2025-02-02", "created_at": None},
    ]
    path = write(tmp_path / "p.jsonl", "\n".join(json.dumps(r) for r in rows))
    assert [it.fields["posted"] for it in items(path)] == [  # type: ignore[union-attr]
        "2025-01-01",
        "2025-02-02",
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"id": 42}, {"id": "42"}),
        ({"id": 7.0}, {"id": "7"}),
        ({"jobId": "  "}, {}),
        ({"title": None}, {}),
        ({"location": ["Seattle, WA", "Remote"]}, {"location": "Seattle, WA; Remote"}),
        (
            {"locations": [{"name": "London"}, {"city": "Berlin", "country": "DE"}]},
            {"location": "London; Berlin, DE"},
        ),
        ({"location": {"city": "Austin", "state": "TX"}}, {"location": "Austin, TX"}),
        ({"location": []}, {}),
        ({"name": {"first": "Ada"}, "title": "Kept"}, {"title": "Kept"}),
    ],
)
def test_values(tmp_path: Path, row: dict[str, object], expected: dict[str, str]) -> None:
    path = write(tmp_path / "x.jsonl", json.dumps({**row, "description": "d"}))
    assert summary(items(path)) == [("record", 1, {**expected, "description": "d"})]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"id": True}, "field 'id' must be text, got boolean"),
        ({"title": 3}, "field 'title' must be text, got number"),
        ({"name": {"first": "Ada"}}, "field 'name' must be text, got object"),
        ({"company": {"name": "X"}}, "field 'company' must be text, got object"),
        ({"posted": 1700000000}, "field 'posted' must be text, got number"),
        ({"location": 5}, "field 'location' must be text or a list of places, got number"),
        (
            {"locations": [1]},
            "field 'locations' must be text or a list of places, got list of number",
        ),
        ({"description": ["a"]}, "field 'description' must be text, got list"),
        ({"description": "   "}, "missing description"),
    ],
)
def test_wrong_types_are_rejected_naming_the_field(
    tmp_path: Path, row: dict[str, object], reason: str
) -> None:
    row = {"description": "d", **row}
    path = write(tmp_path / "x.jsonl", json.dumps(row))
    assert summary(items(path)) == [("reject", 1, reason)]


# --- JSON documents -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["jobs.json", "jobs.json.gz"])
def test_json_array_lines_point_at_each_object(tmp_path: Path, name: str) -> None:
    text = json.dumps(
        [{"id": "1", "description": "one"}, 5, {"id": "3"}, {"description": "four"}], indent=2
    )
    found = items(write(tmp_path / name, text))
    starts = [n for n, line in enumerate(text.split("\n"), 1) if line in ("  {", "  5,")]
    assert summary(found) == [
        ("record", starts[0], {"id": "1", "description": "one"}),
        ("reject", starts[1], "expected a JSON object, got number"),
        ("reject", starts[2], "missing description"),
        ("record", starts[3], {"description": "four"}),
    ]
    assert starts == [2, 6, 7, 10]


def test_json_single_object_and_wrapper(tmp_path: Path) -> None:
    single = write(tmp_path / "one.json", '\n\n{"title": "T", "description": "D"}\n')
    wrapped = write(
        tmp_path / "wrapped.json",
        '{"count": 2, "meta": {"jobs": 1},\n "jobs": [\n  {"description": "a"},\n'
        '  {"description": "b"}\n]}',
    )
    assert summary(items(single)) == [("record", 3, {"title": "T", "description": "D"})]
    assert summary(items(wrapped)) == [
        ("record", 3, {"description": "a"}),
        ("record", 4, {"description": "b"}),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[\n  {"description": "ok"},\n  {"description": "x" "id": 1}\n]',
            (3, "invalid JSON: Expecting ',' delimiter (col 23)"),
        ),
        ('[{"description": "ok"}]\n[]', (2, "invalid JSON: Extra data (col 1)")),
        ('[{"description": "ok"}', (1, "invalid JSON: Expecting ',' delimiter (col 23)")),
        ("  \n", (1, "empty JSON file")),
        ('"just a string"', (1, "expected a JSON object, got string")),
    ],
)
def test_invalid_json_is_one_rejection_for_the_file(
    tmp_path: Path, text: str, expected: tuple[int, str]
) -> None:
    assert summary(items(write(tmp_path / "bad.json", text))) == [("reject", *expected)]


# --- CSV ----------------------------------------------------------------------------


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


CSV_ROWS = [
    ["Job ID", "Title", "Location", "Description", "Notes"],
    ["1", "Engineer", "Berlin", "Line one\nline two\n\nline four", "Visa offered"],
    ["2", "Too", "few"],
    ["3", "Scientist", "", "Models", "N/A"],
    ["4", "Empty", "Paris", "", "-"],
    ["5", "Quoted, comma", "Rome", 'Say "hi"', "n", "extra"],
    ["6", "Last", "Oslo", "Done", ""],
]


@pytest.mark.parametrize("name", ["jobs.csv", "jobs.csv.gz"])
def test_csv_rows_with_their_physical_lines(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / name, "\ufeff" + csv_text(CSV_ROWS))
    assert summary(items(path)) == [
        (
            "record",
            2,
            {
                "id": "1",
                "title": "Engineer",
                "location": "Berlin",
                "description": "Line one\nline two\n\nline four\n\nNotes: Visa offered",
            },
        ),
        ("reject", 6, "row has 3 fields, header has 5"),
        ("record", 7, {"id": "3", "title": "Scientist", "description": "Models"}),
        ("reject", 8, "missing description"),
        ("reject", 9, "row has 6 fields, header has 5"),
        ("record", 10, {"id": "6", "title": "Last", "location": "Oslo", "description": "Done"}),
    ]


def test_csv_without_any_text_column(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "id,title,location\n1,a,b\n")
    assert summary(items(path)) == [
        (
            "reject",
            1,
            "no description column; found 'id', 'title', 'location'"
            " (map one with description=COLUMN)",
        )
    ]


def test_csv_text_columns_make_the_description_when_none_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "id,title,summary\n1,a,Build things\n")
    assert summary(items(path)) == [
        ("record", 2, {"id": "1", "title": "a", "description": "summary: Build things"})
    ]


def test_csv_bad_utf8_stops_at_its_line(tmp_path: Path) -> None:
    data = b"title,description\na,first\nb,caf\xe9\nc,never read\n"
    assert summary(items(write(tmp_path / "x.csv", data))) == [
        ("record", 2, {"title": "a", "description": "first"}),
        ("reject", 3, "not valid UTF-8 text; stopped reading the file"),
    ]


def test_csv_empty_file(tmp_path: Path) -> None:
    assert summary(items(write(tmp_path / "x.csv", "\n\n"))) == [
        ("reject", 1, "empty CSV file: no header row")
    ]


# --- gzip, binary, paths ------------------------------------------------------------


@pytest.mark.parametrize("name", ["x.jsonl.gz", "x.json.gz", "x.csv.gz", "x.txt.gz"])
def test_not_gzip_at_all(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b'{"description": "plain text with a .gz name"}\n')
    [rejection] = items(tmp_path / name)
    assert isinstance(rejection, Rejection)
    assert rejection.line == 1
    assert rejection.reason.startswith("corrupt or truncated gzip file: Not a gzipped file")


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    lines = [json.dumps({"id": str(i), "description": f"posting {i} " * 50}) for i in range(2000)]
    data = gzip.compress("\n".join(lines).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    found = items(path)
    *records, last = found
    assert records and all(isinstance(r, RawRecord) for r in records)
    assert [r.line for r in records] == list(range(1, len(records) + 1))
    assert isinstance(last, Rejection)
    assert last.line == len(records) + 1
    assert last.reason.startswith("corrupt or truncated gzip file")


#: Invalid UTF-8 from its first byte, with line breaks and NULs further on.
BINARY = bytes(range(255, -1, -1)) * 8


@pytest.mark.parametrize("suffix", [".txt", ".json", ".csv"])
def test_binary_file_is_one_rejection(tmp_path: Path, suffix: str) -> None:
    found = items(write(tmp_path / f"blob{suffix}", BINARY))
    assert len(found) == 1
    assert isinstance(found[0], Rejection)
    assert found[0].line == 1
    assert found[0].reason.startswith("not valid UTF-8 text")


def test_binary_jsonl_rejects_lines_without_crashing(tmp_path: Path) -> None:
    found = items(write(tmp_path / "blob.jsonl", BINARY))
    assert found and all(isinstance(it, Rejection) for it in found)


def test_rejection_str() -> None:
    assert str(Rejection("a/b.jsonl", 12, "missing description")) == (
        "a/b.jsonl:12: missing description"
    )


def test_unsupported_suffix_names_the_supported_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "jobs.parquet", "PAR1")
    with pytest.raises(InputError) as caught:
        find_files([path])
    assert f"unsupported file type: {path}" in str(caught.value)
    assert all(suffix in str(caught.value) for suffix in SUPPORTED_SUFFIXES)


def test_missing_path_fails_before_any_record(tmp_path: Path) -> None:
    good = write(tmp_path / "good.jsonl", '{"description": "d"}')
    stream = read_records([good, tmp_path / "nope"])
    with pytest.raises(InputError, match=r"^no such file or directory: .*nope$"):
        next(stream)


def test_directory_walk(tmp_path: Path) -> None:
    for name in [
        "b.jsonl",
        "a/c.csv",
        "a/d.TXT.GZ",
        "a/e.ndjson",
        "notes.md",
        "a/data.parquet",
        ".hidden.jsonl",
        ".git/x.json",
        "a/.cache/y.csv",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    assert find_files([tmp_path]) == [
        tmp_path / "a/c.csv",
        tmp_path / "a/d.TXT.GZ",
        tmp_path / "a/e.ndjson",
        tmp_path / "b.jsonl",
    ]
    explicit = tmp_path / ".hidden.jsonl"
    assert find_files([explicit, str(tmp_path / "b.jsonl")]) == [explicit, tmp_path / "b.jsonl"]


def test_directory_records_carry_their_file(tmp_path: Path) -> None:
    write(tmp_path / "1.jsonl", '{"description": "a"}')
    write(tmp_path / "2.json.gz", '[{"description": "b"}]')
    found = list(read_records([tmp_path]))
    assert [(Path(it.source).name, it.line) for it in found] == [("1.jsonl", 1), ("2.json.gz", 1)]


# --- listing text -------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "US, WA, Seattle",
        "US, CA, San Francisco",
        "GB, London",
        "IND, KA, Bengaluru",
        "DE, BE, Berlin",
        "JPN, 13, Tokyo",
        "US, Virtual",
        "US, DC, Washington D.C.",
        "FR, Saint-Étienne",
        "  US, NY, New York  ",
    ],
)
def test_location_lines(line: str) -> None:
    assert is_location_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Abhinav Aggarwal, applied scientist, Alexa Trust",
        "US, UK",
        "US, Remote work is fine.",
        "US, WA, seattle",
        "U, WA, Seattle",
        "US,WA,Seattle",
        "us, wa, Seattle",
        "US, WA, Seattle, Bellevue",
        "US, WA, Seattle is where the team sits and it is a nice city",
        "Research areas",
        "",
    ],
)
def test_not_location_lines(line: str) -> None:
    assert not is_location_line(line)


PAGE_POSTINGS = [
    (
        6,
        "IND, KA, Bengaluru",
        "Applied Scientist, Search Ranking\nBuild ranking models for product search.\n\n"
        "Key job responsibilities\n- Train learning-to-rank models\n- Run online experiments\n\n"
        "About the team\nWe are a small team in Bengaluru.",
    ),
    (
        17,
        "DE, BE, Berlin",
        "Research Scientist working on speech recognition for German and French.",
    ),
    (20, "JPN, 13, Tokyo", "Software Development Engineer building data pipelines in Tokyo."),
    (23, "US, Virtual", "Remote data engineer role open across the United States."),
]


def test_listing_page_rules() -> None:
    text = (HERE / "data/listing_page.txt").read_text(encoding="utf-8")
    assert parse_listing_text(text) == PAGE_POSTINGS


@pytest.mark.parametrize("name", ["page.txt", "page.txt.gz"])
def test_listing_file_reports_a_location_without_description(tmp_path: Path, name: str) -> None:
    text = (HERE / "data/listing_page.txt").read_text(encoding="utf-8")
    path = write(tmp_path / name, text)
    expected = [
        ("record", line, {"location": location, "description": description})
        for line, location, description in PAGE_POSTINGS
    ]
    expected.insert(2, ("reject", 19, "location line 'US, WA, Seattle' has no description"))
    assert summary(items(path)) == expected


def test_listing_crlf_and_bom_keep_line_numbers() -> None:
    text = "\ufeffIntro\r\nGB, London\r\nA role.\r\n\r\nSecond paragraph.\r\n"
    assert parse_listing_text(text) == [(2, "GB, London", "A role.\n\nSecond paragraph.")]


def test_listing_location_at_end_without_text() -> None:
    assert parse_listing_text("GB, London\nA role.\nUS, WA, Seattle\n\n") == [
        (1, "GB, London", "A role.")
    ]


SEED_LOCATIONS = [
    "US, WA, Seattle",
    "US, WA, Seattle",
    "US, WA, Seattle",
    "US, WA, Seattle",
    "US, CA, San Francisco",
    "US, WA, Seattle",
    "US, CA, Sunnyvale",
    "GB, London",
    "US, CA, Sunnyvale",
    "US, WA, Seattle",
]


@needs_seed
def test_seed_yields_exactly_its_ten_postings() -> None:
    text = SEED.read_text(encoding="utf-8")
    postings = parse_listing_text(text)
    assert [location for _, location, _ in postings] == SEED_LOCATIONS
    assert [line for line, _, _ in postings] == list(range(165, 184, 2))
    lines = text.split("\n")
    assert [description for _, _, description in postings] == lines[165:185:2]
    assert postings[0][2].startswith("Revolutionize the Future of AI")
    assert postings[-1][2].endswith("the broader internal scientific community.")
    prose = "\n".join(lines[:164])
    assert not any(description in prose for _, _, description in postings)


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "extract_listings", REPO / "scripts/extract_listings.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_seed
def test_sample_file_is_reproduced_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    assert load_script().main([str(SEED), "-o", str(out)]) == 0
    assert out.read_bytes() == SAMPLE.read_bytes()


@needs_seed
def test_sample_file_parses_back_to_the_seed_postings() -> None:
    seed = [(loc, desc) for _, loc, desc in parse_listing_text(SEED.read_text(encoding="utf-8"))]
    found = list(read_records([SAMPLE]))
    assert all(isinstance(it, RawRecord) for it in found)
    assert [(it.fields["location"], it.fields["description"]) for it in found] == seed  # type: ignore[union-attr]
    assert [it.line for it in found] == list(range(1, 30, 3))


def test_script_fails_cleanly_without_postings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = write(tmp_path / "prose.txt", "Only prose here.\n")
    assert load_script().main([str(page)]) == 1
    assert "no postings found" in capsys.readouterr().err


# --- the real corpus ----------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_reads_completely() -> None:
    found = list(read_records([need_corpus()]))
    rejections = [it for it in found if isinstance(it, Rejection)]
    assert rejections == []
    assert len(found) == 9387
    assert [it.line for it in found] == list(range(1, 9388))
    assert all(set(it.fields) >= {"id", "title", "description"} for it in found)  # type: ignore[union-attr]


# --- properties ---------------------------------------------------------------------

SUFFIXES = st.sampled_from(SUPPORTED_SUFFIXES)
CANONICAL = ("id", "title", "location", "description", "posted", "company", "url")


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode), suffix=SUFFIXES)
def test_any_bytes_never_raise(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    for item in read_records([path]):
        assert item.line >= 1
        if isinstance(item, RawRecord):
            assert item.fields["description"]
            assert set(item.fields) <= set(CANONICAL)
        else:
            assert isinstance(item, Rejection) and item.reason


LISTING_LINES = st.lists(
    st.sampled_from(["US, WA, Seattle", "GB, London", "", "Related content", "a role"])
    | st.text(max_size=40),
    max_size=30,
)


@given(lines=LISTING_LINES, ending=st.sampled_from(["\n", "\r\n"]))
def test_listing_text_never_raises_and_points_at_location_lines(
    lines: list[str], ending: str
) -> None:
    text = ending.join(lines)
    physical = text.split("\n")
    for line, location, description in parse_listing_text(text):
        assert physical[line - 1].strip() == location
        assert is_location_line(location)
        assert description and description == description.strip("\n")


#: Text read back as written: no markup or entities, which a description is read as.
TEXT = st.text(min_size=1, max_size=60).filter(
    lambda s: s.strip() == s and s != "" and not {"<", "&"} & set(s) and not is_placeholder(s)
)
DATES = st.dates().map(str)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(
        st.fixed_dictionaries(
            {"description": TEXT},
            optional={
                key: DATES if key == "posted" else TEXT for key in CANONICAL if key != "description"
            },
        ),
        max_size=20,
    )
)
def test_jsonl_round_trip(tmp_path: Path, records: list[dict[str, str]]) -> None:
    path = tmp_path / "round.jsonl.gz"
    write(path, "".join(json.dumps(r) + "\n" for r in records))
    found = list(read_records([path]))
    assert summary(found) == [("record", n, r) for n, r in enumerate(records, start=1)]
