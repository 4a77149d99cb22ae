"""Writing one Whoosh segment, and its side tables, from prepared documents in bulk.

Whoosh's ``SegmentWriter`` analyses each field through generator chains, sorts every
posting through a pool and then writes postings one call at a time, looking up each
document's length per posting: about 250 postings a second per core. This writer takes
documents already analysed (``search.store.documents``), keeps each field's postings in
flat arrays, sorts them with numpy, and writes each block of 128 postings in one step
through Whoosh's own codec classes: the files are ordinary W3 codec segment files
(tests read them back through Whoosh and compare every posting list), written several
times faster.
"""

from __future__ import annotations

import zlib
from array import array
from dataclasses import dataclass
from pathlib import Path
from pickle import dumps
from typing import Any

import numpy as np
from whoosh.fields import Schema
from whoosh.filedb.filestore import Storage
from whoosh.util.numeric import byte_to_length

from search.store import fields as f
from search.store import sidecar
from search.store.documents import IndexedDoc
from search.store.fields import RANKED_FIELDS, SIDE_FIELDS
from search.store.layout import INDEX_NAME
from search.store.phrases import phrase_vocabulary
from search.store.positions import POSITION_FIELDS, sorted_positions
from search.store.whoosh_compat import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3Segment,
    W3TermInfo,
    field_target,
    set_term_stats,
)

BLOCK = 128
#: Facet fields with at most this many values in a segment get bit sets (see ``bitsets``).
MAX_BITSET_TERMS = 1024
#: Scorable fields: Whoosh keeps each document's length of these (block statistics use
#: them); the ranked ones are also saved in the side tables.
LENGTH_FIELDS: tuple[str, ...] = (*RANKED_FIELDS, f.SKILL_TEXT)
COMPRESSION = 3
_BYTE_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """Whoosh's one-byte approximation of each field length (``length_to_byte``)."""
    out = np.searchsorted(_BYTE_LENGTH, lengths, side="left").astype(np.uint8)
    out[lengths >= 106374] = 255
    return out


class _Field:
    """One field's postings as three flat arrays, in the order documents were added, and
    for the fields that keep them each posting's word positions (None once a document
    came without them: the segment then has no positions for the field)."""

    __slots__ = ("docs", "index", "positions", "terms", "values", "weights")

    def __init__(self, positioned: bool = False) -> None:
        self.index: dict[Any, int] = {}
        self.terms = array("I")
        self.docs = array("I")
        self.weights = array("f")
        self.values: dict[int, bytes] = {}
        self.positions: array[int] | None = array("I") if positioned else None

    def add(self, docnum: int, postings: dict[Any, int]) -> None:
        index = self.index
        self.terms.extend([index.setdefault(t, len(index)) for t in postings])
        self.docs.extend(array("I", [docnum]) * len(postings))
        self.weights.extend(postings.values())


