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


# (dataset, fact, mode, figure, floor): figure is "precision" or "recall" over the rows
# whose columns state the fact, or "stated precision"/"stated recall" over those whose own
# text states it too. A floor sits a little below the figure measured when it was set.
FLOORS: list[tuple[str, str, str, str, float]] = [
    # Places: "City, ST" is that city, in the gazetteer or not; most have coordinates.
    ("glassdoor", "city", "text", "recall", 0.97),
    ("glassdoor", "city", "text", "precision", 0.98),
    ("glassdoor", "coordinates", "text", "recall", 0.95),
    ("linkedin_2024", "city", "text", "recall", 0.97),
    ("linkedin_2024", "coordinates", "text", "recall", 0.95),
    ("linkedin_2018_analyst", "city", "text", "recall", 0.97),
    ("linkedin_2018_scientist", "city", "text", "recall", 0.97),
    ("indeed_2018_analyst", "city", "text", "recall", 0.97),
    ("indeed_2018_scientist", "city", "text", "recall", 0.97),
    # Remote where the text says so; never invented where the columns say on-site.
    ("linkedin_2024", "remote", "text", "stated recall", 0.78),
    ("jobspy_us", "remote", "text", "stated recall", 0.75),
    ("remoteok", "remote", "text", "stated recall", 0.70),
    ("remotive", "remote", "text", "stated recall", 0.55),
    ("jobicy", "remote", "text", "stated recall", 0.90),
    ("jobspy_us", "remote", "text", "precision", 0.80),
    # Pay from text where the text states it; from the columns as indexed.
    ("linkedin_2024", "pay", "text", "stated precision", 0.95),
    ("linkedin_2024", "pay", "text", "stated recall", 0.92),
    ("remotive", "pay", "text", "stated precision", 0.95),
    ("remotive", "pay", "text", "stated recall", 0.85),
    ("linkedin_2024", "pay", "indexed", "recall", 0.98),
    ("glassdoor", "pay", "indexed", "recall", 0.98),
    ("glassdoor", "pay_estimate", "indexed", "precision", 0.98),
    ("naukri", "pay", "indexed", "recall", 0.98),
    # Employment type from text where the text names it; from the columns as indexed.
    ("linkedin_2024", "employment_type", "text", "stated recall", 0.68),
    ("linkedin_2024", "employment_type", "text", "stated precision", 0.93),
    ("linkedin_2024", "employment_type", "indexed", "recall", 0.98),
    ("linkedin_2018_analyst", "level", "indexed", "recall", 0.98),
    # Company names without rating lines; workplace and years from Naukri's columns.
    ("glassdoor", "company", "indexed", "recall", 0.99),
    ("linkedin_2024", "company", "indexed", "recall", 0.99),
    ("naukri", "workplace", "indexed", "recall", 0.98),
    ("naukri", "experience_years", "indexed", "recall", 0.98),
]


@pytest.mark.parametrize(("name", "fact", "mode", "figure", "floor"), FLOORS)
def test_floor(name: str, fact: str, mode: str, figure: str, floor: float) -> None:
    score = report(name).scores[fact, mode]
    value = {
        "precision": score.precision,
        "recall": score.recall,
        "stated precision": score.stated_precision,
        "stated recall": score.stated_recall,
    }[figure]
    assert value is not None and value >= floor, f"{name} {fact} {mode} {figure}: {value}"


def test_every_floor_names_a_dataset() -> None:
    assert {name for name, *_ in FLOORS} <= set(BY_NAME)
