"""The small helpers every extractor shares: vocabularies, word patterns, numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from search.extract import gazetteer
from search.extract.text import load_vocab, word_pattern


def test_a_vocabulary_is_parsed_once_and_shared() -> None:
    assert load_vocab("pay") is load_vocab("pay")
    assert "symbols" in load_vocab("pay")
    # workplace.py reads the remote words of place_aliases.toml from the gazetteer's copy
    assert gazetteer.vocab() is load_vocab("place_aliases")


def test_word_pattern_ends() -> None:
    plain = word_pattern(["remote", "on-?site"])
    assert plain.search("fully remote.") and plain.search("onsite") and plain.search("on-site")
    assert not plain.search("remotely") and not plain.search("unremote")
    assert word_pattern(["a plus"], end=r"(?!\w)").search("is a plus.")
    assert word_pattern(["c\\+\\+"], end=r"(?!\w)").search("c++ ")
    assert not word_pattern(["c\\+\\+"]).search("c++ ")  # \b after "+" needs a word character
    assert word_pattern(["contract"], end="").search("contractor")
    assert word_pattern(["usa"], flags=re.IGNORECASE).search("in the USA")


def test_importing_text_reads_no_vocabulary() -> None:
    """Query-time code imports this module: it must not parse TOML on import."""
    code = "import sys, search.extract.text; print('tomllib' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
