"""One exception base for everything a user can get wrong; the CLI prints the message."""

from __future__ import annotations


def rebuild_hint(path: object = "INDEX") -> str:
    """What to do about an index that must be rebuilt, at the terminal or in Python."""
    return (
        f"rebuild it: `jobsearch index --rebuild --index {path} FILES`, "
        "or JobIndex.rebuild(path, load_postings(FILES))"
    )


class JobSearchError(Exception):
    """Base of every error jobsearch raises on purpose; ``hint`` says what to do next."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        message = super().__str__()
        return f"{message} ({self.hint})" if self.hint else message


class IndexNotFoundError(JobSearchError):
    """There is no index at the given directory."""


class SchemaVersionError(JobSearchError):
    """The index was written by another schema version and must be rebuilt."""


class IndexLockedError(JobSearchError):
    """Another process is writing to the index."""


class UnsafeIndexError(SchemaVersionError):
    """The index holds something other than data (it could run code) and is not read."""


class InputError(JobSearchError):
    """An input file or record cannot be read."""


class PostingNotFoundError(JobSearchError):
    """No posting has the given id."""


class AmbiguousIdError(PostingNotFoundError):
    """An id prefix names several postings."""


class WatchNotFoundError(JobSearchError):
    """No saved search has the given name."""


class InvalidFilterError(JobSearchError):
    """A filter value cannot be understood (a bad date, an unknown level, a bad radius)."""


class InvalidQueryError(JobSearchError):
    """The query text is not text, or is too long or too complex to search."""