class SegmentBuilder:
    """Collects documents for one new segment; ``finish`` writes it and returns it."""

    def __init__(self, storage: Storage, schema: Schema, side_root: Path) -> None:
        self.storage = storage
        self.schema = schema
        self.codec = W3Codec()
        self.segment: W3Segment = self.codec.new_segment(storage, INDEX_NAME)
        self.side = side_root / self.segment.segment_id()
        self._perdoc = self.codec.per_document_writer(storage, self.segment)
        self._fields: dict[str, _Field] = {}
        self._spelling: dict[str, int] = {}
        self._lengths: dict[str, array[int]] = {name: array("I") for name in LENGTH_FIELDS}
        self.ids: list[str] = []
        self._hashes: list[str] = []
        self._posted = array("i")
        self._dup = array("q")
        self._pay_low = array("d")
        self._pay_high = array("d")
        self._years = array("h")
        self._indexed = array("d")

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, doc: IndexedDoc) -> int:
        """Add one document; returns its number in this segment."""
        docnum = len(self.ids)
        perdoc, schema = self._perdoc, self.schema
        perdoc.start_doc(docnum)
        for name, value in doc.stored.items():
            perdoc.add_field(name, schema[name], value, doc.lengths.get(name, 0))
        for name, length in doc.lengths.items():
            if name not in doc.stored:
                perdoc.add_field(name, schema[name], None, length)
        perdoc.finish_doc()
        for name, postings in doc.postings.items():
            acc = self._fields.get(name)
            if acc is None:
                acc = self._fields[name] = _Field(name in POSITION_FIELDS)
            acc.add(docnum, postings)
            if acc.positions is not None:
                positions = doc.positions.get(name)
                if positions is None or len(positions) != doc.lengths.get(name):
                    acc.positions = None
                else:
                    acc.positions.extend(positions)
        for word in doc.spelling:
            self._spelling[word] = self._spelling.get(word, 0) + 1
        for name in LENGTH_FIELDS:
            self._lengths[name].append(doc.lengths.get(name, 0))
        self.ids.append(doc.id)
        self._hashes.append(doc.content_hash)
        self._posted.append(doc.posted_day)
        self._dup.append(doc.dup)
        self._pay_low.append(doc.pay_low)
        self._pay_high.append(doc.pay_high)
        self._years.append(doc.years)
        self._indexed.append(doc.indexed)
        return docnum

    def finish(self) -> W3Segment:
        """Write the segment files and the side tables; the segment is not yet committed."""
        self._perdoc.close()
        self.segment.set_doc_count(len(self.ids))
        self._tables = sidecar.TableWriter(self.side)
        byte_lengths = {
            n: length_bytes(np.frombuffer(a, dtype=np.uint32)) for n, a in self._lengths.items()
        }
        writer = self.codec.field_writer(self.storage, self.segment)
        for name in sorted(self._fields):
            lengths = byte_lengths.get(name)
            acc = self._fields.pop(name)
            terms, ptr, docs, weights, perm = _sorted_postings(acc)
            if name not in f.FILTER_ONLY_FIELDS:
                _write_field(writer, self.schema, name, terms, ptr, docs, weights, lengths)
            if name in SIDE_FIELDS:
                self._save_side(name, terms, ptr, docs, weights)
            if acc.positions is not None and name in SIDE_FIELDS:
                self._save_positions(name, acc, perm, ptr)
        self._write_spelling(writer)
        writer.close()
        self._save_docs(byte_lengths)
        return self.segment

    def _write_spelling(self, writer: Any) -> None:
        """The unstemmed title words: one posting per title holding the word, as Whoosh
        writes them (all at document 0), so a word's document frequency is its count."""
        name = f.SPELL_TITLE
        words = sorted(self._spelling)
        counts = [self._spelling[w] for w in words]
        ptr = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        docs = np.zeros(int(ptr[-1]), dtype=np.uint32)
        weights = np.ones(len(docs), dtype=np.float32)
        terms = [w.encode("utf-8") for w in words]
        _write_field(writer, self.schema, name, terms, ptr, docs, weights, None)

    def _save_side(
        self, name: str, terms: list[bytes], ptr: np.ndarray, docs: np.ndarray, weights: np.ndarray
    ) -> None:
        self._tables.add(
            f"{name}.terms",
            np.array(terms, dtype=f"S{max(1, max(map(len, terms), default=1))}"),
        )
        self._tables.add(f"{name}.ptr", ptr)
        self._tables.add(f"{name}.docs", docs)
        if not np.all(weights == 1.0):
            self._tables.add(f"{name}.w", _compact_weights(weights))
        if name in f.FACET_FIELDS and len(terms) <= MAX_BITSET_TERMS:
            self._tables.add(f"{name}.bits", bitsets(ptr, docs, len(self.ids)))

    def _save_positions(self, name: str, acc: _Field, perm: np.ndarray, ptr: np.ndarray) -> None:
        """Each posting's word positions, in the order of the field's postings."""
        assert acc.positions is not None
        counts = np.frombuffer(acc.weights, dtype=np.float32).astype(np.int64)
        found = np.frombuffer(acc.positions, dtype=np.uint32)
        acc.positions = None
        positions, starts = sorted_positions(found, counts, perm, ptr)
        self._tables.add(f"{name}.pos", positions)
        self._tables.add(f"{name}.posptr", starts)

    def _save_docs(self, byte_lengths: dict[str, np.ndarray]) -> None:
        for name in RANKED_FIELDS:
            lengths = byte_lengths[name]
            self._tables.add(f"{name}.len", lengths)
        width = max(1, max((len(i.encode("utf-8")) for i in self.ids), default=1))
        ids = np.array([i.encode("utf-8") for i in self.ids], dtype=f"S{width}")
        self._tables.add("ids", ids)
        self._tables.add("ids.order", np.argsort(ids, kind="stable").astype(np.int32))
        self._tables.add("hashes", np.array(self._hashes, dtype="S32"))
        self._tables.add("posted", np.frombuffer(self._posted, dtype=np.int32).copy())
        self._tables.add("dup", np.frombuffer(self._dup, dtype=np.int64).copy())
        self._tables.add("pay_low", np.frombuffer(self._pay_low, dtype=np.float64).copy())
        self._tables.add("pay_high", np.frombuffer(self._pay_high, dtype=np.float64).copy())
        self._tables.add("years", np.frombuffer(self._years, dtype=np.int16).copy())
        self._tables.add("indexed", np.frombuffer(self._indexed, dtype=np.float64).copy())
        present = [n for n in SIDE_FIELDS if f"{n}.terms" in self._tables.arrays]
        weighted = [n for n in present if f"{n}.w" in self._tables.arrays]
        meta = {
            "docs": len(self.ids),
            "fields": present,
            "weighted": weighted,
            "phrases": phrase_vocabulary()[1],
        }
        self._tables.close(meta)


