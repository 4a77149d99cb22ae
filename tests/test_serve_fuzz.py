"""A fuzz pass of the HTTP API from its own OpenAPI document (schemathesis).

Schemathesis reads ``/openapi.json`` from a real ``jobsearch serve`` and sends each
operation requests drawn from its parameters and bodies, valid and invalid ones; every
answer must be no 5xx, a status the document lists, the content type it names, and a
body its schema allows. Twice: a read-only server (every change must be refused
cleanly), and a server with a token over a throwaway copy of the index, so that add,
delete and saved searches run for real.

Bounded and reproducible: at most ``EXAMPLES`` requests per operation, drawn
the same way on every run (``derandomize``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from search.serve.openapi import document
from tests.serving import serve

TOKEN = "fuzz-token-0123456789abcdef"
EXAMPLES = 50
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
BOUNDED = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


#: Every operation of the document, as (method, path): the test ids.
OPERATIONS = [
    (method.upper(), path)
    for path, operations in document()["paths"].items()
    for method in operations
]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


@pytest.fixture(scope="module")
def read_only_api(sample_index_dir: Path) -> Iterator[Any]:
    with serve(sample_index_dir) as server:
        yield schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    assert server.returncode == 0


@pytest.fixture(scope="module")
def writable_api(sample_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    copy = tmp_path_factory.mktemp("fuzz") / "index"
    shutil.copytree(sample_index_dir, copy)
    with serve(copy, token=TOKEN) as server:
        yield schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    assert server.returncode == 0


def fuzz(schema: Any, method: str, path: str, headers: dict[str, str]) -> None:
    """Draw ``EXAMPLES`` requests, valid and invalid ones, for one operation and check
    every answer."""
    operation = schema[path][method]
    strategy = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in MODES))

    @BOUNDED
    @given(case=strategy)
    def one(case: Any) -> None:
        case.call_and_validate(checks=CHECKS, headers=headers)

    one()


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_read_only_server(read_only_api: Any, method: str, path: str) -> None:
    fuzz(read_only_api, method, path, {})


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_server_with_a_token(writable_api: Any, method: str, path: str) -> None:
    fuzz(writable_api, method, path, {"Authorization": f"Bearer {TOKEN}"})
