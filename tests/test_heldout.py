"""Floors for the extracted facts on held-out exports from other job sites.

The exports (scripts/heldout.toml: repository, path, commit and git blob of each) are not
part of the repository; these tests run where they have been fetched into ``../heldout``
beside the checkout or into ``$JOBSEARCH_HELDOUT``, and skip otherwise. Each figure is
precision or recall on the rows whose own columns state the fact (``python
scripts/heldout.py`` prints them all).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from scripts.heldout import DEFAULT_DIR, datasets, measure, problem
from search.goldcheck import GoldReport

pytestmark = pytest.mark.heldout

FOLDER = Path(os.environ.get("JOBSEARCH_HELDOUT") or DEFAULT_DIR)
BY_NAME = {d.name: d for d in datasets()}


@cache
def report(name: str) -> GoldReport:
    dataset = BY_NAME[name]
    why = problem(FOLDER, dataset)
    if why:
        pytest.skip(why)
    return measure(FOLDER, dataset)


# (dataset, fact, mode, figure, floor): figure is "precision", "recall" or "stated"
# (recall on the rows whose own text states the fact).
FLOORS: list[tuple[str, str, str, str, float]] = [
    ("glassdoor", "city", "text", "recall", 0.89),
    ("glassdoor", "city", "text", "precision", 0.96),
    ("linkedin_2024", "city", "text", "recall", 0.83),
    ("linkedin_2024", "remote", "text", "stated", 0.80),
    ("linkedin_2024", "pay", "text", "stated", 0.82),
    ("linkedin_2024", "pay", "text", "precision", 0.76),
    ("linkedin_2024", "pay", "indexed", "recall", 0.92),
    ("linkedin_2024", "employment_type", "text", "stated", 0.70),
    ("linkedin_2024", "employment_type", "text", "precision", 0.88),
    ("linkedin_2024", "employment_type", "indexed", "recall", 0.98),
    ("linkedin_2024", "company", "indexed", "recall", 0.98),
    ("linkedin_2018_analyst", "city", "text", "recall", 0.95),
    ("linkedin_2018_scientist", "city", "text", "recall", 0.96),
    ("indeed_2018_analyst", "city", "text", "recall", 0.94),
    ("indeed_2018_scientist", "city", "text", "recall", 0.87),
    ("remoteok", "remote", "text", "stated", 0.70),
    ("remotive", "remote", "text", "stated", 0.55),
    ("jobicy", "remote", "text", "stated", 0.90),
]


@pytest.mark.parametrize(("name", "fact", "mode", "figure", "floor"), FLOORS)
def test_floor(name: str, fact: str, mode: str, figure: str, floor: float) -> None:
    score = report(name).scores[fact, mode]
    value = {
        "precision": score.precision,
        "recall": score.recall,
        "stated": score.stated_recall,
    }[figure]
    assert value is not None and value >= floor, f"{name} {fact} {mode} {figure}: {value}"


def test_every_floor_names_a_dataset() -> None:
    assert {name for name, *_ in FLOORS} <= set(BY_NAME)
