"""``JobIndex``: the public facade over the index — open, add, search, get, similar, facets.

Each method is one call into a stage: writing goes to ``search.store.writer``, searching
to ``search.query.pipeline``. The facade holds the snapshot it reads (Whoosh's reader
and the side tables of one commit); after a write, and whenever another process has
committed since, the next read opens the new snapshot.

One ``JobIndex`` serves any number of threads at once. Each search reads the one snapshot
it started with from start to end; a newer snapshot replaces it for the searches that
start later, and the old one's files close when the last search using it is done (a
snapshot is never closed under a search).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

import numpy as np

from search.errors import (
    AmbiguousIdError,
    IndexNotFoundError,
    InvalidFilterError,
    PostingNotFoundError,
    SchemaVersionError,
)
from search.filters import FilterValues
from search.model import JobPosting
from search.query import pipeline
from search.query.context import Request
from search.query.embedded import EmbeddedBackend
from search.query.view import Index
from search.results import Filters, Hit, IndexStats, SearchResults, Sort
from search.store import layout
from search.store.documents import from_stored
from search.store.reading import Snapshot
from search.store.schema import SCHEMA_VERSION

if TYPE_CHECKING:  # the writer (and its process pool) loads only when something writes
    from types import ModuleType

    from whoosh.searching import Searcher

    from search.store.building import Deferred
    from search.store.writer import AddSummary
    from search.watches import Watches

    Postings = Iterable[JobPosting] | Deferred


#: Tries at opening the latest snapshot while other processes commit: a commit removes
#: the table of contents just listed, a second rebuild the build folder just named.
OPEN_TRIES = 20
#: Seconds after which an unchanged stat of the pointer file and build folder is trusted
#: to mean no commit since (longer than any file system's timestamp granularity).
SETTLED_S = 2.0


def _writer() -> ModuleType:
    from search.store import writer

    return writer


def _not_found(posting_id: str) -> PostingNotFoundError:
    return PostingNotFoundError(
        f"no posting with id {posting_id!r}",
        hint="search results list the ids: `jobsearch search` or JobIndex.search",
    )


class JobIndex:
    """A job-posting index in one directory.

    >>> index = JobIndex.open_or_create("index/")          # doctest: +SKIP
    >>> index.add(load_postings("data/"))                   # doctest: +SKIP
    >>> index.search("machine learning", city=["Seattle"])  # doctest: +SKIP
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._context: EmbeddedBackend | None = None
        self._pointer: object = None
        self._seen: tuple[tuple[object, ...], tuple[object, object]] | None = None
        self._lock = threading.Lock()

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> JobIndex:
        """Open an existing index; ``IndexNotFoundError``/``SchemaVersionError`` if unusable.
        A cluster URL (``typesense://KEY@HOST:PORT[,...]/COLLECTION``) opens the index
        on that cluster (``search.cluster.index``)."""
        if "://" in str(path):
            from search.cluster.url import is_cluster_url

            if is_cluster_url(path):
                from search.cluster.index import ClusterIndex

                return ClusterIndex.open(path)
        index = cls(Path(path))
        index._read()
        return index

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> JobIndex:
        """Create an empty index, replacing any index already in ``path`` (atomically)."""
        _writer().create_index(Path(path))
        return cls.open(path)

    @classmethod
    def open_or_create(cls, path: str | os.PathLike[str]) -> JobIndex:
        where = Path(path)
        return cls.open(where) if layout.exists(where) else cls.create(where)

    @classmethod
    def rebuild(
        cls,
        path: str | os.PathLike[str],
        postings: Postings,
        progress: Callable[[int], None] | None = None,
        stage: Callable[[str], None] | None = None,
    ) -> AddSummary:
        """Replace the index at ``path`` with one built from ``postings`` only.

        The new index is built aside and swapped in when complete, so searches keep
        working during a rebuild and an interrupted rebuild changes nothing. When no
        posting is valid the old index is kept and ``InputError`` says so.
        """
        return _writer().rebuild(Path(path), postings, progress, stage=stage)

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        return layout.exists(Path(path))

    @staticmethod
    @contextlib.contextmanager
    def write_lock(
        path: str | os.PathLike[str], wait: float = layout.LOCK_TIMEOUT_S
    ) -> Iterator[None]:
        """Hold the index's write lock (the one ``add``, ``rebuild`` and ``delete``
        take), waiting up to ``wait`` seconds; ``IndexLockedError`` when another writer
        keeps it. Makes the folder when it is missing."""
        with layout.locked(Path(path), wait):
            yield

    def close(self) -> None:
        """Let go of the snapshot this object reads: its files close now, or, when a
        search in another thread (or an unfinished ``search_all``) still reads it, as
        soon as that is done. The next call opens the latest snapshot again."""
        with self._lock:
            self._context = None
            self._pointer = None

    def __enter__(self) -> JobIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------

    def add(
        self,
        postings: Postings,
        progress: Callable[[int], None] | None = None,
        *,
        prune: bool = False,
        stage: Callable[[str], None] | None = None,
    ) -> AddSummary:
        """Insert or update postings by id; identical postings are left alone.

        ``postings`` from ``load_postings`` are built on every core; ``progress`` is told
        how many input records each step read. With ``prune`` (postings from
        ``load_postings`` only), postings indexed earlier from the same files that the
        files no longer hold are deleted: a feed re-read in full drops closed jobs.
        """
        files: list[str] = []
        if prune:
            read = getattr(postings, "files", None)
            if read is None:
                raise InvalidFilterError(
                    "pruning needs postings read from files", hint="use load_postings(PATHS)"
                )
            files = [str(Path(f.source).resolve()) for f in read]
        self.close()
        return _writer().upsert(self.path, postings, progress, prune=files, stage=stage)

    def delete(self, ids: Iterable[str]) -> int:
        """Delete postings by id (or unique id prefix); returns how many were deleted."""
        full = [self.resolve(i) for i in ids]
        self.close()
        return _writer().delete(self.path, full)

    # -- reading -----------------------------------------------------------------------

    def _read(self) -> EmbeddedBackend:
        """The context of the latest commit (reopened when the index has changed).

        The caller keeps the context it got for as long as it reads: a newer one
        replaces it here for later callers, and it is closed only when nothing uses it.
        """
        pointer = self._pointer_now()
        with self._lock:
            if self._context is not None and pointer == self._pointer:
                return self._context
            for tries in range(1, OPEN_TRIES + 1):
                try:
                    context = EmbeddedBackend(Index(Snapshot(self.path)))
                    break
                except (IndexNotFoundError, SchemaVersionError):
                    # Files named a moment ago were replaced by a commit since: try the
                    # newer state; an index that stays unreadable is reported.
                    moved = self._pointer_now()
                    if moved == pointer or tries == OPEN_TRIES:
                        raise
                    pointer = moved
            # ``pointer`` was read before opening: a commit landing meanwhile is picked
            # up by the next call, never mistaken for the one opened.
            self._context, self._pointer = context, pointer
            return context

    def _pointer_now(self) -> tuple[object, object]:
        """What names the latest commit: the build folder and its table of contents.

        Reading that (the pointer file, then a listing of the build folder) costs a
        server more than half a millisecond on every request, so the answer is kept with
        the stat of the pointer file and of the build folder, and reused while neither
        has changed. A commit replaces the pointer file (a new inode) or adds a table of
        contents to the folder (a new modification time); marks changed less than
        ``SETTLED_S`` ago are not trusted, as a second change within the file system's
        timestamp granularity would leave them equal.
        """
        marks = self._marks()
        seen = self._seen
        if marks is not None and seen is not None and seen[0] == marks:
            return seen[1]
        pointer = (layout.read_meta(self.path).get("generation"), self._toc_mark())
        self._seen = None if marks is None else (marks, pointer)
        return pointer

    def _marks(self) -> tuple[object, ...] | None:
        """The stat of the pointer file and of the build folder last read, or None when
        either is missing or changed within ``SETTLED_S``."""
        seen = self._seen
        generation = seen[1][0] if seen is not None else None
        try:
            meta = os.lstat(self.path / layout.META_FILE)
            folder = os.lstat(self.path / generation) if isinstance(generation, str) else None
        except (OSError, ValueError):
            return None
        changed = max(meta.st_mtime, folder.st_mtime if folder else 0.0)
        if abs(time.time() - changed) < SETTLED_S:
            return None
        where = (folder.st_ino, folder.st_mtime_ns) if folder else None
        return (meta.st_dev, meta.st_ino, meta.st_mtime_ns, meta.st_size, generation, where)

    def _toc_mark(self) -> object:
        """What changes when a commit lands in the current build folder."""
        try:
            folder = layout.current(self.path, SCHEMA_VERSION)
        except Exception:  # reported properly by Snapshot when reading
            return None
        return max((p.name for p in folder.glob("_MAIN_*.toc")), default=None)

    @property
    def searcher(self) -> Searcher:
        """The Whoosh searcher of the snapshot this object reads (for advanced use)."""
        return self._read().searcher

    def __len__(self) -> int:
        return int(self._read().index.live.sum())

    def newest_indexed(self) -> float:
        """When the newest posting first entered the index (seconds since 1970, UTC),
        0.0 for an empty index: the watermark saved searches report new postings after."""
        index = self._read().index
        indexed = index.column("indexed")
        live = indexed[index.live] if indexed.size else indexed
        return float(np.max(live)) if live.size else 0.0

    def resolve(self, posting_id: str) -> str:
        """The full id of the posting ``posting_id`` names: itself, or the one posting
        whose id starts with it. ``PostingNotFoundError`` when none does,
        ``AmbiguousIdError`` (listing some) when several do."""
        return self._resolve(posting_id, self._read().index.snapshot)

    @staticmethod
    def _resolve(posting_id: str, snapshot: Snapshot) -> str:
        if not isinstance(posting_id, str) or not posting_id.strip():
            raise _not_found(str(posting_id))
        if snapshot.docnum(posting_id) is not None:
            return posting_id
        found = snapshot.ids_starting(posting_id)
        if not found:
            raise _not_found(posting_id)
        if len(found) > 1:
            shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
            raise AmbiguousIdError(
                f"{posting_id!r} starts several ids: {shown}", hint="give more of the id"
            )
        return found[0]

    def short_ids(self, ids: Iterable[str], least: int = 8) -> dict[str, str]:
        """For each id, its shortest prefix (at least ``least`` characters) that no other
        posting's id starts with: what a person needs to type to name it."""
        snapshot = self._read().index.snapshot
        return {i: snapshot.short_id(i, least) for i in ids}

    def _docnum(self, posting_id: str, context: EmbeddedBackend) -> int:
        """The document number of the posting in ``context``'s snapshot."""
        full = self._resolve(posting_id, context.index.snapshot)
        docnum = context.index.snapshot.docnum(full)
        if docnum is None:  # pragma: no cover - resolve found it in the same snapshot
            raise _not_found(posting_id)
        return docnum

    def get(self, posting_id: str) -> JobPosting:
        """The posting with this id (or unique id prefix); ``PostingNotFoundError`` if none."""
        context = self._read()
        return from_stored(context.reader.stored_fields(self._docnum(posting_id, context)))

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
        facet_top: int = 10,
        understand: bool = True,
        **filter_values: Unpack[FilterValues],
    ) -> SearchResults:
        """Rank postings matching ``text`` (BM25F) among those passing every filter.

        ``text``: keywords, "quoted phrases", AND/OR/NOT, ``-word`` to exclude; skill
        names and acronyms also find their other spellings. Empty text lists every
        posting that passes the filters, newest first (nearest first with ``near``).

        ``filters``: a ``Filters`` value, or give the filters as keywords (``city``,
        ``state``, ``country``, ``skill``, ``role``, ``level``, ``employment_type``,
        ``company``, ``workplace``, ``exclude``, ``exclude_company``: a string or a list
        of strings, values ORed; ``remote``: True/False; ``since``: a date, "YYYY-MM-DD",
        "yesterday" or "7d"; ``near``: a city, with ``radius_km``: kilometres or text like
        "30mi", default 50 km; ``salary_min`` with ``currency``, ``max_years``,
        ``degree``: see ``Filters``). Keywords are added to ``filters``. Filters never
        change the ranking.

        ``sort``: "relevance", "newest" or "pay". ``limit``/``page``: the page of hits
        wanted (``SearchResults.pages`` says how many there are). ``title_only``: match
        the text in titles only. ``collapse``: fold copies of one job posted for several
        places into one hit listing every place (totals and facets count the job once).
        ``explain``: attach each hit's score parts. ``facets``: count cities, countries,
        skills, roles, levels, employers, workplaces, pay and experience bands over every
        match, the ``facet_top`` most frequent values of each.

        When fewer than a page of postings have every word, postings with some of them
        follow, marked ``Hit.partial`` and counted in ``partial_total`` (``total`` counts
        only full matches). When nothing matches as typed, the corrected spelling's
        matches (or close spellings) are returned with ``fuzzy=True`` and a note. Raises
        ``InvalidFilterError`` for a filter that cannot be understood and
        ``InvalidQueryError`` for query text past its limits.

        ``understand``: read the words people type for a place, a level, a workplace or
        an employment type as conditions ("senior rust engineer berlin": "rust engineer",
        level senior, city Berlin); they narrow only where a posting states the fact and
        list postings stating none below (a note counts them); ``read_as`` says how the
        text was read. A filter given for the same fact wins over the words; quoted words
        and ``understand=False`` search the words as typed.
        """
        chosen = _filters(filters, filter_values)
        request = Request(
            text or "",
            chosen,
            sort,
            limit,
            page,
            title_only,
            collapse,
            explain,
            facets,
            facet_top,
            understand,
        )
        return pipeline.run(self._read(), request)

    def search_all(
        self,
        text: str = "",
        filters: Filters | Mapping[str, object] | None = None,
        *,
        sort: Sort = "relevance",
        title_only: bool = False,
        collapse: bool = True,
        understand: bool = True,
        **filter_values: Unpack[FilterValues],
    ) -> Iterator[Hit]:
        """Every posting matching ``text`` and the filters, in result order, one at a time
        (for export): the same matching as ``search``, without pages, facets, partial
        matches or spelling fallback."""
        chosen = _filters(filters, filter_values)
        request = Request(
            text or "", chosen, sort, 1, 1, title_only, collapse, False, False, 10, understand
        )
        return pipeline.run_all(self._read(), request)

    def facets(
        self,
        text: str = "",
        filters: Filters | Mapping[str, object] | None = None,
        *,
        top: int = 10,
        understand: bool = True,
        **filter_values: Unpack[FilterValues],
    ) -> dict[str, dict[str, int]]:
        """Facet counts (the ``top`` most frequent values of each) for a query and filters."""
        chosen = _filters(filters, filter_values)
        return self.search(text, chosen, limit=1, facet_top=top, understand=understand).facets

    def similar(self, posting_id: str, limit: int = 5) -> tuple[Hit, ...]:
        """Postings most like this one (id or unique prefix), one per job, spread across
        employers, by what the job's own text and title say."""
        from search.query.similar import similar as similar_to  # loaded when asked for

        context = self._read()
        return similar_to(context, self._docnum(posting_id, context), limit)

    def baseline(self, text: str, filters: Filters | None = None, limit: int = 10) -> list[str]:
        """Posting ids as plain BM25 ranks them (title and description, words ORed, no
        boosts or synonyms): the yardstick ``jobsearch evaluate`` measures us against."""
        from search.query.baseline import rank_plain_bm25  # only evaluation ranks this way

        return rank_plain_bm25(self._read().index, text, filters or Filters(), limit)

    @property
    def watches(self) -> Watches:
        """The saved searches of this index (``watches.json`` beside it): ``add``,
        ``list``, ``get``, ``remove``, and ``new`` for what entered the index since."""
        from search.watches import Watches

        return Watches(self)

    def stats(self) -> IndexStats:
        """Size and make-up of the index."""
        from search.query.stats import index_stats  # loaded when asked for

        return index_stats(self._read().index)


def _filters(given: Filters | Mapping[str, object] | None, more: Mapping[str, object]) -> Filters:
    """One ``Filters`` from a value or mapping plus keyword values."""
    if given is not None and not isinstance(given, Filters | Mapping):
        raise InvalidFilterError(
            f"filters must be a Filters or a mapping, not {type(given).__name__}",
            hint="or give them as keywords: city=..., level=...",
        )
    if isinstance(given, Filters):
        if not more:
            return given
        return Filters.of({**given.as_dict(), **more})
    return Filters.of(dict(given or {}), **more)
