"""Skill vocabulary and extraction: real phrases, the sample postings and the corpus."""

from __future__ import annotations

import gzip
import itertools
import json
import re
import sys
import tomllib
from importlib import resources
from types import FrameType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.extract.sections import boilerplate_spans, job_text
from search.extract.skills import (
    Skill,
    SkillVocabulary,
    extract_skills,
    named_skills,
    vocabulary,
)
from tests.conftest import CORPUS, sample_postings


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("Experience with PyTorch or JAX", {"pytorch", "jax"}),
        ("expertise in: LLMs, NLP/NLU, Gen AI, Transformers", {"large language models"}),
        ("LLMs, NLP/NLU, Gen AI, Transformers", {"natural language processing", "generative ai"}),
        ("harnessing generative artificial intelligence", {"generative ai"}),
        ("Kubernetes (k8s) and Docker on AWS", {"kubernetes", "docker", "aws"}),
        ("Strong C++ and C# skills", {"c++", "c#"}),
        ("services in Node.js and TypeScript", {"node.js", "typescript"}),
        ("Go, Python, or Rust", {"golang", "python", "rust"}),
        ("Golang microservices", {"golang", "microservices"}),
        ("in R or Python", {"r", "python"}),
        ("(e.g., Python, R, SQL)", {"r", "python", "sql"}),
        ("systems languages (Rust, C/C++, Go, etc.)", {"c", "c++", "golang", "rust"}),
        ("computer vision (CV) and/or video pipelines", {"computer vision"}),
        ("common ML/CV libraries (OpenCV, YOLO)", {"computer vision", "opencv"}),
        ("deep reinforcement learning and RL", {"reinforcement learning"}),
        ("recommendation systems, question answering", {"recommender systems"}),
        ("Recommender Systems", {"recommender systems"}),
        ("a focus on speech recognition (ASR)", {"speech recognition"}),
        ("named entity recognition (NER)", {"named entity recognition"}),
        ("Apache Spark and Airflow on GCP", {"spark", "airflow", "gcp"}),
        ("a 5+ years in SQL", {"sql"}),
        ("Typescript, Go, and/or Python", {"typescript", "golang", "python"}),
        ("Google Cloud Platform", {"gcp"}),
        ("ASP.NET services", {".net"}),
        ("Time Series, Causal Inference, Knowledge Graphs", {"time series", "causal inference"}),
    ],
)
def test_finds(text: str, present: set[str]) -> None:
    assert present <= set(extract_skills(text))


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("Our maid service", {"artificial intelligence"}),
        ("Please submit your CV along with your portfolio.", {"computer vision"}),
        ("Send us your CV and a short cover letter", {"computer vision"}),
        ("Send us your CV/ profile, tell us", {"computer vision"}),
        ("a good place to go next", {"golang"}),
        ("Go-to-market strategy, Python", {"golang"}),
        ("We go beyond", {"golang"}),
        ("JavaScript and TypeScript", {"java"}),
        ("our R&D team, Python", {"r"}),
        ("C-suite executives and Python", {"c"}),
        ("Plan A or plan C", {"c"}),
        ("the rust belt; spark joy; excel at sales", {"rust", "spark", "excel"}),
        ("Next.js and Vue.js", {"javascript"}),
        ("the rest of the team", {"rest apis"}),
        ("Spring 2026 internship", {"spring"}),
        ("html5 in a mailto link", {"golang", "r"}),
    ],
)
def test_does_not_find(text: str, absent: set[str]) -> None:
    assert not absent & set(extract_skills(text))


def _entries() -> list[tuple[str, dict[str, object]]]:
    raw = resources.files("search.extract").joinpath("vocab/skills.toml").read_text("utf-8")
    return list(tomllib.loads(raw).items())


def _spellings() -> list[tuple[str, str, str]]:
    """(skill, spelling, sentence) for every spelling the vocabulary matches."""
    cases = []
    for name, entry in _entries():
        if entry.get("name", True):
            cases.append((name, name, f"We use {name} every day."))
        for alias in entry.get("aliases", ()):  # type: ignore[attr-defined]
            cases.append((name, alias, f"Experience with {alias} is required."))
        for cased in entry.get("cased", ()):  # type: ignore[attr-defined]
            cases.append((name, cased, f"Experience with {cased} is required."))
        for listed in entry.get("listed", ()):  # type: ignore[attr-defined]
            cases.append((name, listed, f"Experience with Kafka, {listed} and Docker."))
    return cases


