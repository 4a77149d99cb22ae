"""What a reader knows about the file it is reading, and what it found out.

Readers receive one ``ReadContext`` per file: where records come from (for rejections),
the user's field map, and defaults a wrapper supplies to the postings inside it (a
scraper's ``"company"`` key, the page a JSON-LD block was cut from). Readers note each
record's shape on it, which is how a caller learns that ``jobs.json`` was a Greenhouse
board without trusting its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from search.ingest.columns import FieldMap

#: The shape of a record that matched no feed: a generic export.
EXPORT = "export"


@dataclass(slots=True)
class ReadContext:
    """Per-file reading state; see the module docstring."""

    source: str
    field_map: FieldMap | None = None
    #: shape name -> records of that shape ("greenhouse", "json-ld", "export", ...)
    shapes: dict[str, int] = field(default_factory=dict)
    #: A company named by a wrapper around the postings, for entries that name none.
    company: str = ""
    #: The page a JSON-LD block came from, for postings that carry no url of their own.
    page_url: str = ""

    def saw(self, shape: str) -> None:
        self.shapes[shape] = self.shapes.get(shape, 0) + 1

    def describe(self, base: str) -> str:
        """The format to report: ``greenhouse (json)``, or ``csv`` for a plain export."""
        feeds = sorted((s for s in self.shapes if s != EXPORT), key=lambda s: -self.shapes[s])
        return f"{'+'.join(feeds)} ({base})" if feeds else base
