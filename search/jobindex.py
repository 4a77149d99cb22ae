"""``JobIndex``: the public facade over the index — open, add, search, get, similar, facets.

Each method is one call into a stage: writing goes to ``search.store.writer``, searching
to ``search.query.pipeline``. The facade holds the open searcher and the side table of
the snapshot it reads, and drops both after a write so the next read sees it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from whoosh.index import FileIndex
from whoosh.searching import Searcher

from search.errors import PostingNotFoundError
from search.model import JobPosting
from search.query import pipeline
from search.query.pipeline import Context, Request, Sort
from search.query.scoring import FastBM25F
from search.query.similar import similar as similar_to
from search.results import Filters, Hit, SearchResults
from search.store import fields as f
from search.store import writer
from search.store.columns import ForwardTable
from search.store.documents import from_stored
from search.store.stats import index_stats
from search.store.writer import AddSummary

#: The side table's file beside the index.
TABLE_FILE = writer.OWN_FILES[1]


def _not_found(posting_id: str) -> PostingNotFoundError:
    return PostingNotFoundError(
        f"no posting with id {posting_id!r}", hint="ids are listed by `jobsearch search`"
    )


class JobIndex:
    """A job-posting index in one directory.

    >>> index = JobIndex.open_or_create("index/")          # doctest: +SKIP
    >>> index.add(load_postings("data/"))                   # doctest: +SKIP
    >>> index.search("machine learning", city=["Seattle"])  # doctest: +SKIP
    """

    def __init__(self, ix: FileIndex, path: Path) -> None:
        self._ix = ix
        self.path = path
        self._searcher: Searcher | None = None
        self._table_cache: ForwardTable | None = None

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> JobIndex:
        """Open an existing index; ``IndexNotFoundError``/``SchemaVersionError`` if unusable."""
        where = Path(path)
        return cls(writer.open_index(where), where)

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> JobIndex:
        """Create an empty index, replacing any index already in ``path``."""
        where = Path(path)
        return cls(writer.create_index(where), where)

    @classmethod
    def open_or_create(cls, path: str | os.PathLike[str]) -> JobIndex:
        where = Path(path)
        return cls.open(where) if writer.exists(where) else cls.create(where)

    @classmethod
    def rebuild(
        cls,
        path: str | os.PathLike[str],
        postings: Iterable[JobPosting],
        progress: Callable[[JobPosting], None] | None = None,
    ) -> AddSummary:
        """Replace the index at ``path`` with one built from ``postings`` only.

        The new index is built aside and swapped in when complete, so searches keep
        working during a rebuild and an interrupted rebuild changes nothing.
        """
        return writer.rebuild(Path(path), postings, progress)

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        return writer.exists(Path(path))

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._table_cache = None

    def __enter__(self) -> JobIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------

    def add(
        self,
        postings: Iterable[JobPosting],
        progress: Callable[[JobPosting], None] | None = None,
    ) -> AddSummary:
        """Insert or update postings by id; identical postings are left alone."""
        summary = writer.upsert(self._ix, self.path, postings, progress)
        self.close()  # the next read sees the new commit
        return summary

    def delete(self, ids: Iterable[str]) -> int:
        """Delete postings by id; returns how many were deleted."""
        count = writer.delete(self._ix, self.path, ids)
        self.close()  # the next read sees the new commit
        return count

    # -- reading -----------------------------------------------------------------------

    @property
    def searcher(self) -> Searcher:
        """The Whoosh searcher of the snapshot this object reads (for advanced use)."""
        if self._searcher is None:
            self._searcher = self._ix.searcher(weighting=FastBM25F())
        return self._searcher

    def _table(self) -> ForwardTable:
        if self._table_cache is None:
            reader = self.searcher.reader()
            stamp = writer.snapshot_stamp(reader.generation(), self.path)
            self._table_cache = ForwardTable.cached(
                reader, self.path / TABLE_FILE, stamp, (*f.FACET_FIELDS, f.GEO), (f.DUP_KEY,)
            )
        return self._table_cache

    def _context(self) -> Context:
        return Context(self.searcher, self._table())

    def __len__(self) -> int:
        return self.searcher.doc_count()

    def get(self, posting_id: str) -> JobPosting:
        """The posting with this id; ``PostingNotFoundError`` if there is none."""
        stored = self.searcher.document(**{f.ID: posting_id})
        if stored is None:
            raise _not_found(posting_id)
        return from_stored(stored)

    def search(
        self,
        text: str = "",
        filters: Filters | Mapping[str, object] | None = None,
        *,
        sort: Sort = "relevance",
        limit: int = 10,
        page: int = 1,
        title_only: bool = False,
        collapse: bool = True,
        explain: bool = False,
        facets: bool = True,
        **filter_values: object,
    ) -> SearchResults:
        """Rank postings matching ``text`` (BM25F) among those passing every filter.

        ``text``: keywords, "quoted phrases", AND/OR/NOT, ``-word`` to exclude; skill
        names and acronyms also find their other spellings. Empty text lists every
        posting that passes the filters, newest first (nearest first with ``near``).

        ``filters``: a ``Filters`` value, or give the filters as keywords (``city``,
        ``state``, ``country``, ``skill``, ``role``, ``level``, ``employment_type``,
        ``exclude``, ``exclude_company``: a string or a list of strings, values ORed;
        ``remote``: True/False; ``since``: a date or "YYYY-MM-DD"; ``near``: a city, with
        ``radius_km``: kilometres or text like "30mi", default 50 km). Keywords are
        added to ``filters``. Filters never change the ranking.

        ``sort``: "relevance" or "newest". ``limit``/``page``: the page of hits wanted.
        ``title_only``: match the text in titles only. ``collapse``: fold copies of one
        job posted for several places into one hit listing every place (totals and
        facets count the job once). ``explain``: attach each hit's score parts.
        ``facets``: count cities, countries, skills, roles and levels over every match.

        When nothing matches as typed, the corrected spelling's matches (or close
        spellings) are returned with ``fuzzy=True`` and a note. Raises
        ``InvalidFilterError`` for a filter that cannot be understood.
        """
        chosen = _filters(filters, filter_values)
        request = Request(
            text or "", chosen, sort, limit, page, title_only, collapse, explain, facets
        )
        return pipeline.run(self._context(), request)

    def facets(
        self,
        text: str = "",
        filters: Filters | Mapping[str, object] | None = None,
        **filter_values: object,
    ) -> dict[str, dict[str, int]]:
        """Facet counts (city, country, skill, role, level) for a query and filters."""
        return self.search(text, _filters(filters, filter_values), limit=1).facets

    def similar(self, posting_id: str, limit: int = 5) -> tuple[Hit, ...]:
        """Postings most like this one, one per job, by its description's key terms."""
        docnum = self.searcher.document_number(**{f.ID: posting_id})
        if docnum is None:
            raise _not_found(posting_id)
        return similar_to(self._context(), docnum, limit)

    def stats(self) -> dict[str, object]:
        """Size and make-up of the index."""
        return index_stats(self.searcher.reader(), self.path, self._table())


def _filters(given: Filters | Mapping[str, object] | None, more: Mapping[str, object]) -> Filters:
    """One ``Filters`` from a value or mapping plus keyword values."""
    if isinstance(given, Filters):
        if not more:
            return given
        return Filters.of({**given.as_dict(), **more})
    return Filters.of(dict(given or {}), **more)
