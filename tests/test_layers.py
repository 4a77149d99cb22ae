"""The pipeline's layer rules, checked by reading every module's imports.

Each folder of ``search/`` is a stage and may use only the stages above it:
ingest and extract never touch Whoosh; store never reaches up into query or the CLI;
the CLI never imports Whoosh, store or query; nothing inside imports the package root
(which imports everything lazily, for users).

Inside ``search.query``, search policy sits above the evaluation contract
(``search.query.contract``): policy modules import no numpy, no evaluation module and
of the store only the term language every backend shares (field names, the schema's
analysis, the analysers), never how or where postings are stored. Backends (the
embedded engine and the test-only memory backend) never import the CLI, and the memory
backend reaches policy only through the contract.
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


#: What a search means for a person: parsing, fallback, partial matches, folding,
#: notes, paging. Evaluated only through ``search.query.contract.Backend``.
POLICY = frozenset(
    {
        "search.query.contract",
        "search.query.context",
        "search.query.pipeline",
        "search.query.hits",
        "search.query.parser",
        "search.query.fuzzy",
        "search.query.synonyms",
        "search.query.words",
        "search.query.snippets",
        "search.query.nearest",
    }
)
#: The store modules policy may use: field names and how text becomes terms.
TERM_LANGUAGE = ("search.store.fields", "search.store.schema", "search.store.analysis")
#: Evaluation: every other module of ``search.query`` (the embedded engine).
BACKEND_PREFIXES = ("search.query.",)
MEMORY_BACKEND = Path(__file__).with_name("memory_backend.py")


def policy_violations(name: str, source: str) -> list[str]:
    """Imports of a policy module that reach below the contract."""
    if name not in POLICY:
        return []
    out = []
    for line, target in _named_imports(source):
        if _within(target, "numpy"):
            out.append(f"{name}:{line} imports numpy (policy evaluates through a backend)")
        elif _within(target, "search.store") and not any(_within(target, t) for t in TERM_LANGUAGE):
            out.append(f"{name}:{line} imports {target} (a store internal)")
        elif _within(target, "search.query") and not any(_within(target, p) for p in POLICY):
            out.append(f"{name}:{line} imports {target} (an evaluation module)")
    return out


def _named_imports(source: str) -> list[tuple[int, str]]:
    """Like ``imports``, with ``from package import module`` as package.module."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def backend_violations(name: str, source: str) -> list[str]:
    """Imports of a backend module that reach the CLI (or, for the memory backend,
    policy other than the contract)."""
    if name in POLICY or not (name.startswith(BACKEND_PREFIXES) or name == "tests.memory_backend"):
        return []
    out = []
    for line, target in _named_imports(source):
        if _within(target, "search.cli"):
            out.append(f"{name}:{line} imports {target} (a backend must not)")
        if (
            name == "tests.memory_backend"
            and _within(target, "search.query")
            and not _within(target, "search.query.contract")
        ):
            out.append(f"{name}:{line} imports {target} (only the contract)")
    return out


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


def test_policy_stays_above_the_contract() -> None:
    broken = []
    for path in sorted((PACKAGE / "query").rglob("*.py")):
        broken += policy_violations(module_name(path), path.read_text(encoding="utf-8"))
    assert broken == []


def test_backends_import_no_cli_and_the_memory_backend_only_the_contract() -> None:
    broken = []
    for path in sorted((PACKAGE / "query").rglob("*.py")):
        broken += backend_violations(module_name(path), path.read_text(encoding="utf-8"))
    broken += backend_violations("tests.memory_backend", MEMORY_BACKEND.read_text("utf-8"))
    assert broken == []


def test_every_policy_module_exists() -> None:
    """A renamed module must not silently leave the policy rules."""
    assert all((PACKAGE.parent / (m.replace(".", "/") + ".py")).exists() for m in POLICY)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("search.query.pipeline", "import numpy as np\n", "imports numpy"),
        ("search.query.hits", "from search.store.documents import from_stored\n", "store"),
        ("search.query.pipeline", "from search.query.matching import top\n", "evaluation"),
        ("search.query.embedded", "from search.cli.render import emit\n", "must not"),
        ("tests.memory_backend", "from search.query.pipeline import run\n", "contract"),
    ],
)
def test_a_crossing_of_the_contract_is_caught(module: str, source: str, expected: str) -> None:
    found = policy_violations(module, source) + backend_violations(module, source)
    assert found, f"{module} importing {source!r} was not reported"
    assert expected in found[0]


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("search.query.pipeline", "from search.store import fields as f\n"),
        ("search.query.parser", "from search.store.schema import shared_schema\n"),
        ("search.query.pipeline", "from search.query.contract import Backend\n"),
        ("search.query.embedded", "import numpy as np\n"),
        ("tests.memory_backend", "from search.query.contract import Matched\n"),
    ],
)
def test_what_the_contract_allows_passes(module: str, source: str) -> None:
    assert policy_violations(module, source) + backend_violations(module, source) == []


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
