"""Word positions of the text fields, kept beside their postings so that a quoted phrase is
matched from the side tables instead of from the stored text.

A phrase of words that is not a skill phrase used to be checked by reading and analysing
the stored text of every posting holding all its words: about a millisecond a posting,
seconds for common words at 100,000 postings (and so bounded, with a note). With each
posting's positions at hand, a phrase is an intersection of (document, position) keys.

A position is a term's place in the field's analysed terms, stop words out (the field
analyzer's terms numbered 0, 1, 2, ...): exactly the positions Whoosh's writer records
with its ``StopFilter`` renumbering, so words with stop words or one-letter tokens
between them are adjacent, as for Whoosh's ``Phrase`` over positions.

In a segment's side tables, per field (``POSITION_FIELDS``):

- ``<field>.pos``     every posting's positions, ascending, postings in the order of
                      ``<field>.docs``; a posting has as many as its weight (term count)
- ``<field>.posptr``  where each term's positions start in ``<field>.pos`` (one per term
                      and one more), so that a term's positions are one slice

A segment written before these tables existed has neither, and its phrases are checked
in stored text as before (``search.query.phrases``).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from search.store import fields as f

#: Fields whose word positions are written: the ones a quoted phrase searches (a title
#: search, ``--title``, reads ``title_words``).
POSITION_FIELDS: tuple[str, ...] = (f.TITLE, f.TITLE_WORDS, f.DESCRIPTION)
#: Postings reordered at once when a segment is written: bounds the temporary arrays.
_STEP = 1 << 18


def grouped(terms: Sequence[str], counts: Mapping[str, int]) -> array[int]:
    """The positions of ``terms``, grouped by term in the order of ``counts`` (a Counter
    of ``terms``, whose keys are in first-occurrence order, the order the segment writer
    adds a document's postings in), ascending within a term."""
    if len(terms) < 16:
        groups: dict[str, list[int]] = {t: [] for t in counts}
        for i, term in enumerate(terms):
            groups[term].append(i)
        return array("I", [p for group in groups.values() for p in group])
    slot = {term: k for k, term in enumerate(counts)}
    local = np.fromiter(map(slot.__getitem__, terms), dtype=np.int32, count=len(terms))
    return array("I", np.argsort(local, kind="stable").astype(np.uint32).tobytes())


def sorted_positions(
    positions: npt.NDArray[np.uint32],
    counts: npt.NDArray[np.int64],
    perm: npt.NDArray[np.int64],
    ptr: npt.NDArray[np.int64],
) -> tuple[np.ndarray, npt.NDArray[np.int64]]:
    """The positions in posting order, and each term's first position.

    ``positions`` hold each posting's ``counts`` positions in the order postings were
    added; ``perm`` is the order in which the segment writes them (by term, then by
    document) and ``ptr`` where each term's postings start in that order. Positions are
    stored as 16-bit numbers unless a field of the segment is longer than 65,535 terms.
    """
    starts = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    wide = len(positions) and int(positions.max()) > np.iinfo(np.uint16).max
    out = np.empty(len(positions), dtype=np.uint32 if wide else np.uint16)
    written = 0
    for a in range(0, len(perm), _STEP):
        chosen = perm[a : a + _STEP]
        lengths = counts[chosen]
        total = int(lengths.sum())
        first = starts[chosen]
        target = np.zeros(len(chosen), dtype=np.int64)
        np.cumsum(lengths[:-1], out=target[1:])
        gather = np.repeat(first - target, lengths) + np.arange(total, dtype=np.int64)
        out[written : written + total] = positions[gather]
        written += total
    sorted_starts = np.zeros(len(perm) + 1, dtype=np.int64)
    np.cumsum(counts[perm], out=sorted_starts[1:])
    return out, sorted_starts[ptr]
