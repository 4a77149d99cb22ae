"""Measured facts on any export whose columns say the truth: precision and recall per fact.

``jobsearch evaluate --facts --gold FILE --map FACT=COLUMN ...`` reads a CSV, JSON or
JSON Lines file of postings in which some columns state facts (a LinkedIn export's
``formatted_work_type``, a Glassdoor ``Location``), and measures how well jobsearch gets
those facts two ways:

* **text**: the posting as its words alone (the gold columns and every column the
  indexer reads as a structured fact are withheld), so only the extractors can answer;
* **indexed**: the whole row, as ``jobsearch index`` reads it (columns included).

Per fact: ``labelled`` rows state it (a flag such as ``remote`` counts its positives);
``found`` rows get an answer where the label is known; ``correct`` answers agree;
``precision = correct / found``, ``recall = correct / labelled``. A row whose label is
empty is not judged: an empty ``remote_allowed`` cell means "not flagged", not "on-site".
For ``remote``, ``pay`` and ``employment_type`` the text mode also gives ``stated``: the
labelled rows whose own text says it (a remote-work phrase; every gold figure of the pay,
so that text and columns agree; the type's words), with the precision and recall on
those, since an extractor cannot find a fact the text never states, and a column that
disagrees with its own posting's text ("$18-20/hour" above a 17-20 column) judges the
column, not the reader.

Facts and how a gold cell is read (``search/goldcheck.toml`` holds the site vocabularies):

* ``location`` -> ``city``, ``coordinates``, ``state``, ``country``: "City, ST", "City,
  State, Country", "City, Country" give a city (see ``gold_place``); a state or country
  alone gives only those. A city is found when a place of the posting carries the city's
  key, in the gold state and country; ``coordinates`` when that place has coordinates
  (what ``--near`` needs).
* ``company`` (the first line of the cell: "KnowBe4\\n4.8" is KnowBe4), ``url``.
* ``remote`` (a flag: 1, true, yes; 0, false, no; empty unknown), ``workplace``.
* ``pay`` (text such as "$53K-$91K (Glassdoor est.)", "$44 - $47 per hour",
  "600000 - 1000000", "up to 300000"), or ``pay_min``, ``pay_max``, ``pay_median``,
  ``pay_period``, ``pay_currency`` columns. Correct: same period, same currency where both
  state one, each end within 1% (a single gold figure matches either end).
* ``pay_estimate``: whether the pay is a third party's estimate (from the ``pay`` text).
* ``employment_type``, ``level`` (a set of right answers per site level), ``experience_years``
  (the first number of "3-8 Yrs"), ``posted``, ``closes`` (dates, epoch seconds or
  milliseconds).

A constant stands for a column with one value in every row: ``--map pay_currency==USD``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from search.errors import InputError
from search.ingest.columns import canonical_key, employment_type_of, fold_key, vocabulary
from search.ingest.exports import export_record
from search.ingest.postings import build_posting
from search.ingest.records import FieldError
from search.model import JobPosting, Pay, Place

__all__ = [
    "FACTS",
    "GoldScore",
    "GoldSpec",
    "gold_table",
    "measure_gold",
    "miss_line",
    "parse_gold_map",
]

#: Facts a gold file may judge, in the order the table shows them.
FACTS: tuple[str, ...] = (
    "city",
    "coordinates",
    "state",
    "country",
    "remote",
    "workplace",
    "pay",
    "pay_estimate",
    "employment_type",
    "level",
    "experience_years",
    "company",
    "posted",
    "closes",
    "url",
)
#: Names ``--map`` accepts: the facts above, and the columns some facts are read from.
MAP_KEYS: tuple[str, ...] = (
    "location",
    "company",
    "url",
    "remote",
    "workplace",
    "pay",
    "pay_min",
    "pay_max",
    "pay_median",
    "pay_period",
    "pay_currency",
    "employment_type",
    "level",
    "experience_years",
    "posted",
    "closes",
)
#: Facts only the columns can give (the text mode does not judge them).
COLUMN_ONLY = frozenset({"company", "url", "posted", "closes", "pay_estimate"})
#: Facts for which the text mode also reports the rows whose own words state the fact.
STATED = ("remote", "pay", "employment_type")
#: How far a pay figure may be from the label and still count as the same (1%).
PAY_TOLERANCE = 0.01
MODES = ("text", "indexed")

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class GoldSpec:
    """Which column (or constant) states each fact: ``{"location": "Location"}``."""

    columns: Mapping[str, str] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)

    @property
    def facts(self) -> tuple[str, ...]:
        given = set(self.columns) | set(self.constants)
        judged = set(given)
        if "location" in given:
            judged |= {"city", "coordinates", "state", "country"}
        if given & {"pay", "pay_min", "pay_max", "pay_median"}:
            judged.add("pay")
        if "pay" in given:
            judged.add("pay_estimate")
        return tuple(f for f in FACTS if f in judged)


def parse_gold_map(pairs: Iterable[str]) -> GoldSpec:
    """``["location=Location", "pay_currency==USD"]`` -> a checked ``GoldSpec``."""
    columns: dict[str, str] = {}
    constants: dict[str, str] = {}
    for pair in pairs:
        key, sep, column = pair.partition("=")
        key = key.strip().lower()
        if not sep or not column.strip():
            raise InputError(
                f"expected FACT=COLUMN in --map, got {pair!r}",
                hint="for example --map location=Location --map pay_currency==USD",
            )
        if key not in MAP_KEYS:
            raise InputError(f"unknown fact {key!r} in --map", hint="facts: " + ", ".join(MAP_KEYS))
        if column.startswith("="):
            constants[key] = column[1:].strip()
        else:
            columns[key] = column.strip()
    if not columns and not constants:
        raise InputError("--gold needs at least one --map FACT=COLUMN")
    return GoldSpec(columns, constants)


# -- reading a gold file ----------------------------------------------------------------


def read_rows(path: Path) -> Iterator[tuple[int, Row]]:
    """(line, row) of each record of a CSV, JSON Lines or JSON file (gzip too).

    Read by the formats' own readers (csv, json), since the gold must not depend on the
    reader being measured. The line of a CSV row is where it starts.
    """
    name = path.name.lower().removesuffix(".gz")
    raw = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        raw = gzip.decompress(raw)
    text = raw.decode("utf-8-sig")
    if name.endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text, newline=""))
        start = 2
        for row in reader:
            yield start, {k: v for k, v in row.items() if isinstance(k, str)}
            start = reader.line_num + 1
    elif name.endswith((".jsonl", ".ndjson")):
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                value = json.loads(line)
                if isinstance(value, dict):
                    yield number, value
    elif name.endswith(".json"):
        value = json.loads(text)
        if isinstance(value, dict):
            value = next((v for v in value.values() if isinstance(v, list)), [])
        for number, item in enumerate(value, 1):
            if isinstance(item, dict):
                yield number, item
    else:
        raise InputError(f"cannot read gold from {path.name}", hint="use .csv, .jsonl or .json")


# -- gold values --------------------------------------------------------------------------


@cache
def _vocab() -> dict[str, Any]:
    import tomllib
    from importlib import resources

    return tomllib.loads(resources.files("search").joinpath("goldcheck.toml").read_text("utf-8"))


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]+", "", text.casefold())


def _cell(row: Row, spec: GoldSpec, key: str) -> str:
    if key in spec.constants:
        return spec.constants[key]
    column = spec.columns.get(key)
    value = row.get(column) if column is not None else None
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value).strip()
    return "" if text in ("-1", "nan", "NaN", "None", "null") else text


_FLAGS = {"1": True, "1.0": True, "true": True, "yes": True, "y": True}
_FLAGS |= {"0": False, "0.0": False, "false": False, "no": False, "n": False}


def gold_flag(text: str) -> bool | None:
    return _FLAGS.get(text.strip().casefold())


def gold_workplace(text: str) -> str | None:
    from search.ingest.columns import workplace_of

    return _vocab()["workplaces"].get(_letters(text)) or (workplace_of(text) if text else None)


def gold_employment_type(text: str) -> str | None:
    if not text or _letters(text) in _vocab()["not_employment_types"]["values"]:
        return None
    return employment_type_of(text)


def gold_levels(text: str) -> frozenset[str]:
    return frozenset(_vocab()["levels"].get(_letters(text), ()))


_EPOCH = re.compile(r"\d{9,13}(?:\.0*)?")


def gold_date(text: str) -> date | None:
    """ISO dates and epoch seconds or milliseconds (also written as floats)."""
    if _EPOCH.fullmatch(text):
        seconds = float(text)
        seconds = seconds / 1000 if seconds > 1e11 else seconds
        return datetime.fromtimestamp(seconds, tz=UTC).date()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


_YEARS = re.compile(r"\d{1,2}")


def gold_years(text: str) -> int | None:
    found = _YEARS.search(text)
    return int(found.group()) if found else None


@dataclass(frozen=True, slots=True)
class GoldPlace:
    city: str | None
    state: str | None
    country: str | None


#: A first part naming an area, not a town: "Greater Seattle Area", "Suffolk County".
_AREA = re.compile(r"\b(?:area|greater|metro(?:politan|plex)?|region|county|valley)\b", re.I)
#: A first part that is a street address: "100 Montgomery St", "Abbot Kinney Blvd".
_STREET = re.compile(
    r"\d|\b(?:st|street|ave|avenue|dr|drive|blvd|way|rd|road|pl|place|ln|lane|ct|pkwy|"
    r"hwy|bridge)\.?$",
    re.I,
)
_ZIP = re.compile(r"\s+\d{5}(?:-\d{4})?$")
_NOT_TOWNS = frozenset({"remote", "anywhere", "hybrid", "worldwide", "virtual"})


def gold_place(text: str) -> GoldPlace | None:
    """City, state and country of a structured location cell, or None for other text.

    A city is the first part of "City, ST", "City, State", "City, ST, Country", "City,
    State, Country", "City, Country" (a ZIP after the state is allowed), of "City,
    County, ST", or of those after a street address. "ST"/"State" is a US state or a
    Canadian province; a three-part cell may hold any region code in the middle when it
    ends in a country ("Paris, A8, FR"). A first part that is itself a state, country,
    region, area or remote word is no city ("Virginia, United States", "Remote, US",
    "Suffolk County, NY"); a cell of one state or country gives only that. Puerto Rico is
    its own country, as in ISO 3166 ("Juncos, PR").
    """
    from search.extract import gazetteer as gz
    from search.extract.text import normalize_key

    def state_of(part: str) -> tuple[str, str] | None:
        return gz.lookup_state(part, "US") or gz.lookup_state(part, "CA")

    def country_of(part: str, short: bool) -> str | None:
        return gz.lookup_country(part) if short or len(part) > 2 else None

    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) > 2 and _STREET.search(parts[0]):
        parts = parts[1:]
    if len(parts) == 1:
        alone = state_of(parts[0]) if len(parts[0]) > 2 else None
        if alone:
            return _gold_place(None, alone[1], alone[0])
        country = country_of(parts[0], short=False)
        return GoldPlace(None, None, country) if country else None
    if not 2 <= len(parts) <= 3:
        return None
    first, rest = parts[0], [_ZIP.sub("", p) for p in parts[1:]]
    last, state, country = rest[-1], None, None
    if len(rest) == 1:
        named = state_of(last)
        if named:
            country, state = named
        else:
            country = country_of(last, short=True)
    else:
        country = country_of(last, short=True)
        named = state_of(rest[0])
        if country and named and named[0] == country:
            state = named[1]
        elif country is None and (named := state_of(last)):
            country, state = named  # "Santa Fe Springs, Los Angeles, CA"
    if country is None:
        return None
    key = normalize_key(first)
    first_state = state_of(first)
    if first_state and state is None and first_state[0] == country:
        return _gold_place(None, first_state[1], country)  # "Virginia, United States"
    town = not (
        key in _NOT_TOWNS
        or key in gz.region_aliases()
        or first_state
        or country_of(first, short=False)
        or _AREA.search(first)
        or not re.search(r"[^\W\d_]", first)
    )
    return _gold_place(first if town else None, state, country)


def _gold_place(city: str | None, state: str | None, country: str | None) -> GoldPlace:
    if (state, country) == ("PR", "US"):
        return GoldPlace(city, None, "PR")
    return GoldPlace(city, state, country)


_MONEY = re.compile(
    r"(?P<a>\d[\d,]*(?:\.\d+)?)\s*(?P<ak>[kK])?"
    r"(?:\s*(?:-|–|to)\s*[$£€₹]?\s*(?P<b>\d[\d,]*(?:\.\d+)?)\s*(?P<bk>[kK])?)?"
)
_SIGNS = {"$": "USD", "£": "GBP", "€": "EUR", "₹": "INR"}


def _amount(number: str | None, thousands: str | None) -> float | None:
    if not number:
        return None
    return float(number.replace(",", "")) * (1000 if thousands else 1)


def gold_pay_text(text: str) -> tuple[Pay, bool | None] | None:
    """The pay a structured salary cell states, and whether it is an estimate.

    "$53K-$91K (Glassdoor est.)" (an estimate), "Employer Provided Salary:$80K-$100K",
    "$17-$24 Per Hour(Glassdoor est.)", "600000 - 1000000", "up to 300000", "$130,000+".
    """
    found = _MONEY.search(text)
    if found is None:
        return None
    low = _amount(found["a"], found["ak"])
    high = _amount(found["b"], found["bk"] or (found["ak"] if found["b"] else None))
    folded = text.casefold()
    if high is None and re.search(r"\bup to\b", folded):
        low, high = None, low
    elif high is None and "+" in text[found.end() : found.end() + 2]:
        high = None
    elif high is None:
        high = low
    period = next(
        (p for word, p in _PERIOD_WORDS if re.search(word, folded)),
        "year" if (high or low or 0) >= 1000 else None,
    )
    if period is None:
        return None
    currency = next((code for sign, code in _SIGNS.items() if sign in text), None)
    estimate = True if "glassdoor est" in folded else False if "employer" in folded else None
    return Pay(min=low, max=high, currency=currency, period=period, text=text), estimate


_PERIOD_WORDS = (
    (r"hour|\bhr\b", "hour"),
    (r"\bday\b|daily", "day"),
    (r"week", "week"),
    (r"month", "month"),
    (r"year|annum|annual|\byr\b", "year"),
)


def gold_pay_columns(row: Row, spec: GoldSpec) -> Pay | None:
    from search.ingest.money import amount_of, currency_of, period_of

    low = amount_of(_cell(row, spec, "pay_min"))
    high = amount_of(_cell(row, spec, "pay_max"))
    median = amount_of(_cell(row, spec, "pay_median"))
    if low is None and high is None:
        low = high = median
    if low is None and high is None:
        return None
    period = period_of(_cell(row, spec, "pay_period"))
    if period is None:
        return None
    currency = currency_of(_cell(row, spec, "pay_currency"))
    return Pay(min=low, max=high, currency=currency, period=period)


@dataclass(frozen=True, slots=True)
class Gold:
    """The facts one row states; a fact missing from ``values`` is not judged."""

    values: dict[str, object]
    stated: dict[str, bool]


def gold_of(row: Row, spec: GoldSpec, text: str) -> Gold:
    """Every judged fact of one row, and whether its own text states remote work or pay."""
    values: dict[str, object] = {}
    given = set(spec.columns) | set(spec.constants)
    if "location" in given:
        place = gold_place(_cell(row, spec, "location"))
        if place is not None:
            for name in ("city", "state", "country"):
                if getattr(place, name):
                    values[name] = getattr(place, name)
            if place.city:
                values["coordinates"] = True
    if "company" in given and (company := _cell(row, spec, "company").split("\n")[0].strip()):
        values["company"] = company
    if "url" in given and (url := _cell(row, spec, "url")):
        values["url"] = url
    if "remote" in given and (flag := gold_flag(_cell(row, spec, "remote"))) is not None:
        values["remote"] = flag
    if "workplace" in given and (workplace := gold_workplace(_cell(row, spec, "workplace"))):
        values["workplace"] = workplace
        values.setdefault("remote", workplace == "remote")
    if "pay" in given and (parsed := gold_pay_text(_cell(row, spec, "pay"))):
        values["pay"] = parsed[0]
        if parsed[1] is not None:
            values["pay_estimate"] = parsed[1]
    elif given & {"pay_min", "pay_max", "pay_median"} and (pay := gold_pay_columns(row, spec)):
        values["pay"] = pay
    if "employment_type" in given and (
        kind := gold_employment_type(_cell(row, spec, "employment_type"))
    ):
        values["employment_type"] = kind
    if "level" in given and (levels := gold_levels(_cell(row, spec, "level"))):
        values["level"] = levels
    if (
        "experience_years" in given
        and (years := gold_years(_cell(row, spec, "experience_years"))) is not None
    ):
        values["experience_years"] = years
    for name in ("posted", "closes"):
        if name in given and (day := gold_date(_cell(row, spec, name))):
            values[name] = day
    etype = values.get("employment_type")
    stated = {
        "remote": values.get("remote") is True and _REMOTE_WORDS.search(text) is not None,
        "pay": isinstance(values.get("pay"), Pay) and _states_pay(text, values["pay"]),
        "employment_type": isinstance(etype, str) and _TYPE_WORDS[etype].search(text) is not None,
    }
    return Gold(values, stated)


#: Words that state each employment type, for "the text says it".
_TYPE_WORDS = {
    "full-time": re.compile(r"\bfull[- ]?time\b|\bpermanent\b", re.I),
    "part-time": re.compile(r"\bpart[- ]?time\b", re.I),
    "contract": re.compile(r"\bcontract(?:or)?\b|\bfreelance", re.I),
    "temporary": re.compile(r"\btemporary\b|\btemp\b|\bseasonal\b", re.I),
    "internship": re.compile(r"\bintern(?:ship)?s?\b", re.I),
}
_REMOTE_WORDS = re.compile(
    r"\bremote(?:ly)?\b|\bwork(?:ing)? from (?:home|anywhere)\b|\btelecommut|\bwfh\b", re.I
)


def _states_pay(text: str, pay: Any) -> bool:
    """Whether ``text`` states every figure of the gold pay, so that the text and the
    columns agree: a figure of 1,000 or more in any usual form ("140,000", "140000",
    "140K", "140.000"), a smaller one next to a currency sign or a period ("$44.00",
    "44/hr"; not "44 hours" of work)."""
    figures = dict.fromkeys(v for v in (pay.min, pay.max) if v is not None)
    return bool(figures) and all(_states_figure(text, value) for value in figures)


def _states_figure(text: str, value: float) -> bool:
    forms = "|".join(_forms(value))
    if value >= 1000:
        pattern = rf"(?<![\d.,])(?:{forms})(?![\d]|[.,]\d)"
    else:
        pattern = (
            rf"[$£€₹]\s?(?:{forms})(?![\d]|[.,]\d)|(?<![\d.,])(?:{forms})\s?(?:/|per\s|an?\s)\s?h"
        )
    return re.search(pattern, text, re.I) is not None


def _forms(value: float) -> list[str]:
    forms = {f"{value:,.2f}", f"{value:.2f}"}
    if value == int(value):
        whole = int(value)
        forms |= {f"{whole:,}", str(whole), f"{whole:,}".replace(",", ".")}
        if whole % 1000 == 0 and whole >= 1000:
            forms |= {f"{whole // 1000}k", f"{whole // 1000}K"}
    return [re.escape(f) for f in sorted(forms, key=len, reverse=True)]


# -- judging -------------------------------------------------------------------------------


def _pay_equal(found: Pay, label: Pay) -> bool:
    if found.period != label.period:
        return False
    if found.currency and label.currency and found.currency != label.currency:
        return False

    def near(a: float | None, b: float | None) -> bool:
        return a is not None and b is not None and abs(a - b) <= PAY_TOLERANCE * abs(b)

    if label.min is not None and label.max is not None and not math.isclose(label.min, label.max):
        return near(found.min, label.min) and near(found.max, label.max)
    figure = label.max if label.max is not None else label.min
    return near(found.min, figure) or near(found.max, figure)


def _city_found(posting: JobPosting, values: dict[str, object]) -> Place | None:
    """The posting's place that is the gold city: by the keys the index stores for it
    (aliases, alternates), or because the gazetteer reads the gold's name as that city
    ("Trichy" is Tiruchirappalli); in the gold state and country."""
    from search.extract.gazetteer import lookup_city
    from search.extract.locations import place_keys
    from search.extract.text import normalize_key

    city, state, country = (values.get(k) for k in ("city", "state", "country"))
    key = normalize_key(str(city))
    known: Place | bool | None = False
    for place in posting.places:
        if not place.city or (state and place.state != state):
            continue
        if country and place.country != country:
            continue
        if key == normalize_key(place.city) or key in place_keys(place)["city"]:
            return place
        if known is False:
            known = lookup_city(str(city), _text(state), _text(country))
        if isinstance(known, Place) and known.city == place.city:
            return place
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _answer(fact: str, posting: JobPosting) -> object:
    """What jobsearch says of one fact (None: no answer)."""
    if fact in ("city", "coordinates"):
        return posting.cities[0] if posting.cities else None
    if fact == "state":
        states = [p.state for p in posting.places if p.state]
        return states[0] if states else None
    if fact == "country":
        return posting.countries[0] if posting.countries else None
    if fact == "remote":
        return True if posting.remote else None
    if fact == "pay_estimate":
        return getattr(posting.pay, "estimate", None) if posting.pay else None
    return getattr(posting, fact, None)


def _correct(fact: str, found: object, label: object, posting: JobPosting, gold: Gold) -> bool:
    from search.extract.text import normalize_key

    if fact == "city":
        return _city_found(posting, gold.values) is not None
    if fact == "coordinates":
        place = _city_found(posting, gold.values)
        return place is not None and place.lat is not None
    if fact == "state":
        return any(p.state == label for p in posting.places)
    if fact == "country":
        return label in posting.countries or label in posting.remote_scope
    if fact == "pay":
        return isinstance(found, Pay) and isinstance(label, Pay) and _pay_equal(found, label)
    if fact == "level":
        return isinstance(label, frozenset) and found in label
    if fact == "company":
        return normalize_key(str(found)) == normalize_key(str(label))
    return found == label


@dataclass(slots=True)
class GoldScore:
    """Counts for one fact in one mode; rates are derived (None when undefined)."""

    fact: str
    mode: str
    labelled: int = 0
    found: int = 0
    correct: int = 0
    stated: int = 0
    stated_found: int = 0
    stated_correct: int = 0

    @property
    def precision(self) -> float | None:
        return self.correct / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.labelled if self.labelled else None

    @property
    def stated_precision(self) -> float | None:
        return self.stated_correct / self.stated_found if self.stated_found else None

    @property
    def stated_recall(self) -> float | None:
        return self.stated_correct / self.stated if self.stated else None


@dataclass(frozen=True, slots=True)
class GoldMiss:
    """One judged row where jobsearch and the gold differ."""

    mode: str
    fact: str
    line: int
    title: str
    found: object
    label: object


@dataclass(slots=True)
class GoldReport:
    """The scores of one gold file: rows read, rows no posting could be made of."""

    source: str
    rows: int = 0
    unusable: int = 0
    #: Records holding none of the mapped columns (a file's header object), not judged.
    foreign: int = 0
    scores: dict[tuple[str, str], GoldScore] = field(default_factory=dict)
    misses: list[GoldMiss] = field(default_factory=list)

    def score(self, fact: str, mode: str) -> GoldScore:
        return self.scores.setdefault((fact, mode), GoldScore(fact, mode))


def _text_row(row: Row, spec: GoldSpec) -> Row:
    """The row as words alone: no gold column (but the location) and no fact column."""
    withheld = {fold_key(c) for k, c in spec.columns.items() if k != "location"}
    vocab = vocabulary()
    kept = {}
    for key, value in row.items():
        folded = fold_key(key)
        if folded in withheld or folded in vocab.facts or folded in vocab.ignored:
            continue
        if canonical_key(key) in ("id", "url", "posted"):
            continue
        kept[key] = value
    return kept


def _posting(row: Row, source: str, line: int) -> JobPosting | None:
    try:
        return build_posting(export_record(row, source, line))
    except (FieldError, ValueError):
        return None


def measure_gold(
    path: str | Path, spec: GoldSpec, *, progress: Callable[[int], None] | None = None
) -> GoldReport:
    """Score every judged fact of ``spec`` on the file at ``path``, in both modes."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    columns = list(spec.columns.values())
    report = GoldReport(str(path))
    facts = spec.facts
    first: Row | None = None
    for line, row in read_rows(path):
        first = first or row
        if columns and not any(c in row for c in columns):
            report.foreign += 1  # not a posting of this export (a header object, say)
            continue
        report.rows += 1
        if progress is not None:
            progress(report.rows)
        postings = {
            "text": _posting(_text_row(row, spec), str(path), line),
            "indexed": _posting(row, str(path), line),
        }
        if postings["indexed"] is None:
            report.unusable += 1
            continue
        # Whether the text states a fact is read from the words alone (as indexed, the
        # description also holds the other columns as sections).
        words = postings["text"] or postings["indexed"]
        text = f"{words.title}\n{words.location_text}\n{words.description}"
        gold = gold_of(row, spec, text)
        for mode, posting in postings.items():
            if posting is None:
                continue
            for fact in facts:
                if mode == "text" and fact in COLUMN_ONLY:
                    continue
                _judge(report, mode, fact, posting, gold, line)
    if not report.rows and first is not None:
        raise InputError(
            f"none of the --map columns is in {path.name}",
            hint="columns: " + ", ".join(map(repr, list(first)[:30])),
        )
    return report


