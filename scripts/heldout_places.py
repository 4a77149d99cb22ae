"""City recall and state/country agreement of the place extractor on held-out exports.

    python scripts/heldout_places.py /path/to/heldout            # one line per dataset
    python scripts/heldout_places.py /path/to/heldout --misses   # and the rows missed

The folder holds real exports from other job sites (see its SOURCES.md); nothing here is
tuned on them. Each dataset's own location column is the gold, read by one rule:

* A gold city is the first comma-separated part of a location shaped "City, ST",
  "City, State", "City, ST, Country", "City, State, Country" or "City, Country" (a ZIP
  code after the state is allowed: "San Diego, CA 92121"). "ST"/"State" is a US state or
  Canadian province (code or name); a three-part location may carry any region code in
  the middle ("Paris, A8, FR") when its last part is a country, or a county or city
  before a state ("Santa Fe Springs, Los Angeles, CA"); a leading street address is
  skipped ("100 Montgomery St, San Francisco, California 94104"). State-only,
  country-only, remote and area strings ("Greater Seattle Area", "San Francisco Bay
  Area", "Suffolk County, NY", "Silicon Valley, CA") are not cities; neither is a first
  part that is itself a state or country ("Remote, US", "CA, US"). Puerto Rico is its
  own country, as in ISO 3166 ("Juncos, PR").
* Naukri's ``Location`` is a list of Indian cities (its columns say so): each cell's
  first entry is the gold city, country IN.

A row counts as *found* when the places ``extract_locations(location, description)``
gives include the gold city: a place whose city keys (the keys the index stores, which
hold curated aliases and gazetteer alternates) contain the gold city's key, in the gold
state (when the gold has one) and country. *State agreement* is over rows with a gold
state: some place has that state. *Wrong* counts rows whose places name a city but none is
the gold one (a wrong city, or the right name in the wrong state). Prints, per dataset:
rows, located rows (gold city), recall, state agreement, wrong cities, precision (found /
rows with any city), and *coords*: the share of located rows whose city was found with
coordinates (what ``--near`` can use).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search.extract.gazetteer import lookup_city  # noqa: E402
from search.extract.locations import extract_locations, place_keys  # noqa: E402
from search.extract.text import normalize_key  # noqa: E402
from search.model import Place  # noqa: E402

csv.field_size_limit(10_000_000)

#: Dataset name -> (file under the folder, location column, description column, encoding).
DATASETS: dict[str, tuple[str, str, str, str]] = {
    "glassdoor": ("glassdoor_ds/glassdoor_jobs.csv", "Location", "Job Description", "utf-8"),
    "linkedin_arshkon": (
        "linkedin_arshkon/postings_sample.csv",
        "location",
        "description",
        "utf-8",
    ),
    "linkedin_arshkon_2023": (
        "linkedin_arshkon/job_postings_2023_sample.csv",
        "location",
        "description",
        "utf-8",
    ),
    "linkedin_2018_da": (
        "linkedin_indeed_2018/DataAnalyst.csv",
        "location",
        "description",
        "utf-8",
    ),
    "linkedin_2018_ds": (
        "linkedin_indeed_2018/DataScientist.csv",
        "location",
        "description",
        "utf-8",
    ),
    "indeed_2018_da": ("linkedin_indeed_2018/cal_da_500.csv", "location", "description", "utf-8"),
    "indeed_2018_ds": ("linkedin_indeed_2018/cal_ds_500.csv", "location", "description", "utf-8"),
    "jobspy_us": ("jobspy/tothetop430_jobs.csv", "location", "description", "utf-8"),
    "jobspy_fr": ("jobspy/fr_jobspy_jobs.csv", "location", "description", "utf-8"),
    "naukri": ("naukri/Naukri_Data_Analyst_Jobs.csv", "Location", "Description", "utf-8-sig"),
    "remoteok": ("remote_boards/remoteok.json", "location", "description", "utf-8"),
}

#: US states (and DC) and Canadian provinces: code -> name. Written out so that the gold
#: does not depend on the gazetteer the extractor uses.
US_STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "PR": "Puerto Rico",
}
CA_PROVINCES: dict[str, str] = {
    "AB": "Alberta",
    "BC": "British Columbia",
    "MB": "Manitoba",
    "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador",
    "NS": "Nova Scotia",
    "ON": "Ontario",
    "PE": "Prince Edward Island",
    "QC": "Quebec",
    "SK": "Saskatchewan",
    "NT": "Northwest Territories",
    "NU": "Nunavut",
    "YT": "Yukon",
}
#: Country spellings the exports use -> alpha-2 (the exports name few countries).
COUNTRIES = {
    "us": "US",
    "usa": "US",
    "united states": "US",
    "united states of america": "US",
    "ca": "CA",
    "canada": "CA",
    "fr": "FR",
    "france": "FR",
    "in": "IN",
    "india": "IN",
    "uk": "GB",
    "gb": "GB",
    "united kingdom": "GB",
    "de": "DE",
    "germany": "DE",
}
_ZIP = re.compile(r"\s+\d{5}(?:-\d{4})?$")
#: A first part naming an area, not a town.
_AREA = re.compile(r"\b(?:area|greater|metro(?:politan|plex)?|region|county|valley|remote)\b", re.I)
#: A first part that is a street address: "100 Montgomery St", "Abbot Kinney Blvd".
_STREET = re.compile(
    r"\d|\b(?:st|street|ave|avenue|dr|drive|blvd|way|rd|road|pl|place|ln|lane|ct|pkwy|"
    r"hwy|bridge)\.?$",
    re.I,
)


def _states() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for country, table in (("US", US_STATES), ("CA", CA_PROVINCES)):
        for code, name in table.items():
            out[code.lower()] = (country, code)
            out[normalize_key(name)] = (country, code)
    return out


STATES = _states()


@dataclass(frozen=True, slots=True)
class Gold:
    city: str
    state: str | None
    country: str | None


def gold_of(location: str, dataset: str) -> Gold | None:
    """The gold city of a location cell, by the rule in the module docstring."""
    parts = [p.strip() for p in location.split(",") if p.strip()]
    if not parts:
        return None
    if dataset == "naukri":
        return Gold(parts[0], None, "IN")
    if len(parts) > 2 and _STREET.search(parts[0]):
        parts = parts[1:]  # "100 Montgomery St, San Francisco, California 94104"
    if len(parts) < 2 or len(parts) > 3:
        return None
    city, rest = parts[0], [_ZIP.sub("", p) for p in parts[1:]]
    key = normalize_key(city)
    if key in STATES or key in COUNTRIES or _AREA.search(city) or not re.search("[A-Za-z]", city):
        return None
    last = normalize_key(rest[-1])
    if len(rest) == 1:
        if last in STATES:
            country, state = STATES[last]
            return _gold(city, state, country)
        if last in COUNTRIES and len(rest[-1]) > 2:  # "Paris, France"; not "Paris, CA"
            return Gold(city, None, COUNTRIES[last])
        return None
    middle = normalize_key(rest[0])
    if last in COUNTRIES and (middle in STATES or last not in STATES or len(rest[-1]) > 2):
        country = COUNTRIES[last]  # "Seattle, WA, US", "Paris, A8, FR"
        found = STATES.get(middle)
        return _gold(city, found[1] if found and found[0] == country else None, country)
    if last in STATES and middle not in STATES and middle not in COUNTRIES:
        country, state = STATES[last]  # "Santa Fe Springs, Los Angeles, CA"
        return _gold(city, state, country)
    return None


def _gold(city: str, state: str | None, country: str) -> Gold:
    """Puerto Rico has its own ISO code, which the gazetteer uses: "Juncos, PR"."""
    if (state, country) == ("PR", "US"):
        return Gold(city, None, "PR")
    return Gold(city, state, country)


def _rows(folder: Path, dataset: str) -> Iterator[tuple[str, str]]:
    path, loc_col, text_col, encoding = DATASETS[dataset]
    file = folder / path
    if file.suffix == ".json":
        records = json.loads(file.read_text(encoding=encoding))
        for record in records:
            if "location" in record:  # element 0 of RemoteOK is its legal notice
                yield record.get(loc_col) or "", record.get(text_col) or ""
        return
    seen: set[str] = set()
    with file.open(newline="", encoding=encoding) as fh:
        for row in csv.DictReader(fh):
            if row.get("id"):  # the Indeed files repeat postings: one row per id
                if row["id"] in seen:
                    continue
                seen.add(row["id"])
            location = row.get(loc_col) or ""
            yield ("" if location == "-1" else location), row.get(text_col) or ""


def _matches(place: Place, gold: Gold) -> bool:
    """The place is the gold city: by its stored city keys, or because the gazetteer reads
    the gold's name as this city ("Trichy" is Tiruchirappalli)."""
    if not place.city:
        return False
    if normalize_key(gold.city) not in place_keys(place)["city"]:
        known = lookup_city(gold.city, gold.state, gold.country)
        if known is None or known.city != place.city:
            return False
    if gold.country and place.country != gold.country:
        return False
    return not (gold.state and place.state != gold.state)