@pytest.mark.parametrize(("skill", "spelling", "sentence"), _spellings())
def test_every_spelling_is_found_in_a_sentence(skill: str, spelling: str, sentence: str) -> None:
    """Each canonical name that people write, and each alias, names its skill."""
    assert skill in extract_skills(sentence), spelling


def test_only_one_word_names_are_unmatched() -> None:
    """`name = false` suits an ordinary word ("rust"); a phrase never is one."""
    unmatched = [name for name, entry in _entries() if entry.get("name", True) is False]
    assert "rust" in unmatched
    assert all(" " not in name and "-" not in name for name in unmatched)
    with pytest.raises(ValueError, match="phrase"):
        SkillVocabulary({"reinforcement learning": {"name": False, "cased": ["RL"]}})


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("Research in reinforcement learning and robotics", "reinforcement learning"),
        ("applied machine learning in production", "machine learning"),
        ("a background in artificial intelligence", "artificial intelligence"),
        ("speech recognition and text-to-speech systems", "speech recognition"),
        ("speech recognition and text-to-speech systems", "text-to-speech"),
        ("named entity recognition for documents", "named entity recognition"),
        ("retrieval-augmented generation pipelines", "retrieval-augmented generation"),
        ("strong data structures and algorithms", "data structures and algorithms"),
    ],
)
def test_phrase_names_match_in_plain_words(text: str, skill: str) -> None:
    assert skill in extract_skills(text)


BLURB = (
    "Senior Backend Engineer\n"
    "About Us\n\n"
    "Acme is an AI company backed by top investors, building agentic AI on Salesforce.\n\n"
    "About the Role\n\n"
    "You will build Python services on AWS.\n\n"
    "Benefits\n\n"
    "- Slack stipend and a Kubernetes-themed hoodie\n\n"
    "Acme is an equal opportunity employer."
)


def test_skills_named_only_in_boilerplate_are_not_the_jobs() -> None:
    found = set(extract_skills(BLURB))
    assert {"python", "aws"} <= found
    assert not {"artificial intelligence", "ai agents", "salesforce", "kubernetes"} & found


def test_a_skill_named_in_the_blurb_and_the_job_text_is_the_jobs() -> None:
    both = BLURB.replace("You will build Python", "You will build AI features in Python")
    assert "artificial intelligence" in extract_skills(both)


@pytest.mark.parametrize(
    ("text", "kept", "dropped"),
    [
        (
            "Recruiter | GTM\nABOUT RAMP\n\nAt Ramp, we build cards.\n\nABOUT THE ROLE\n\n"
            "Hire engineers.\n\nBENEFITS (FOR U.S.-BASED FULL-TIME EMPLOYEES)\n\n- Pet insurance",
            ["Recruiter | GTM", "Hire engineers."],
            ["we build cards", "Pet insurance"],
        ),
        (
            "Engineer\nCrusoe's mission is to accelerate the abundance of energy and "
            "intelligence, powering a world that builds with AI.\n\nWhat You’ll Do\n\n- Ship",
            ["Engineer", "- Ship"],
            ["Crusoe's mission"],
        ),
        (
            "Engineer\nWe're looking for a Senior Engineer to lead our platform work and own "
            "its roadmap end to end.\n\nWhat You’ll Do\n\n- Ship",
            ["looking for a Senior Engineer"],
            [],
        ),
        (
            "Engineer\n\n🎯 Who we are:\n\nWe make tools.\n\nOur investors\n\nBig funds."
            "\n\nResponsibilities\n\n- Write Go",
            ["- Write Go"],
            ["We make tools.", "Big funds."],
        ),
        ("Just a short posting with no headings at all.", ["no headings"], []),
    ],
)
def test_job_text(text: str, kept: list[str], dropped: list[str]) -> None:
    own = job_text(text)
    assert all(part in own for part in kept)
    assert not any(part in own for part in dropped)
    for start, end in boilerplate_spans(text):
        assert 0 <= start < end <= len(text)


