"""``JobIndex``: the public facade over the index — open, add, search, get, similar, facets."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Literal

from whoosh import query as wq
from whoosh.index import FileIndex
from whoosh.searching import Results, Searcher

from search.errors import InvalidFilterError, PostingNotFoundError
from search.extract.text import normalize_key
from search.model import JobPosting, Place
from search.query.collect import collect
from search.query.explain import explain_hit
from search.query.parse import build_filter, parse_text, query_words, relax
from search.query.radius import (
    distance_to,
    nearest_first,
    nearest_km,
    parse_radius,
    resolve_center,
    within,
)
from search.query.scoring import FastBM25F
from search.query.snippets import Highlighter
from search.query.spelling import fuzzy_query, suggest
from search.results import Filters, Hit, SearchResults
from search.store import writer as indexer
from search.store.columns import ForwardTable
from search.store.schema import FACET_FIELDS, FIELD_BOOSTS, SCHEMA_VERSION, from_stored
from search.store.writer import AddSummary

Sort = Literal["relevance", "newest"]
StrList = str | Sequence[str] | None


DEFAULT_RADIUS_KM = 50.0
TABLE_FILE = indexer.OWN_FILES[1]
COLLAPSE_ROOM = 50


def _and(a: wq.Query | None, b: wq.Query) -> wq.Query:
    return b if a is None else wq.And([a, b])


def _merge_places(posting: JobPosting, copies: list[JobPosting]) -> JobPosting:
    """The posting with the places of all its copies, in order, without repeats."""
    places = list(posting.places)
    for copy in copies:
        places.extend(p for p in copy.places if p not in places)
    locations = [posting.location_text] + [
        c.location_text for c in copies if c.location_text != posting.location_text
    ]
    return replace(posting, places=tuple(places), location_text=" | ".join(filter(None, locations)))


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
        self._table_cache: ForwardTable | None = None

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
        summary = indexer.upsert(self._ix, self.path, postings, progress)
        self.close()  # the next read sees the new commit
        return summary

    def delete(self, ids: Iterable[str]) -> int:
        """Delete postings by id; returns how many were deleted."""
        count = indexer.delete(self._ix, self.path, ids)
        self.close()  # the next read sees the new commit
        return count

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

    def _table(self) -> ForwardTable:
        if self._table_cache is None:
            fields = (*FACET_FIELDS, "geo")
            where = self.path / TABLE_FILE
            stamp = indexer.snapshot_stamp(self.searcher.reader().generation(), self.path)
            table = ForwardTable.load(where, stamp, fields)
            if table is None:
                table = ForwardTable(self.searcher.reader(), fields, ["dup_key"])
                table.save(where, stamp)
            self._table_cache = table
        return self._table_cache

    def _filters(self, filters: Filters) -> wq.Query | None:
        roles: list[str] = []
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
        exclude: StrList = None,
        exclude_company: StrList = None,
        near: str | None = None,
        radius_km: float | str | None = None,
        sort: Sort = "relevance",
        limit: int = 10,
        page: int = 1,
        title_only: bool = False,
        collapse: bool = True,
        explain: bool = False,
        facets: bool = True,
    ) -> SearchResults:
        """Rank postings matching ``text`` (BM25F) among those passing every filter.

        With no text, every posting passing the filters is listed, newest first (nearest
        first with ``near``). Copies of one job posted for several locations come back as
        one hit listing all its places unless ``collapse=False``. When nothing matches,
        a spelling suggestion and fuzzy matches (flagged ``fuzzy``) are returned.
        """
        if limit < 1 or page < 1:
            raise InvalidFilterError("limit and page must be 1 or more")
        if sort not in ("relevance", "newest"):
            raise InvalidFilterError(f"unknown sort {sort!r}", hint="use relevance or newest")
        if radius_km is not None and not near:
            raise InvalidFilterError("a radius needs a place", hint="add --near CITY")
        radius = parse_radius(radius_km if radius_km is not None else DEFAULT_RADIUS_KM)
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
            exclude=_tuple(exclude),
            exclude_company=_tuple(exclude_company),
            near=near or None,
            radius_km=radius if near else None,
        )
        searcher = self.searcher
        fields = ("title",) if title_only else tuple(FIELD_BOOSTS)
        parsed = parse_text(text, fields)
        notes = self._notes(filters)
        if parsed is None and text.strip():
            notes.append(f"no searchable words in {text!r}: listing every match")
        filter_q = self._filters(filters)
        center = None
        if near:
            center = resolve_center(searcher, near)
            around = within(searcher, center, radius)
            notes.append(f"within {round(radius, 1):g} km of {center.label()}")
            filter_q = _and(filter_q, around if around is not None else wq.NullQuery)
        excluded = parse_text(" OR ".join(filters.exclude), fields) if filters.exclude else None
        base: wq.Query = parsed if parsed is not None else wq.Every()
        if excluded is not None:
            base = wq.AndNot(base, excluded)
        by_date = parsed is None or sort == "newest"
        table = self._table()
        # Room for copies that collapsing folds away; a second pass only when that is short.
        room = page * limit * 2 + COLLAPSE_ROOM if collapse else page * limit
        results, matched = collect(searcher, base, filter_q, room, by_date)

        suggestion = suggest(searcher, text) if parsed is not None and text.strip() else None
        fuzzy = False
        if not matched and parsed is not None and (suggestion or self._unknown_words(parsed)):
            found = self._fallback(text, fields, suggestion, excluded, filter_q, room)
            if found is not None:
                results, matched, parsed, note = found
                fuzzy = True
                notes.append(note)

        ordered = self._ordered(results, matched, center, by_date)
        if page == 1 and not by_date and not fuzzy and len(matched) < limit:
            more, partial_note = self._partial_matches(base, matched, filter_q, room)
            ordered += more
            if partial_note:
                notes.append(partial_note)
        group_by = "dup_key" if collapse else None
        groups = self._group(ordered, collapse)
        if len(groups) < page * limit and results.scored_length() < len(matched):
            # Collapsing folded more copies than there was room for: take every match.
            results, _ = collect(searcher, results.q, None, len(matched), by_date)
            groups = self._group(self._ordered(results, matched, center, by_date), collapse)
        highlighter = Highlighter(query_words(parsed))
        hits = []
        for docnum, score, copies in groups[(page - 1) * limit : page * limit]:
            hits.append(
                self._hit(docnum, score, copies, highlighter, center, parsed, filters, explain)
            )
        total = table.group_count(matched, "dup_key") if collapse else len(matched)
        return SearchResults(
            query=text,
            filters=filters,
            total=total,
            page=page,
            limit=limit,
            hits=tuple(hits),
            facets=table.count(matched, FACET_FIELDS, group_by=group_by) if facets else {},
            notes=tuple(notes),
            suggestion=suggestion,
            fuzzy=fuzzy,
        )

    def _fallback(
        self,
        text: str,
        fields: Sequence[str],
        suggestion: str | None,
        excluded: wq.Query | None,
        filter_q: wq.Query | None,
        room: int,
    ) -> tuple[Results, set[int], wq.Query, str] | None:
        """When nothing has the words typed: the corrected spelling's matches, else close
        spellings; with the query used and a note saying which."""
        corrected = parse_text(suggestion, fields) if suggestion else None
        for fallback in (corrected, fuzzy_query(text, fields)):
            if fallback is None:
                continue
            q = wq.AndNot(fallback, excluded) if excluded is not None else fallback
            results, matched = collect(self.searcher, q, filter_q, room, False)
            if matched:
                shown = (
                    f"results for {suggestion!r}" if fallback is corrected else "close spellings"
                )
                return results, matched, fallback, f"no postings match {text!r}: showing {shown}"
        return None

    def _partial_matches(
        self, base: wq.Query, matched: set[int], filter_q: wq.Query | None, room: int
    ) -> tuple[list[tuple[int, float | None]], str | None]:
        """Postings with some of the words, to follow the few that have them all (as web
        search does), and a note saying how many."""
        loose = relax(base)
        if loose is None:
            return [], None
        more, more_matched = collect(self.searcher, loose, filter_q, room, False)
        extra = len(more_matched - matched)
        if not extra:
            return [], None
        noun = "posting matches" if extra == 1 else "postings match"
        ranked: list[tuple[int, float | None]] = [
            (h.docnum, float(h.score)) for h in more if h.docnum not in matched
        ]
        return ranked, f"{extra} more {noun} some of the words"

    def _hit(
        self,
        docnum: int,
        score: float | None,
        copies: list[int],
        highlighter: Highlighter,
        center: Place | None,
        parsed: wq.Query | None,
        filters: Filters,
        explain: bool,
    ) -> Hit:
        """One hit: the posting with its copies' places, nearest place first for ``near``."""
        stored = self.searcher.stored_fields
        posting = from_stored(stored(docnum))
        copy_postings = [from_stored(stored(d)) for d in copies]
        if copy_postings:
            posting = _merge_places(posting, copy_postings)
        distance = None
        if center is not None:
            posting = nearest_first(posting, center)
            distance = distance_to(posting.places[0], center) if posting.places else None
        return Hit(
            posting=posting,
            score=score,
            snippet=highlighter.snippet(posting.description),
            distance_km=round(distance, 1) if distance is not None else None,
            duplicates=tuple(c.id for c in copy_postings),
            explanation=(
                explain_hit(self.searcher, posting, parsed, filters, distance) if explain else None
            ),
        )

    def _unknown_words(self, q: wq.Query) -> bool:
        """Whether some word of the query is in no posting at all."""
        reader = self.searcher.reader()
        by_word: dict[str, bool] = {}
        for field, text in q.iter_all_terms(phrases=True):
            if field in FIELD_BOOSTS:
                word = text.decode() if isinstance(text, bytes) else str(text)
                by_word[word] = by_word.get(word, False) or reader.doc_frequency(field, word) > 0
        return not all(by_word.values())

    def _ordered(
        self, results: Results, matched: set[int], center: Place | None, by_date: bool
    ) -> list[tuple[int, float | None]]:
        """Matches in result order: by score, by date, or nearest first for ``near``."""
        if center is not None and by_date:
            table = self._table()
            ranked = sorted(
                matched,
                key=lambda d: (nearest_km(center, table.values(d, "geo")) or 0.0, -d),
            )
            return [(d, None) for d in ranked]
        return [(hit.docnum, None if by_date else float(hit.score)) for hit in results]

    def _group(
        self, ordered: list[tuple[int, float | None]], collapse: bool
    ) -> list[tuple[int, float | None, list[int]]]:
        """Fold copies of one job into its best-ranked copy."""
        if not collapse:
            return [(d, score, []) for d, score in ordered]
        table = self._table()
        out: list[tuple[int, float | None, list[int]]] = []
        seen: set[str] = set()
        for docnum, score in ordered:
            key = table.first(docnum, "dup_key")
            if key is None:
                out.append((docnum, score, []))
                continue
            if key in seen:
                continue
            seen.add(key)
            copies = [d for d in table.members("dup_key", key) if d != docnum]
            out.append((docnum, score, copies))
        return out

    def facets(self, text: str = "", **filters: object) -> dict[str, dict[str, int]]:
        """Facet counts (city, country, skill, role, level) for a query and filters."""
        return self.search(text, limit=1, **filters).facets  # type: ignore[arg-type]

    def similar(self, posting_id: str, limit: int = 5) -> tuple[Hit, ...]:
        """Postings most like this one, by the distinctive terms of its description.

        Copies of the same job (and of each other) are folded, so five similar postings
        are five different jobs.
        """
        searcher = self.searcher
        docnum = searcher.document_number(id=posting_id)
        if docnum is None:
            raise PostingNotFoundError(
                f"no posting with id {posting_id!r}", hint="ids are listed by `jobsearch search`"
            )
        table = self._table()
        source = from_stored(searcher.stored_fields(docnum))
        own = table.first(docnum, "dup_key")
        # What Whoosh's more_like does, with the key terms kept for the snippets
        # instead of analysing the description a second time.
        key_terms = searcher.key_terms_from_text("description", source.description, numterms=25)
        like = wq.Or([wq.Term("description", word, boost=weight) for word, weight in key_terms])
        results = searcher.search(like, limit=limit * 4, mask={docnum})
        highlighter = Highlighter(word for word, _ in key_terms[:10])
        hits: list[Hit] = []
        seen = {own}
        for hit in results:
            key = table.first(hit.docnum, "dup_key")
            if key in seen and key is not None:
                continue
            seen.add(key)
            posting = from_stored(hit.fields())
            hits.append(Hit(posting, float(hit.score), highlighter.snippet(posting.description)))
            if len(hits) == limit:
                break
        return tuple(hits)

    def stats(self) -> dict[str, object]:
        """Size and make-up of the index."""
        reader = self.searcher.reader()
        size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
        everything = set(reader.all_doc_ids())
        counts = self._table().count(everything, FACET_FIELDS, top=10)
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
