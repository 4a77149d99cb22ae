"""Real exports: every column used, placeholders ignored, links as ids, a field map."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from search.errors import InputError
from search.ingest import RawRecord, Rejection, parse_field_map, read_records
from search.ingest.postings import load_postings, posting_id
from search.ingest.report import LoadReport
from search.model import Pay

EXPORT = Path(__file__).parent / "data/ingest/amazon_jobs_export.csv"


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def records(path: Path, **options: object) -> list[RawRecord | Rejection]:
    return list(read_records([path], **options))  # type: ignore[arg-type]


def only_record(path: Path, **options: object) -> RawRecord:
    [found] = records(path, **options)
    assert isinstance(found, RawRecord), found
    return found


# --- the amazon.jobs-shaped export (committed sample rows) ----------------------------


def test_export_keeps_every_distinct_posting() -> None:
    report = LoadReport()
    postings = list(load_postings(EXPORT, report=report))
    with EXPORT.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    distinct_links = {row["Apply Link"] for row in rows}
    assert len(rows) == 20 and len(distinct_links) == 19
    assert {p.id for p in postings} == distinct_links
    assert {p.url for p in postings} == distinct_links
    [file_report] = report.files
    assert (file_report.read, file_report.kept, file_report.merged) == (20, 19, 1)
    assert file_report.rejected == 0 and file_report.format == "csv"
    assert report.conflict_count == 0  # the repeated row is the same posting


def test_same_title_and_place_stay_apart() -> None:
    postings = list(load_postings(EXPORT))
    bengaluru_sdes = [
        p
        for p in postings
        if p.title == "Software Development Engineer" and p.location_text == "IND, KA, Bengaluru"
    ]
    assert len({p.id for p in bengaluru_sdes}) == 4


@pytest.mark.parametrize("word", ["python", "sql", "redshift", "pytorch", "terraform"])
def test_qualification_words_are_in_the_posting_text(word: str) -> None:
    postings = list(load_postings(EXPORT))
    assert any(word in p.description.casefold() for p in postings)


def test_sections_carry_their_column_name_and_placeholders_vanish() -> None:
    by_url = {p.url: p for p in load_postings(EXPORT)}
    data_engineer = by_url["https://www.amazon.jobs/en/jobs/2890201/apply"]
    assert data_engineer.description == (
        "Own the data pipelines behind the retail forecasting platform.\n\n"
        "Responsibilities\n- Design and build ETL pipelines\n- Model data for reporting\n\n"
        "Minimum Qualifications\n- 2+ years of data engineering experience\n"
        "- Experience with SQL\n"
        "- Experience with data modeling, warehousing and building ETL pipelines\n\n"
        "Preferred Qualifications\n- Experience with Redshift, Spark or EMR\n"
        "- Knowledge of Python"
    )
    assert data_engineer.posted is not None and data_engineer.posted.isoformat() == "2025-03-10"
    assert all("Not Provided" not in p.description for p in by_url.values())
    assert all(not p.description.endswith("N/A") for p in by_url.values())


# --- columns --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "placeholder", ["Not Provided", "N/A", "n/a", "-", "none", "NULL", "TBD", " not specified "]
)
def test_placeholders_count_as_empty(tmp_path: Path, placeholder: str) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [["title", "description", "benefits", "company"], [placeholder, "Do", placeholder, "X"]],
    )
    assert only_record(path).fields == {"description": "Do", "company": "X"}


def test_a_placeholder_description_is_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [["title", "description"], ["T", "Not Provided"]])
    assert records(path) == [Rejection(str(path), 2, "missing description")]


@pytest.mark.parametrize(
    "column",
    ["Apply Link", "apply_url", "job_url", "link", "hostedUrl", "absolute_url", "Job Link"],
)
def test_link_columns_give_the_url_and_the_id(tmp_path: Path, column: str) -> None:
    path = write_csv(
        tmp_path / "l.csv", [["title", "description", column], ["T", "D", "https://x.test/j/1"]]
    )
    found = only_record(path)
    assert found.fields["url"] == "https://x.test/j/1"
    assert posting_id(found.fields) == "https://x.test/j/1"


def test_an_own_id_wins_over_the_url() -> None:
    assert posting_id({"id": "r-7", "url": "https://x.test/1", "description": "d"}) == "r-7"


def test_the_digest_covers_every_text_column(tmp_path: Path) -> None:
    rows = [
        ["Job Title", "Location", "Description", "Minimum Qualifications"],
        ["Engineer", "IND, KA, Bengaluru", "Not Provided", "Python"],
        ["Engineer", "IND, KA, Bengaluru", "Not Provided", "Java"],
    ]
    path = write_csv(tmp_path / "d.csv", rows)
    ids = [p.id for p in load_postings(path)]
    assert len(set(ids)) == 2 and all(i.startswith("h") for i in ids)


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("Engineering", "team: Engineering"),
        (["Python", "SQL"], "team: Python, SQL"),
        ("ab12-cd34", None),
        ("https://x.test/logo.png", None),
        ("true", None),
        (42, None),
    ],
)
def test_unknown_keys_are_kept_when_they_carry_words(
    tmp_path: Path, value: object, kept: str | None
) -> None:
    path = tmp_path / "u.jsonl"
    path.write_text(json.dumps({"description": "Build.", "team": value}))
    expected = f"Build.\n\n{kept}" if kept else "Build."
    assert only_record(path).fields["description"] == expected


def test_bookkeeping_columns_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    path.write_text(json.dumps({"description": "Build.", "scraped_at": "yesterday", "logo": "x"}))
    assert only_record(path).fields == {"description": "Build."}


def test_address_parts_make_the_location(tmp_path: Path) -> None:
    rows = [["title", "description", "City", "State", "Country", "Zip"]]
    rows.append(["T", "D", "Austin", "TX", "US", "78701"])
    assert only_record(write_csv(tmp_path / "a.csv", rows)).fields["location"] == "Austin, TX, US"


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("2025-03-12", "2025-03-12"),
        ("2025-03-12T10:00:00Z", "2025-03-12"),
        ("March 12, 2025", "2025-03-12"),
        ("12 Mar 2025", "2025-03-12"),
        ("2025/03/12", "2025-03-12"),
        ("Wed, 12 Mar 2025 10:00:00 GMT", "2025-03-12"),
        ("1741773600000", "2025-03-12"),
    ],
)
def test_posted_dates_as_exports_write_them(tmp_path: Path, written: str, iso: str) -> None:
    path = write_csv(tmp_path / "d.csv", [["description", "Date Posted"], ["D", written]])
    assert only_record(path).fields["posted"] == iso


def test_an_unreadable_date_is_kept_as_text_not_lost(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", [["description", "posted"], ["D", "last Tuesday"]])
    assert only_record(path).fields == {"description": "D\n\nposted: last Tuesday"}


def test_fact_columns_become_facts(tmp_path: Path) -> None:
    rows = [
        ["description", "Job Type", "Workplace Type", "salary_min", "salary_max", "currency"],
        ["D", "Full Time", "Hybrid", "90,000", "$120k", "usd"],
    ]
    found = only_record(write_csv(tmp_path / "f.csv", rows))
    assert found.facts.employment_type == "full-time"
    assert found.facts.workplace == "hybrid"
    assert found.facts.pay == Pay(min=90000.0, max=120000.0, currency="USD", period="year")
    assert found.fields == {"description": "D"}


def test_a_fact_column_that_says_something_else_stays_text(tmp_path: Path) -> None:
    rows = [["description", "employment_type", "remote"], ["D", "Zero hours", "yes"]]
    found = only_record(write_csv(tmp_path / "f.csv", rows))
    assert found.facts.employment_type is None
    assert found.facts.workplace == "remote" and found.facts.remote is True
    assert found.fields["description"] == "D\n\nemployment_type: Zero hours"


def test_html_descriptions_are_made_plain(tmp_path: Path) -> None:
    rows = [["description"], ["<p>Fish &amp; chips</p><ul><li>Fry</li></ul>"]]
    assert only_record(write_csv(tmp_path / "h.csv", rows)).fields == {
        "description": "Fish & chips\n\nFry"
    }


# --- the field map ----------------------------------------------------------------------


def test_field_map_names_columns_no_rule_knows(tmp_path: Path) -> None:
    rows = [["Posición", "Job Summary", "Ciudad"], ["Ingeniera", "Construir cosas.", "Madrid"]]
    path = write_csv(tmp_path / "es.csv", rows)
    mapping = {"title": "Posición", "description": "Job Summary", "location": "ciudad"}
    assert only_record(path, field_map=mapping).fields == {
        "title": "Ingeniera",
        "description": "Construir cosas.",
        "location": "Madrid",
    }


def test_field_map_wins_over_the_rules(tmp_path: Path) -> None:
    rows = [["title", "description", "Summary"], ["T", "long text", "short"]]
    path = write_csv(tmp_path / "w.csv", rows)
    found = only_record(path, field_map=["description=Summary"])
    assert found.fields["description"] == "short\n\ndescription: long text"


def test_field_map_column_missing_from_the_header(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", [["title", "description"], ["T", "D"]])
    [rejection] = records(path, field_map={"description": "Job Summary"})
    assert isinstance(rejection, Rejection) and rejection.line == 1
    assert rejection.reason.startswith("column 'Job Summary' of the field map is not in")


def test_field_map_applies_to_json_too(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text(json.dumps({"Rol": "Analyst", "Texto": "Analyse."}))
    found = only_record(path, field_map={"title": "Rol", "description": "Texto"})
    assert found.fields == {"title": "Analyst", "description": "Analyse."}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (["salary=Pay"], "unknown key 'salary' in the field map"),
        (["description"], "expected KEY=COLUMN in the field map, got 'description'"),
        (["title="], "no column given for 'title' in the field map"),
        (["title=A", "title=B"], "'title' is mapped twice in the field map"),
        (["title=A", "description=a"], "column 'a' is mapped to both 'title' and 'description'"),
    ],
)
def test_field_map_is_checked_with_a_clear_error(
    tmp_path: Path, spec: list[str], message: str
) -> None:
    with pytest.raises(InputError, match="^" + message.replace("(", r"\(")):
        parse_field_map(spec)
    path = write_csv(tmp_path / "x.csv", [["description"], ["D"]])
    with pytest.raises(InputError):
        load_postings(path, field_map=spec)  # checked at the call, before any reading


def test_field_map_accepts_facts_and_pairs() -> None:
    checked = parse_field_map(["Employment_Type = Contrato", "description=Texto"])
    assert checked is not None
    assert dict(checked.columns) == {"employment_type": "Contrato", "description": "Texto"}
    assert parse_field_map([]) is None and parse_field_map(None) is None


# --- ids shared by different records ------------------------------------------------------


def test_different_records_sharing_an_id_are_reported(tmp_path: Path) -> None:
    first = tmp_path / "a.jsonl"
    first.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"id": "j1", "description": "Old text"},
                {"id": "j2", "description": "Same"},
                {"id": "j2", "description": "Same"},
            ]
        )
    )
    second = write_csv(tmp_path / "b.csv", [["id", "description"], ["j1", "New text"]])
    report = LoadReport()
    postings = list(load_postings([first, second], report=report))
    assert [p.description for p in postings if p.id == "j1"] == ["Old text", "New text"]
    assert [(f.kept, f.merged) for f in report.files] == [(2, 1), (0, 1)]
    assert report.conflict_count == 1
    assert report.conflict_note() == (
        f"1 id was used by different records (the last one kept): 'j1' at {first}:1 and {second}:2"
    )


def test_the_conflict_list_names_only_the_first_few(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    rows = [{"id": f"x{i % 8}", "description": f"text {i}"} for i in range(16)]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    report = LoadReport()
    list(load_postings(path, report=report))
    assert report.conflict_count == 8 and len(report.conflicts) == 5
    note = report.conflict_note()
    assert note is not None and note.endswith(" and 3 more")
