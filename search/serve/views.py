"""What the web page shows, as plain values for its templates: links that add or remove a
filter, facet lists, pages, marked snippets, posting facts.

Everything a posting says is hostile. Templates escape every value (autoescape is on for
all of them); the only markup built here is ``marked`` (a snippet escaped first, its match
marks then turned into balanced ``<mark>`` elements) and ``paragraphs`` (escaped lines
joined by ``<br>``), both from escaped text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup, escape

from search.filters import POSTED_BANDS
from search.model import JobPosting
from search.records import pay_figures
from search.results import MARK_CLOSE, MARK_OPEN
from search.serve import params

__all__ = [
    "FACETS",
    "Choice",
    "FacetView",
    "Link",
    "apply_link",
    "chips",
    "facet_views",
    "marked",
    "pager",
    "paragraphs",
    "places",
    "safe_url",
    "search_url",
    "sort_links",
]

Pairs = list[tuple[str, str]]

#: Parameters that name a filter (their URL names); picking one of them returns to page 1.
FILTER_NAMES: frozenset[str] = frozenset(p.name for p in params.FILTERS)
#: Filters taking one value: picking another replaces it.
SINGLE: frozenset[str] = frozenset(p.name for p in params.FILTERS if p.kind != "texts")
#: How each filter is named on the page.
LABELS: dict[str, str] = {
    "city": "City",
    "state": "State",
    "country": "Country",
    "skill": "Skill",
    "role": "Role",
    "level": "Level",
    "type": "Type",
    "company": "Employer",
    "exclude_company": "Not employer",
    "workplace": "Workplace",
    "remote": "Remote",
    "salary_min": "Pay from",
    "currency": "Currency",
    "estimates": "Pay estimates",
    "max_years": "Years at most",
    "degree": "Degree",
    "near": "Near",
    "radius": "Radius",
    "exclude": "Without word",
    "since": "Posted since",
    "indexed_after": "New since",
}

#: The facets of ``SearchResults.facets`` the page offers, in order: (facet, heading,
#: the filter a value sets).
FACETS: tuple[tuple[str, str, str], ...] = (
    ("city", "City", "city"),
    ("company", "Employer", "company"),
    ("workplace", "Workplace", "workplace"),
    ("pay", "Pay band", "salary_min"),
    ("level", "Level", "level"),
    ("employment_type", "Type", "type"),
    ("skill", "Skills", "skill"),
    ("posted", "Posted", "since"),
    ("role", "Role", "role"),
    ("country", "Country", "country"),
    ("experience", "Experience", "max_years"),
)
#: A posted band ("past week") -> the ``since`` value whose search it counts ("7d").
SINCE: dict[str, str] = dict(POSTED_BANDS)
#: A facet value counting the matches that state no value (not a filter value).
UNKNOWN = "unknown"

_PAY_BAND = re.compile(r"^([A-Z]{3}) (\d+)(?:-(\d+))?k\+?$")
_YEAR_BAND = re.compile(r"^(\d+)-(\d+) years$")


@dataclass(frozen=True, slots=True)
class Link:
    """A link of the page: text, address and whether it is the one in use."""

    text: str
    href: str
    current: bool = False


@dataclass(frozen=True, slots=True)
class Choice:
    """One facet value: its text, count (None when not counted), the link that picks it
    (or drops it when ``picked``), and None for a value that is not a filter."""

    text: str
    count: int | None
    href: str | None
    picked: bool = False

    @property
    def count_text(self) -> str:
        return "" if self.count is None else f"{self.count:,}"


@dataclass(frozen=True, slots=True)
class FacetView:
    name: str
    heading: str
    choices: tuple[Choice, ...]


def search_url(pairs: Iterable[tuple[str, str]], path: str = "/") -> str:
    """The address of a search: ``path`` and its query string."""
    query = urlencode(list(pairs))
    return f"{path}?{query}" if query else path


def without_page(pairs: Sequence[tuple[str, str]]) -> Pairs:
    return [(k, v) for k, v in pairs if k != "page"]


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _toggle(pairs: Sequence[tuple[str, str]], name: str, value: str) -> tuple[Pairs, bool]:
    """The pairs with ``name=value`` picked (added; replacing a one-value filter) or, when
    it is already picked, dropped; and whether it was picked."""
    base = without_page(pairs)
    picked = any(k == name and _same(v, value) for k, v in base)
    if picked:
        return [(k, v) for k, v in base if not (k == name and _same(v, value))], True
    if name in SINGLE:
        base = [(k, v) for k, v in base if k != name]
    return [*base, (name, value)], False


def _pay_pairs(value: str) -> list[tuple[str, str]] | None:
    """``"USD 150-200k"`` -> salary_min=150000, currency=USD (the range reaches it)."""
    match = _PAY_BAND.match(value)
    if not match:
        return None
    low = int(match.group(2)) * 1000
    return [("salary_min", str(max(low, 1))), ("currency", match.group(1))]


def _year_value(value: str) -> str | None:
    """``"2-3 years"`` -> "3" (at most 3 years); "10+ years" sets no upper bound."""
    match = _YEAR_BAND.match(value)
    return match.group(2) if match else None


class _Base:
    """The search a facet list links from, its query string encoded once: most links
    only add one pair to it."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.pairs = list(pairs)
        self.base = without_page(pairs)
        self.encoded = urlencode(self.base)
        self.given = {(k, v.strip().casefold()) for k, v in self.base}

    def has(self, name: str, value: str) -> bool:
        return (name, value.strip().casefold()) in self.given

    def adding(self, name: str, value: str) -> str:
        one = urlencode([(name, value)])
        return f"/?{self.encoded}&{one}" if self.encoded else f"/?{one}"


