"""What readers hand on: raw records with their structured facts, and rejections.

Every reader, whatever the format, yields the same two things, so the rest of the
pipeline never learns what a Greenhouse board or a CSV export looks like:

- ``RawRecord``: the seven canonical text fields (id, title, location, description,
  posted, company, url) plus ``Facts``, the values a feed states as data (pay with its
  currency and period, workplace type, employment type, level, every location, closing
  date). Facts are typed and already normalised, so ``build_posting`` can use them as
  they are. An export's record also says which column fed which fact (``columns``), for
  the per-file report.
- ``Rejection``: a record or file that could not be read, with file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from search.model import Pay

__all__ = [
    "EMPTY_FACTS",
    "ColumnUse",
    "Facts",
    "FieldError",
    "Item",
    "RawRecord",
    "Rejection",
    "json_kind",
]


@dataclass(frozen=True, slots=True)
class Facts:
    """What a feed states as data rather than prose; each None/empty when it does not.

    ``employment_type`` is one of full-time, part-time, contract, temporary, internship;
    ``workplace`` one of ``search.model.WORKPLACES``; ``locations`` every place as the
    feed names it (the location field joins them); ``remote`` is True only when the feed
    says so outright (a workplace type of remote, a TELECOMMUTE flag); ``level`` one of
    ``search.extract.roles.LEVELS``; ``company_rating`` the employer's rating on the
    job site (0-5); ``apply_url`` where to apply when that is not the posting's page.
    """

    pay: Pay | None = None
    workplace: str | None = None
    employment_type: str | None = None
    locations: tuple[str, ...] = ()
    closes: date | None = None
    remote: bool | None = None
    experience_years: int | None = None
    experience_text: str = ""
    degree: str | None = None
    level: str | None = None
    company_rating: float | None = None
    apply_url: str | None = None


EMPTY_FACTS = Facts()

#: (fact, column or columns as the file names them, note): one fact of one record and
#: where it came from. The note is "" or says more: "estimate" (pay that is a job
#: site's estimate), "rating line dropped" (a company cell), "unread" (a fact column
#: whose value said nothing we could read; it was kept as text). A fact of "text" or
#: "ignored" names a column kept as a section of the description, or left out.
ColumnUse = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One posting as read from a file, before any extraction.

    ``fields`` holds only canonical keys with non-empty text. ``line`` is 1-based and
    points where the record starts, so a user can open the file at the right place.
    ``facts`` is empty for exports that state nothing as data. ``columns`` says, for an
    export's row, which column fed which key or fact (empty for feeds).
    """

    fields: dict[str, str]
    source: str
    line: int
    facts: Facts = field(default=EMPTY_FACTS)
    columns: tuple[ColumnUse, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record or file that could not be read, and why, in one short sentence."""

    source: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}"


Item = RawRecord | Rejection


class FieldError(ValueError):
    """A record cannot become a ``RawRecord``; the message is the rejection reason."""


def json_kind(value: object) -> str:
    """The JSON name of a value's type, which is what a user sees in the file."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    return type(value).__name__
