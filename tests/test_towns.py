"""Towns: a place named with its state or country is read as that town, in the gazetteer
(down to 1,000 people, with coordinates) or not (kept by name, without coordinates),
while a town's name alone, an area, a region or an ordinary word is not a town."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from search import JobIndex
from search.cli.commands import main
from search.extract.locations import extract_locations, place_keys
from search.extract.text import distance_km
from tests.conftest import IndexFactory


def labels(location: str, text: str = "") -> list[str]:
    return [p.label() for p in extract_locations(location, text).places]


@pytest.mark.parametrize(
    ("location", "label", "lat", "lon"),
    [
        ("New Hyde Park, NY", "New Hyde Park, NY, US", 40.735, -73.688),
        ("Maumee, OH", "Maumee, OH, US", 41.563, -83.654),
        ("Linthicum, MD", "Linthicum, MD, US", 39.205, -76.653),
        ("Armonk, NY", "Armonk, NY, US", 41.126, -73.714),
        # The whole name before the comma, not the larger place inside it.
        ("Kailua-Kona, HI", "Kailua-Kona, HI, US", 19.640, -155.999),
        ("West Reading, PA", "West Reading, PA, US", 40.334, -75.947),
        ("Marina del Rey, CA 90292", "Marina del Rey, CA, US", 33.982, -118.454),
        ("La Salle, CO", "La Salle, CO, US", 40.349, -104.702),
        # A state's name before another state is that state's town.
        ("Indiana, PA", "Indiana, PA, US", 40.621, -79.153),
        ("Ontario, Ohio", "Ontario, OH, US", 40.760, -82.590),
        # A curated alias the state contradicts gives way: not San Francisco's Presidio.
        ("Presidio, TX", "Presidio, TX, US", 29.561, -104.372),
        ("Mt Juliet, Tennessee", "Mount Juliet, TN, US", 36.200, -86.519),
        ("Saint Petersburg, FL", "St. Petersburg, FL, US", 27.771, -82.679),
        ("Labège, O, FR", "Labège, FR", 43.529, 1.530),
        ("HQ - Maumee, OH", "Maumee, OH, US", 41.563, -83.654),
        ("US, OH, Maumee", "Maumee, OH, US", 41.563, -83.654),
    ],
)
def test_gazetteer_towns_have_coordinates(
    location: str, label: str, lat: float, lon: float
) -> None:
    (place,) = extract_locations(location).places
    assert place.label() == label
    assert place.lat is not None and place.lon is not None
    assert distance_km(place.lat, place.lon, lat, lon) < 2


@pytest.mark.parametrize(
    ("location", "city", "state"),
    [
        ("Teterboro, NJ", "Teterboro", "NJ"),
        ("Patuxent River, MD", "Patuxent River", "MD"),
        ("Scotch Ridge, Iowa", "Scotch Ridge", "IA"),
        ("City Of Industry, California", "City Of Industry", "CA"),
        ("US, NJ, Teterboro", "Teterboro", "NJ"),
        # A larger place's name, in a state that has no town of that name.
        ("Hollywood, MD", "Hollywood", "MD"),
        ("Bellevue, Tennessee", "Bellevue", "TN"),
        # CA before US is California, not Canada's Vernon.
        ("Vernon, CA, US", "Vernon", "CA"),
    ],
)
def test_towns_the_gazetteer_lacks_are_kept_by_name(location: str, city: str, state: str) -> None:
    (place,) = extract_locations(location).places
    assert (place.city, place.state, place.country) == (city, state, "US")
    assert place.lat is None and place.lon is None
    assert "no coordinates" in place.note
    assert place_keys(place)["city"] == {city.casefold()}


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        # State beats a same-named city when only its country follows.
        ("Oregon, United States", ["OR, US"]),
        ("Washington, USA", ["WA, US"]),
        ("Georgia, USA", ["GA, US"]),
        ("Alberta, Canada", ["AB, CA"]),
        ("Quebec, Canada", ["QC, CA"]),
        ("Remote - Alberta, Canada", ["AB, CA"]),
        ("Alabama, Florida, Texas", ["AL, US", "FL, US", "TX, US"]),
        # Areas are their state.
        ("Suffolk County, New York", ["NY, US"]),
        ("Volusia County, FL", ["FL, US"]),
        ("Central Coast, CA", ["CA, US"]),
        ("Long Island, New York", ["NY, US"]),
        # Ordinary words before a state are not towns.
        ("Virtual, CA", ["CA, US"]),
        ("Industry, CA", ["CA, US"]),
        ("Data, OR", ["OR, US"]),
        ("Home, KS", ["KS, US"]),
        ("Mission, TX", ["TX, US"]),
        ("Remote, US", []),
        # A region between a city and its country is not a town.
        ("Munich, Bavaria, Germany", ["Munich, DE"]),
        ("Barcelona, Catalonia, Spain", ["Barcelona, ES"]),
        # A longer name holding a known city, in a state without that city: its state.
        ("Moss Landing, CA, US", ["CA, US"]),
        # A known city's name with only a country is more likely two places than a town.
        ("Tokyo, USA", ["US"]),
    ],
)
def test_not_towns(location: str, expected: list[str]) -> None:
    assert labels(location) == expected


@pytest.mark.parametrize(
    "location",
    ["Maumee", "Armonk", "Teterboro", "Energy", "Chance", "Data", "Office", "Home", "Mission"],
)
def test_a_town_name_alone_is_no_place(location: str) -> None:
    assert labels(location) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Positions are available in Maumee, OH and Toledo, OH.",
            ["Maumee, OH, US", "Toledo, OH, US"],
        ),
        (
            "Offices: Armonk, NY; Stamford, CT; Linthicum, MD.",
            ["Armonk, NY, US", "Stamford, CT, US", "Linthicum, MD, US"],
        ),
        # Prose gives gazetteer places only, a bare town never, and states stay states.
        ("This role is based in Teterboro, NJ.", []),
        ("Our team is based in Maumee.", []),
        ("This role is based in Nevada, Missouri and Kansas.", ["NV, US", "MO, US", "KS, US"]),
    ],
)
def test_towns_in_description_text(text: str, expected: list[str]) -> None:
    assert labels("", text) == expected


# --- searching towns ----------------------------------------------------------------

ROWS = [
    {"id": "maumee", "title": "Data Engineer", "location": "Maumee, OH"},
    {"id": "toledo", "title": "Data Analyst", "location": "Toledo, OH"},
    {"id": "teterboro", "title": "Data Scientist", "location": "Teterboro, NJ"},
    {"id": "oregon", "title": "Data Manager", "location": "Oregon, United States"},
    {"id": "ohio-town", "title": "Data Architect", "location": "Oregon, OH"},
]


@pytest.fixture(scope="module")
def town_index(index_of: IndexFactory) -> JobIndex:
    rows = [{**row, "description": f"{row['title']} role, Python and SQL."} for row in ROWS]
    return index_of(rows, "towns")


def found(index: JobIndex, **filters: object) -> set[str]:
    hits = index.search("", limit=100, collapse=False, **filters).hits  # type: ignore[arg-type]
    return {hit.posting.id for hit in hits}


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        ({"city": ["Maumee"]}, {"maumee"}),
        ({"city": ["Maumee, OH"]}, {"maumee"}),
        ({"city": ["Teterboro, NJ"]}, {"teterboro"}),
        ({"state": ["NJ"]}, {"teterboro"}),
        ({"state": ["OR"]}, {"oregon"}),
        ({"state": ["Ohio"]}, {"maumee", "toledo", "ohio-town"}),
        # Maumee is 12 km from Toledo, Oregon (Ohio) 7 km; Teterboro has no coordinates.
        ({"near": "Toledo, OH", "radius_km": "20km"}, {"maumee", "toledo", "ohio-town"}),
        ({"near": "Maumee, OH", "radius_km": "10km"}, {"maumee"}),
    ],
)
def test_town_filters(town_index: JobIndex, filters: dict[str, object], ids: set[str]) -> None:
    assert found(town_index, **filters) == ids


def test_near_a_town_without_coordinates_says_so(town_index: JobIndex) -> None:
    result = CliRunner().invoke(
        main, ["search", "--near", "Teterboro, NJ", "--index", str(town_index.path)]
    )
    assert result.exit_code == 1
    assert "no coordinates for 'Teterboro, NJ'" in result.output
    assert "--city 'Teterboro, NJ'" in result.output


def test_show_explains_a_town_without_coordinates(town_index: JobIndex) -> None:
    result = CliRunner().invoke(main, ["show", "teterboro", "--index", str(town_index.path)])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.replace("│", " ").split())
    assert "Teterboro, NJ, US — Teterboro: not in the gazetteer (no coordinates)" in shown