def _choice(base: _Base, name: str, value: str, count: int | None) -> Choice:
    pairs = base.pairs
    if value == UNKNOWN:
        return Choice("not stated", count, None)
    if name == "salary_min":
        set_to = _pay_pairs(value)
        if set_to is None:
            return Choice(value, count, None)
        picked = all(base.has(n, x) for n, x in set_to)
        kept = [(k, v) for k, v in base.base if k not in ("salary_min", "currency")]
        if not picked:
            kept += set_to
        return Choice(value, count, search_url(kept), picked)
    if name == "since":
        since = SINCE.get(value)
        if since is None:
            return Choice(value, count, None)
        toggled, picked = _toggle(pairs, name, since)
        return Choice(value, count, search_url(toggled), picked)
    if name == "max_years":
        years = _year_value(value)
        if years is None:
            return Choice(value, count, None)
        toggled, picked = _toggle(pairs, name, years)
        return Choice(f"up to {years} years ({value})", count, search_url(toggled), picked)
    if name not in SINGLE and not base.has(name, value):
        return Choice(value, count, base.adding(name, value))
    toggled, picked = _toggle(pairs, name, value)
    return Choice(value, count, search_url(toggled), picked)


def facet_views(facets: Mapping[str, Mapping[str, int]], pairs: Pairs) -> list[FacetView]:
    """The facet lists of a search, each value with its count and the link that picks it
    (a posted band picks the ``since`` value whose total it counted)."""
    base = _Base(pairs)
    views = []
    for facet, heading, name in FACETS:
        counts = facets.get(facet)
        if not counts:
            continue
        choices = tuple(_choice(base, name, value, n) for value, n in counts.items())
        views.append(FacetView(facet, heading, choices))
    return views


def chips(pairs: Pairs) -> list[Link]:
    """The filters in use, each a link that removes it."""
    base = without_page(pairs)
    out = []
    for i, (name, value) in enumerate(base):
        if name not in FILTER_NAMES or not value.strip():
            continue
        rest = base[:i] + base[i + 1 :]
        out.append(Link(f"{LABELS.get(name, name)}: {value}", search_url(rest)))
    return out


def sort_links(pairs: Pairs, current: str) -> list[Link]:
    base = [(k, v) for k, v in without_page(pairs) if k != "sort"]
    return [
        Link(
            order,
            search_url(base + ([("sort", order)] if order != "relevance" else [])),
            order == current,
        )
        for order in ("relevance", "newest", "pay")
    ]


def pager(pairs: Pairs, page: int, pages: int) -> dict[str, object]:
    """Previous and next links and a window of page numbers (None marks a gap)."""
    base = without_page(pairs)

    def at(number: int) -> str:
        return search_url(base + ([("page", str(number))] if number > 1 else []))

    wanted = {1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)}
    numbers: list[Link | None] = []
    last = 0
    for number in sorted(n for n in wanted if 1 <= n <= pages):
        if number > last + 1:
            numbers.append(None)
        numbers.append(Link(str(number), at(number), number == page))
        last = number
    return {
        "prev": at(page - 1) if page > 1 else None,
        "next": at(page + 1) if page < pages else None,
        "numbers": numbers if pages > 1 else [],
    }


_MARKS = re.compile(f"({re.escape(MARK_OPEN)}|{re.escape(MARK_CLOSE)})")


def marked(snippet: str) -> Markup:
    """A snippet as HTML: its text escaped, its match marks as ``<mark>``. Marks are
    kept balanced whatever the text holds (a posting may itself contain "<em>")."""
    out: list[str] = []
    open_ = False
    for part in _MARKS.split(snippet):
        if part == MARK_OPEN:
            if not open_:
                out.append("<mark>")
                open_ = True
        elif part == MARK_CLOSE:
            if open_:
                out.append("</mark>")
                open_ = False
        else:
            out.append(str(escape(part)))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


def paragraphs(text: str) -> list[Markup]:
    """A description as paragraphs (split at blank lines), each line escaped and the
    lines of a paragraph joined by ``<br>``."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    out = []
    for block in blocks:
        lines = [str(escape(line.strip())) for line in block.split("\n") if line.strip()]
        if lines:
            out.append(Markup("<br>\n".join(lines)))
    return out


def safe_url(url: object) -> str | None:
    """``url`` when it is an http(s) address a browser may open, else None."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    if any(c.isspace() or ord(c) < 32 for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def apply_link(posting: JobPosting) -> tuple[str, str | None] | None:
    """(what the posting gives as its address, that address if it may be a link)."""
    given = posting.extra.get("apply_url") or posting.url
    if not given:
        return None
    return given, safe_url(given)


def places(posting: JobPosting, most: int = 4) -> str:
    labels = list(dict.fromkeys(p.label() for p in posting.places if p.label()))
    if not labels:
        return posting.location_text
    shown = "; ".join(labels[:most])
    return shown + (f" and {len(labels) - most} more" if len(labels) > most else "")


def pay(posting: JobPosting) -> str:
    return pay_figures(posting.pay) if posting.pay is not None else ""


def years(posting: JobPosting) -> str:
    n = posting.experience_years
    if n is None:
        return ""
    return f"{n}+ year{'s' * (n != 1)}"


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()
