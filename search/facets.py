"""Facet counts from a forward table: docnum -> values, built once per index snapshot.

Whoosh's ``groupedby`` took about a second over 18k hits; counting from a table built
from the facet fields' posting lists takes milliseconds, so every search can show facets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from whoosh.reading import IndexReader


class FacetTable:
    """For each facet field, the values of every document of one reader."""

    def __init__(self, reader: IndexReader, fields: Iterable[str]) -> None:
        self.fields = tuple(fields)
        self._values: dict[str, dict[int, list[str]]] = {}
        for name in self.fields:
            table: dict[int, list[str]] = {}
            if name in reader.indexed_field_names():
                for raw in reader.lexicon(name):
                    value = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                    for docnum in reader.postings(name, raw).all_ids():
                        table.setdefault(docnum, []).append(value)
            self._values[name] = table

    def count(self, docnums: Iterable[int], top: int = 10) -> dict[str, dict[str, int]]:
        """The ``top`` most frequent values of each field among ``docnums``."""
        counters = {name: Counter() for name in self.fields}
        tables = [(counters[name], self._values[name]) for name in self.fields]
        for docnum in docnums:
            for counter, table in tables:
                values = table.get(docnum)
                if values:
                    counter.update(values)
        return {name: dict(c.most_common(top)) for name, c in counters.items()}
