"""The real feed samples in ../shared/feeds: every posting read, with its structured facts.

The expected values below were read from the sample files by hand (see their README);
the tests skip cleanly when the samples are not there.
"""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import pytest

from search.ingest import RawRecord, Rejection, read_files, read_records
from search.ingest.postings import load_postings
from search.ingest.report import LoadReport
from search.model import JobPosting, Pay

FEEDS = Path(__file__).resolve().parents[2] / "shared" / "feeds"
pytestmark = pytest.mark.skipif(not FEEDS.is_dir(), reason="shared feed samples not available")

#: sample -> (format reported, postings)
SAMPLES = {
    "ashby/ajprotzel_airbyte_compensation_trimmed.json": ("ashby (json)", 2),
    "ashby/lilliban_ramp_full_text.json": ("ashby (json)", 3),
    "greenhouse/headstart_airbnb_pay_workplace.json": ("greenhouse (json)", 3),
    "greenhouse/techjobshub_catawiki_content_28.json": ("greenhouse (json)", 28),
    "greenhouse/techjobshub_spacex_list_30.json": ("greenhouse (json)", 30),
    "jsonld/headstart_jsonld_pages_trakstar_meta_jazzhr.json": ("json-ld (json)", 3),
    "jsonld/headstart_pinpoint_woodrodgers_posting_page.html": ("json-ld (html)", 1),
    "jsonld/headstart_wellfound_deepgram_ldjson_excerpt.html": ("json-ld (html)", 1),
    "lever/abhibattula_palantir_salary_in_text.json": ("lever (json)", 2),
    "lever/headstart_zoox_salaryrange.json": ("lever (json)", 2),
    "xml/appcast_starspawn_feed_30.xml": ("indeed-xml (xml)", 30),
    "xml/headstart_personio_avian.xml": ("personio-xml (xml)", 2),
}
#: Samples whose postings carry no address of their own (the README lists their fields).
NO_URL = {
    "jsonld/headstart_pinpoint_woodrodgers_posting_page.html",
    "jsonld/headstart_wellfound_deepgram_ldjson_excerpt.html",
    "xml/headstart_personio_avian.xml",
}


def postings(name: str) -> list[JobPosting]:
    rejected: list[Rejection] = []
    found = list(load_postings(FEEDS / name, on_reject=rejected.append))
    assert rejected == []
    return found


def record_list(name: str) -> list[RawRecord]:
    found = list(read_records([FEEDS / name]))
    assert all(isinstance(r, RawRecord) for r in found), found
    return found  # type: ignore[return-value]


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_indexes_without_a_rejection(name: str) -> None:
    report = LoadReport()
    rejected: list[Rejection] = []
    built = list(load_postings(FEEDS / name, report=report, on_reject=rejected.append))
    fmt, count = SAMPLES[name]
    assert rejected == []
    [file_report] = report.files
    assert (file_report.format, file_report.read, file_report.kept) == (fmt, count, count)
    assert len(built) == count and len({p.id for p in built}) == count
    for posting in built:
        assert posting.title and posting.title == posting.title.strip()
        assert len(posting.description) > 40
        assert posting.company
        assert posting.url if name not in NO_URL else posting.url is None
        assert posting.posted is not None


def test_the_format_comes_from_the_content_not_the_name(tmp_path: Path) -> None:
    renamed = tmp_path / "export.json"
    renamed.write_bytes((FEEDS / "lever/headstart_zoox_salaryrange.json").read_bytes())
    [reading] = read_files([renamed])
    assert len(list(reading)) == 2 and reading.format == "lever (json)"


# --- structured facts, per format --------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "pay", "workplace", "place"),
    [
        (0, Pay(87000.0, 102000.0, "USD", "year"), "remote", "United States"),
        (1, Pay(46000.0, 54000.0, "GBP", "year"), "hybrid", "London, United Kingdom"),
        (2, Pay(52000.0, 65000.0, "MXN", "month"), "onsite", "Mexico City, Mexico"),
    ],
)
def test_greenhouse_pay_in_cents_and_workplace_metadata(
    index: int, pay: Pay, workplace: str, place: str
) -> None:
    record = record_list("greenhouse/headstart_airbnb_pay_workplace.json")[index]
    assert record.facts.pay == pay
    assert record.facts.workplace == workplace
    assert record.facts.locations == (place,)
    assert record.fields["company"] == "Airbnb"
    assert "&lt;" not in record.fields["description"]
    assert "&nbsp;" not in record.fields["description"]


def test_greenhouse_places_time_type_and_escaped_content() -> None:
    records = record_list("greenhouse/techjobshub_catawiki_content_28.json")
    by_title = {r.fields["title"]: r for r in records}
    assert by_title["Backend Software Engineer"].facts.employment_type == "full-time"
    assert by_title["Android Developer"].facts.employment_type is None  # Time Type null
    assert by_title["Category Manager (Art)"].facts.locations == (
        "Amsterdam, Netherlands",
        "France",
        "Lisbon, Portugal",
    )
    assert (
        "Daniel Ricciardo’s Formula 1 Car"
        in by_title["Backend Software Engineer"].fields["description"]
    )


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Accountant, Revenue", "full-time"),
        ("Barista - Temporary", "temporary"),
        ("Spring 2027 Civil Engineering Internship", "internship"),
    ],
)
def test_greenhouse_list_entries_without_content(title: str, kind: str) -> None:
    records = record_list("greenhouse/techjobshub_spacex_list_30.json")
    record = next(r for r in records if r.fields["title"] == title)
    assert record.facts.employment_type == kind
    assert record.fields["company"] == "SpaceX"
    assert "Discipline: " in record.fields["description"]


