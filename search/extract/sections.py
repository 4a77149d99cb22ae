"""The job's own text, apart from the employer's boilerplate.

Most descriptions wrap the job in company text: "About us" (what the company builds,
who invested), benefits lists, equal-opportunity and privacy notices. Read as the job's,
that text makes every posting of an AI company an "artificial intelligence" job and makes
``similar()`` match postings on their employer. ``boilerplate_spans`` finds it:

* a heading that opens company text ("About us", "About Ramp", "Who we are", "Our
  mission", "Benefits", "Equal Opportunity Employer") starts a boilerplate section, which
  runs until a heading that opens job text ("About the role", "What you'll do",
  "Requirements"); a heading in neither list continues the section it stands in;
* a paragraph with an equal-opportunity or privacy formula is boilerplate anywhere;
* the text before the first heading is boilerplate when it speaks of the company and not
  of the job ("Ramp is the financial operations platform ... backed by ...").

Headings are lines after a blank line, or "About us:" openings of a paragraph. The
vocabulary is in ``vocab/sections.toml``. Cost: one literal scan for blank lines and a
match per candidate heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from search.extract.text import load_vocab, word_pattern

__all__ = ["boilerplate_spans", "job_text"]

#: A candidate heading: a line after a blank line (or the text's first line) that is not a
#: bullet, read up to its end or to a colon within its first 60 characters.
#: (A possessive quantifier: without it the scan backtracks over every long paragraph and
#: costs ten times more.)
_HEADING = re.compile(r"\n\n[ \t]*+(?![-•*·▪◦‣])([^\n:]{2,60}+)(?<![.,;!?])(?=:|[ \t]*\n|[ \t]*$)")
#: Before a heading pattern: emoji, numbering and other decoration ("🎯 What you'll do").
_DECORATION = r"[^\w#]*"
_MAX_HEADING_WORDS = 9
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
#: Literal anchors of the notice formulas, searched for in the last part of a text only.
_NOTICE_TAIL = 0.5


@dataclass(frozen=True, slots=True)
class _Vocab:
    #: One pattern, tried boilerplate first: its named group says which kind matched.
    heading: re.Pattern[str]
    paragraph: tuple[str, ...]
    lead_job: re.Pattern[str]


@cache
def _vocab() -> _Vocab:
    """Compile sections.toml once."""
    raw = load_vocab("sections")
    headings, lead = raw["headings"], raw["lead_in"]
    return _Vocab(
        heading=re.compile(
            _DECORATION
            + "(?:(?P<boilerplate>"
            + "|".join(headings["boilerplate"])
            + ")|(?P<job>"
            + "|".join(headings["job"])
            + "))"
        ),
        paragraph=tuple(headings["paragraph"]),
        lead_job=word_pattern(lead["job"], end=""),
    )


@lru_cache(maxsize=4)
def boilerplate_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Character spans of ``text`` that are the employer's boilerplate, in text order.

    Cached for a few texts: the skill, similarity and other extractors of one posting
    ask for the same description.
    """
    vocab = _vocab()
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    first_heading: tuple[int, str] | None = None  # offset and kind
    # The first two lines may be headings too: callers pass "title\ndescription".
    second = text.find("\n") + 1
    head = "\n\n" + text[:second] + "\n" + text[second:]
    for match in _HEADING.finditer(head):
        kind = _heading_kind(match.group(1), vocab)
        if kind is None:
            continue
        at = match.start(1) - (2 if match.start(1) < second + 2 else 3)
        if first_heading is None:
            first_heading = (at, kind)
        if kind == "boilerplate" and open_at is None:
            open_at = at
        elif kind == "job" and open_at is not None:
            spans.append((open_at, at))
            open_at = None
    if open_at is not None:
        spans.append((open_at, len(text)))
    if first_heading is not None:
        lead = _lead_in(text, first_heading[0], vocab)
        if lead is not None:
            spans.insert(0, lead)
    spans += _notice_paragraphs(text, vocab)
    return _merged(spans)


def _heading_kind(line: str, vocab: _Vocab) -> str | None:
    """ "boilerplate", "job", or None for a line that is no known heading."""
    if line.count(" ") > _MAX_HEADING_WORDS:
        return None
    match = vocab.heading.match(line.lower())
    return match.lastgroup if match else None


def _lead_in(text: str, end: int, vocab: _Vocab) -> tuple[int, int] | None:
    """The text before the first (job) heading, when it speaks of the company only."""
    lead = text[:end].lower()
    if len(lead.strip()) < 80 or vocab.lead_job.search(lead):
        return None
    start = text.find("\n") + 1  # the title line stays the job's
    return (start, end) if start < end else None


def _notice_paragraphs(text: str, vocab: _Vocab) -> list[tuple[int, int]]:
    """Paragraphs holding an equal-opportunity, accommodation or privacy formula."""
    spans = []
    tail = int(len(text) * _NOTICE_TAIL)
    for anchor in vocab.paragraph:
        at = text.find(anchor, tail)
        if at >= 0:
            start = max(text.rfind("\n\n", 0, at), 0)
            stop = _PARAGRAPH_END.search(text, at)
            spans.append((start, stop.start() if stop else len(text)))
    return spans


def _merged(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def job_text(text: str) -> str:
    """``text`` without its boilerplate spans: what the job itself says.

    Spans are replaced by a blank line, so that words on either side never join.
    """
    spans = boilerplate_spans(text)
    if not spans:
        return text
    parts: list[str] = []
    at = 0
    for start, end in spans:
        parts.append(text[at:start])
        at = end
    parts.append(text[at:])
    return "\n\n".join(part for part in parts if part.strip())
