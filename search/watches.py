"""Saved searches ("watches"): a named query and filters, and what is new for each.

The job alert of every job board, kept locally. A watch remembers the newest
first-indexed time it has reported (its watermark); ``new`` lists the matching postings
that entered the index after it. Postings keep the time they first entered the index
through updates and rebuilds, so indexing the same postings again makes nothing new.

The watermark is read from the index, not from the clock: a writer stamps its postings
with the time it took the write lock, after every earlier commit, so a posting committed
while ``new`` runs is reported by the next ``new``, never lost and never twice.

Stored as ``watches.json`` beside the index, or for a cluster index in a folder of this
machine (``search.cluster.index.state_folder``) (JSON only, checked when read, replaced
atomically under its own lock so an indexing run never blocks it).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

from search.errors import (
    IndexLockedError,
    InvalidFilterError,
    JobSearchError,
    WatchNotFoundError,
    writing,
)
from search.filters import FilterValues
from search.results import Filters, Hit
from search.store import layout

if TYPE_CHECKING:
    from search.jobindex import JobIndex

WATCHES_FILE = "watches.json"
WATCHES_LOCK = "watches.lock"
MAX_WATCHES = 200
MAX_FILE_BYTES = 1 << 20
_NAME = re.compile(r"[\w][\w.@+-]{0,63}")
_NOFOLLOW = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True, slots=True)
class Watch:
    """A saved search."""

    name: str
    #: The query text ("" for filters alone).
    text: str
    #: The filters, resolved now (a relative ``since`` such as "7d" counts from today).
    filters: Filters
    created: datetime
    #: When ``new`` last recorded a check, None before the first.
    checked: datetime | None
    #: The newest first-indexed time (seconds since 1970) already reported.
    seen: float
    #: The filters as given, kept so that relative dates stay relative.
    given: Mapping[str, Any]


class Watches:
    """The saved searches of one index: ``add``, ``list``, ``get``, ``remove``, ``new``."""

    def __init__(self, index: JobIndex, folder: Path | None = None) -> None:
        """The saved searches of ``index``, in ``folder`` (the index's own, by default;
        made, private to its owner, on the first change)."""
        self._index = index
        self._folder = folder
        self._file = (folder if folder is not None else index.path) / WATCHES_FILE

    def add(
        self,
        name: str,
        text: str = "",
        filters: Filters | Mapping[str, object] | None = None,
        **filter_values: Unpack[FilterValues],
    ) -> Watch:
        """Save ``text`` and filters as ``name`` (replacing a watch of that name); only
        postings indexed from now on are new to it. Filters are given as to ``search``."""
        _check_name(name)
        given = {**_given(filters), **_plain(filter_values)}
        self._index.search(text, given, limit=1, facets=False)  # a bad query fails here
        now = datetime.now(UTC)
        with self._locked():
            watches = self._load()
            if name not in watches and len(watches) >= MAX_WATCHES:
                raise InvalidFilterError(
                    f"there are already {MAX_WATCHES} saved searches",
                    hint="remove one with `jobsearch watch remove NAME`",
                )
            watch = Watch(name, text, Filters.of(given), now, None, self._watermark(), given)
            watches[name] = watch
            self._save(watches)
        return watch

    def list(self) -> list[Watch]:
        """Every saved search, by name."""
        return _sorted(self._load())

    def get(self, name: str) -> Watch:
        """The saved search ``name``; ``WatchNotFoundError`` if there is none."""
        watches = self._load()
        return _named(watches, name)

    def remove(self, name: str) -> None:
        """Forget the saved search ``name``; ``WatchNotFoundError`` if there is none."""
        with self._locked():
            watches = self._load()
            _named(watches, name)
            del watches[name]
            self._save(watches)

    def new(self, name: str | None = None, mark: bool = True) -> dict[str, tuple[Hit, ...]]:
        """For each saved search (or only ``name``), the matching postings that entered
        the index since it was last checked, best match first. ``mark``: record the check,
        so the next call lists only what comes after.

        A caller that delivers the postings somewhere that can fail (prints them, mails
        them) should use ``checking`` instead, which records the check only once they
        are delivered."""
        with self.checking(name, mark=mark) as found:
            return found

    @contextlib.contextmanager
    def checking(
        self, name: str | None = None, mark: bool = True
    ) -> Iterator[dict[str, tuple[Hit, ...]]]:
        """``new`` in two steps: the block gets what is new, and the check is recorded
        when the block ends without an exception (with ``mark``), so postings whose
        delivery failed (a full disk, a closed pipe, Ctrl-C, a kill) stay new.

        The saved searches stay locked for the block, so two checks never both report
        the same postings; a watch added or removed meanwhile waits for it.
        """
        with self._locked():
            watches = self._load()
            chosen = [_named(watches, name)] if name is not None else _sorted(watches)
            newest = self._watermark()
            found = {watch.name: self._new_for(watch, newest) for watch in chosen}
            yield found
            if mark and chosen:
                now = datetime.now(UTC)
                for watch in chosen:
                    # A posting reported is never reported again, even one stamped a
                    # moment after ``newest`` (the watermark's rounding lets it in).
                    reported = max((_indexed(h) for h in found[watch.name]), default=0.0)
                    seen = max(watch.seen, newest, reported)
                    watches[watch.name] = replace(watch, checked=now, seen=seen)
                self._save(watches)

    # -- internals ---------------------------------------------------------------------

    def _new_for(self, watch: Watch, newest: float) -> tuple[Hit, ...]:
        # A microsecond past the watermark: datetimes round to microseconds, and the
        # postings at the watermark itself were reported already.
        after = datetime.fromtimestamp(watch.seen, tz=UTC) + timedelta(microseconds=1)
        filters = replace(Filters.of(watch.given), indexed_after=after)
        hits = self._index.search_all(watch.text, filters)
        # Postings committed after ``newest`` was read are the next check's.
        return tuple(h for h in hits if _indexed(h) <= newest + 1e-3)

    def _watermark(self) -> float:
        """The newest first-indexed time of any posting in the index (0 when empty)."""
        return self._index.newest_indexed()

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        if self._folder is not None:
            with writing(f"the saved searches in {self._file}"):
                self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        busy = IndexLockedError(
            "the saved searches are being changed by another process",
            hint="try again in a moment",
        )
        return _then(
            layout.flocked(self._file.with_name(WATCHES_LOCK), 5.0, busy),
            lambda: _remove_temps(self._file),  # of a save that was killed: the lock is ours
        )

    def _load(self) -> dict[str, Watch]:
        try:
            # Without blocking: a FIFO planted in its place is refused, not waited on.
            fd = os.open(self._file, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW)
        except FileNotFoundError:
            return {}
        except OSError as exc:
            why = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
            raise self._unreadable(why or str(exc)) from None
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise self._unreadable("it is not a regular file")
            blob = fh.read(MAX_FILE_BYTES + 1)
        if len(blob) > MAX_FILE_BYTES:
            raise self._unreadable("it is larger than 1 MB")
        try:
            data = json.loads(blob.decode("utf-8"))
            return {w.name: w for w in map(_from_json, data["watches"])}
        except (
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            RecursionError,
            JobSearchError,
        ) as exc:
            raise self._unreadable(str(exc) or type(exc).__name__) from None

    def _save(self, watches: Mapping[str, Watch]) -> None:
        data = {"watches": [_to_json(w) for w in _sorted(watches)]}
        temp = self._file.with_name(f".{WATCHES_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        with writing(f"the saved searches in {self._file}"):
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, indent=1, ensure_ascii=False)
                    fh.write("\n")
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(temp, self._file)
            except BaseException:
                # A full disk leaves the old file and no half-written copy beside it.
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise

    def _unreadable(self, why: str) -> JobSearchError:
        return JobSearchError(
            f"the saved searches in {self._file} cannot be read: {why}",
            hint="fix or delete the file",
        )


@contextlib.contextmanager
def _then(
    held: contextlib.AbstractContextManager[None], first: Callable[[], None]
) -> Iterator[None]:
    """``held``, running ``first`` once it is entered."""
    with held:
        first()
        yield


def _remove_temps(file: Path) -> None:
    """Half-written copies of ``file`` left by a saver that was killed (regular files
    with the name only a saver makes; never a link)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(file.parent):
            if entry.name.startswith(f".{WATCHES_FILE}.") and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _sorted(watches: Mapping[str, Watch]) -> list[Watch]:
    return sorted(watches.values(), key=lambda w: w.name)


