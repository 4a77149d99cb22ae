"""The measured facts: floors on the judged sample, and the measure itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.factcheck import (
    CORPUS,
    FACTS,
    JUDGED,
    FactScore,
    compare,
    main,
    measure,
    read_judged,
    table,
)

#: Floors a little below the figures measured on the 160 judged postings (precision,
#: recall): a change that makes an extractor guess more, or find less, fails here.
FLOORS: dict[str, tuple[float, float]] = {
    "pay": (0.95, 0.93),  # measured 1.00, 1.00
    "workplace": (0.95, 0.92),  # measured 1.00, 0.96
    "experience_years": (0.93, 0.92),  # measured 0.97, 0.96
    "degree": (0.95, 0.92),  # measured 1.00, 1.00
    "employment_type": (0.95, 0.90),  # measured 1.00, 1.00
    "level": (0.95, 0.95),  # measured 0.99, 0.99
}


@pytest.fixture(scope="module")
def scores() -> dict[str, FactScore]:
    if not CORPUS.exists() or not JUDGED.exists():
        pytest.skip("the corpus or the judged sample is absent")
    return {s.fact: s for s in measure()}


@pytest.mark.parametrize("fact", FACTS)
def test_floors(scores: dict[str, FactScore], fact: str) -> None:
    score = scores[fact]
    precision, recall = FLOORS[fact]
    assert score.judged >= 150
    assert score.precision is not None and score.precision >= precision, score
    assert score.recall is not None and score.recall >= recall, score


def test_judged_file_shape() -> None:
    if not JUDGED.exists():
        pytest.skip("the judged sample is absent")
    records = read_judged()
    assert len(records) >= 150
    assert all(set(FACTS) <= set(r) for r in records)
    assert len({r["id"] for r in records}) == len(records)


ROW = {
    "id": "a",
    "title": "Senior Software Engineer",
    "location": "Remote - US",
    "description": (
        "- 5+ years of experience in Python\n\n- BS in Computer Science\n\n"
        "This is a full-time role. The salary range for this role is $150,000 - $180,000."
    ),
}
LABELS = {
    "id": "a",
    "pay": {"min": 150000, "max": 181000, "currency": "USD", "period": "year"},
    "workplace": "remote",
    "experience_years": 5,
    "degree": "bachelor",
    "employment_type": "full-time",
    "level": "principal",
}


def test_compare_counts_and_rates() -> None:
    scores, wrong = compare([LABELS], {"a": ROW})
    by_fact = {s.fact: s for s in scores}
    assert by_fact["pay"] == FactScore("pay", 1, 1, 1, 1)  # 180,000 is within 1% of 181,000
    assert by_fact["level"] == FactScore("level", 1, 1, 1, 0)  # senior, labelled principal
    assert by_fact["level"].precision == 0.0 and by_fact["level"].recall == 0.0
    assert [w.fact for w in wrong] == ["level"]


def test_pay_outside_tolerance_and_invented_facts_count_against() -> None:
    labels = {**LABELS, "pay": {**LABELS["pay"], "max": 200000}, "degree": None}
    scores, _ = compare([labels], {"a": ROW})
    by_fact = {s.fact: s for s in scores}
    assert by_fact["pay"].correct == 0
    assert by_fact["degree"] == FactScore("degree", 1, 0, 1, 0)
    assert by_fact["degree"].recall is None


def test_table_and_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "jobs.jsonl"
    corpus.write_text(json.dumps(ROW) + "\n", encoding="utf-8")
    judged = tmp_path / "judged.jsonl"
    judged.write_text(json.dumps({"_about": "x"}) + "\n" + json.dumps(LABELS) + "\n")
    assert main(["--corpus", str(corpus), "--judged", str(judged), "--errors"]) == 0
    out = capsys.readouterr().out
    assert "| pay | 1 | 1 | 1 | 1 | 1.00 | 1.00 | 1.00 |" in out
    assert "level\ta\t" in out
    assert main(["--corpus", str(tmp_path / "absent.jsonl.gz")]) == 1
    assert table([FactScore("pay", 0, 0, 0, 0)]).endswith(
        "| pay | 0 | 0 | 0 | 0 |    — |    — |    — |"
    )
