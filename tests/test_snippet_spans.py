"""The words a snippet marks: the fast scan (``str.find`` on the lowercased text) finds
exactly the spans of the reference regex, on real postings and on generated text."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from search.query import snippets
from search.query.parser import parse_text, query_words
from search.query.snippets import Highlighter

#: Query words, spelled as people type them, including the tokens with symbols.
WORDS = [
    "data",
    "Data",
    "scientist",
    "engineering",
    "engineer",
    "python",
    "c++",
    "c#",
    ".net",
    "node.js",
    "ml",
    "sql",
    "aws",
    "is",
    "it",
    "learning",
    "machine",
    "sales",
    "site",
    "ios",
    "ai",
    "r&d",
    "go",
    "k8s",
    "s",
    "i",
    "İstanbul",
    "ısparta",
    "μm",
    "über",
]
#: Text pieces that meet every corner: case, symbols right after a word, letters the
#: regex's IGNORECASE matches beyond lower() ("ı", "ſ", "K" Kelvin), letters whose
#: lowercase is longer ("İ"), word characters that are not letters ("_", digits).
PIECES = [
    "Data",
    "DATA",
    "data_",
    "_data",
    "database",
    "scientists",
    "Engineering",
    "C++",
    "c#",
    ".NET",
    "Node.js",
    "ML",
    "SQL",
    "ſql",
    "ſales",
    "ıos",
    "İOS",
    "KELVIN",
    "K8s",
    "AI",
    "R&D",
    "go-to",
    "über",
    "Über",
    "µm",
    "μm",
    "x2data",
    "2data",
    " ",
    "  ",
    "\n",
    ", ",
    ".",
    "-",
    "(",
    ")",
    "•",
    "é",
    "ß",
    "ǅ",
    "Σ",
    "ς",
]


def _reference(h: Highlighter, text: str) -> list[tuple[int, int]]:
    return h._spans_by_regex(text)


@settings(max_examples=400, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    pieces=st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=40),
)
def test_fast_spans_equal_the_regex(words: list[str], pieces: list[str]) -> None:
    h = Highlighter(words)
    text = "".join(pieces)
    assert h.spans(text) == _reference(h, text)


def test_fast_spans_on_real_postings(corpus_rows: list[dict[str, str]]) -> None:
    queries = [
        "data scientist",
        "machine learning engineer",
        "C++ developer",
        "sales manager",
        "python sql",
        "registered nurse",
        ".net developer",
        "node.js",
        "it support",
    ]
    compared = 0
    for q in queries:
        h = Highlighter(query_words(parse_text(q)))
        for row in corpus_rows[:400]:
            text = row["description"]
            assert h.spans(text) == _reference(h, text), q
            compared += 1
    assert compared == len(queries) * 400


def test_marks_the_words_as_written() -> None:
    h = Highlighter(query_words(parse_text("data engineering")))
    text = "Our DATA team: Engineers build data-pipelines; metadata is not marked."
    marked = [text[s:e] for s, e in h.spans(text)]
    assert marked == ["DATA", "Engineers", "data"]


def _best_window_reference(text: str, spans: list[tuple[int, int]], width: int) -> int:
    """The sliding window as first written, with a Counter."""
    words = [snippets._stem(text[s:e].lower()) for s, e in spans]
    inside: Counter[str] = Counter()
    best_start, best_score, j = spans[0][0], -1, 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= start + width:
            inside[words[j]] += 1
            j += 1
        score = len(inside) * 10 + (j - i)
        if score > best_score:
            best_start, best_score = start, score
        inside[words[i]] -= 1
        if not inside[words[i]]:
            del inside[words[i]]
    return best_start


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
    pieces=st.lists(st.sampled_from([*PIECES, "data" + "s" * 40]), min_size=1, max_size=60),
    width=st.integers(1, 250),
)
def test_best_window_as_first_written(words: list[str], pieces: list[str], width: int) -> None:
    h = Highlighter(words)
    text = "".join(pieces)
    spans = h.spans(text)
    if spans:
        got = snippets._best_window(text, spans, width)
        assert got == _best_window_reference(text, spans, width)
