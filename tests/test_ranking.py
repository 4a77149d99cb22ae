"""The ranking knobs are defined once, in ``search.query.ranking``, and are what the
searches use."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from whoosh import query as wq

from search.query import ranking
from search.query.parser import parse_text
from search.store import fields as f

PACKAGE = Path(__file__).resolve().parents[1] / "search"


def _module_constants(path: Path) -> set[str]:
    """Names a module binds at its top level."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def test_every_knob_is_defined_only_in_the_ranking_module() -> None:
    knobs = set(ranking.__all__)
    elsewhere = {
        str(path.relative_to(PACKAGE.parent)): sorted(_module_constants(path) & knobs)
        for path in PACKAGE.rglob("*.py")
        if path.name != "ranking.py"
    }
    assert {path: names for path, names in elsewhere.items() if names} == {}


def _boosts(q: wq.Query) -> dict[str, float]:
    return {leaf.fieldname: leaf.boost for leaf in q.leaves() if isinstance(leaf, wq.Term)}


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("accountant", f.TEXT_FIELDS),
        ("warehouse supervisor", f.TEXT_FIELDS),
        ("intern", (f.TITLE_WORDS,)),
    ],
)
def test_the_parser_weights_fields_by_the_ranking_module(
    text: str, fields: tuple[str, ...]
) -> None:
    parsed = parse_text(text, fields)
    assert parsed is not None
    assert _boosts(parsed) == {name: ranking.FIELD_BOOSTS[name] for name in fields}


def test_a_skill_match_carries_the_skill_boost() -> None:
    parsed = parse_text("kubernetes")
    assert parsed is not None
    assert _boosts(parsed)[f.SKILL] == ranking.SKILL_BOOST
