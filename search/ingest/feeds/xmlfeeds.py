"""XML job feeds: Indeed-style ``<source><job>`` feeds (Appcast, many ATSs) and Personio.

Recognised by shape: the records are ``<job>`` elements (Indeed's and Appcast's feeds,
``<source>`` or ``<jobs>`` around them) or ``<position>`` elements of a Personio
``<workzag-jobs>`` feed. An Indeed-style job is a flat list of named values, read like
an export row through the column vocabulary (``title``, ``company``, ``city``,
``jobtype``, ``salary``, ``referencenumber``, ...), with its HTML ``description``/``body``
(escaped or in CDATA) made plain. A Personio position has headed ``jobDescriptions``,
an ``employmentType`` and ``schedule``, offices and ``yearsOfExperience`` ("5-7").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO
from xml.parsers import expat

from search.ingest.columns import employment_type_of
from search.ingest.context import ReadContext
from search.ingest.dates import iso_date
from search.ingest.draft import Draft
from search.ingest.exports import export_record
from search.ingest.feeds.xmlsafe import Node, XmlRefusedError, error_line, iter_records
from search.ingest.files import MAX_RECORD_BYTES
from search.ingest.records import FieldError, Item, RawRecord, Rejection

INDEED = "indeed-xml"
PERSONIO = "personio-xml"
_RECORD_TAGS = frozenset({"job", "position", "vacancy"})
#: Tags that, repeated, are paragraphs or lines of markup rather than a list of values.
_HTML_TAGS = frozenset(
    {*("p", "div", "span", "br", "li", "b", "strong", "em", "i", "u", "a", "pre", "code")}
    | {f"h{n}" for n in range(1, 7)}
)
_YEARS = re.compile(r"(?:(lt)-)?(\d+)(?:-(\d+))?")
#: Personio employment types that say more than ``schedule`` (full-time/part-time).
_PERSONIO_KINDS = frozenset({"internship", "contract", "temporary"})


def _flat(node: Node) -> list[tuple[str, str]]:
    """A job element's children as (name, text) pairs: a list of values (``<locations>``
    of ``<location>``) joined by commas, any other element read whole (``Node.text``)."""
    return [
        (child.tag, ", ".join(g.text for g in child.children if g.text))
        if _is_list(child)
        else (child.tag, child.text)
        for child in node.children
    ]


def _is_list(node: Node) -> bool:
    """An element holding only elements of one name, each with text only, that is not
    HTML (``<p>`` after ``<p>``): a list of values."""
    children = node.children
    if not children or node.own_text or children[0].tag.lower() in _HTML_TAGS:
        return False
    return all(c.tag == children[0].tag and not c.children for c in children)


def _indeed(node: Node, ctx: ReadContext, line: int) -> RawRecord:
    return export_record(_flat(node), ctx.source, line, ctx.field_map)


def _experience(text: str, found: Draft) -> None:
    """Personio's ``yearsOfExperience``: ``lt-1`` (under a year), ``5-7``, ``10``."""
    match = _YEARS.fullmatch(text)
    if match is None:
        found.add_section("Experience", text)
        return
    low, high = int(match[2]), match[3]
    found.experience_years = 0 if match[1] else low
    unit = "year" if low == 1 and not high else "years"
    if match[1]:
        found.experience_text = f"less than {low} {unit}"
    else:
        found.experience_text = f"{low}-{high} years" if high else f"{low} {unit}"


def _personio(node: Node, ctx: ReadContext, line: int) -> RawRecord:
    found = Draft(
        id=node.child_text("id"),
        title=node.child_text("name"),
        company=node.child_text("subcompany") or ctx.company,
        posted=iso_date(node.child_text("createdAt")),
    )
    found.add_place(node.child_text("office"))
    for office in (node.child("additionalOffices") or Node("")).children:
        found.add_place(office.text)
    descriptions = node.child("jobDescriptions") or Node("")
    for part in descriptions.children:
        found.add_text(part.child_text("name"), part.child_text("value"))
    kind = employment_type_of(node.child_text("employmentType"))
    schedule = employment_type_of(node.child_text("schedule"))
    found.employment_type = kind if kind in _PERSONIO_KINDS else schedule or kind
    for tag, heading in (
        ("department", "Department"),
        ("recruitingCategory", "Category"),
        ("seniority", "Seniority"),
        ("keywords", "Keywords"),
    ):
        found.add_section(heading, node.child_text(tag))
    years = node.child_text("yearsOfExperience")
    if years:
        _experience(years, found)
    return found.record(ctx.source, line, title_as_description=True)


def read_xml(stream: BinaryIO, ctx: ReadContext) -> Iterator[Item]:
    """Records of an XML feed, streamed; reading stops at the first malformed byte.

    Records that closed before a fault are kept; the fault is one rejection at its line.
    A document with no record element at all is one rejection naming its root.
    """
    roots: list[str] = []
    count, last = 0, 1
    try:
        for found in iter_records(stream, _RECORD_TAGS, roots):
            count, last = count + 1, found.line
            yield _item(found.node, ctx, found.line, roots)
    except (expat.ExpatError, XmlRefusedError) as exc:
        yield Rejection(ctx.source, error_line(exc, last), _reason(exc))
        return
    if not count:
        root = f"<{roots[0]}>" if roots else "nothing"
        yield Rejection(ctx.source, 1, f"no <job> or <position> elements in this XML ({root})")


def _item(node: Node | None, ctx: ReadContext, line: int, roots: list[str]) -> Item:
    if node is None:
        return Rejection(ctx.source, line, f"record larger than {MAX_RECORD_BYTES >> 20} MB")
    personio = node.tag == "position" and roots[:1] == ["workzag-jobs"]
    ctx.saw(PERSONIO if personio else INDEED)
    try:
        return _personio(node, ctx, line) if personio else _indeed(node, ctx, line)
    except FieldError as exc:
        return Rejection(ctx.source, line, str(exc))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, XmlRefusedError):
        return str(exc)
    code = getattr(exc, "code", None)
    message = expat.errors.messages.get(code, str(exc)) if isinstance(code, int) else str(exc)
    return f"invalid XML: {message}"
