"""Facet counts and duplicate groups over every match, from the side tables.

A facet field's postings, read in posting order, give each (document, value) pair; the
values of the matching documents are counted with one ``bincount`` per segment. When
copies of one job (posted once per place) are folded, a job counts once per value with
the union of its copies' values: only documents whose group has other matching copies
need that, and they are few.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from search.query.matching import Index, Mask
from search.store import fields as f


@dataclass(frozen=True, slots=True)
class _Pairs:
    docs: npt.NDArray[np.int64]
    values: npt.NDArray[np.int64]
    names: list[str]


def _pairs(index: Index, field: str, mask: Mask) -> _Pairs:
    """(global document, global value) for every posting of ``field`` in ``mask``."""
    names: dict[str, int] = {}
    docs, values = [], []
    for part in index.snapshot.parts:
        table = part.tables.table(field)
        if table is None or not len(table.terms):
            continue
        ids = np.array(
            [names.setdefault(t.decode("utf-8"), len(names)) for t in table.terms.tolist()],
            dtype=np.int64,
        )
        global_docs = table.docs.astype(np.int64) + part.offset
        keep = mask[global_docs]
        docs.append(global_docs[keep])
        values.append(ids[table.entry_terms[keep]])
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return _Pairs(empty, empty, [])
    return _Pairs(np.concatenate(docs), np.concatenate(values), list(names))


def count(
    index: Index, mask: Mask, fields: tuple[str, ...], top: int = 10, fold: bool = True
) -> dict[str, dict[str, int]]:
    """The ``top`` most frequent values of each field among the documents in ``mask``.

    With ``fold``, documents with the same duplicate key count once, with the union of
    their values (one job offered in three cities counts once per city).
    """
    groups = _groups(index, mask) if fold else None
    out: dict[str, dict[str, int]] = {}
    for field in fields:
        pairs = _pairs(index, field, mask)
        width = len(pairs.names)
        counts = np.bincount(pairs.values, minlength=width).astype(np.int64)
        if groups is not None and len(pairs.docs):
            counts = counts - _group_excess(pairs, groups, width)
        tally = Counter({pairs.names[i]: int(counts[i]) for i in np.flatnonzero(counts)})
        out[field] = dict(sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
    return out


def _groups(index: Index, mask: Mask) -> npt.NDArray[np.int64] | None:
    """For each document, the index of its duplicate group among the matches if that
    group has several matching documents, else -1; None when no group does."""
    dup = index.column("dup")
    where = np.flatnonzero(mask)
    if not len(where):
        return None
    _, inverse, sizes = np.unique(dup[where], return_inverse=True, return_counts=True)
    shared = sizes[inverse] > 1
    if not shared.any():
        return None
    groups = np.full(index.size, -1, dtype=np.int64)
    groups[where[shared]] = inverse[shared]
    return groups


def _group_excess(
    pairs: _Pairs, groups: npt.NDArray[np.int64], width: int
) -> npt.NDArray[np.int64]:
    """How much plain counting over-counts each value where copies share it."""
    group_of = groups[pairs.docs]
    shared = group_of >= 0
    if not shared.any():
        return np.zeros(width, dtype=np.int64)
    values = pairs.values[shared]
    keys = group_of[shared] * width + values
    unique = np.unique(keys) % width
    seen = np.bincount(values, minlength=width)
    once = np.bincount(unique, minlength=width)
    return seen - once


def distinct_jobs(index: Index, mask: Mask) -> int:
    """How many jobs match, copies of one job counting once."""
    return len(np.unique(index.column("dup")[mask]))


#: Upper bounds of the pay bands, a year's pay in thousands of the posting's currency.
PAY_BANDS = (50, 100, 150, 200, 250)
#: Upper bounds (inclusive) of the experience bands, in years.
YEAR_BANDS = (1, 3, 5, 9)


def _band_labels(bounds: tuple[int, ...], unit: str, step: int, last: str) -> list[str]:
    """ "0-50k", "50-100k", ... "250k+"; "0-1 years", "2-3 years", ... "10+ years"."""
    labels, low = [], 0
    for high in bounds:
        labels.append(f"{low}-{high}{unit}")
        low = high + step
    labels.append(last.format(low))
    return labels


def _count_bands(
    index: Index, mask: Mask, keys: npt.NDArray[np.int64], labels: list[str], fold: bool
) -> dict[str, int]:
    """How many documents (or jobs, folding copies) of ``mask`` fall in each band;
    ``keys`` is each document's band number, -1 for none."""
    where = np.flatnonzero(mask & (keys >= 0))
    if not len(where):
        return {}
    bands = keys[where]
    if fold:
        pairs = np.unique(np.stack([bands, index.column("dup")[where]]), axis=1)
        bands = pairs[0]
    counts = np.bincount(bands, minlength=len(labels))
    return {labels[i]: int(counts[i]) for i in np.flatnonzero(counts)}


def bands(index: Index, mask: Mask, fold: bool = True) -> dict[str, dict[str, int]]:
    """Facets of ranges: a year's pay (by currency, the top of the stated range) and the
    years of experience required. Postings that state neither are not counted."""
    high = index.column("pay_high")
    pay: dict[str, int] = {}
    labels = _band_labels(PAY_BANDS, "k", 0, "{}k+")
    for currency in index.terms(f.PAY_CURRENCY):
        docs, _ = index.docs(f.PAY_CURRENCY, currency.encode("utf-8"))
        in_currency = np.zeros(index.size, dtype=bool)
        in_currency[docs] = True
        keys = np.full(index.size, -1, dtype=np.int64)
        stated = in_currency & ~np.isnan(high)
        keys[stated] = np.searchsorted(np.array(PAY_BANDS) * 1000, high[stated], side="left")
        for label, n in _count_bands(index, mask, keys, labels, fold).items():
            pay[f"{currency} {label}"] = n
    years = index.column("years").astype(np.int64)
    year_keys = np.where(years >= 0, np.searchsorted(np.array(YEAR_BANDS), years, side="left"), -1)
    experience = _count_bands(
        index, mask, year_keys, _band_labels(YEAR_BANDS, " years", 1, "{}+ years"), fold
    )
    return {"pay": dict(sorted(pay.items(), key=lambda kv: -kv[1])[:10]), "experience": experience}
