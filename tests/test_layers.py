"""The pipeline's layer rules, checked by reading every module's imports.

Each folder of ``search/`` is a stage and may use only the stages above it:
ingest and extract never touch Whoosh; store never reaches up into query or the CLI;
the CLI never imports Whoosh, store or query; nothing inside imports the package root
(which imports everything lazily, for users).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "search"

#: stage -> the imports it must never make (module prefixes)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "search.extract": (
        "whoosh",
        "search.ingest",
        "search.store",
        "search.query",
        "search.cli",
        "search.jobindex",
        "search.watches",
    ),
    "search.ingest": (
        "whoosh",
        "search.store",
        "search.query",
        "search.cli",
        "search.jobindex",
        "search.watches",
    ),
    "search.store": (
        "search.ingest",
        "search.query",
        "search.cli",
        "search.jobindex",
        "search.watches",
    ),
    "search.query": ("search.ingest", "search.cli", "search.jobindex", "search.watches"),
    "search.cli": ("whoosh", "search.store", "search.query"),
    # The shared value types sit under every stage.
    "search.model": ("whoosh", "search."),
    "search.errors": ("whoosh", "search."),
    "search.results": ("whoosh", "search.ingest", "search.extract", "search.store", "search.query"),
    # Record shapes any writer of results reuses (the CLI, a service): values only.
    "search.records": (
        "whoosh",
        "search.ingest",
        "search.extract",
        "search.store",
        "search.query",
        "search.cli",
        "search.jobindex",
    ),
    # The facade and what opens it serve the CLI and never reach up into it.
    "search.jobindex": ("search.cli",),
    "search.opening": ("search.cli",),
    "search.watches": ("search.cli",),
}
SHARED_OK = {
    "search.model": (),
    "search.errors": (),
    "search.results": ("search.model", "search.errors"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import in a module, including ``from x import y`` as x.y."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
            if node.module == "search":
                found.extend((node.lineno, f"search.{alias.name}") for alias in node.names)
    return found


def violations(name: str, source: str) -> list[str]:
    """Every import of module ``name`` that breaks a layer rule, as readable lines."""
    if name == "search":
        return []  # the package root is the public facade and may import anything
    out = []
    rules = [(stage, banned) for stage, banned in FORBIDDEN.items() if _within(name, stage)]
    for line, target in imports(source):
        if target == "search":
            out.append(f"{name}:{line} imports the package root")
            continue
        for stage, banned in rules:
            allowed = SHARED_OK.get(stage, ())
            if any(_within(target, b) or target.startswith(b) for b in banned) and not any(
                _within(target, a) for a in allowed
            ):
                out.append(f"{name}:{line} imports {target} ({stage} must not)")
    return out


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_every_module_keeps_the_layer_rules() -> None:
    broken = []
    for path in sorted(PACKAGE.rglob("*.py")):
        broken += violations(module_name(path), path.read_text(encoding="utf-8"))
    assert broken == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("search.ingest.records", "import whoosh.fields\n", "imports whoosh.fields"),
        ("search.extract.pay", "from whoosh import query\n", "imports whoosh"),
        ("search.extract.skills", "from search.store.fields import SKILL\n", "search.store"),
        ("search.cli.render", "from search.query.pipeline import run\n", "search.query"),
        ("search.cli.commands", "from whoosh.index import open_dir\n", "imports whoosh"),
        ("search.store.writer", "from search.query.parser import parse_text\n", "search.query"),
        ("search.query.pipeline", "from search import JobIndex\n", "package root"),
        ("search.query.pipeline", "import search\n", "package root"),
        ("search.model", "from search.results import Hit\n", "search.results"),
        ("search.records", "from search.cli.safe import json_text\n", "search.cli"),
        ("search.opening", "from search.cli.indexing import build\n", "search.cli"),
    ],
)
def test_a_forbidden_import_is_caught(module: str, source: str, expected: str) -> None:
    found = violations(module, source)
    assert found, f"{module} importing {source!r} was not reported"
    assert expected in found[0]


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("search.cli.commands", "from search.jobindex import JobIndex\n"),
        ("search.query.pipeline", "from search.store import fields as f\n"),
        ("search.ingest.postings", "from search.extract.skills import extract_skills\n"),
        ("search.results", "from search.model import JobPosting\n"),
    ],
)
def test_an_allowed_import_passes(module: str, source: str) -> None:
    assert violations(module, source) == []
