"""Title, role, level and employment type: real phrases from the sample and the corpus."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.extract import roles
from search.extract.roles import (
    EMPLOYMENT_TYPES,
    LEVELS,
    classify_employment_type,
    classify_level,
    classify_role,
    extract_title,
    role_families,
)
from tests.conftest import CORPUS, sample_postings


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("  Senior   Software Engineer ", "", "Senior Software Engineer"),
        (None, "Join us. As an Applied Science Intern, you'll have", "Applied Science Intern"),
        (None, "As a Principal Scientist within the AGI org", "Principal Scientist"),
        (
            None,
            "Store! We are looking for a Senior Applied Scientist to lead us",
            "Senior Applied Scientist",
        ),
        (
            None,
            "As a Research Science intern focused on Operations Research and Optimization",
            "Research Science Intern",
        ),
        (
            None,
            "The AGI team is looking for a passionate, talented, and inventive Applied "
            "Scientist with a strong deep learning background",
            "Applied Scientist",
        ),
        (
            None,
            "Amazon has positions available for Machine Learning Applied Science Internships in",
            "Machine Learning Applied Science Intern",
        ),
        # "a successful applied scientist" describes; it names no title
        (
            None,
            "As a successful applied scientist on our team, you will",
            "As a successful applied scientist",
        ),
        (
            None,
            "Unlock the Future with Amazon Science! Calling all",
            "Unlock the Future with Amazon Science",
        ),
        (None, "", "Untitled posting"),
    ],
)
def test_extract_title(title: str | None, text: str, expected: str) -> None:
    assert extract_title(title, text) == expected


def test_fallback_title_is_short() -> None:
    text = "Revolutionize the Future of AI at the Frontier of Applied Science Are you " * 20
    assert extract_title(None, text) == "Revolutionize the Future of AI"


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Applied Science Intern", "", "applied scientist"),
        ("Research Science Intern", "", "research scientist"),
        ("Senior Applied Scientist", "", "applied scientist"),
        # the title alone is ambiguous; the text's role phrase decides
        ("Principal Scientist", "A Principal Applied Scientist will solicit", "applied scientist"),
        ("Principal Scientist", "", None),
        ("Open Application", "We are looking for a Senior Data Engineer to", "data engineer"),
        ("Enterprise Account Executive", "", "sales"),
        ("Machine Learning Engineer (LLM)", "", "machine learning engineer"),
        ("Senior Software Engineer, Applied AI", "", "machine learning engineer"),
        ("Full-Stack Engineer", "", "software engineer"),
        ("Engineering Manager", "", "engineering manager"),
        ("Product Marketing Manager", "", "marketing"),
        ("Product Designer", "", "designer"),
        ("Design Engineer", "", "software engineer"),
        ("Technical Account Manager", "", "customer success"),
        ("Customer Success Manager", "", "customer success"),
        ("Sales Engineer", "", "solutions engineer"),
        ("Technical Recruiter", "", "recruiter"),
        ("Senior Site Reliability Engineer", "", "infrastructure engineer"),
        ("Senior Data Scientist", "", "data scientist"),
        ("Behavior Technician (RBT)", "", "healthcare"),
        ("Senior Accountant", "", "finance"),
        ("Commercial Counsel", "", "legal"),
        ("Executive Assistant", "", "administrative"),
        ("Product Manager - Monetization & Growth", "", "product manager"),
        # a stray "engineers" in the text is no role phrase
        ("Open Application", "You will work with software engineers.", None),
        # an engineer of another kind is no software engineer
        ("Senior Antenna Engineer", "", "hardware engineer"),
        ("Aerodynamics Engineer", "", "hardware engineer"),
        ("Satellite Thermal Engineer", "", "hardware engineer"),
        ("Civil Engineer", "", "hardware engineer"),
        ("Technical Support Engineer III", "", "customer success"),
        ("Senior Reliability Engineer", "", "infrastructure engineer"),
        ("Cybersecurity Engineer", "", "security engineer"),
        ("Field Engineer - Partnerships", "", "solutions engineer"),
        ("Senior Quality Engineer", "", "qa engineer"),
        ("Vice President - Engineering & Production Operation", "", "engineering manager"),
        ("Project Engineer", "", None),
        ("Senior Mine Engineer", "", None),
        ("Building Engineer", "", None),
        # a domain after the job is no job of that domain
        ("(Senior) Account Executive - Cybersecurity - DACH", "", "sales"),
        ("Category Manager, Data Center Equipment", "", None),
        # software engineers by their language, stack or level alone
        ("C++ Engineer - Options Trading", "", "software engineer"),
        ("Senior Ruby-on-Rails Engineer (Remote - Europe)", "", "software engineer"),
        ("Rust Engineering Lead - Linux and Open Source", "", "software engineer"),
        ("Engineering Lead - Platform", "", "software engineer"),
        ("Engineer", "", "software engineer"),
        ("Senior Engineer II", "", "software engineer"),
    ],
)
def test_classify_role(title: str, text: str, expected: str | None) -> None:
    assert classify_role(title, text) == expected


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Applied Science Intern", "", "intern"),
        ("Software Engineering Intern (Summer 2026)", "", "intern"),
        ("Werkstudent Data Annotation (m/w/d)", "", "intern"),
        ("Principal Scientist", "", "principal"),
        ("Staff Software Engineer", "", "principal"),
        ("Senior Staff Product Marketing Manager, EMEA", "", "principal"),
        ("Member of Technical Staff", "", None),
        ("Staff Product Manager", "", "principal"),
        ("Backend Engineer | Senior & Staff", "", "principal"),
        # "staff" outside the engineering, science, product and design ladders
        ("Staff Accountant", "", None),
        ("Staff Pharmacist (Wed - Sat)", "", None),
        ("Legal Staff", "", None),
        ("Senior Software Engineer", "", "senior"),
        ("Sr. Technical Recruiter", "", "senior"),
        ("Lead Product Designer", "", "senior"),
        ("Senior Product Manager", "", "senior"),  # product managers are individual contributors
        ("Senior Engineering Manager", "", "manager"),
        ("Head of Customer Success", "", "manager"),
        ("VP of Product", "", "manager"),
        ("Associate Director, Finance", "", "manager"),
        ("Chief of Staff", "", None),
        ("Software Engineer (New Grad)", "", "entry"),
        ("Junior Account Executive", "", "entry"),
        ("Inventory Control Specialist I", "", "entry"),
        ("Software Engineer II", "", "mid"),
        ("Machine Learning Engineer - 2", "", "mid"),
        ("Mid-Market Account Executive", "", None),
        # "X Manager" titles of individual contributors are no manager level
        ("Business Development Manager", "", None),
        ("Customer Success Enablement Manager", "", None),
        ("Compliance Manager", "", None),
        ("Engineering Manager, Navigation SDK", "", "manager"),
        ("Account Executive", "", None),
        # no cue in the title: the text's role phrase, never a stray word
        ("", "We are looking for a Senior Applied Scientist to lead", "senior"),
        ("Applied Scientist", "Collaborate with senior scientists and engineers.", None),
        ("Applied Scientist", "As a successful applied scientist on our team", None),
        # a level the text states outright
        ("Design", "This is a senior, multidisciplinary role for a designer.", "senior"),
        ("Account Executive", "This is a senior individual contributor role where you", "senior"),
        ("Support Specialist", "This is an entry level role. The specialist is an", "entry"),
        ("Engineer", "We are looking for lead front-end developers to help us build", "senior"),
        ("Account Executive", "We're looking for a mid-level account executive with", "mid"),
        ("Engineer", "We are looking for senior leadership buy-in.", None),
        ("Engineer", "Our senior team is hiring.", None),
    ],
)
def test_classify_level(title: str, text: str, expected: str | None) -> None:
    assert classify_level(title, text) == expected


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Applied Science Intern",
            "Must be available for a full-time (40h/ week) 12 week internship.",
            "internship",
        ),
        ("Senior Recruiting Coordinator (Contract)", "", "contract"),
        ("Freelance Tech Sound Designer", "", "contract"),
        ("Field Testing Specialist (12-month Contract)", "", "contract"),
        ("Part-Time Tutor", "", "part-time"),
        ("Operations Associate - Full Time", "", "full-time"),
        ("Temporary Warehouse Associate", "", "temporary"),
        ("Sales Representative", "Job Type:\n\nFull-time\n\nPay: $20", "full-time"),
        ("Behavior Technician", "Employment Type: Part-time, 15-30 hours/week", "part-time"),
        ("AI Data Trainer", "This is a 1099 independent contractor opportunity.", "contract"),
        ("Engineer", "This role is a contract-to-hire position", "contract"),
        ("Product Manager", "We are hiring for this full-time position in NYC.", "full-time"),
        ("Product Manager", "This is a full-time position based in NYC.", "full-time"),
        # statements of this job's terms, as the corpus writes them
        (
            "Manager",
            "Neo Financial is looking for a full-time Manager, Risk & Control",
            "full-time",
        ),
        ("Copywriter", "This is a full-time, in-person role for someone who", "full-time"),
        (
            "Pharmacy Technician",
            "Compensation: $20/hour\nStatus: Full-time\nReports To",
            "full-time",
        ),
        ("Engineer", "This full time position requires working 5 days a week", "full-time"),
        ("Engineer", "This critical, full-time role is essential for", "full-time"),
        ("Engineer", "the position is full-time, salaried, exempt", "full-time"),
        ("Engineer", "Location: SF Office | Team: Sales | Full-time\n\nCampfire is", "full-time"),
        ("Director", "*** Please note this is a fulltime/ contractor role", "full-time"),
        ("Curator", "This is a part-time, contracting role where compensation", "part-time"),
        (
            "Translator",
            "Please note that this is a remote, freelance contractor position.",
            "contract",
        ),
        ("Translator", "Lilt is looking for English into Polish freelance translators", "contract"),
        ("Rep", "Job Type:\n\nFull-time/Part-time hours, contract role.", "contract"),
        ("Nurse", "Pay: $20.00 per hour, contractor position.", "contract"),
        ("Analyst", "This role is a fixed-term contract, remote within the EU", "temporary"),
        # a labelled field names terms only in its value; "Contract Specialist" is a job
        ("Lead", "Contract type: permanent employee or employer of record", None),
        ("Specialist", "Hadrian is seeking a Contract Specialist to support", None),
        ("Technician", "Hours:\n\n - Monday - Friday: 4pm-7pm (full-time option)", None),
        ("Rep", "We are looking for individuals who can work full-time or part-time hours.", None),
        ("Partner", "If you join us as an independent contractor, you're only entitled to", None),
        ("Rep", "Job Type: Full-time and Part-time available", None),
        # exports that lost their line breaks run the label into the next words
        (
            "Graphic Designer",
            "Role DescriptionThis is a full-time on-site role for a Graphic Designer",
            "full-time",
        ),
        (
            "Legal Assistant",
            "Location: Philadelphia, PAJob Type: Full-TimeExperience Level: No Experience",
            "full-time",
        ),
        ("Clerk", "Employment Type: Part-time or Full-timeWork Hours: Monday to Saturday", None),
        # one kind of hours after the other: the first is the job's
        (
            "Coordinator",
            "Status: Part Time with potential for Full Time Consideration",
            "part-time",
        ),
        # a list of what the job is not says nothing of what it is
        (
            "Staff Product Designer",
            "NOT A GREAT FIT IF…\n\n - You prefer rigid structures.\n\n - You’re looking for "
            "short-term contract work rather than a long-term, full-time opportunity.\n\n"
            "INTERVIEW PROCESS",
            None,
        ),
        # the candidate's work permit is no term of the job
        (
            "Manager",
            "You must be currently authorized to work in the United States on a full-time basis.",
            None,
        ),
        # a job about contracts is no contract job
        ("Contract Administrator", "", None),
        ("Contracts Manager", "", None),
        ("Contract Recruiter", "", "contract"),
        # boilerplate and contract-as-a-noun are no cues
        ("Account Executive", "Company equity for all full-time employees", None),
        ("Account Executive", "Negotiate contract terms and close deals.", None),
        ("Controller", "Part-time, contract, or freelance roles may not be eligible.", None),
    ],
)
def test_classify_employment_type(title: str, text: str, expected: str | None) -> None:
    assert classify_employment_type(title, text) == expected


def test_employment_type_takes_the_level_already_computed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A caller that has the level passes it, and the level is not read a second time."""
    title, text = "Research Scientist", "As a Research Science Intern, you will run studies."
    assert classify_employment_type(title, text) == "internship"
    assert classify_level(title, text) == "intern"

    def fail(*_: object) -> str | None:
        raise AssertionError("classify_level called again")

    monkeypatch.setattr(roles, "classify_level", fail)
    assert classify_employment_type(title, text, level="intern") == "internship"
    assert classify_employment_type(title, text, level=None) is None
    assert classify_employment_type(title, text, level="senior") is None


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_classifiers_never_raise(title: str, text: str) -> None:
    assert classify_employment_type(title, text) in (*EMPLOYMENT_TYPES, None)
    assert classify_level(title, text) in (*LEVELS, None)


