"""Issue 17, Ctrl-C during a first index: it leaves nothing behind (no empty index that
later commands would take as real), and removes only the folders it made."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.store.faults import READ_STEP
from tests.test_cli_indexing import _interrupt, many, run


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


@pytest.mark.parametrize("rebuild", [False, True])
def test_an_interrupted_first_index_leaves_no_index(tmp_path: Path, rebuild: bool) -> None:
    index = tmp_path / "new" / "ix"  # its parent is made by the run too
    source = many(tmp_path / "many.jsonl", 600)
    args = ["index", *(["--rebuild"] if rebuild else []), str(source), "--index", str(index)]
    proc = _interrupt(args, at=READ_STEP)
    assert proc.returncode == 130, proc.stderr
    told = f"interrupted: nothing was indexed; no index was left at {index}"
    assert _last_line(proc.stderr) == told
    assert not (tmp_path / "new").exists()  # neither the index nor the folder made for it
    code, _, err = run("search", "spark", "--index", str(index))
    assert code == 1 and "no index" in err.lower()
    code, _, err = run("index", str(source), "--index", str(index))
    assert code == 0 and "holds 600 postings" in err


def test_a_folder_that_was_there_is_kept(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    index.mkdir()
    (index / "mine.txt").write_text("kept")
    source = many(tmp_path / "many.jsonl", 600)
    proc = _interrupt(["index", str(source), "--index", str(index)], at=READ_STEP)
    assert proc.returncode == 130, proc.stderr
    assert (index / "mine.txt").read_text() == "kept"
    assert "nothing was indexed" not in proc.stderr


def test_a_link_is_never_followed_to_remove(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    index = tmp_path / "ix"
    index.symlink_to(target)
    source = many(tmp_path / "many.jsonl", 600)
    proc = _interrupt(["index", str(source), "--index", str(index)], at=READ_STEP)
    assert proc.returncode == 130, proc.stderr
    assert index.is_symlink() and target.is_dir()
    assert "nothing was indexed" not in proc.stderr


def test_a_first_index_of_no_valid_posting_leaves_no_index(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    source = tmp_path / "bad.jsonl"
    source.write_bytes(b"garbage\x00\xff\xfe\n")
    code, _, err = run("index", str(source), "--index", str(index))
    assert code == 1 and "no valid postings" in err
    assert f"nothing was indexed; no index was left at {index}" in err
    assert not index.exists()
    kept = tmp_path / "kept"
    code, _, _ = run("index", str(many(tmp_path / "many.jsonl", 3)), "--index", str(kept))
    assert code == 0
    code, _, err = run("index", str(source), "--index", str(kept))  # an index that was there
    assert code == 1 and f"{kept} holds 3 postings" in err and kept.is_dir()