def bitsets(ptr: np.ndarray, docs: np.ndarray, size: int) -> np.ndarray:
    """One bit set per term: row t has bit d set when document d holds term t.

    Facet counting is then an AND and a bit count per term over the words of the match
    (``np.bitwise_count``), whatever the number of postings.
    """
    rows = len(ptr) - 1
    words = (size + 63) // 64
    dense = np.zeros((rows, words * 64), dtype=bool)
    dense[np.repeat(np.arange(rows), np.diff(ptr)), docs] = True
    return np.packbits(dense, axis=1, bitorder="little").view("<u8")


def _compact_weights(weights: np.ndarray) -> np.ndarray:
    """Term frequencies as the smallest exact integer type (weights are counts here)."""
    if np.all(weights == np.round(weights)) and weights.max(initial=0) < 65536:
        return weights.astype(np.uint16)
    return weights.astype(np.float32)


def _sorted_postings(
    acc: _Field,
) -> tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Terms in byte order, the postings grouped by term, documents ascending, and the
    order of the postings as added that gives them."""
    by_id = [t.encode("utf-8") if isinstance(t, str) else t for t in acc.index]
    order = sorted(range(len(by_id)), key=by_id.__getitem__)
    rank = np.empty(len(by_id), dtype=np.int64)
    rank[order] = np.arange(len(by_id))
    term_rank = rank[np.frombuffer(acc.terms, dtype=np.uint32)]
    perm = np.argsort(term_rank, kind="stable")
    docs = np.frombuffer(acc.docs, dtype=np.uint32)[perm]
    weights = np.frombuffer(acc.weights, dtype=np.float32)[perm]
    counts = np.bincount(term_rank, minlength=len(by_id))
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return [by_id[i] for i in order], ptr, docs, weights, perm


@dataclass(frozen=True, slots=True)
class _Blocks:
    """The statistics of every block of a field's postings, computed for all blocks at
    once: blocks of up to 128 postings, each within one term, in posting order."""

    starts: np.ndarray
    ends: np.ndarray
    first: np.ndarray  # index of each term's first block
    count: np.ndarray  # blocks per term
    deltas: np.ndarray  # document numbers as gaps, restarting at each block
    wmin: list[float]
    wmax: list[float]
    wsum: list[float]
    low: list[int]  # shortest non-empty field length byte in the block (0: none)
    high: list[int]


def _blocks(
    ptr: np.ndarray, docs: np.ndarray, weights: np.ndarray, lengths: np.ndarray | None
) -> _Blocks:
    counts = np.diff(ptr)
    per_term = (counts + BLOCK - 1) // BLOCK
    first = np.concatenate([[0], np.cumsum(per_term)])[:-1]
    term_of = np.repeat(np.arange(len(counts)), per_term)
    within = np.arange(len(term_of)) - np.repeat(first, per_term)
    starts = ptr[:-1][term_of] + BLOCK * within
    ends = np.minimum(starts + BLOCK, ptr[1:][term_of])
    ids = docs.astype(np.int64)
    deltas = np.empty_like(ids)
    if len(ids):
        deltas[0] = ids[0]
        deltas[1:] = ids[1:] - ids[:-1]
        deltas[starts] = ids[starts]
    if len(starts):
        wmin = np.minimum.reduceat(weights, starts).tolist()
        wmax = np.maximum.reduceat(weights, starts).tolist()
        wsum = np.add.reduceat(weights.astype(np.float64), starts).tolist()
    else:
        wmin = wmax = wsum = []
    if lengths is not None and len(starts):
        per_posting = lengths[docs].astype(np.int16)
        high = np.maximum.reduceat(per_posting, starts)
        # Whoosh skips documents where the field is empty when it takes the minimum.
        low = np.minimum.reduceat(np.where(per_posting > 0, per_posting, 999), starts)
        low[low == 999] = 0
        lows, highs = low.tolist(), high.tolist()
    else:
        lows = highs = [0] * len(starts)
    return _Blocks(starts, ends, first, per_term, deltas, wmin, wmax, wsum, lows, highs)


def _write_field(
    writer: Any,
    schema: Schema,
    name: str,
    terms: list[bytes],
    ptr: np.ndarray,
    docs: np.ndarray,
    weights: np.ndarray,
    lengths: np.ndarray | None,
) -> None:
    """Every term of one field, through the codec's field writer, a block at a time."""
    fieldobj = schema[name]
    writer.start_field(name, fieldobj)
    fixed = fieldobj.format.fixed_value_size()
    values = weights.astype(">u4").tobytes() if fixed == 4 else b""
    blocks = _blocks(ptr, docs, weights, lengths)
    postfile, add_term, prefix = field_target(writer)
    firsts, counts = blocks.first.tolist(), blocks.count.tolist()
    for i, term in enumerate(terms):
        info = _write_term(postfile, blocks, firsts[i], counts[i], docs, weights, values, fixed)
        add_term(prefix + term, info.to_bytes())
    writer.finish_field()


