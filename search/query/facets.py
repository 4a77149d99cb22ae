"""Facet counts and duplicate groups over every match, from the side tables.

A facet field's postings, read in posting order, give each (document, value) pair; the
values of the matching documents are counted with one ``bincount`` per segment. When
copies of one job (posted once per place) are folded, a job counts once per value with
the union of its copies' values: only documents whose group has other matching copies
need that, and they are few.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from search.filters import POSTED_BANDS, since_day
from search.query.view import Index, Mask
from search.store import fields as f
from search.store.documents import EPOCH


@dataclass(frozen=True, slots=True)
class _Pairs:
    docs: npt.NDArray[np.int64]
    values: npt.NDArray[np.int32]
    names: list[str]


def _pairs(index: Index, field: str, mask: Mask) -> _Pairs:
    """(global document, value number) for every posting of ``field`` in ``mask``."""
    docs, values, names = index.entries(field)
    keep = mask[docs]
    return _Pairs(docs[keep], values[keep], names)


#: The facet value counting the matches that state no value of a fact.
UNKNOWN = "unknown"
#: Facets of facts a posting may leave unsaid: each also counts, as ``UNKNOWN``, the
#: matches that state none (never counted under a default value).
UNKNOWN_COUNTED: frozenset[str] = frozenset({f.ROLE, f.LEVEL, f.EMPLOYMENT_TYPE, f.WORKPLACE})


def count(
    index: Index, mask: Mask, fields: tuple[str, ...], top: int = 10, fold: bool = True
) -> dict[str, dict[str, int]]:
    """The ``top`` most frequent values of each field among the documents in ``mask``,
    and for the fields of ``UNKNOWN_COUNTED`` how many state none (after the top values,
    when there are any).

    With ``fold``, documents with the same duplicate key count once, with the union of
    their values (one job offered in three cities counts once per city); a job is
    unknown when none of its matching copies states a value.
    """
    groups = index.groups if fold and index.has_copies else None
    out: dict[str, dict[str, int]] = {}
    packed = _Packed(index, mask)
    for field in fields:
        counts, names = _counts(index, field, mask, packed)
        if groups is not None and len(names):
            counts = counts - _group_excess(_pairs(index, field, mask), groups, len(names))
        out[field] = _top(counts, names, top)
        if field in UNKNOWN_COUNTED and (unknown := unstated(index, mask, field, fold)):
            out[field][UNKNOWN] = unknown
    return out


def unstated(index: Index, mask: Mask, field: str, fold: bool = True) -> int:
    """How many documents of ``mask`` (jobs, with ``fold``) state no value of ``field``."""
    stated = index.stated(field)
    missing = mask & ~stated
    if not fold or not index.has_copies:
        return int(np.count_nonzero(missing))
    groups = index.groups
    alone = int(np.count_nonzero(groups[missing] < 0))
    grouped = np.unique(groups[missing & (groups >= 0)])
    known = np.unique(groups[mask & stated & (groups >= 0)])
    return alone + len(np.setdiff1d(grouped, known, assume_unique=True))


class _Packed:
    """``mask`` as 64-bit words per segment, packed once for every facet of a count
    (each field's bit sets are ANDed with the same words)."""

    def __init__(self, index: Index, mask: Mask) -> None:
        self._index, self._mask = index, mask
        self._words: dict[int, npt.NDArray[np.uint64]] = {}
        self._matches: npt.NDArray[np.int64] | None = None

    @property
    def matches(self) -> npt.NDArray[np.int64]:
        """The matching documents' numbers, in order."""
        if self._matches is None:
            self._matches = np.flatnonzero(self._mask)
        return self._matches

    def few(self, field: str) -> bool:
        """Whether reading the values of each match (a gather per value a match holds)
        costs less than ANDing every value's bit set with the whole mask. A match holds
        ``entries / size`` values of the field on average; a bit set pass touches
        ``values * size / 64`` words, about ``BY_DOCUMENT_COST`` times as cheap per item."""
        index = self._index
        if not index.size:
            return False
        names, _ = index.value_names(field)
        per_match = index.entry_count(field) / index.size
        return len(self.matches) * per_match * BY_DOCUMENT_COST < len(names) * index.size / 64

    def words(self, n: int, width: int) -> npt.NDArray[np.uint64]:
        """Segment ``n``'s documents in ``width`` words."""
        found = self._words.get(n)
        if found is None or len(found) != width:
            part = self._index.snapshot.parts[n]
            segment = self._mask[part.offset : part.offset + part.tables.doc_count]
            packed = np.packbits(segment, bitorder="little")
            words = np.zeros(width * 8, dtype=np.uint8)
            words[: len(packed)] = packed
            found = self._words[n] = words.view("<u8")
        return found


#: Relative cost of counting one value of one match by document against one 64-bit word
#: of a bit set pass (measured at 100,000 postings: gather and count ~8 ns an item,
#: AND, bit count and sum ~1 ns a word).
BY_DOCUMENT_COST = 8


def _counts_by_document(
    index: Index, field: str, matches: npt.NDArray[np.int64], width: int
) -> npt.NDArray[np.int64]:
    """How many of ``matches`` hold each value of ``field``, from each match's values."""
    starts, values = index.by_document(field)
    first = starts[matches]
    lengths = starts[matches + 1] - first
    total = int(lengths.sum())
    if not total:
        return np.zeros(width, dtype=np.int64)
    # Positions first..first+length of every match, in one array.
    shift = np.repeat(first - (np.cumsum(lengths) - lengths), lengths)
    held = values[shift + np.arange(total)]
    return np.bincount(held, minlength=width).astype(np.int64)


def _counts(
    index: Index, field: str, mask: Mask, packed: _Packed | None = None
) -> tuple[npt.NDArray[np.int64], list[str]]:
    """How many documents of ``mask`` hold each value of ``field`` (by name).

    From each segment's bit sets (an AND and a bit count per value); a segment without
    them is counted from the field's postings (one gather and one weighted count).
    """
    names, per_part = index.value_names(field)
    packed = packed if packed is not None else _Packed(index, mask)
    if packed.few(field):
        return _counts_by_document(index, field, packed.matches, len(names)), names
    counts = np.zeros(len(names), dtype=np.int64)
    for n, (part, ids) in enumerate(zip(index.snapshot.parts, per_part, strict=True)):
        if ids is None:
            continue
        bits = part.tables.bits(field)
        if bits is not None:
            words = packed.words(n, bits.shape[1])
            counts[ids] += np.bitwise_count(bits & words).sum(axis=1, dtype=np.int64)
        else:
            table = part.tables.table(field)
            assert table is not None
            segment = mask[part.offset : part.offset + part.tables.doc_count]
            held = segment[table.all_docs].astype(np.int64)
            counts[ids] += np.bincount(table.entry_terms, weights=held, minlength=len(ids)).astype(
                np.int64
            )
    return counts, names


def _top(counts: npt.NDArray[np.int64], names: list[str], top: int) -> dict[str, int]:
    """The ``top`` largest counts by name, ties by name."""
    present = np.flatnonzero(counts)
    if len(present) > top * 4:  # narrow to a few candidates before sorting names
        kth = np.partition(counts[present], len(present) - top)[len(present) - top]
        present = present[counts[present] >= kth]
    ranked = sorted((-int(counts[i]), names[i]) for i in present)[:top]
    return {name: -n for n, name in ranked}


def _group_excess(
    pairs: _Pairs, groups: npt.NDArray[np.int64], width: int
) -> npt.NDArray[np.int64]:
    """How much plain counting over-counts each value where copies share it."""
    group_of = groups[pairs.docs]
    shared = group_of >= 0
    if not shared.any():
        return np.zeros(width, dtype=np.int64)
    values = pairs.values[shared].astype(np.int64)
    unique = np.unique(group_of[shared] * width + values) % width
    return np.bincount(values, minlength=width) - np.bincount(unique, minlength=width)


def distinct_jobs(index: Index, mask: Mask) -> int:
    """How many jobs match, copies of one job counting once."""
    if not index.has_copies:
        return int(np.count_nonzero(mask))
    groups = index.groups[mask]
    shared = groups[groups >= 0]
    return int(len(groups) - len(shared) + len(np.unique(shared)))


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
    index: Index, mask: Mask, keys: npt.NDArray[np.signedinteger], labels: list[str], fold: bool
) -> dict[str, int]:
    """How many documents (or jobs, folding copies) of ``mask`` fall in each band;
    ``keys`` is each document's band number, -1 for none."""
    where = np.flatnonzero(mask & (keys >= 0))
    if not len(where):
        return {}
    bands = keys[where]
    counts = np.bincount(bands, minlength=len(labels))
    if fold:
        groups = index.groups[where]
        shared = groups >= 0
        if shared.any():
            width = len(labels)
            once = np.unique(groups[shared] * width + bands[shared]) % width
            counts = counts - np.bincount(bands[shared], minlength=width)
            counts = counts + np.bincount(once, minlength=width)
    return {labels[i]: int(counts[i]) for i in np.flatnonzero(counts)}


