"""HTML descriptions to plain text, for exports that only carry ``descriptionHtml``.

The standard library parser is lenient with broken markup, which is what scraped
boards produce; block tags become line breaks so paragraphs and bullets stay apart.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "br", "dd", "div", "dl", "dt", "header", "hr", "li"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "ol", "p", "pre", "section"),
        *("table", "td", "th", "tr", "ul"),
    }
)
_SKIP_TAGS = frozenset({"script", "style"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_RUNS = re.compile(r"\n\s*\n\s*")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of ``markup``: tags dropped, entities decoded, blank runs squeezed."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(collector.parts).split("\n"))
    text = "\n".join(lines)
    return _BLANK_RUNS.sub("\n\n", text).strip()
