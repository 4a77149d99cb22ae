"""Plain-text listing exports, as copied from amazon.jobs and amazon.science pages.

Such a page has no field markers: a posting is a location line in the amazon.jobs form
(``US, WA, Seattle``, ``GB, London``, ``IND, KA, Bengaluru``) followed by its
description. The rule, chosen so that a whole saved page yields only its postings:

- Text before the first location line is page prose and is ignored.
- A description runs from the line after its location line up to the next location
  line. Blank lines inside it are kept (one at most in a row), so multi-paragraph
  descriptions survive; leading and trailing blank lines are dropped.
- A line that is exactly a page-chrome heading (``Related content``, ``Latest news``,
  ``Back to top``, a ``©`` line ...) ends the current description; what follows it is
  ignored until the next location line. Section headings inside a posting ("Key job
  responsibilities", "About the team") are not chrome and stay in the description.
- A location line with no description before the next location line (or chrome, or
  the end) is not a posting: the file reader reports it as a rejection.
- A posting longer than ``MAX_RECORD_BYTES``, or holding a line longer than
  ``MAX_LINE_BYTES``, is rejected as too long; its text is not kept while reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from search.ingest.files import MAX_RECORD_BYTES, NotUtf8Error, text_lines
from search.ingest.records import RawRecord, Rejection

#: Country code (2-3 capitals), optional region code (1-3 capitals or digits: ``WA``,
#: ``KA``, ``13``), then a place name that starts with a letter: ``US, Virtual`` passes.
_LOCATION_LINE = re.compile(
    r"(?P<country>[A-Z]{2,3}), (?:(?P<region>[A-Z0-9]{1,3}), )?(?P<city>[^\W\d_][^\W\d_ .'’()/-]*"
    r"(?:[ .'’()/-]+[^\W\d_ .'’()/-]+)*\.?\)?)"
)
_MAX_CITY_LENGTH = 40
_MAX_CITY_WORDS = 5
#: A place name may end in a full stop only as an abbreviation (``Washington D.C.``).
_MAX_ABBREVIATION = 4

#: Headings of the page around the postings (amazon.science and amazon.jobs pages),
#: compared case-insensitively with a whole line, trailing colon ignored.
_CHROME_LINES = frozenset(
    {
        "related content",
        "research areas",
        "latest news",
        "conferences",
        "view all jobs",
        "see all jobs",
        "see more jobs",
        "similar jobs",
        "back to top",
        "follow us",
        "share",
        "share this page",
        "privacy",
        "conditions of use",
        "cookie preferences",
        "terms of use",
    }
)
_CHROME_PREFIXES = ("©", "copyright ©", "copyright (c)")


def is_location_line(line: str) -> bool:
    """True for an amazon.jobs location line such as ``US, CA, San Francisco``.

    The place name must start with a capital, contain a lower-case letter, stay short
    and not end a sentence, so prose that happens to start with a country code
    (``US, Remote work is fine.``) and shouting like ``US, UK`` are not postings.
    """
    match = _LOCATION_LINE.fullmatch(line.strip())
    if match is None:
        return False
    city = match["city"]
    words = city.split()
    return (
        len(city) <= _MAX_CITY_LENGTH
        and len(words) <= _MAX_CITY_WORDS
        and city[0].isupper()
        and any(ch.islower() for ch in city)
        and (not city.endswith(".") or len(words[-1]) <= _MAX_ABBREVIATION)
    )


def _is_chrome(line: str) -> bool:
    text = line.strip().casefold()
    return text.rstrip(":").strip() in _CHROME_LINES or text.startswith(_CHROME_PREFIXES)


@dataclass(slots=True)
class _Open:
    """A posting being read: its location line and the description lines so far."""

    line: int
    location: str
    body: list[str] = field(default_factory=list)
    closed: bool = False
    size: int = 0
    too_long: bool = False

    def add(self, text: str | None) -> None:
        """One more description line; past the record limit the text is dropped."""
        if text is None or self.size + len(text) > MAX_RECORD_BYTES:
            self.too_long, self.body = True, []
        elif not self.too_long:
            self.size += len(text) + 1
            self.body.append(text)

    def description(self) -> str | None:
        """The description (maybe empty), or None when the posting was too long to keep."""
        if self.too_long:
            return None
        lines: list[str] = []
        for text in self.body:
            if text or (lines and lines[-1]):
                lines.append(text)
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines)


def _scan(lines: Iterable[str | None]) -> Iterator[tuple[int, str, str | None]]:
    """``(line, location, description)`` for every location line.

    The description may be empty, or None for a posting too long to keep; a line that is
    None was too long to read (see ``files.text_lines``).
    """
    current: _Open | None = None
    for number, raw in enumerate(lines, start=1):
        if raw is None:
            if current is not None and not current.closed:
                current.add(None)
            continue
        text = raw.rstrip()
        if is_location_line(text):
            if current is not None:
                yield current.line, current.location, current.description()
            current = _Open(number, text.strip())
        elif current is None or current.closed:
            continue
        elif _is_chrome(text):
            current.closed = True
        else:
            current.add(text)
    if current is not None:
        yield current.line, current.location, current.description()


def _lines_of(text: str) -> list[str]:
    """Lines split at ``\n`` only, as ``read_records`` splits a file's bytes.

    ``str.splitlines`` also splits on form feeds, lone ``\r`` and Unicode separators,
    which would make line numbers disagree with those of the same text read from a file;
    the ``\r`` of ``\r\n`` goes with the trailing white space of each line.
    """
    return text.split("\n")


def parse_listing_text(text: str) -> list[tuple[int, str, str]]:
    """Postings of a listing page: ``(line of the location line, location, description)``.

    Location lines with no description are left out; ``read_records`` reports them.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    return [(line, where, what) for line, where, what in _scan(_lines_of(text)) if what]


def read_listing(stream: BinaryIO, source: str) -> Iterator[RawRecord | Rejection]:
    """A listing export as records with ``location`` and ``description`` only.

    Streams line by line. Reading stops at the first line that is not UTF-8 (one
    rejection for the file, not one per line of a binary file).
    """
    try:
        for line, location, description in _scan(text_lines(stream)):
            if description:
                yield RawRecord({"location": location, "description": description}, source, line)
            elif description is None:
                limit = MAX_RECORD_BYTES >> 20
                yield Rejection(source, line, f"posting longer than {limit} MB; skipped")
            else:
                yield Rejection(source, line, f"location line {location!r} has no description")
    except NotUtf8Error as exc:
        yield Rejection(source, exc.line, "not valid UTF-8 text; stopped reading the file")