lines = st.sampled_from(
    ["About us", "About the role", "Benefits", "What you'll do", "Who we are", "- Python",
     "We build AI.", "Equal opportunity employer.", "Nice to have:", "", "\n", "#LI-Remote"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(lines, max_size=30).map("\n\n".join)))
def test_sections_and_skills_never_raise(text: str) -> None:
    spans = boilerplate_spans(text)
    assert all(0 <= a < b <= len(text) for a, b in spans)
    assert all(b < c for (_, b), (c, _) in itertools.pairwise(spans))
    assert len(job_text(text)) <= len(text) + 2 * len(spans)
    assert set(extract_skills(text)) <= {skill.name for skill in vocabulary()}


def test_extraction_counts_a_skill_inside_a_longer_one_once() -> None:
    """The job's skills (facets) keep the longest name: "generative AI" is not also AI."""
    assert extract_skills("Support our generative AI work") == ("generative ai",)


def test_order_and_no_duplicates() -> None:
    found = extract_skills("Python, python, PyTorch and Python again; pytorch")
    order = [skill.name for skill in vocabulary()]
    assert found == tuple(sorted({"python", "pytorch"}, key=order.index))


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("pytorch", "pytorch"),
        ("PyTorch", "pytorch"),
        ("NLP", "natural language processing"),
        ("Natural Language Processing", "natural language processing"),
        ("k8s", "kubernetes"),
        ("LLMs", "large language models"),
        ("GenAI", "generative ai"),
        ("cv", "computer vision"),
        ("go", "golang"),
        (" node.js ", "node.js"),
        ("c++", "c++"),
        ("knitting", None),
    ],
)
def test_canonical(written: str, canonical: str | None) -> None:
    assert vocabulary().canonical(written) == canonical


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("excel", "excel"),  # a cased spelling, typed in any case
        ("EXCEL", "excel"),
        ("rust", "rust"),
        ("golang", "golang"),
        ("Go", "golang"),  # a listed spelling in its own case
        ("go", None),  # "go to market": a word
        ("CV", "computer vision"),
        ("cv", None),  # "send your cv"
        ("Spring", "spring"),
        ("spring", None),  # "spring internship"
        ("R", "r"),
        ("r", None),
        ("k8s", "kubernetes"),
        ("natural  language processing", "natural language processing"),
        ("excellent", None),
    ],
)
def test_named_by_reads_user_words_by_the_case_rules_of_text(
    typed: str, canonical: str | None
) -> None:
    assert vocabulary().named_by(typed) == canonical


@pytest.mark.parametrize(
    ("text", "named", "not_named"),
    [
        ("Excellent communication; you excel at sales", set(), {"excel"}),
        ("Advanced Excel (pivot tables)", {"excel"}, set()),
        ("analysis in SQL and excel strongly preferred", {"excel", "sql"}, set()),
        ("big data tools (hadoop, spark, hive)", {"spark", "hadoop"}, set()),
        ("standard tools such as Python, Hadoop, SPARK, R, SQL", {"spark", "r"}, set()),
        ("products that spark young imaginations", set(), {"spark"}),
        ("WHERE YOU'LL EXCEL", set(), {"excel"}),
        ("Plan A or plan c, Python", {"python"}, {"c"}),  # never a one-letter name
        ("Support our generative AI work", {"generative ai", "artificial intelligence"}, set()),
        ("Mobile apps in React Native", {"react native", "react"}, set()),
        ("Head of Go To Market", set(), {"golang"}),
        ("Backend: Go, Postgres, GCP", {"golang", "postgresql"}, set()),
        ("Senior Engineer (Golang)", {"golang"}, set()),
        # boilerplate counts: a search for the name finds every posting naming it
        ("About us\n\nOur stack is Python and Go.\n\nWhat you'll do\n\nSell.", {"golang"}, set()),
    ],
)
def test_named_skills_are_the_vocabulary_s_reading_of_the_whole_text(
    text: str, named: set[str], not_named: set[str]
) -> None:
    found = set(named_skills(text))
    assert named <= found and not (not_named & found)