@dataclass(slots=True)
class Tally:
    rows: int = 0
    located: int = 0
    found: int = 0
    with_state: int = 0
    state_agrees: int = 0
    with_city: int = 0
    placed: int = 0
    wrong: int = 0


def measure(folder: Path, dataset: str, misses: list[str]) -> Tally:
    tally = Tally()
    for location, text in _rows(folder, dataset):
        tally.rows += 1
        gold = gold_of(location, dataset)
        if gold is None:
            continue
        tally.located += 1
        places = extract_locations(location, text).places
        cities = [p for p in places if p.city]
        hit = any(_matches(p, gold) for p in cities)
        tally.found += hit
        tally.placed += any(_matches(p, gold) and p.lat is not None for p in cities)
        tally.with_city += bool(cities)
        tally.wrong += bool(cities) and not hit
        if gold.state:
            tally.with_state += 1
            tally.state_agrees += any(
                p.state == gold.state and p.country == gold.country for p in places
            )
        if not hit:
            misses.append(f"{dataset}: {location!r} -> {[p.label() for p in places]}")
    return tally


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "  -  "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="the held-out folder (with SOURCES.md)")
    parser.add_argument("--misses", action="store_true", help="list the rows not found")
    parser.add_argument("--only", action="append", choices=list(DATASETS), help="datasets")
    args = parser.parse_args(argv)
    head = f"{'dataset':24}{'rows':>6}{'located':>9}{'recall':>8}{'state':>8}{'wrong':>7}"
    head += f"{'prec':>7}{'coords':>8}"
    print(head)
    total = Tally()
    misses: list[str] = []
    started = time.perf_counter()
    for dataset in args.only or DATASETS:
        if not (args.folder / DATASETS[dataset][0]).exists():
            print(f"{dataset:24}  (missing)")
            continue
        t = measure(args.folder, dataset, misses)
        for name in Tally.__slots__:
            setattr(total, name, getattr(total, name) + getattr(t, name))
        print(
            f"{dataset:24}{t.rows:>6}{t.located:>9}{_ratio(t.found, t.located):>8}"
            f"{_ratio(t.state_agrees, t.with_state):>8}{t.wrong:>7}"
            f"{_ratio(t.found, t.with_city):>7}{_ratio(t.placed, t.located):>8}"
        )
    print(
        f"{'all':24}{total.rows:>6}{total.located:>9}{_ratio(total.found, total.located):>8}"
        f"{_ratio(total.state_agrees, total.with_state):>8}{total.wrong:>7}"
        f"{_ratio(total.found, total.with_city):>7}{_ratio(total.placed, total.located):>8}"
    )
    print(f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    if args.misses:
        for line in sorted(set(misses)):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
