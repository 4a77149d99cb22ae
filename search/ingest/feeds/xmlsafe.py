"""A streaming XML reader that cannot be turned against its user.

XML can declare entities that expand a kilobyte into gigabytes ("billion laughs") or
that name files and URLs to pull in. Job feeds need neither, so this reader refuses any
entity declaration outright and never resolves anything external (parameter entities
off, no external-entity handler that loads): reading a feed touches only its bytes. It
is built on the standard library's expat, so no new dependency is needed.

It streams: bytes are fed in chunks and each record element (``<job>``, ``<position>``)
is handed over as a small tree as soon as it closes, then dropped. A record larger than
``MAX_RECORD_BYTES`` is reported, not kept; text outside records is never stored.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO
from xml.parsers import expat

from search.ingest.files import MAX_RECORD_BYTES
from search.ingest.htmltext import html_to_text

_CHUNK = 1 << 16
#: What each element costs against the record limit, beside its text.
_ELEMENT_COST = 64
#: Deeper nesting than any feed uses; refusing it bounds expat's own element stack.
MAX_DEPTH = 256


class XmlRefusedError(ValueError):
    """The document does what no job feed needs (declares entities, nests absurdly)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.lineno = line


@dataclass(slots=True)
class Node:
    """One element of a record: its name and its content in document order, text (CDATA
    included) and child elements."""

    tag: str
    content: list[str | Node] = field(default_factory=list)

    @property
    def children(self) -> list[Node]:
        return [item for item in self.content if isinstance(item, Node)]

    @property
    def own_text(self) -> str:
        """The element's own text, without that of the elements inside it."""
        return "".join(item for item in self.content if isinstance(item, str)).strip()

    @property
    def text(self) -> str:
        """All the element's text. One with elements inside it (a description written as
        XHTML, its ``<p>`` and ``<li>`` unescaped) is read whole, in document order, as
        HTML, so that no part of its text is lost and paragraphs stay apart."""
        if not any(isinstance(item, Node) for item in self.content):
            return self.own_text
        return html_to_text(self.markup())

    def markup(self) -> str:
        """The content as markup again: elements as tags (without attributes), text escaped."""
        return "".join(
            f"<{item.tag}>{item.markup()}</{item.tag}>"
            if isinstance(item, Node)
            else html.escape(item, quote=False)
            for item in self.content
        )

    def child(self, tag: str) -> Node | None:
        return next((c for c in self.content if isinstance(c, Node) and c.tag == tag), None)

    def child_text(self, tag: str) -> str:
        found = self.child(tag)
        return found.text if found is not None else ""


@dataclass(slots=True)
class Found:
    """A finished record (``node`` None when it was too large) and where it began."""

    line: int
    node: Node | None


class _Builder:
    """expat callbacks that collect record elements and refuse entity declarations.

    ``depth`` counts open elements of the current record (0: outside any record);
    ``stack`` holds the nodes being filled, shorter than ``depth`` once a record has
    grown too large and its contents are no longer kept.
    """

    def __init__(self, parser: expat.XMLParserType, record_tags: frozenset[str]) -> None:
        self.parser = parser
        self.record_tags = record_tags
        self.root = ""
        self.level = 0
        self.depth = 0
        self.stack: list[Node] = []
        self.size = 0
        self.start_line = 0
        self.done: list[Found] = []
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        parser.EntityDeclHandler = self.refuse
        parser.UnparsedEntityDeclHandler = self.refuse
        parser.ExternalEntityRefHandler = self.refuse

    def refuse(self, *_args: object) -> int:
        raise XmlRefusedError(
            "XML entity declarations are refused (a job feed needs none)",
            self.parser.CurrentLineNumber,
        )

    @property
    def too_large(self) -> bool:
        return self.size > MAX_RECORD_BYTES

    def start(self, tag: str, _attrs: dict[str, str]) -> None:
        self.level += 1
        if self.level > MAX_DEPTH:
            raise XmlRefusedError(
                f"XML nested deeper than {MAX_DEPTH} elements", self.parser.CurrentLineNumber
            )
        self.root = self.root or tag
        if self.depth:
            self.depth += 1
            self._grow(_ELEMENT_COST)
            if len(self.stack) == self.depth - 1:
                node = Node(tag)
                self.stack[-1].content.append(node)
                self.stack.append(node)
        elif tag in self.record_tags:
            self.depth, self.size = 1, 0
            self.stack = [Node(tag)]
            self.start_line = self.parser.CurrentLineNumber

    def end(self, _tag: str) -> None:
        self.level -= 1
        if not self.depth:
            return
        record = self.stack[0] if self.stack else None
        if len(self.stack) == self.depth:
            self.stack.pop()
        self.depth -= 1
        if not self.depth:
            self.done.append(Found(self.start_line, None if self.too_large else record))
            self.stack = []

    def data(self, text: str) -> None:
        if self.depth and len(self.stack) == self.depth:
            self._grow(len(text))
            if self.stack:
                self.stack[-1].content.append(text)

    def _grow(self, amount: int) -> None:
        """Count ``amount`` against the record; past the limit, drop what was kept."""
        self.size += amount
        if self.too_large and self.stack:
            self.stack = []


def iter_records(
    stream: BinaryIO, record_tags: frozenset[str], roots: list[str]
) -> Iterator[Found]:
    """Record elements in document order, streamed; ``roots`` gets the root tag.

    Raises ``expat.ExpatError`` for malformed XML and ``XmlRefusedError`` for entity
    declarations, after yielding every record that closed before the fault.
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    builder = _Builder(parser, record_tags)
    try:
        while True:
            chunk = stream.read(_CHUNK)
            parser.Parse(chunk, not chunk)
            if builder.root and not roots:
                roots.append(builder.root)
            yield from builder.done
            builder.done.clear()
            if not chunk:
                return
    finally:
        parser.StartElementHandler = None
        parser.CharacterDataHandler = None


def error_line(exc: BaseException, default: int) -> int:
    """The line an expat error points at, or ``default``."""
    line = getattr(exc, "lineno", None)
    return line if isinstance(line, int) and line > 0 else default