def _write_term(
    postfile: Any,
    blocks: _Blocks,
    first: int,
    count: int,
    docs: np.ndarray,
    weights: np.ndarray,
    values: bytes,
    fixed: int | None,
) -> W3TermInfo:
    """One posting list in W3 blocks, with the term statistics Whoosh keeps.

    Mirrors ``W3PostingsWriter._write_block``: a pickled (ids as gaps, weights, values)
    tuple compressed with zlib, after a pickled block-info tuple (protocol 4, which
    needs no code to rebuild bytes).
    """
    info = W3TermInfo()
    start = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    min_length: int | None = None
    max_length = 0
    for b in range(first, first + count):
        s, e = int(blocks.starts[b]), int(blocks.ends[b])
        wmin, wmax = blocks.wmin[b], blocks.wmax[b]
        if wmin == wmax == 1.0:
            mini_weights: Any = None
        elif wmin == wmax:
            mini_weights = wmin
        else:
            mini_weights = tuple(weights[s:e].tolist())
        if fixed == 0:
            block_values: Any = None
        elif fixed == 4:
            block_values = values[4 * s : 4 * e]
        else:
            block_values = tuple(b"" for _ in range(e - s))
        gaps = tuple(blocks.deltas[s:e].tolist())
        data = zlib.compress(dumps((gaps, mini_weights, block_values), 4), COMPRESSION)
        low, high = blocks.low[b], blocks.high[b]
        head = dumps((e - s, int(docs[e - 1]), wmax, COMPRESSION, low, high), 4)
        size = len(head) + len(data)
        postfile.write_int(-size if b == first + count - 1 else size)
        postfile.write(head)
        postfile.write(data)
        if low:
            length = int(_BYTE_LENGTH[low])
            min_length = length if min_length is None else min(min_length, length)
        max_length = max(max_length, int(_BYTE_LENGTH[high]))
    s0, e0 = int(blocks.starts[first]), int(blocks.ends[first + count - 1])
    set_term_stats(
        info,
        weight=sum(blocks.wsum[first : first + count]),
        df=e0 - s0,
        minlength=min_length,
        maxlength=max_length,
        maxweight=max(blocks.wmax[first : first + count]),
        minid=int(docs[s0]),
        maxid=int(docs[e0 - 1]),
    )
    info.set_extent(start, postfile.tell() - start)
    return info
