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

#: The cluster's facade: ``ClusterIndex`` is a ``JobIndex`` (the same API over a cluster)
#: and names the saved-searches type it refuses; the rest of ``search.cluster`` stays
#: below the facade.
FACADE_OK: dict[str, tuple[str, ...]] = {
    "search.cluster.index": ("search.jobindex", "search.watches")
}

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
    # The cluster store maps postings with the store's own functions; it never reaches
    # up into ingestion, the facade or the shells over it.
    "search.cluster": (
        "search.ingest",
        "search.cli",
        "search.serve",
        "search.jobindex",
        "search.watches",
    ),
    # The service is a thin shell over JobIndex, as the command line is.
    "search.serve": ("whoosh", "search.store", "search.query", "search.cli"),
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
        "search.query.dropped",
        "search.query.ranking",
        "search.query.understand",
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
    facade = FACADE_OK.get(name, ())
    for line, target in imports(source):
        if target == "search":
            out.append(f"{name}:{line} imports the package root")
            continue
        for stage, banned in rules:
            allowed = (*SHARED_OK.get(stage, ()), *facade)
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


def test_the_cluster_client_is_imported_only_when_used() -> None:
    """``typesense`` is an optional extra: only ``search.cluster`` imports it (or its
    HTTP library), and only inside functions, so jobsearch runs without it."""
    broken = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            targets = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            for target in targets:
                if not any(_within(target, m) for m in ("typesense", "httpx")):
                    continue
                if not _within(name, "search.cluster"):
                    broken.append(f"{name}:{node.lineno} imports {target}")
                elif id(node) in top:
                    broken.append(f"{name}:{node.lineno} imports {target} at module level")
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


# -- private Whoosh internals go through one module -----------------------------------

#: The one module that may touch Whoosh's internals (its docstring says which and why).
COMPAT = "search.store.whoosh_compat"
#: Whoosh modules that are the codec's and the index container's internals.
WHOOSH_INTERNAL_MODULES = ("whoosh.codec", "whoosh.columns", "whoosh.filedb.structfile")
#: Internal names of otherwise public Whoosh modules.
WHOOSH_INTERNAL_NAMES = frozenset({("whoosh.index", "TOC"), ("whoosh.index", "toc_loaders")})
#: Private names of the standard library that are documented for use.
STDLIB_PRIVATE_OK = frozenset({"_exit"})


def project_private_names() -> frozenset[str]:
    """Every underscore name the package itself defines (functions, classes, module
    names, ``self._x`` attributes): touching those is the project's own business."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        names.add(path.stem)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("self", "cls")
            ):
                names.add(node.attr)
    return frozenset(n for n in names if n.startswith("_"))


def _compat_private_names() -> frozenset[str]:
    from search.store.whoosh_compat import PRIVATE_NAMES

    return PRIVATE_NAMES


def whoosh_internals(name: str, source: str, own: frozenset[str]) -> list[str]:
    """Every place module ``name`` touches a private Whoosh internal, as readable lines:
    an import of an internal Whoosh module or name (or of any underscore name), or an
    underscore attribute of another object that the project does not define itself or
    that ``whoosh_compat`` lists."""
    if name == COMPAT:
        return []
    listed = _compat_private_names()
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _within_any(alias.name, WHOOSH_INTERNAL_MODULES):
                    out.append(f"{name}:{node.lineno} imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and _within(node.module, "whoosh"):
            for alias in node.names:
                internal = (
                    _within_any(node.module, WHOOSH_INTERNAL_MODULES)
                    or (node.module, alias.name) in WHOOSH_INTERNAL_NAMES
                    or alias.name.startswith("_")
                )
                if internal:
                    out.append(f"{name}:{node.lineno} imports {node.module}.{alias.name}")
        elif isinstance(node, ast.Attribute):
            attr = node.attr
            if not attr.startswith("_") or attr.startswith("__") or attr in STDLIB_PRIVATE_OK:
                continue
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            if attr in listed or attr not in own:
                out.append(f"{name}:{node.lineno} touches .{attr}")
    return out


def _within_any(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(_within(module, prefix) for prefix in prefixes)


def test_only_the_compat_module_touches_whoosh_internals() -> None:
    own = project_private_names()
    broken = []
    for path in sorted(PACKAGE.rglob("*.py")):
        broken += whoosh_internals(module_name(path), path.read_text(encoding="utf-8"), own)
    assert broken == []


def test_the_compat_module_lists_every_private_name_it_reaches() -> None:
    """What the compat module touches is what its list (and docstring) says."""
    from search.store import whoosh_compat

    source = Path(whoosh_compat.__file__).read_text(encoding="utf-8")
    touched = {
        node.attr
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr.startswith("_")
        if not node.attr.startswith("__")
    }
    assert touched == set(whoosh_compat.PRIVATE_NAMES)
    assert all(f"``{n}``" in source or f".{n}``" in source for n in touched)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("search.store.writer", "from whoosh.index import TOC\n", "whoosh.index.TOC"),
        ("search.store.segments", "from whoosh.codec.whoosh3 import W3TermInfo\n", "codec"),
        ("search.store.safeload", "import whoosh.filedb.structfile as s\n", "structfile"),
        ("search.store.writer", "segment._deleted.discard(1)\n", "._deleted"),
        ("search.query.matching", "list(q._btexts(reader))\n", "._btexts"),
        ("search.query.view", "reader._segment.codec()\n", "._segment"),
        ("search.query.lexicon", "from whoosh.util import _private\n", "_private"),
    ],
)
def test_a_private_whoosh_use_is_caught(module: str, source: str, expected: str) -> None:
    found = whoosh_internals(module, source, project_private_names())
    assert found, f"{module} touching {source!r} was not reported"
    assert expected in found[0]


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("search.store.reading", "from whoosh.index import FileIndex, EmptyIndexError\n"),
        ("search.store.building", "os._exit(1)\n"),
        ("search.query.view", "self._columns.get(name)\n"),
        ("search.store.writer", "from search.store.whoosh_compat import TOC, undelete\n"),
        ("search.store.whoosh_compat", "TOC._latest_generation(storage, 'MAIN')\n"),
    ],
)
def test_public_whoosh_and_own_names_pass(module: str, source: str) -> None:
    assert whoosh_internals(module, source, project_private_names()) == []