def _pay_keys(index: Index) -> tuple[npt.NDArray[np.int32], list[str]]:
    """Each document's pay band (currency and range) as a number, -1 when no pay is
    stated, and the band names. Computed once per snapshot."""
    found = index.derived.get("pay_bands")
    if found is None:
        high = index.column("pay_high")
        ranges = _band_labels(PAY_BANDS, "k", 0, "{}k+")
        # Small numbers (a few bands per currency): four bytes a document, not eight.
        keys = np.full(index.size, -1, dtype=np.int32)
        labels: list[str] = []
        for currency in index.terms(f.PAY_CURRENCY):
            docs, _ = index.docs(f.PAY_CURRENCY, currency.encode("utf-8"))
            docs = docs[~np.isnan(high[docs])]
            band = np.searchsorted(np.array(PAY_BANDS) * 1000, high[docs], side="left")
            keys[docs] = len(labels) + band
            labels.extend(f"{currency} {r}" for r in ranges)
        found = index.derived["pay_bands"] = (keys, labels)
    return found  # type: ignore[return-value]


def _year_keys(index: Index) -> npt.NDArray[np.int8]:
    found = index.derived.get("year_bands")
    if found is None:
        years = index.column("years").astype(np.int64)
        bands = np.searchsorted(np.array(YEAR_BANDS), years, side="left")
        # Five bands: one byte a document, not eight.
        found = index.derived["year_bands"] = np.where(years >= 0, bands, -1).astype(np.int8)
    return found  # type: ignore[return-value]


