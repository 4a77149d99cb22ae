"""Facet counts from a forward table: docnum -> values, built once per index snapshot.

Whoosh's ``groupedby`` took about a second over 18k hits; counting from a table built
from the facet fields' posting lists takes milliseconds, so every search can show facets.
Each document's values are kept as one tuple of ``(field, value)`` pairs so that a
search's counting is one C-level ``Counter`` pass over the matched documents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import chain

from whoosh.reading import IndexReader


class FacetTable:
    """For each document of one reader, the values of every facet field."""

    def __init__(self, reader: IndexReader, fields: Iterable[str]) -> None:
        self.fields = tuple(fields)
        values: dict[int, list[tuple[str, str]]] = {}
        indexed = set(reader.indexed_field_names())
        for name in self.fields:
            if name not in indexed:
                continue
            for raw in reader.lexicon(name):
                pair = (name, raw.decode("utf-8") if isinstance(raw, bytes) else str(raw))
                for docnum in reader.postings(name, raw).all_ids():
                    values.setdefault(docnum, []).append(pair)
        self._values: dict[int, tuple[tuple[str, str], ...]] = {
            doc: tuple(pairs) for doc, pairs in values.items()
        }

    def count(self, docnums: Iterable[int], top: int = 10) -> dict[str, dict[str, int]]:
        """The ``top`` most frequent values of each field among ``docnums``."""
        get = self._values.get
        counts = Counter(chain.from_iterable(get(doc, ()) for doc in docnums))
        out: dict[str, dict[str, int]] = {name: {} for name in self.fields}
        for (name, value), n in sorted(counts.items(), key=lambda item: (-item[1], item[0][1])):
            bucket = out[name]
            if len(bucket) < top:
                bucket[value] = n
        return out