def _judge(
    report: GoldReport, mode: str, fact: str, posting: JobPosting, gold: Gold, line: int
) -> None:
    if fact not in gold.values:
        return
    label = gold.values[fact]
    score = report.score(fact, mode)
    found = _answer(fact, posting)
    positive = not (fact == "remote" and label is False)  # a remote flag's negatives
    score.labelled += positive
    stated = gold.stated.get(fact, False)
    score.stated += stated
    if found is None:
        if positive:
            report.misses.append(GoldMiss(mode, fact, line, posting.title, None, label))
        return
    score.found += 1
    score.stated_found += stated
    right = positive and _correct(fact, found, label, posting, gold)
    score.correct += right
    score.stated_correct += right and stated
    if not right:
        report.misses.append(GoldMiss(mode, fact, line, posting.title, found, label))


def miss_line(miss: GoldMiss) -> str:
    """One disagreement as a tab-separated line: mode, fact, line, title, found, label."""
    label = sorted(miss.label) if isinstance(miss.label, frozenset) else miss.label
    title = " ".join(miss.title.split())[:60]
    return f"{miss.mode}\t{miss.fact}\t{miss.line}\t{title}\tfound={miss.found!r}\tgold={label!r}"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def gold_table(report: GoldReport, facts: Sequence[str] | None = None) -> str:
    """The scores as a Markdown table: one row per fact, text and indexed side by side."""
    head = (
        "| fact | labelled | text found | text P | text R | stated | stated P | stated R "
        "| indexed found | indexed P | indexed R |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for fact in facts or FACTS:
        text = report.scores.get((fact, "text"))
        indexed = report.scores.get((fact, "indexed"))
        if text is None and indexed is None:
            continue
        labelled = (indexed or text).labelled  # type: ignore[union-attr]
        cells = [fact, str(labelled)]
        if text is None:
            cells += ["—"] * 6
        else:
            stated = fact in STATED
            cells += [
                str(text.found),
                _rate(text.precision),
                _rate(text.recall),
                str(text.stated) if stated else "—",
                _rate(text.stated_precision) if stated else "—",
                _rate(text.stated_recall) if stated else "—",
            ]
        if indexed is None:
            cells += ["—"] * 3
        else:
            cells += [str(indexed.found), _rate(indexed.precision), _rate(indexed.recall)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
