"""Feed formats recognised by shape, from small hand-made files in each format's form.

These run without the shared samples: each builds a file in ``tmp_path`` the way a
board or career page writes it (escaped HTML, JSON-LD that is not strict JSON, CDATA,
RFC 2822 dates), and checks the record and its facts.
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.ingest import RawRecord, Rejection, read_files, read_records
from search.ingest.context import ReadContext
from search.ingest.feeds.shapes import records_of, shape_of
from search.model import Pay


def read_one(path: Path) -> RawRecord:
    [found] = read_records([path])
    assert isinstance(found, RawRecord), found
    return found


def write(path: Path, text: str) -> Path:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


GREENHOUSE = {
    "id": 11,
    "title": "Data Engineer ",
    "absolute_url": "https://boards.greenhouse.io/acme/jobs/11",
    "internal_job_id": 5,
    "company_name": "Acme",
    "first_published": "2025-04-02T10:00:00-04:00",
    "application_deadline": "2025-06-30",
    "location": {"name": "Berlin, Germany; Remote"},
    "content": "&lt;p&gt;Build &amp;amp; run pipelines&amp;nbsp;daily.&lt;/p&gt;",
    "metadata": [
        {"name": "Employment Type", "value": "Part Time", "value_type": "single_select"},
        {"name": "Workplace Type", "value": "Hybrid", "value_type": "single_select"},
        {"name": "Team", "value": ["Data", "Platform"], "value_type": "multi_select"},
        {"name": "Is this urgent?", "value": True, "value_type": "yes_no"},
        {
            "name": "Pay Transparency Range",
            "value": {"unit": "EUR", "min_value": "60000", "max_value": "75000"},
            "value_type": "currency_range",
        },
    ],
}
LEVER = {
    "id": "l-1",
    "text": "Designer",
    "hostedUrl": "https://jobs.lever.co/acme/l-1",
    "createdAt": 1735732800000,
    "categories": {
        "commitment": "Contract",
        "location": "Lisbon",
        "allLocations": ["Lisbon", "Porto"],
    },
    "opening": "<p>Hello.</p>",
    "descriptionBody": "<div>Design things.</div>",
    "lists": [{"text": "Requirements", "content": "<li>Figma</li><li>Sketch</li>"}],
    "workplaceType": "onsite",
    "salaryRange": {"currency": "EUR", "interval": "per-month-salary", "min": 3000, "max": 4000},
}
ASHBY = {
    "id": "a-1",
    "title": "Analyst",
    "jobUrl": "https://jobs.ashbyhq.com/acme/a-1",
    "isListed": True,
    "location": "Austin, TX",
    "secondaryLocations": [{"location": "Remote (US)"}],
    "employmentType": "Intern",
    "isRemote": True,
    "descriptionPlain": "Analyse things.",
    "publishedAt": "2025-01-05T00:00:00.000+00:00",
    "compensation": {
        "summaryComponents": [
            {
                "compensationType": "Salary",
                "interval": "1 HOUR",
                "currencyCode": "USD",
                "minValue": 30,
                "maxValue": 40,
            }
        ]
    },
}


@pytest.mark.parametrize(
    ("entry", "shape"),
    [
        (GREENHOUSE, "greenhouse"),
        (LEVER, "lever"),
        (ASHBY, "ashby"),
        ({"@type": "JobPosting", "title": "T"}, "json-ld"),
        ({"@graph": []}, "json-ld"),
        ({"title": "T", "description": "D", "applyUrl": "https://x.test"}, "export"),
        ({"title": "T", "description": "D", "categories": ["a"]}, "export"),
    ],
)
def test_shape_is_decided_by_keys(entry: dict[str, object], shape: str) -> None:
    assert shape_of(entry) == shape


@pytest.mark.parametrize("name", ["board.json", "board.json.gz", "anything.jsonl"])
def test_greenhouse_entry(tmp_path: Path, name: str) -> None:
    text = json.dumps(GREENHOUSE) if name.endswith("jsonl") else json.dumps({"jobs": [GREENHOUSE]})
    record = read_one(write(tmp_path / name, text))
    assert record.fields == {
        "id": "11",
        "title": "Data Engineer",
        "location": "Berlin, Germany; Remote",
        "description": "Build & run pipelines daily.\n\nTeam: Data, Platform",
        "posted": "2025-04-02",
        "company": "Acme",
        "url": "https://boards.greenhouse.io/acme/jobs/11",
    }
    facts = record.facts
    assert (facts.employment_type, facts.workplace) == ("part-time", "hybrid")
    assert facts.pay == Pay(60000.0, 75000.0, "EUR", "year")
    assert facts.locations == ("Berlin, Germany", "Remote")
    assert facts.closes == date(2025, 6, 30)


def test_wrapper_company_fills_entries_without_one(tmp_path: Path) -> None:
    entry = {k: v for k, v in GREENHOUSE.items() if k != "company_name"}
    path = write(tmp_path / "b.json", json.dumps({"company": "acme", "jobs": [entry]}))
    assert read_one(path).fields["company"] == "acme"


def test_lever_entry(tmp_path: Path) -> None:
    record = read_one(write(tmp_path / "l.json", json.dumps([LEVER])))
    assert record.fields == {
        "id": "l-1",
        "title": "Designer",
        "location": "Lisbon; Porto",
        "description": "Hello.\n\nDesign things.\n\nRequirements\nFigma\n\nSketch",
        "posted": "2025-01-01",
        "company": "acme",
        "url": "https://jobs.lever.co/acme/l-1",
    }
    assert record.facts.pay == Pay(3000.0, 4000.0, "EUR", "month")
    assert (record.facts.employment_type, record.facts.workplace) == ("contract", "onsite")


def test_ashby_entry(tmp_path: Path) -> None:
    record = read_one(write(tmp_path / "a.json", json.dumps({"jobs": [ASHBY], "apiVersion": "1"})))
    assert record.fields["company"] == "acme"
    assert record.facts.locations == ("Austin, TX", "Remote (US)")
    assert record.facts.employment_type == "internship"
    assert record.facts.workplace == "remote" and record.facts.remote is True
    assert record.facts.pay == Pay(30.0, 40.0, "USD", "hour")


def test_a_feed_entry_with_only_a_title_is_still_found_by_it(tmp_path: Path) -> None:
    bare = {"id": 1, "title": "Welder", "absolute_url": "https://x.test/1", "internal_job_id": 2}
    record = read_one(write(tmp_path / "g.json", json.dumps([bare])))
    assert record.fields["description"] == "Welder"


# --- JSON-LD -------------------------------------------------------------------------------

POSTING = {
    "@context": "https://schema.org/",
    "@type": "JobPosting",
    "title": "Nurse &amp; Carer",
    "description": "&lt;p&gt;Care for patients.&lt;/p&gt;",
    "identifier": {"@type": "PropertyValue", "value": "n-1"},
    "datePosted": "2025-02-01",
    "validThrough": "2025-03-01T00:00",
    "employmentType": ["PART_TIME", "TEMPORARY"],
    "hiringOrganization": {"@type": "Organization", "name": "Clinic"},
    "jobLocation": [
        {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": "Leeds",
                "addressCountry": {"@type": "Country", "name": "GB"},
            },
        },
        {"@type": "Place", "name": "York"},
    ],
    "baseSalary": {
        "@type": "MonetaryAmount",
        "currency": "GBP",
        "value": {"@type": "QuantitativeValue", "minValue": 14, "maxValue": 16, "unitText": "HOUR"},
    },
    "qualifications": "NMC registration",
    "educationRequirements": {
        "@type": "EducationalOccupationalCredential",
        "credentialCategory": "bachelor degree",
    },
    "experienceRequirements": {
        "@type": "OccupationalExperienceRequirements",
        "monthsOfExperience": 24,
    },
}


def page(block: str, head: str = "") -> str:
    return (
        f'<html><head>{head}\n<script type="application/ld+json">{block}</script>\n</head></html>'
    )


def test_json_ld_posting_in_a_page(tmp_path: Path) -> None:
    head = '<link rel="canonical" href="https://clinic.test/jobs/n-1">'
    record = read_one(write(tmp_path / "p.html", page(json.dumps(POSTING), head)))
    assert record.line == 2
    assert record.fields == {
        "id": "n-1",
        "title": "Nurse & Carer",
        "location": "Leeds, GB; York",
        "description": "Care for patients.\n\nQualifications: NMC registration",
        "posted": "2025-02-01",
        "company": "Clinic",
        "url": "https://clinic.test/jobs/n-1",
    }
    facts = record.facts
    assert facts.pay == Pay(14.0, 16.0, "GBP", "hour")
    assert facts.employment_type == "part-time" and facts.closes == date(2025, 3, 1)
    assert (facts.degree, facts.experience_years) == ("bachelor", 2)


@pytest.mark.parametrize(
    "block",
    [
        # raw newlines inside a string: not strict JSON
        '{"@type": "JobPosting", "title": "T", "description": "line one\nline two"}',
        # a trailing comma
        '{"@type": "JobPosting", "title": "T", "description": "line one line two",}',
        # wrapped in an HTML comment and in CDATA
        '<!--{"@type": "JobPosting", "title": "T", "description": "line one line two"}-->',
        '<![CDATA[{"@type": "JobPosting", "title": "T", "description": "line one line two"}]]>',
        # the whole block HTML-escaped
        "{&quot;@type&quot;: &quot;JobPosting&quot;, &quot;title&quot;: &quot;T&quot;, "
        "&quot;description&quot;: &quot;line one line two&quot;}",
        # inside a @graph, beside other types, with a list-valued @type
        '{"@context": "https://schema.org", "@graph": [{"@type": "Organization", "name": "O"},'
        ' {"@type": ["JobPosting"], "title": "T", "description": "line one line two"}]}',
        # \\u escapes for @ and </>
        '{"\\u0040type": "JobPosting", "title": "T", "description": "\\u003cp\\u003eline one'
        ' line two\\u003c/p\\u003e"}',
    ],
)
def test_json_ld_blocks_that_are_not_strict_json(tmp_path: Path, block: str) -> None:
    record = read_one(write(tmp_path / "p.htm", page(block)))
    assert record.fields["title"] == "T"
    assert " ".join(record.fields["description"].split()) == "line one line two"


def test_json_ld_telecommute_scopes_the_remote_offer(tmp_path: Path) -> None:
    posting = {
        "@type": "JobPosting",
        "title": "T",
        "description": "D",
        "jobLocationType": "TELECOMMUTE",
        "applicantLocationRequirements": [
            {"@type": "Country", "name": "Canada"},
            {"@type": "Country", "name": "Mexico"},
        ],
        "baseSalary": {"@type": "MonetaryAmount", "currency": "CAD", "value": 90000},
    }
    record = read_one(write(tmp_path / "t.json", json.dumps(posting)))
    assert record.facts.workplace == "remote" and record.facts.remote is True
    assert record.facts.locations == ("Remote (Canada)", "Remote (Mexico)")
    assert record.facts.pay == Pay(90000.0, 90000.0, "CAD", "year")


def test_a_page_without_a_posting_and_a_broken_block(tmp_path: Path) -> None:
    empty = write(tmp_path / "e.html", page('{"@type": "Organization", "name": "O"}'))
    assert [r.reason for r in read_records([empty])] == [  # type: ignore[union-attr]
        "no schema.org JobPosting (JSON-LD) in this page"
    ]
    broken = write(
        tmp_path / "b.html",
        page('{"@type": "JobPosting", "title": ')
        + "\n"
        + page(json.dumps({"@type": "JobPosting", "title": "Kept", "description": "D"})),
    )
    found = list(read_records([broken]))
    assert isinstance(found[0], Rejection) and found[0].reason.startswith("invalid JSON-LD block")
    assert isinstance(found[1], RawRecord) and found[1].fields["title"] == "Kept"


def test_json_ld_pages_saved_inside_json(tmp_path: Path) -> None:
    pages = {
        "captured": "2025-01-01",
        "pages": {
            "a": {"url": "https://a.test/job", "page": page(json.dumps(POSTING))},
            "b": {"url": "https://b.test/job", "page": "<p>no data here</p>"},
        },
    }
    [reading] = read_files([write(tmp_path / "pages.json", json.dumps(pages))])
    found = list(reading)
    assert [r.fields["url"] for r in found] == ["https://a.test/job"]  # type: ignore[union-attr]
    assert reading.format == "json-ld (json)"


# --- XML -----------------------------------------------------------------------------------

INDEED = """<?xml version="1.0" encoding="utf-8"?>
<source>
  <publisher>Board</publisher>
  <job>
    <title><![CDATA[Forklift Driver]]></title>
    <date><![CDATA[Fri, 10 Jan 2025 22:49:39 GMT]]></date>
    <referencenumber><![CDATA[wh-77]]></referencenumber>
    <url><![CDATA[https://board.test/jobs/wh-77]]></url>
    <company><![CDATA[Depot & Co]]></company>
    <city><![CDATA[Leeds]]></city>
    <country><![CDATA[GB]]></country>
    <description><![CDATA[<p>Move <b>pallets</b>.</p>]]></description>
    <salary><![CDATA[£12 per hour]]></salary>
    <jobtype><![CDATA[fulltime, parttime]]></jobtype>
  </job>
  <job><title>No text</title></job>
</source>
"""
PERSONIO = """<?xml version='1.0' encoding='utf-8'?>
<workzag-jobs>
<position>
  <id>9</id>
  <subcompany>Acme GmbH</subcompany>
  <office>Berlin</office>
  <additionalOffices><office>Hamburg</office></additionalOffices>
  <name>Werkstudent Data</name>
  <jobDescriptions>
    <jobDescription><name>Tasks</name><value>
      &lt;ul&gt;&lt;li&gt;Clean data&lt;/li&gt;&lt;/ul&gt;
    </value></jobDescription>
  </jobDescriptions>
  <employmentType>working_student</employmentType>
  <schedule>part-time</schedule>
  <yearsOfExperience>1-2</yearsOfExperience>
  <createdAt>2025-03-01T10:00:00+00:00</createdAt>
</position>
</workzag-jobs>
"""


def test_indeed_style_feed(tmp_path: Path) -> None:
    [reading] = read_files([write(tmp_path / "feed.xml.gz", INDEED)])
    record, rejection = list(reading)
    assert isinstance(record, RawRecord) and isinstance(rejection, Rejection)
    assert record.line == 4 and rejection.line == 16
    assert rejection.reason == "missing description"
    assert record.fields == {
        "id": "wh-77",
        "title": "Forklift Driver",
        "location": "Leeds, GB",
        "description": "Move pallets.",
        "posted": "2025-01-10",
        "company": "Depot & Co",
        "url": "https://board.test/jobs/wh-77",
    }
    assert record.facts.employment_type == "full-time"
    assert record.facts.pay == Pay(12.0, 12.0, "GBP", "hour", text="£12 per hour")
    assert reading.format == "indeed-xml (xml)"


def test_personio_feed(tmp_path: Path) -> None:
    record = read_one(write(tmp_path / "p.xml", PERSONIO))
    assert record.fields["description"] == "Tasks: Clean data"
    assert record.facts.locations == ("Berlin", "Hamburg")
    assert record.facts.employment_type == "internship"
    assert (record.facts.experience_years, record.facts.experience_text) == (1, "1-2 years")
    assert record.fields["company"] == "Acme GmbH"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<jobs><job><title>T</title>", "invalid XML: no element found"),
        ("<rss><item/></rss>", "no <job> or <position> elements in this XML (<rss>)"),
        ("", "invalid XML: no element found"),
        ("<source><job><title>A &nbsp; B</title></job></source>", "invalid XML: undefined entity"),
    ],
)
def test_xml_faults_are_one_rejection(tmp_path: Path, text: str, reason: str) -> None:
    [rejection] = read_records([write(tmp_path / "x.xml", text)])
    assert isinstance(rejection, Rejection) and rejection.reason == reason


# --- properties ----------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "@type",
                    "@graph",
                    "title",
                    "text",
                    "categories",
                    "absolute_url",
                    "metadata",
                    "jobUrl",
                    "isListed",
                    "description",
                    "location",
                    "jobLocation",
                    "baseSalary",
                    "salaryRange",
                    "compensation",
                    "lists",
                    "value",
                    "name",
                    "page",
                    "url",
                ]
            )
            | st.text(max_size=8),
            inner,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=400)
@given(value=JSON_VALUES)
def test_any_json_value_becomes_records_or_rejections(value: object) -> None:
    for item in records_of(value, ReadContext("x.json"), 1):
        assert isinstance(item, RawRecord | Rejection)
        if isinstance(item, RawRecord):
            assert item.fields["description"]


XML_PIECES = st.lists(
    st.sampled_from(
        [
            "<source>",
            "</source>",
            "<job>",
            "</job>",
            "<title>",
            "</title>",
            "<description>",
            "</description>",
            "<![CDATA[",
            "]]>",
            "&amp;",
            "&lt;p&gt;",
            "text",
            "<!DOCTYPE x [",
            '<!ENTITY a "aaaa">',
            "]>",
            "&a;",
            "<workzag-jobs>",
            "<position>",
            "</position>",
        ]
    )
    | st.text(max_size=10),
    max_size=40,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=XML_PIECES)
def test_xml_readers_never_raise(tmp_path: Path, pieces: list[str]) -> None:
    path = write(tmp_path / "f.xml", "".join(pieces))
    for item in read_records([path]):
        assert item.line >= 1
