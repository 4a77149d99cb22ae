"""Facet counts read from each match's values (few matches) equal the counts from the
bit sets of every value (many matches), for every facet field of the corpus, at every
share of matching documents; and a search's facets do not depend on which was used."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from search import JobIndex
from search.query import facets
from search.query.view import Index
from search.store import fields as f


@pytest.fixture(scope="module")
def index(corpus_index_dir: Path) -> Iterator[Index]:
    with JobIndex.open(corpus_index_dir) as opened:
        yield opened._read().index


@pytest.mark.parametrize("share", [0.0, 0.0005, 0.01, 0.1, 0.5, 1.0])
def test_both_ways_count_alike(index: Index, share: float) -> None:
    rng = np.random.default_rng(int(share * 10_000))
    mask = (rng.random(index.size) < share) & index.live
    counted = 0
    for field in f.FACET_FIELDS:
        names, _ = index.value_names(field)
        packed = facets._Packed(index, mask)
        by_document = facets._counts_by_document(index, field, packed.matches, len(names))
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(facets, "BY_DOCUMENT_COST", 10**12)  # bit sets only
            by_bits, _ = facets._counts(index, field, mask)
        assert np.array_equal(by_document, by_bits), field
        counted += int(by_bits.sum())
    assert counted > 0 or share == 0.0


def test_a_search_counts_alike(corpus_index: JobIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    searches = [("engineer", {}), ("engineer", {"city": ["Seattle"]}), ("python sql", {})]
    for text, filters in searches:
        monkeypatch.setattr(facets, "BY_DOCUMENT_COST", 0)  # always by document
        few = corpus_index.search(text, **filters).facets  # type: ignore[arg-type]
        monkeypatch.setattr(facets, "BY_DOCUMENT_COST", 10**12)
        many = corpus_index.search(text, **filters).facets  # type: ignore[arg-type]
        assert few == many and any(few.values()), text
