"""An index folder is untrusted input: every file of a real index replaced by a link, a
FIFO, a truncated copy, random bytes or absurd counts, and each command run on it.

The cases are those of ``scripts/faults.py`` (which runs them in subprocesses and prints
a table); here each runs in-process through click's CliRunner under a 10-second alarm,
so a hang fails the test instead of stopping the suite. Every case must end in the
clean error (exit 1, one line) or an answer, and never read or write outside the index.
"""

from __future__ import annotations

import json
import signal
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest
from click.testing import CliRunner

from scripts import faults
from search.cli import main
from search.errors import SchemaVersionError
from search.store.sidecar import SegmentTables


class _Hang(BaseException):
    """Raised by the alarm: a command that waits this long would wait forever."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Hang


def invoke(args: list[str]) -> tuple[int | None, str]:
    """(exit code or None for a hang, stderr with any traceback) of one command."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, faults.TIMEOUT_S)
    try:
        result = CliRunner().invoke(main, args)
    except _Hang:
        return None, ""
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if isinstance(result.exception, _Hang):
        return None, ""
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return result.exit_code, stderr


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    """A small index with a saved search, one posting id, a file to add."""
    where = tmp_path_factory.mktemp("faults-base")
    index, posting_id = faults.base_index(where)
    yield index, posting_id, faults.extra_file(where)


@pytest.mark.parametrize("case", faults.cases(), ids=lambda c: c.name)
def test_a_crafted_file_is_refused_or_harmless(
    case: faults.Case, base: tuple[Path, str, Path], tmp_path: Path
) -> None:
    index, posting_id, extra = base
    planted = faults.plant(case, index, tmp_path)
    code, stderr = invoke(faults.argv(case, planted, posting_id, extra))
    result = faults.outcome(planted, code, stderr)
    # A link read through would show as READ OUTSIDE (its target's access time moved),
    # a write through one as WROTE THROUGH: neither is allowed, nor a hang or traceback.
    assert result in ("refused", "answered"), f"{result}: {stderr[-2000:]}"


def _planted(case: faults.Case, base: tuple[Path, str, Path], tmp: Path) -> faults.Planted:
    return faults.plant(case, base[0], tmp)


def test_add_never_writes_through_a_linked_side_folder(
    base: tuple[Path, str, Path], tmp_path: Path
) -> None:
    planted = _planted(faults.Case("side/", "link", "add"), base, tmp_path)
    assert planted.outside is not None
    before = sorted(p.name for p in planted.outside.iterdir())
    code, stderr = invoke(["index", str(base[2]), "--index", str(planted.index)])
    assert code == 1 and "side is a symbolic link" in stderr, stderr
    assert sorted(p.name for p in planted.outside.iterdir()) == before
    assert not planted.wrote_outside()


def test_a_segment_name_with_dots_in_the_table_of_contents_is_refused(
    base: tuple[Path, str, Path], tmp_path: Path
) -> None:
    planted = _planted(faults.Case("toc", "segment '../..'", "search"), base, tmp_path)
    code, stderr = invoke(["search", "engineer", "--index", str(planted.index)])
    assert code == 1 and "cannot be read" in stderr and "Traceback" not in stderr, stderr


def test_the_issue_repro_a_linked_data_file_is_not_read(
    base: tuple[Path, str, Path], tmp_path: Path
) -> None:
    planted = _planted(faults.Case("tables.bin", "link", "search"), base, tmp_path)
    code, stderr = invoke(["search", "engineer", "--index", str(planted.index)])
    assert code == 1 and "tables.bin is a symbolic link" in stderr, stderr
    assert not planted.read_outside()


@pytest.mark.parametrize("docs", [10**12, -5, 2**63, True, "10", 1.0])
def test_an_absurd_document_count_is_refused_before_allocating(
    base: tuple[Path, str, Path], tmp_path: Path, docs: object
) -> None:
    planted = _planted(faults.Case("tables.json", "empty", "stats"), base, tmp_path)
    meta_file = faults.KINDS["tables.json"](base[0])
    meta = json.loads(meta_file.read_text())
    meta["docs"] = docs
    target = faults.KINDS["tables.json"](planted.index)
    target.write_text(json.dumps(meta))
    with pytest.raises(SchemaVersionError, match="document count"):
        SegmentTables(target.parent)


def test_a_sparse_table_index_of_gigabytes_is_not_read(
    base: tuple[Path, str, Path], tmp_path: Path
) -> None:
    planted = _planted(faults.Case("tables.json", "sparse 5 GB", "stats"), base, tmp_path)
    target = faults.KINDS["tables.json"](planted.index)
    with pytest.raises(SchemaVersionError, match="more than"):
        SegmentTables(target.parent)
