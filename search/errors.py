"""One exception base for everything a user can get wrong; the CLI prints the message."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator


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


class ClusterError(JobSearchError):
    """A search cluster cannot be reached, refuses the key, or cannot do what was asked
    now (no leader to accept writes); the message names the nodes, never the key."""


class ClusterBusyError(ClusterError):
    """The cluster is up but could not do it now (no leader while one is elected, or
    the leader just went away): the same request may succeed a few seconds later."""


class FilterTooComplexError(ClusterError):
    """The cluster refused a search whose filter has more operations than it takes in
    one search (Typesense: 100). A search leaves out the part that needs it (partial
    matches) with a note, and fails in one line only when its own matches need it."""


class ClusterIndexNotFoundError(ClusterError, IndexNotFoundError):
    """The cluster has no collection or alias of the given name."""


class WriteFailedError(JobSearchError):
    """Writing failed for a reason outside jobsearch (a full disk, a read-only file
    system, no permission); what was there before is kept."""


#: Errors of writing that a person can act on (free space, mount read-write, permissions):
#: one line, never a traceback.
WRITE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.EIO}
)


def write_failed(exc: BaseException, what: str) -> WriteFailedError | None:
    """The one-line error for an ``OSError`` of writing ``what`` ("the index at X"),
    e.g. "no space left on device while writing the index at X"; None for any other
    exception."""
    if not isinstance(exc, OSError) or exc.errno not in WRITE_ERRNOS:
        return None
    reason = os.strerror(exc.errno or 0)
    return WriteFailedError(f"{reason[:1].lower()}{reason[1:]} while writing {what}")


@contextlib.contextmanager
def writing(what: str) -> Iterator[None]:
    """Turn an ``OSError`` of writing (see ``WRITE_ERRNOS``) into ``WriteFailedError``."""
    try:
        yield
    except OSError as exc:
        failed = write_failed(exc, what)
        if failed is None:
            raise
        raise failed from None


#: Where Whoosh decodes index files (folders and modules of its package): an exception
#: raised inside them, other than one of ours, means a file of the index is damaged.
_WHOOSH_READING = ("filedb", "codec", "matching", "columns.py", "reading.py", "index.py")


def damaged_read(exc: BaseException) -> SchemaVersionError | None:
    """The clean error for an exception Whoosh raised while decoding an index file (a
    damaged stored field or postings block met in the middle of a search), else None:
    an error of jobsearch's own code, or of anything else, is left as it is."""
    if not isinstance(exc, Exception) or isinstance(exc, JobSearchError):
        return None
    frame = exc.__traceback__
    while frame is not None:
        parts = frame.tb_frame.f_code.co_filename.replace("\\", "/").split("/")
        if "whoosh" in parts[:-1]:
            below = parts[len(parts) - 1 - parts[::-1].index("whoosh") + 1 :]
            if below and below[0] in _WHOOSH_READING:
                return SchemaVersionError(
                    f"the index cannot be read (a damaged file: {type(exc).__name__})",
                    hint=rebuild_hint(),
                )
        frame = frame.tb_next
    return None
