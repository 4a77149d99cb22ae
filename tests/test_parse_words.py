"""Plain lower-case words are parsed word by word (each word's query kept, the text's
query their AND): the same query, and nothing ignored, as Whoosh's parser gives the whole
text, for words of the corpus, stop words, skill names and skill words."""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.query import parser
from search.store import fields as f

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "jobs.jsonl.gz"
#: Words of skill names (alone, in runs that name the skill, and beside other words),
#: stop words, digits, and words of job titles.
WORDS = [
    "machine",
    "learning",
    "engineer",
    "data",
    "science",
    "scientist",
    "natural",
    "language",
    "processing",
    "the",
    "of",
    "and",
    "or",
    "to",
    "a",
    "senior",
    "python",
    "sql",
    "go",
    "r",
    "c",
    "excel",
    "power",
    "bi",
    "deep",
    "large",
    "models",
    "model",
    "project",
    "management",
    "manager",
    "product",
    "2",
    "10",
    "k8s",
    "nlp",
    "ml",
    "ai",
    "it",
    "sales",
    "remote",
    "new",
    "york",
    "full",
    "stack",
    "front",
    "end",
]
FIELDS = [tuple(f.TEXT_FIELDS), (f.TITLE_WORDS,)]


def _whole(text: str, names: tuple[str, ...]) -> object:
    """Whoosh's parser over the whole text (the path plain words skip)."""
    return parser._parse(text, names, None)


def _check(text: str, names: tuple[str, ...]) -> bool:
    """Whether ``text`` took the word-by-word path; asserts it gave the parser's query."""
    parser._parse_cached.cache_clear()
    parser._parse_lenient.cache_clear()
    plain = parser._plain_word_list(text) is not None
    assert parser.parse_text(text, names) == _whole(text, names), text
    lenient = parser.parse_lenient(text, names)
    assert lenient.query == _whole(text, names), text
    if plain:
        assert lenient.dropped == ()
    return plain


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=2, max_size=6),
    names=st.sampled_from(FIELDS),
)
def test_words_parse_as_the_whole_text(words: list[str], names: tuple[str, ...]) -> None:
    _check(" ".join(words), names)


def test_corpus_words_parse_as_the_whole_text() -> None:
    if not CORPUS.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    counts: Counter[str] = Counter()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if n == 2000:
                break
            row = json.loads(line)
            text = f"{row.get('title', '')} {row.get('description', '')[:400]}".lower()
            counts.update(re.findall(r"[a-z0-9]+", text))
    vocab = [w for w, _ in counts.most_common(2500)]
    rng = random.Random(11)
    plain = 0
    for _ in range(600):
        text = " ".join(rng.choice(vocab) for _ in range(rng.randint(2, 5)))
        plain += _check(text, FIELDS[0])
    assert plain > 500  # most random word runs name no skill


def test_a_run_naming_a_skill_is_read_whole() -> None:
    for text in ("machine learning engineer", "senior natural language processing", "power bi"):
        assert parser._plain_word_list(text) is None
        _check(text, FIELDS[0])
    assert parser._plain_word_list("senior python engineer") == ["senior", "python", "engineer"]
    for text in ("Python engineer", "python AND sql", '"data engineer"', "c++ dev", "it  help"):
        assert parser._plain_word_list(text) is None, text
