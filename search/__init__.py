"""jobsearch: index and search job postings from the terminal or as a library.

>>> from search import JobIndex, load_postings
>>> index = JobIndex.open_or_create("index/")                      # doctest: +SKIP
>>> index.add(load_postings("data/"))                               # doctest: +SKIP
>>> results = index.search("machine learning", city=["Seattle"])    # doctest: +SKIP

The pipeline, one folder per stage: ``ingest`` (files -> records -> postings),
``extract`` (pure extractors and the gazetteer), ``store`` (the Whoosh schema, writer and
side tables), ``query`` (user text and filters -> ranked, faceted hits), ``cli`` (the
``jobsearch`` command). ``JobIndex`` (``search.jobindex``) is the facade over them.

Public names are imported on first use, so ``import search.cli`` does not load Whoosh
before a command needs it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from search.version import __version__

if TYPE_CHECKING:
    from search.errors import (
        AmbiguousIdError,
        IndexLockedError,
        IndexNotFoundError,
        InputError,
        InvalidFilterError,
        InvalidQueryError,
        JobSearchError,
        PostingNotFoundError,
        SchemaVersionError,
        WatchNotFoundError,
    )
    from search.ingest import Rejection
    from search.ingest.postings import load_postings
    from search.jobindex import JobIndex
    from search.model import JobPosting, LocationInfo, Place
    from search.results import Filters, Hit, SearchResults
    from search.store.writer import AddSummary
    from search.watches import Watch, Watches

#: public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "AddSummary": "search.store.writer",
    "AmbiguousIdError": "search.errors",
    "Filters": "search.results",
    "Hit": "search.results",
    "IndexLockedError": "search.errors",
    "IndexNotFoundError": "search.errors",
    "InputError": "search.errors",
    "InvalidFilterError": "search.errors",
    "InvalidQueryError": "search.errors",
    "JobIndex": "search.jobindex",
    "JobPosting": "search.model",
    "JobSearchError": "search.errors",
    "LocationInfo": "search.model",
    "Place": "search.model",
    "PostingNotFoundError": "search.errors",
    "Rejection": "search.ingest",
    "SchemaVersionError": "search.errors",
    "SearchResults": "search.results",
    "Watch": "search.watches",
    "WatchNotFoundError": "search.errors",
    "Watches": "search.watches",
    "load_postings": "search.ingest.postings",
}

__all__ = [
    "AddSummary",
    "AmbiguousIdError",
    "Filters",
    "Hit",
    "IndexLockedError",
    "IndexNotFoundError",
    "InputError",
    "InvalidFilterError",
    "InvalidQueryError",
    "JobIndex",
    "JobPosting",
    "JobSearchError",
    "LocationInfo",
    "Place",
    "PostingNotFoundError",
    "Rejection",
    "SchemaVersionError",
    "SearchResults",
    "Watch",
    "WatchNotFoundError",
    "Watches",
    "__version__",
    "load_postings",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
