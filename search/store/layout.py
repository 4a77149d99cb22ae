"""The index directory: a pointer file, a lock, and one folder per build.

```
index/
  jobsearch.json     {"schema_version", "jobsearch_version", "generation": "gen-..."}
  jobsearch.lock     held (flock) by whoever writes, whether or not an index exists yet
  gen-<time>-<rand>/ one build: Whoosh's files, and side/<segment>/ tables
  watches.json       saved searches (search.watches), with watches.lock
```

A rebuild writes a new ``gen-*`` folder and then replaces ``jobsearch.json`` with
``os.replace``: one atomic step, so a reader sees the old index or the new one, never a
mix or nothing. The previous folder is kept until the rebuild after (a reader may still
be using it) and then removed. Only names of this shape are ever created or removed in
the directory, never through a symbolic link, so a user's other files are safe.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from search.errors import (
    IndexLockedError,
    IndexNotFoundError,
    InputError,
    SchemaVersionError,
    rebuild_hint,
)
from search.version import __version__

#: The name Whoosh files of a build carry (``_MAIN_3.toc``, ``MAIN_<segment>.pst``).
INDEX_NAME = "MAIN"
META_FILE = "jobsearch.json"
LOCK_FILE = "jobsearch.lock"
GEN_PREFIX = "gen-"
#: A file inside each build folder that marks it as ours.
GEN_MARK = "jobsearch-build"
LOCK_TIMEOUT_S = 2.0
#: The pointer file holds three short values; anything larger is not ours.
MAX_META_BYTES = 65536
_NOFOLLOW = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def read_meta(path: Path, strict: bool = False) -> dict[str, Any]:
    """The pointer file's content, or {} when there is none (or it is unreadable: with
    ``strict``, an unreadable one is a damaged-index error naming what is wrong).

    Opened without following a link and without blocking (a FIFO is refused, not
    waited on), and read only when it is a regular file of at most ``MAX_META_BYTES``.
    """
    try:
        fd = os.open(path / META_FILE, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        why = "a symbolic link" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        return _bad_meta(path, strict, why)
    try:
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_META_BYTES:
                return _bad_meta(path, strict, "not a small regular file")
            data = json.loads(fh.read(MAX_META_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return _bad_meta(path, strict, "not JSON")
    return data if isinstance(data, dict) else _bad_meta(path, strict, "not a JSON object")


def _bad_meta(path: Path, strict: bool, why: str) -> dict[str, Any]:
    if strict:
        raise SchemaVersionError(
            f"the index in {path} cannot be read ({META_FILE}: {why})",
            hint=rebuild_hint(path),
        )
    return {}


def check_directory(path: Path) -> None:
    """A clear error for an index path that is not a usable directory."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"cannot use {path} as an index: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise InputError(f"cannot use {path} as an index: it is not a directory")


def current(path: Path, schema_version: int) -> Path:
    """The build folder the pointer names; IndexNotFoundError/SchemaVersionError if none."""
    check_directory(path)
    meta = read_meta(path, strict=True)
    if not meta:
        raise IndexNotFoundError(
            f"no index at {path}",
            hint=(
                f"index postings first: `jobsearch index --index {path} FILES`, or "
                "JobIndex.create(path).add(load_postings(FILES))"
            ),
        )
    version = meta.get("schema_version")
    if version != schema_version:
        raise SchemaVersionError(
            f"the index at {path} has schema version {version}, this jobsearch uses "
            f"{schema_version}",
            hint=rebuild_hint(path),
        )
    name = meta.get("generation")
    folder = path / str(name)
    if not _is_generation_name(name) or not _is_own_folder(folder):
        raise SchemaVersionError(
            f"the index at {path} points at a missing build {name!r}",
            hint=rebuild_hint(path),
        )
    return folder


def exists(path: Path) -> bool:
    """Whether ``path`` holds an index: a pointer file, even an unreadable one (opening
    it then says what is wrong, rather than an index being made over it)."""
    return os.path.lexists(path / META_FILE) and path.is_dir()


def _is_generation_name(name: object) -> bool:
    return isinstance(name, str) and name.startswith(GEN_PREFIX) and "/" not in name


def _is_own_folder(folder: Path) -> bool:
    """A real folder (not a link) holding our mark file."""
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return False
        return stat.S_ISREG(os.lstat(folder / GEN_MARK).st_mode)
    except OSError:
        return False


def new_generation(path: Path) -> Path:
    """A fresh, empty build folder (created here, so nothing planted can be in it)."""
    path.mkdir(parents=True, exist_ok=True)
    name = f"{GEN_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(4)}"
    folder = path / name
    os.mkdir(folder, 0o755)
    fd = os.open(folder / GEN_MARK, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    os.close(fd)
    return folder


def point_to(path: Path, folder: Path, schema_version: int) -> None:
    """Make ``folder`` the index, atomically (write a new pointer, then rename it)."""
    meta = {
        "schema_version": schema_version,
        "jobsearch_version": __version__,
        "generation": folder.name,
    }
    temp = path / f".{META_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(meta) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, path / META_FILE)
    with contextlib.suppress(OSError):
        dir_fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def sweep(path: Path, keep: set[str]) -> None:
    """Remove our build folders other than ``keep`` (never a link, never a user's folder),
    and pointer files left half-written by a killed writer."""
    for child in path.iterdir():
        name = child.name
        if name.startswith(GEN_PREFIX) and name not in keep and _is_own_folder(child):
            shutil.rmtree(child, ignore_errors=True)
        elif name.startswith(f".{META_FILE}.") and not child.is_symlink():
            with contextlib.suppress(OSError):
                child.unlink()


#: Files of the one-folder layout of schema versions 1-6, removed when such an index is
#: rebuilt (only regular files with exactly these names).
_LEGACY = re.compile(
    r"^(?:_MAIN_\d+\.toc|MAIN_[0-9a-z]+\.[A-Za-z0-9_.]+|MAIN_WRITELOCK|forward\.pickle)$"
)


def remove_legacy(path: Path, previous: dict[str, Any]) -> None:
    """After a rebuild, the files of an index in the old one-folder layout, if it was one."""
    if not previous or previous.get("generation") is not None:
        return
    for child in path.iterdir():
        with contextlib.suppress(OSError):
            if _LEGACY.match(child.name) and stat.S_ISREG(os.lstat(child).st_mode):
                child.unlink()


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the index's write lock: one writer at a time, index or not.

    An advisory ``flock`` on ``jobsearch.lock``: the kernel releases it when the holder
    exits, however it exits, so a killed writer never leaves a stale lock.
    """
    check_directory(path)
    path.mkdir(parents=True, exist_ok=True)
    busy = IndexLockedError(
        f"the index at {path} is locked by another writer",
        hint="wait for the other writer (jobsearch index, JobIndex.add) to finish",
    )
    with flocked(path / LOCK_FILE, timeout, busy):
        yield


@contextlib.contextmanager
def flocked(lock_file: Path, timeout: float, busy: Exception) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file`` (made if missing, never through a
    link), waiting up to ``timeout`` seconds; ``busy`` is raised when it stays taken."""
    try:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{lock_file} is a symbolic link; refusing to use it") from None
        raise InputError(f"cannot lock {lock_file}: {exc.strerror or exc}") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)
