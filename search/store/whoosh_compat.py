"""Every private Whoosh internal the project touches, in one place, and why.

Whoosh's public API (schema, analysis, query parser, query objects, ``FileStorage``,
``FileIndex``, readers and searchers) is used where it is needed. What is not public
is reached only through this module, so that a change of Whoosh release or fork is
checked here and nowhere else (``tests/test_layers.py`` holds every other module to
it). Tested against ``whoosh-reloaded`` 2.7.5.

The segment container (``search.store.segments``, ``search.store.writer``):

- ``W3Codec``, ``W3Segment``, ``W3TermInfo``, ``WHOOSH3_HEADER_MAGIC``
  (``whoosh.codec.whoosh3``): the W3 codec's segment, term statistics and posting-file
  header. The bulk writer writes ordinary W3 segment files itself, a block of 128
  postings at a time, since Whoosh's own writer manages about 250 postings a second.
- ``FieldWriter._postfile``, ``._tindex``, ``._fieldid`` (``field_target``): the codec
  field writer's posting file, term index and field number, written to directly.
- ``W3TermInfo._weight``, ``._df``, ``._minlength``, ``._maxlength``, ``._maxweight``,
  ``._minid``, ``._maxid`` (``set_term_stats``): the statistics of a posting list,
  which Whoosh's writer sets from its own block writer and has no setter for.
- ``TOC`` (``whoosh.index``) and ``TOC._latest_generation`` (``latest_generation``):
  the table of contents, read, created and written per commit; the next generation is
  numbered from the newest one on disk, as Whoosh's writer numbers it.
- ``W3Segment._deleted`` (``undelete``): the set of deleted documents; the index's
  own copy of an id, deleted while a newer record of it won, is restored when the last
  record of that id in the run is identical to it (Whoosh has no public way back).

Files of an index (``search.store.untrusted``, ``search.store.mapped``):

- ``StructFile`` (``whoosh.filedb.structfile``): the file object a storage hands to
  Whoosh's readers. The index's storage returns it over files opened without following
  links or waiting on FIFOs, and over memory maps whose read position is each thread's.

Reading an index safely (``search.store.safeload``):

- ``whoosh.codec.whoosh3.loads``, ``whoosh.columns.loads``,
  ``whoosh.filedb.structfile.load_pickle`` and ``whoosh.index.toc_loaders``
  (``route_unpickling``): every place Whoosh unpickles while reading, replaced by a
  restricted unpickler so that an index cannot run code.

Matching (``search.query.matching``):

- ``MultiTerm._btexts`` (``expanded_terms``): the indexed terms a fuzzy or prefix
  query stands for, in the reader's lexicon; its public ``matcher`` would score them
  through Whoosh's matchers, which the side tables replace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO, Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3Segment, W3TermInfo
from whoosh.filedb.filestore import Storage
from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC
from whoosh.query import MultiTerm
from whoosh.reading import IndexReader

__all__ = [
    "TOC",
    "WHOOSH3_HEADER_MAGIC",
    "StructFile",
    "W3Codec",
    "W3Segment",
    "W3TermInfo",
    "expanded_terms",
    "field_target",
    "latest_generation",
    "route_unpickling",
    "set_term_stats",
    "undelete",
]

#: The private attribute names reached through this module (checked by
#: ``tests/test_layers.py``: no other module may use them).
PRIVATE_NAMES: frozenset[str] = frozenset(
    {
        "_postfile",
        "_tindex",
        "_fieldid",
        "_weight",
        "_df",
        "_minlength",
        "_maxlength",
        "_maxweight",
        "_minid",
        "_maxid",
        "_latest_generation",
        "_deleted",
        "_btexts",
    }
)


def field_target(writer: Any) -> tuple[Any, Callable[[bytes, bytes], None], bytes]:
    """(posting file, term-index ``add``, two-byte field prefix) of a codec field
    writer between ``start_field`` and ``finish_field``."""
    return writer._postfile, writer._tindex.add, writer._fieldid.to_bytes(2, "big")


def set_term_stats(
    info: W3TermInfo,
    *,
    weight: float,
    df: int,
    minlength: int | None,
    maxlength: int,
    maxweight: float,
    minid: int,
    maxid: int,
) -> None:
    """The statistics of one posting list, as Whoosh's posting writer sets them."""
    info._weight = weight
    info._df = df
    info._minlength = minlength
    info._maxlength = maxlength
    info._maxweight = maxweight
    info._minid = minid
    info._maxid = maxid


def latest_generation(storage: Storage, index_name: str) -> int:
    """The generation of the newest table of contents on disk (-1 when none)."""
    return int(TOC._latest_generation(storage, index_name))


def undelete(segment: W3Segment, docnum: int) -> None:
    """Take ``docnum`` out of the segment's deleted documents, if it is there."""
    deleted = segment._deleted
    if deleted:
        deleted.discard(docnum)


def route_unpickling(loads: Callable[..., Any], load: Callable[[IO[bytes]], Any]) -> None:
    """Make every unpickling Whoosh does while reading an index go through ``loads``
    (bytes) and ``load`` (file objects); drop the loaders of older table-of-contents
    formats, which unpickle without restriction."""
    import whoosh.codec.whoosh3 as w3
    import whoosh.columns as columns
    import whoosh.filedb.structfile as structfile
    import whoosh.index as whoosh_index

    w3.loads = loads  # type: ignore[attr-defined]
    columns.loads = loads  # type: ignore[attr-defined]
    structfile.load_pickle = load  # type: ignore[attr-defined]
    whoosh_index.toc_loaders.clear()


def expanded_terms(q: MultiTerm, reader: IndexReader) -> Iterable[bytes | str]:
    """The indexed terms of the query's field that a fuzzy or prefix query matches."""
    return q._btexts(reader)  # type: ignore[no-any-return]
