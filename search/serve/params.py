"""The query-string parameters of the service, declared once.

One table says, for every parameter, its name in the URL, what it is and what it means;
the same table reads a request's query string (``read``) and writes the parameters of
the OpenAPI document (``openapi_parameters``), so the two cannot drift apart. Filter
values go to ``Filters.of`` as typed, exactly as the command line passes them, so a bad
value gets the same one-line message here as there.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from search.errors import InvalidFilterError
from search.results import SORTS

__all__ = [
    "FACETS",
    "FILTERS",
    "NEW",
    "SEARCH",
    "SIMILAR",
    "Param",
    "library_filters",
    "openapi_parameters",
    "query_string",
    "read",
]

Kind = Literal["text", "texts", "bool", "int", "choice"]


@dataclass(frozen=True, slots=True)
class Param:
    """One query-string parameter: ``name`` in the URL, ``key`` in the library call."""

    name: str
    kind: Kind
    help: str
    key: str = ""
    choices: tuple[str, ...] = ()
    least: int | None = None
    most: int | None = None
    default: object = None
    #: Longest value, in characters (None: the library checks it, and says so in its
    #: own words, as the query text's limits are).
    chars: int | None = 1_000  # MAX_VALUE_CHARS

    @property
    def target(self) -> str:
        return self.key or self.name


#: The filters of ``JobIndex.search`` (``Filters``), as the command line offers them.
FILTERS: tuple[Param, ...] = (
    Param("city", "texts", "City (repeat to OR): 'Seattle, WA', NYC."),
    Param("state", "texts", "State or region: WA, California."),
    Param("country", "texts", "Country name or ISO code: DE, Germany, GB; or Europe, EMEA."),
    Param("skill", "texts", "Skill or alias: pytorch, NLP, k8s."),
    Param("role", "texts", "Role family: 'data scientist', engineer."),
    Param("level", "texts", "intern, entry, mid, senior, principal, manager."),
    Param(
        "type",
        "texts",
        "full-time, part-time, contract, temporary, internship.",
        key="employment_type",
    ),
    Param("company", "texts", "Employer (any case or punctuation)."),
    Param("exclude_company", "texts", "Leave out postings of this employer."),
    Param("workplace", "texts", "remote, hybrid or onsite (repeat to OR)."),
    Param("remote", "bool", "true: same as workplace=remote; false: workplace=onsite."),
    Param(
        "salary_min",
        "text",
        "Yearly pay the posting's range reaches: 150000, 150k. Postings stating no pay are "
        "left out (a note counts them).",
    ),
    Param("currency", "text", "Currency of salary_min: USD, EUR, GBP."),
    Param("estimates", "bool", "With salary_min, count pay that is only a job site's estimate."),
    Param("max_years", "text", "At most N years of experience required."),
    Param("degree", "text", "The highest degree you hold: none, bachelor, master, phd."),
    Param("near", "text", "A city to search around: 'Palo Alto, CA'."),
    Param("radius", "text", "Distance for near: 50km (default), 30mi.", key="radius_km"),
    Param("exclude", "texts", "Leave out postings with this word."),
    Param("since", "text", "Posted on or after: today, yesterday, 3d, 2w, 1m or YYYY-MM-DD."),
    Param(
        "indexed_after",
        "text",
        "First indexed after this moment (ISO 8601): what is new since a visit.",
    ),
)

#: The parameters of a search besides its filters.
SEARCH: tuple[Param, ...] = (
    Param(
        "q",
        "text",
        'Keywords, "quoted phrases", AND/OR/NOT, -word to exclude.',
        key="text",
        chars=None,
    ),
    Param("sort", "choice", "Order of the hits.", choices=SORTS, default="relevance"),
    Param("page", "int", "The page of hits wanted.", least=1, most=10_000, default=1),
    Param("limit", "int", "Hits per page.", least=1, most=100, default=10),
    Param("title", "bool", "Match the query in titles only.", key="title_only", default=False),
    Param(
        "literal",
        "bool",
        "Search the words as typed (no place or level words read).",
        default=False,
    ),
    Param("all", "bool", "List each copy of a job posted for several places.", default=False),
    Param("explain", "bool", "Attach each hit's score parts.", default=False),
    Param("facets", "bool", "Count facets over every match.", default=True),
    Param(
        "facet_top", "int", "How many values of each facet to count.", least=1, most=100, default=10
    ),
)

#: The parameters of ``/api/facets``.
FACETS: tuple[Param, ...] = (
    SEARCH[0],
    SEARCH[5],
    Param(
        "facet_top", "int", "How many values of each facet to count.", least=1, most=100, default=10
    ),
)

#: The parameters of ``/api/postings/{id}/similar``.
SIMILAR: tuple[Param, ...] = (
    Param("limit", "int", "How many postings.", least=1, most=50, default=5),
)

#: The parameters of ``/api/new``.
NEW: tuple[Param, ...] = (Param("watch", "text", "Only this saved search."),)

#: Longest value of one parameter. The query text is the library's to check (with the
#: message the command line gives); its limit is the same 1,000 characters.
MAX_VALUE_CHARS = 1_000

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
#: Most values of one repeated parameter.
MAX_VALUES = 50


def _one(param: Param, values: Sequence[str]) -> str:
    if len(values) > 1:
        raise InvalidFilterError(
            f"parameter {param.name!r} is given {len(values)} times", hint="give it once"
        )
    return values[0]


def _value(param: Param, values: Sequence[str]) -> object:
    """The value of one parameter, checked for what it is."""
    for value in values:
        if param.chars is not None and len(value) > param.chars:
            raise InvalidFilterError(
                f"parameter {param.name!r} is {len(value):,} characters long; "
                f"the limit is {param.chars:,}"
            )
    if param.kind == "texts":
        if len(values) > MAX_VALUES:
            raise InvalidFilterError(
                f"parameter {param.name!r} has {len(values)} values; the limit is {MAX_VALUES}"
            )
        return [v for v in values if v.strip()]
    value = _one(param, values)
    if param.kind == "bool":
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise InvalidFilterError(f"parameter {param.name!r} takes true or false, not {value!r}")
    if param.kind == "int":
        text = value.strip()
        least, most = param.least or 0, param.most or 0
        if not text.isascii() or not text.isdigit() or not least <= int(text) <= most:
            raise InvalidFilterError(
                f"parameter {param.name!r} takes a whole number from {least} to {most:,}, "
                f"not {value!r}"
            )
        return int(text)
    if param.kind == "choice" and value not in param.choices:
        raise InvalidFilterError(
            f"parameter {param.name!r} takes {', '.join(param.choices)}, not {value!r}"
        )
    return value


def read(
    query: Iterable[tuple[str, str]], *groups: Sequence[Param], defaults: bool = True
) -> dict[str, Any]:
    """The library arguments a query string gives, checked against ``groups``.

    An unknown parameter is an error naming the nearest known one: a misspelt filter
    must not be dropped silently. Blank values count as not given."""
    known = {p.name: p for group in groups for p in group}
    given: dict[str, list[str]] = {}
    for name, value in query:
        given.setdefault(name, []).append(value)
    unknown = sorted(set(given) - set(known))
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(known), n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"parameters: {', '.join(known)}"
        raise InvalidFilterError(f"unknown parameter {unknown[0]!r}", hint=hint)
    out: dict[str, Any] = {}
    for name, param in known.items():
        values = [v for v in given.get(name, ()) if v.strip() or param.kind == "texts"]
        if values:
            read_value = _value(param, values)
            if read_value != []:
                out[param.target] = read_value
                continue
        if defaults and param.default is not None:
            out[param.target] = param.default
    return out


def _schema(param: Param) -> dict[str, Any]:
    if param.kind == "texts":
        return {
            "type": "array",
            "items": {"type": "string", "maxLength": param.chars or MAX_VALUE_CHARS},
            "maxItems": MAX_VALUES,
        }
    if param.kind == "bool":
        schema: dict[str, Any] = {"type": "boolean"}
    elif param.kind == "int":
        schema = {"type": "integer", "minimum": param.least, "maximum": param.most}
    elif param.kind == "choice":
        schema = {"type": "string", "enum": list(param.choices)}
    else:
        schema = {"type": "string", "maxLength": param.chars or MAX_VALUE_CHARS}
    if param.default is not None:
        schema["default"] = param.default
    return schema


def openapi_parameters(*groups: Sequence[Param]) -> list[dict[str, Any]]:
    """The OpenAPI ``parameters`` of an operation taking ``groups``."""
    return [
        {
            "name": p.name,
            "in": "query",
            "required": False,
            "description": p.help,
            "schema": _schema(p),
            **({"style": "form", "explode": True} if p.kind == "texts" else {}),
        }
        for group in groups
        for p in group
    ]


def query_string(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """``values`` (named by URL names) as query-string pairs: lists repeat, booleans are
    "true"/"false", blanks are left out."""
    pairs: list[tuple[str, str]] = []
    for name, value in values.items():
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if item is None or item == "":
                continue
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            pairs.append((name, text))
    return pairs


def library_filters(given: Mapping[str, object]) -> dict[str, object]:
    """Filters named as in URLs (``type``, ``radius``) or as in the library
    (``employment_type``, ``radius_km``) under their library names; ``Filters.of``
    checks the values."""
    names = {p.name: p.target for p in FILTERS}
    return {names.get(name, name): value for name, value in given.items()}
