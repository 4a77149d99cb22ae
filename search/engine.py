"""``JobIndex``: the public facade over the index — open, add, search, get, similar, facets."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Literal

from whoosh import query as wq
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from search import indexer
from search.collect import collect
from search.errors import InvalidFilterError, PostingNotFoundError
from search.extract.locations import normalize_key
from search.facets import FacetTable
from search.indexer import AddSummary
from search.model import JobPosting
from search.query import build_filter, parse_text, query_words
from search.results import Filters, Hit, SearchResults
from search.schema import FACET_FIELDS, FIELD_BOOSTS, SCHEMA_VERSION, from_stored
from search.scoring import FastBM25F
from search.snippets import Highlighter

Sort = Literal["relevance", "newest"]
StrList = str | Sequence[str] | None


def _tuple(values: StrList) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(v for v in values if v and v.strip())


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
        self._facets: FacetTable | None = None

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> JobIndex:
        """Open an existing index; ``IndexNotFoundError``/``SchemaVersionError`` if unusable."""
        where = Path(path)
        return cls(indexer.open_index(where), where)

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> JobIndex:
        """Create an empty index, replacing any index already in ``path``."""
        where = Path(path)
        return cls(indexer.create_index(where), where)

    @classmethod
    def open_or_create(cls, path: str | os.PathLike[str]) -> JobIndex:
        where = Path(path)
        return cls.open(where) if indexer.exists(where) else cls.create(where)

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
        return indexer.rebuild(Path(path), postings, progress)

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        return indexer.exists(Path(path))

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._facets = None

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
        summary = indexer.upsert(self._ix, self.path, postings, progress)
        self._invalidate()
        return summary

    def delete(self, ids: Iterable[str]) -> int:
        """Delete postings by id; returns how many were deleted."""
        count = indexer.delete(self._ix, self.path, ids)
        self._invalidate()
        return count

    def _invalidate(self) -> None:
        self.close()

    # -- reading -----------------------------------------------------------------------

    @property
    def searcher(self) -> Searcher:
        if self._searcher is None:
            self._searcher = self._ix.searcher(weighting=FastBM25F())
        return self._searcher

    def __len__(self) -> int:
        return self.searcher.doc_count()

    def get(self, posting_id: str) -> JobPosting:
        """The posting with this id; ``PostingNotFoundError`` if there is none."""
        stored = self.searcher.document(id=posting_id)
        if stored is None:
            raise PostingNotFoundError(
                f"no posting with id {posting_id!r}", hint="ids are listed by `jobsearch search`"
            )
        return from_stored(stored)

    def _facet_table(self) -> FacetTable:
        if self._facets is None:
            self._facets = FacetTable(self.searcher.reader(), FACET_FIELDS)
        return self._facets

    def _filters(self, filters: Filters) -> wq.Query | None:
        roles = ()
        if filters.role:
            roles = [r.decode() for r in self.searcher.reader().lexicon("role")]
        return build_filter(filters, roles)

    def _notes(self, filters: Filters) -> list[str]:
        """Tell the user about filter values that match no posting at all."""
        reader = self.searcher.reader()
        notes = []
        for name, field in (
            ("city", "city_key"),
            ("state", "state_key"),
            ("country", "country_key"),
        ):
            for value in getattr(filters, name):
                if reader.doc_frequency(field, normalize_key(value)) == 0:
                    notes.append(f"no posting in {name} {value!r}")
        return notes

    def search(
        self,
        text: str = "",
        *,
        city: StrList = None,
        state: StrList = None,
        country: StrList = None,
        skill: StrList = None,
        role: StrList = None,
        level: StrList = None,
        employment_type: StrList = None,
        remote: bool | None = None,
        since: date | None = None,
        sort: Sort = "relevance",
        limit: int = 10,
        page: int = 1,
        title_only: bool = False,
        facets: bool = True,
    ) -> SearchResults:
        """Rank postings matching ``text`` (BM25F) among those passing every filter.

        With no text, every posting passing the filters is listed, newest first.
        """
        if limit < 1 or page < 1:
            raise InvalidFilterError("limit and page must be 1 or more")
        if sort not in ("relevance", "newest"):
            raise InvalidFilterError(f"unknown sort {sort!r}", hint="use relevance or newest")
        filters = Filters(
            city=_tuple(city),
            state=_tuple(state),
            country=_tuple(country),
            skill=_tuple(skill),
            role=_tuple(role),
            level=_tuple(level),
            employment_type=_tuple(employment_type),
            remote=remote,
            since=since,
        )
        searcher = self.searcher
        fields = ("title",) if title_only else tuple(FIELD_BOOSTS)
        parsed = parse_text(text, fields)
        notes = self._notes(filters)
        if parsed is None and text.strip():
            notes.append(f"no searchable words in {text!r}: listing every match")
        filter_q = self._filters(filters)
        base = parsed if parsed is not None else wq.Every()
        by_date = parsed is None or sort == "newest"
        results, matched = collect(searcher, base, filter_q, page * limit, by_date)
        highlighter = Highlighter(query_words(parsed))
        hits = []
        for hit in results[(page - 1) * limit : page * limit]:
            stored = hit.fields()
            posting = from_stored(stored)
            hits.append(
                Hit(
                    posting=posting,
                    score=None if by_date else float(hit.score),
                    snippet=highlighter.snippet(posting.description),
                )
            )
        return SearchResults(
            query=text,
            filters=filters,
            total=len(matched),
            page=page,
            limit=limit,
            hits=tuple(hits),
            facets=self._facet_table().count(matched) if facets else {},
            notes=tuple(notes),
        )

    def facets(self, text: str = "", **filters: object) -> dict[str, dict[str, int]]:
        """Facet counts (city, country, skill, role, level) for a query and filters."""
        return self.search(text, limit=1, **filters).facets  # type: ignore[arg-type]

    def similar(self, posting_id: str, limit: int = 5) -> tuple[Hit, ...]:
        """Postings most like this one, by the distinctive terms of its description."""
        searcher = self.searcher
        docnum = searcher.document_number(id=posting_id)
        if docnum is None:
            raise PostingNotFoundError(f"no posting with id {posting_id!r}")
        source = from_stored(searcher.stored_fields(docnum))
        results = searcher.more_like(
            docnum, "description", text=source.description, top=limit, numterms=25
        )
        key_terms = searcher.key_terms_from_text("description", source.description, numterms=10)
        highlighter = Highlighter(word for word, _ in key_terms)
        return tuple(
            Hit(
                posting=(p := from_stored(hit.fields())),
                score=float(hit.score),
                snippet=highlighter.snippet(p.description),
            )
            for hit in results
        )

    def stats(self) -> dict[str, object]:
        """Size and make-up of the index."""
        reader = self.searcher.reader()
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        everything = set(reader.all_doc_ids())
        counts = self._facet_table().count(everything, top=10)
        return {
            "index": str(self.path),
            "postings": reader.doc_count(),
            "size_bytes": size,
            "schema_version": SCHEMA_VERSION,
            "segments": len(reader.leaf_readers()) if hasattr(reader, "leaf_readers") else 1,
            "cities": len(list(reader.lexicon("city"))),
            "countries": len(list(reader.lexicon("country"))),
            "skills": len(list(reader.lexicon("skill"))),
            "remote": reader.doc_frequency("remote", True),
            "top": counts,
        }