def test_sample_postings() -> None:
    """The acceptance cases: titles read from text, the Principal and Senior postings."""
    results = []
    for location, text in sample_postings():
        title = extract_title(None, text)
        results.append(
            (
                location,
                title,
                classify_role(title, text),
                classify_level(title, text),
                classify_employment_type(title, text),
            )
        )
    assert len(results) == 10
    principal = [r for r in results if r[1] == "Principal Scientist"]
    assert [r[2:4] for r in principal] == [("applied scientist", "principal")]
    seller = [r for r in results if r[1] == "Senior Applied Scientist"]
    assert [r[3] for r in seller] == ["senior"]
    interns = [r for r in results if r[1].endswith("Intern")]
    assert len(interns) == 7
    assert {(r[3], r[4]) for r in interns} == {("intern", "internship")}
    assert {r[2] for r in results} == {"applied scientist", "research scientist"}


def test_vocabulary_names_are_consistent() -> None:
    families = role_families()
    assert len(families) == len(set(families)) > 20
    assert "applied scientist" in families
    assert LEVELS == ("intern", "entry", "mid", "senior", "principal", "manager")
    assert "internship" in EMPLOYMENT_TYPES


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, str]]:
    if not CORPUS.exists():
        pytest.skip(f"corpus absent: {CORPUS}")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def test_corpus_interns_are_interns(corpus: list[dict[str, str]]) -> None:
    interns = [r for r in corpus if re.search(r"\bintern(ship)?s?\b", r["title"], re.IGNORECASE)]
    assert len(interns) > 100
    for row in interns:
        assert classify_level(row["title"], row["description"]) == "intern", row["title"]
        assert classify_employment_type(row["title"], row["description"]) == "internship"


def test_corpus_coverage(corpus: list[dict[str, str]]) -> None:
    """Measured: 92.6% of rows get a role; every role and level is a known one."""
    roles = Counter(classify_role(r["title"], r["description"]) for r in corpus)
    levels = Counter(classify_level(r["title"], r["description"]) for r in corpus)
    assert 1 - roles[None] / len(corpus) > 0.90
    assert set(roles) - {None} <= set(role_families())
    assert set(levels) - {None} == set(LEVELS)
    assert levels["senior"] > levels["principal"] > levels["intern"]


def test_corpus_employment_type_coverage(corpus: list[dict[str, str]]) -> None:
    """Measured: a type for 11% of rows (7.7% before statements were read), full-time for
    418 (310 before); boilerplate about "full-time employees" is no statement."""
    types = Counter(classify_employment_type(r["title"], r["description"]) for r in corpus)
    assert 1 - types[None] / len(corpus) > 0.10
    assert types["full-time"] > 380
    assert types["contract"] > 280