def bands(index: Index, mask: Mask, fold: bool = True) -> dict[str, dict[str, int]]:
    """Facets of ranges: a year's pay (by currency, the top of the stated range) and the
    years of experience required. Postings that state neither are not counted."""
    keys, labels = _pay_keys(index)
    pay = _count_bands(index, mask, keys, labels, fold)
    year_labels = _band_labels(YEAR_BANDS, " years", 1, "{}+ years")
    experience = _count_bands(index, mask, _year_keys(index), year_labels, fold)
    return {"pay": dict(sorted(pay.items(), key=lambda kv: -kv[1])[:10]), "experience": experience}


#: The posted facet's name in ``SearchResults.facets``.
POSTED = "posted"
#: Bits a day (since 1970, plus one) takes in a (group, day) sort key: to the year 9999.
_DAY_BITS = 22


def posted(
    index: Index, mask: Mask, fold: bool = True, today: date | None = None
) -> dict[str, int]:
    """How many documents of ``mask`` (jobs, with ``fold``) each ``POSTED_BANDS`` band
    admits, and how many state no posting date (``UNKNOWN``); empty bands are left out.

    A job counts in a band when any of its matching copies does (as the ``since`` filter
    keeps it), and is unknown when none of them states a date. One pass: each job's
    newest matching day (copies sorted by group, then day: the last of each group), then
    one comparison per band.
    """
    where = np.flatnonzero(mask)
    if not len(where):
        return {}
    days = np.maximum(index.column("posted")[where].astype(np.int64), -1)
    if fold and index.has_copies:
        groups = index.groups[where]
        shared = groups >= 0
        if shared.any():
            keys = np.sort((groups[shared] << _DAY_BITS) | (days[shared] + 1))
            job = keys >> _DAY_BITS
            last = np.append(job[1:] != job[:-1], True)
            newest = (keys[last] & ((1 << _DAY_BITS) - 1)) - 1
            days = np.concatenate([days[~shared], newest])
    out: dict[str, int] = {}
    for label, value in POSTED_BANDS:
        first = since_day(value, today)
        assert first is not None
        n = int(np.count_nonzero(days >= max((first - EPOCH).days, 0)))
        if n:
            out[label] = n
    if unknown := int(np.count_nonzero(days < 0)):
        out[UNKNOWN] = unknown
    return out