def test_lever_salary_range_workplace_and_millisecond_dates() -> None:
    first, second = record_list("lever/headstart_zoox_salaryrange.json")
    assert first.facts.pay == Pay(174000.0, 237000.0, "USD", "year")
    assert second.facts.pay == Pay(170000.0, 204000.0, "USD", "year")
    assert (first.facts.workplace, second.facts.workplace) == ("remote", "onsite")
    assert first.facts.employment_type == "full-time"
    assert (first.fields["posted"], second.fields["posted"]) == ("2026-08-04", "2026-09-10")
    assert first.fields["company"] == "zoox"
    assert first.facts.locations == ("Remote (United States)",)
    # The plain twin holds a recruiter's template; the HTML description is the posting.
    assert "BEFORE PROCEEDING" not in second.fields["description"]
    assert "Bonus Qualifications" in second.fields["description"]


def test_lever_uses_the_complete_parts_when_description_was_cut() -> None:
    first, _ = record_list("lever/abhibattula_palantir_salary_in_text.json")
    assert first.facts.workplace == "hybrid" and first.facts.pay is None
    assert first.fields["posted"] == "2024-03-25"
    text = first.fields["description"]
    assert "Our team of Administrative Business Partners" in text  # from descriptionBody
    assert "Life at Palantir" in text  # from additional
    assert "<div" not in text


def test_ashby_every_location_and_workplace_over_is_remote() -> None:
    first, *_ = record_list("ashby/lilliban_ramp_full_text.json")
    assert first.fields["title"] == "Security Engineer, Cloud"
    assert first.facts.workplace == "hybrid"  # isRemote true is contradicted, not trusted
    assert first.facts.locations[:3] == ("New York, NY (HQ)", "Remote (Canada)", "Remote (US)")
    assert first.fields["company"] == "ramp"


def test_ashby_compensation() -> None:
    first, second = record_list("ashby/ajprotzel_airbyte_compensation_trimmed.json")
    assert first.facts.pay == Pay(99000.0, 115000.0, "USD", "year")
    assert second.facts.pay == Pay(217000.0, 260000.0, "USD", "year")
    assert (first.facts.workplace, second.facts.workplace) == ("remote", "hybrid")
    assert "Compensation: $99K – $115K • Offers Equity" in first.fields["description"]


def test_json_ld_saved_pages() -> None:
    trakstar, meta, jazzhr = record_list("jsonld/headstart_jsonld_pages_trakstar_meta_jazzhr.json")
    assert trakstar.fields["url"] == "https://aservicesgroup.hire.trakstar.com/jobs/fk0zpoq/"
    assert trakstar.fields["company"] == "A Services Group (ASG)"
    assert "Starting Rate: $17.00 Per Hour" in trakstar.fields["description"]
    assert "&lt;" not in trakstar.fields["description"]
    assert meta.fields["company"] == "Meta" and meta.facts.closes == date(2026, 10, 24)
    assert meta.facts.employment_type == "full-time"
    assert "Qualifications\nMasters-level education" in meta.fields["description"]
    assert jazzhr.facts.employment_type == "contract"
    assert jazzhr.facts.closes == date(2026, 11, 9)
    assert jazzhr.facts.locations == ("Cherry Hill Township, NJ",)


def test_json_ld_base_salary_in_a_page() -> None:
    [record] = record_list("jsonld/headstart_pinpoint_woodrodgers_posting_page.html")
    assert record.facts.pay == Pay(31.75, 39.5, "USD", "hour")
    assert record.fields["company"] == "Wood Rodgers"
    assert record.fields["title"] == "Assistant Engineer"
    assert record.facts.locations == ("Denver, CO",)


def test_json_ld_telecommute_is_remote_within_its_country() -> None:
    [posting] = postings("jsonld/headstart_wellfound_deepgram_ldjson_excerpt.html")
    assert posting.workplace == "remote" and posting.remote
    assert posting.remote_scope == ("IN",)
    assert posting.company == "Deepgram" and posting.employment_type == "full-time"


def test_personio_positions() -> None:
    intern, lead = record_list("xml/headstart_personio_avian.xml")
    assert (intern.facts.employment_type, lead.facts.employment_type) == (
        "internship",
        "full-time",
    )
    assert (intern.facts.experience_years, lead.facts.experience_years) == (0, 5)
    assert lead.facts.experience_text == "5-7 years"
    assert intern.fields["company"] == "Innovire AG"
    assert intern.facts.locations == ("Zürich",)
    assert "Your profile\nYou are a sharp, structured" in intern.fields["description"]


def test_appcast_jobs() -> None:
    records = record_list("xml/appcast_starspawn_feed_30.xml")
    first = records[0]
    assert first.fields["id"] == "63_Apr47337"
    assert first.fields["company"] == "HealthTrust Workforce Solutions"
    assert first.fields["location"] == "Aurora, CO, United States"
    assert first.fields["posted"] == "2018-04-21"
    assert first.fields["url"].startswith("https://click.appcast.io/track/oan6tn?cs=ae4&exch=")
    assert "<p>" not in first.fields["description"]
    assert "category: Per Diem" in first.fields["description"]  # heading as the feed spells it


def test_structured_facts_reach_the_posting() -> None:
    posting = postings("greenhouse/headstart_airbnb_pay_workplace.json")[2]
    assert posting.pay == Pay(52000.0, 65000.0, "MXN", "month")
    assert posting.workplace == "onsite"
    remote = postings("lever/headstart_zoox_salaryrange.json")[0]
    assert remote.workplace == "remote" and remote.remote and remote.remote_scope == ("US",)
    intern = postings("xml/headstart_personio_avian.xml")[0]
    assert intern.employment_type == "internship" and intern.experience_years == 0


def test_reading_the_samples_opens_no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a feed reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    found = list(read_records([FEEDS]))
    assert len(found) == sum(count for _, count in SAMPLES.values())