def _check_name(name: object) -> None:
    # The whole name (``$`` would let a final newline through), so no control character
    # or line break can reach a file name, a terminal or a mail subject.
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidFilterError(
            f"bad name for a saved search: {name!r}",
            hint="use up to 64 letters, digits and . _ - + @, starting with a letter or digit",
        )


def _named(watches: Mapping[str, Watch], name: str) -> Watch:
    found = watches.get(name)
    if found is None:
        known = ", ".join(sorted(watches)) or "none yet"
        raise WatchNotFoundError(f"no saved search named {name!r}", hint=f"saved: {known}")
    return found


def _plain(values: Mapping[str, object]) -> dict[str, Any]:
    """Filter values as JSON can keep them (dates as ISO text, sequences as lists)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or value == () or value == []:
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple | list | set | frozenset):
            value = list(value)
        out[key] = value
    return out


def _given(filters: Filters | Mapping[str, object] | None) -> dict[str, Any]:
    if filters is None:
        return {}
    if isinstance(filters, Filters):
        return _plain(filters.as_dict())
    if isinstance(filters, Mapping):
        return _plain(filters)
    raise InvalidFilterError(f"filters must be a Filters or a mapping, not {filters!r}")


def _indexed(hit: Hit) -> float:
    moment = hit.posting.indexed_at
    return moment.timestamp() if moment is not None else 0.0


def _to_json(watch: Watch) -> dict[str, Any]:
    return {
        "name": watch.name,
        "query": watch.text,
        "filters": dict(watch.given),
        "created": watch.created.isoformat(),
        "checked": watch.checked.isoformat() if watch.checked else None,
        "seen": watch.seen,
    }


def _from_json(data: dict[str, Any]) -> Watch:
    _check_name(data["name"])
    text, seen = data["query"], data["seen"]
    if not isinstance(text, str) or not isinstance(seen, int | float):
        raise TypeError("a saved search needs text and a number")
    given = data["filters"]
    if not isinstance(given, dict):
        raise TypeError("filters must be an object")
    checked = data.get("checked")
    return Watch(
        name=data["name"],
        text=text,
        filters=Filters.of(given),
        created=datetime.fromisoformat(data["created"]),
        checked=datetime.fromisoformat(checked) if checked else None,
        seen=float(seen),
        given=given,
    )