def test_aliases_include_every_form() -> None:
    vocab = vocabulary()
    assert vocab.aliases("natural language processing")[0] == "natural language processing"
    assert "NLP" in vocab.aliases("natural language processing")
    assert "Go" in vocab.aliases("golang")
    assert vocab.aliases("knitting") == ()


def test_vocabulary_shape() -> None:
    vocab = vocabulary()
    assert vocab is vocabulary()  # cached
    assert len(vocab) == len(list(vocab)) >= 150
    skills = list(vocab)
    assert all(isinstance(s, Skill) and s.category for s in skills)
    names = [s.name for s in skills]
    assert len(set(names)) == len(names)


def test_duplicate_spelling_is_rejected() -> None:
    with pytest.raises(ValueError, match="'NLP' names both 'a' and 'b'"):
        SkillVocabulary({"a": {"aliases": ["nlp"]}, "b": {"aliases": ["NLP"]}})


def test_vocabulary_is_loaded_once_per_process() -> None:
    vocabulary.cache_clear()
    first = vocabulary()
    assert vocabulary() is first and len(first) > 100


def test_sample_postings() -> None:
    postings = [(location, set(extract_skills(text))) for location, text in sample_postings()]
    assert len(postings) == 10
    assert [loc for loc, skills in postings if "pytorch" in skills] == ["US, CA, San Francisco"]
    for location, text in sample_postings():
        skills = set(extract_skills(text))
        lowered = text.lower()
        if "natural language processing" in lowered or "NLP" in text:
            assert "natural language processing" in skills, location
        if "large language models" in lowered or "LLM" in text:
            assert "large language models" in skills, location
        if "send your cv" in lowered:
            assert "computer vision" not in skills
    # posting 1 lists NLP, LLMs, NER, recommender systems and question answering
    first = set(extract_skills(sample_postings()[0][1]))
    assert {
        "natural language processing",
        "large language models",
        "generative ai",
        "named entity recognition",
        "recommender systems",
        "question answering",
        "statistics",
        "transformers",
    } <= first


@pytest.fixture(scope="module")
def corpus_texts() -> list[str]:
    if not CORPUS.exists():
        pytest.skip(f"corpus absent: {CORPUS}")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        return [json.loads(line)["description"] for line in lines]


def _regex_scans(text: str) -> int:
    """How many times ``extract_skills(text)`` runs a compiled pattern over text."""
    scans = 0

    def count(frame: FrameType, event: str, arg: object) -> None:
        nonlocal scans
        if event == "c_call" and isinstance(getattr(arg, "__self__", None), re.Pattern):
            scans += getattr(arg, "__name__", "") in _SCANS

    sys.setprofile(count)
    try:
        extract_skills(text)
    finally:
        sys.setprofile(None)
    return scans


_SCANS = frozenset({"finditer", "search", "match", "fullmatch", "findall", "sub", "split"})


def test_corpus(corpus_texts: list[str]) -> None:
    """Measured: 75% of the 9,387 descriptions name a skill in the job's own text (83% when
    company boilerplate counted); "artificial intelligence" on 3,469 (5,066 before)."""
    found = [extract_skills(text) for text in corpus_texts]
    # One pass of one pattern finds every spelling: at most 40 scans of a text (sections,
    # the pattern, list checks), where a per-alias scan (minutes) runs one per spelling.
    spellings = sum(len(skill.aliases) for skill in vocabulary())
    assert 0 < max(_regex_scans(text) for text in corpus_texts[:1000]) < spellings // 4
    with_pytorch = sum("pytorch" in skills for skills in found)
    mentions = sum("pytorch" in text.lower() for text in corpus_texts)
    assert with_pytorch == mentions  # "PyTorch" has no look-alike word
    assert sum(bool(skills) for skills in found) / len(found) > 0.72
    assert sum("artificial intelligence" in skills for skills in found) < 3800
    cv = [t for t, s in zip(corpus_texts, found, strict=True) if "computer vision" in s]
    assert all(re.search(r"computer vision|machine vision", t, re.I) or "CV" in t for t in cv)
    # "CV" alone counts only in a list of skills: never in the résumé sense
    resume = [t for t in corpus_texts if re.search(r"your CV\b", t) and "vision" not in t.lower()]
    assert resume and not any("computer vision" in extract_skills(t) for t in resume)
