"""A posting being assembled by a reader: text parts, sections and facts, then a record.

Every format ends the same way: a description, the other text the source carries under
its own headings (qualifications, benefits, a board's custom fields), the places it
names, and the facts it states as data. Assembling them in one place keeps the rules
identical for a CSV export and a Greenhouse board: placeholders are dropped, every
section stays searchable under its heading, and every place reaches location extraction.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date

from search.ingest.columns import clean
from search.ingest.htmltext import html_to_text
from search.ingest.records import EMPTY_FACTS, ColumnUse, Facts, FieldError, RawRecord
from search.model import Pay

#: A section value this short and on one line reads as ``Heading: value``.
_SHORT_SECTION = 120
#: Markup that says a text is HTML (a tag a description would use).
_HTML_TAG = re.compile(r"</?(?:p|br|li|ul|ol|div|span|strong|b|i|em|h[1-6]|a|table|tr|td)\b[^>]*>")
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});")
_ESCAPED_TAG = re.compile(r"&lt;/?(?:p|br|li|ul|ol|div|span|strong|b|h[1-6])\b")
#: One shared tuple per distinct list of column uses: rows of one export repeat theirs.
_USES: dict[tuple[ColumnUse, ...], tuple[ColumnUse, ...]] = {}
_USES_KEPT = 4096


def shared_uses(uses: list[ColumnUse] | tuple[ColumnUse, ...]) -> tuple[ColumnUse, ...]:
    """``uses`` as a tuple shared by every record with the same ones (little memory, and
    pickled once per chunk of records sent to a worker)."""
    key = tuple(uses)
    found = _USES.get(key)
    if found is not None:
        return found
    if len(_USES) < _USES_KEPT:
        _USES[key] = key
    return key


def plain_text(text: str) -> str:
    """Plain text from a value that may be HTML, HTML escaped once, or entity-encoded.

    Greenhouse escapes its ``content`` (``&lt;p&gt;``, and ``&amp;nbsp;`` a level
    deeper, which the HTML parser then decodes); JSON-LD sites join list items with
    ``&nbsp;``. Text with neither tags nor entities is returned as it is.
    """
    if "&" not in text and "<" not in text:
        return text.strip()
    if "&lt;" in text and _ESCAPED_TAG.search(text) and not _HTML_TAG.search(text):
        text = html.unescape(text)
    if "<" in text and _HTML_TAG.search(text):
        return html_to_text(text)
    if _ENTITY.search(text):
        text = html.unescape(text).replace("\u00a0", " ")
    return text.strip()


def section_text(value: object) -> str:
    """The text of an extra column or field, or "" when it carries no words.

    Kept: text with a letter in it, and lists of such text. Dropped: placeholders,
    numbers, booleans, links and identifier-like tokens (``ab12-cd34``), which would
    only add noise to the searchable text.
    """
    if isinstance(value, list):
        parts = (section_text(v) for v in value if isinstance(v, str | int | float))
        return ", ".join(p for p in parts if p)
    if not isinstance(value, str):
        return ""
    text = clean(value)
    if not text or not any(ch.isalpha() for ch in text):
        return ""
    if " " not in text:
        folded = text.casefold()
        if folded in ("true", "false", "yes", "no") or folded.startswith(("http", "www.")):
            return ""
        if any(ch.isdigit() or ch == "_" for ch in text) or len(text) > 40:
            return ""
    return plain_text(text)


def compose(description: str, sections: list[tuple[str, str]]) -> str:
    """The description followed by each section under its heading.

    Short one-line sections read ``Heading: value``; longer ones are a paragraph headed
    by their name. A section with no heading is a paragraph of its own.
    """
    blocks = [description] if description else []
    short: list[str] = []
    for heading, text in sections:
        if heading and "\n" not in text and len(text) <= _SHORT_SECTION:
            short.append(f"{heading}: {text}")
            continue
        if short:
            blocks.append("\n".join(short))
            short = []
        blocks.append(f"{heading}\n{text}" if heading else text)
    if short:
        blocks.append("\n".join(short))
    return "\n\n".join(blocks)


@dataclass(slots=True)
class Draft:
    """The parts of one posting as a reader finds them; ``record`` checks and joins them."""

    id: str = ""
    title: str = ""
    description: str = ""
    posted: str = ""
    company: str = ""
    url: str = ""
    #: The location as one value (an export's column); ``locations`` lists a feed's places.
    location: str = ""
    locations: list[str] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)
    pay: Pay | None = None
    workplace: str | None = None
    employment_type: str | None = None
    closes: date | None = None
    remote: bool | None = None
    experience_years: int | None = None
    experience_text: str = ""
    degree: str | None = None
    level: str | None = None
    company_rating: float | None = None
    apply_url: str | None = None
    #: Which column fed which key or fact (exports only), for the per-file report.
    uses: list[ColumnUse] = field(default_factory=list)

    def add_section(self, heading: str, value: object) -> None:
        """Keep a value of unknown meaning under ``heading`` when it carries words.

        For export columns and a board's custom fields (see ``section_text``).
        """
        text = section_text(value)
        if text:
            self.sections.append((heading.strip(), text))

    def add_text(self, heading: str, text: object) -> None:
        """Keep prose the source labels as such (a list of duties, a benefits block)."""
        if isinstance(text, str):
            plain = plain_text(clean(text))
            if plain:
                self.sections.append((heading.strip(), plain))

    def add_place(self, name: object) -> None:
        """Add a place as the feed names it; blanks, placeholders and repeats are skipped."""
        if isinstance(name, str):
            text = clean(name)
            if text and text not in self.locations:
                self.locations.append(text)

    def facts(self) -> Facts:
        found = Facts(
            pay=self.pay,
            workplace=self.workplace,
            employment_type=self.employment_type,
            locations=tuple(self.locations),
            closes=self.closes,
            remote=self.remote,
            experience_years=self.experience_years,
            experience_text=self.experience_text,
            degree=self.degree,
            level=self.level,
            company_rating=self.company_rating,
            apply_url=self.apply_url,
        )
        return found if found != EMPTY_FACTS else EMPTY_FACTS

    def record(self, source: str, line: int, *, title_as_description: bool = False) -> RawRecord:
        """The finished record; FieldError("missing description") when it has no text.

        A feed entry that carries only a title (a board's list endpoint) may use it as
        its description, so that it is still found by its title.
        """
        description = compose(plain_text(clean(self.description)), self.sections)
        title = clean(self.title)
        if not description and title_as_description:
            description = title
        if not description:
            raise FieldError("missing description")
        values = {
            "id": clean(self.id),
            "title": title,
            "location": clean(self.location) or "; ".join(self.locations),
            "description": description,
            "posted": self.posted,
            "company": clean(self.company),
            "url": clean(self.url),
        }
        fields = {key: value for key, value in values.items() if value}
        columns = shared_uses(self.uses) if self.uses else ()
        return RawRecord(fields, source, line, self.facts(), columns)
