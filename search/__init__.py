"""jobsearch: index and search job postings from the terminal or as a library.

>>> from search import JobIndex, load_postings
>>> index = JobIndex.open_or_create("index/")                      # doctest: +SKIP
>>> index.add(load_postings("data/"))                               # doctest: +SKIP
>>> results = index.search("machine learning", city=["Seattle"])    # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from search.engine import JobIndex
from search.errors import (
    IndexLockedError,
    IndexNotFoundError,
    InputError,
    InvalidFilterError,
    JobSearchError,
    PostingNotFoundError,
    SchemaVersionError,
)
from search.indexer import AddSummary
from search.model import JobPosting, LocationInfo, Place
from search.parse import Rejection
from search.postings import load_postings
from search.results import Filters, Hit, SearchResults

__all__ = [
    "AddSummary",
    "Filters",
    "Hit",
    "IndexLockedError",
    "IndexNotFoundError",
    "InputError",
    "InvalidFilterError",
    "JobIndex",
    "JobPosting",
    "JobSearchError",
    "LocationInfo",
    "Place",
    "PostingNotFoundError",
    "Rejection",
    "SchemaVersionError",
    "SearchResults",
    "__version__",
    "load_postings",
]
