"""The column vocabulary: which key names mean what, and which values mean nothing.

Exports name the same thing a dozen ways (``jobId``, ``Job ID``, ``requisition_id``) and
fill empty cells with words ("Not Provided", "N/A"). The names and words live in
``vocab/columns.toml`` so that a new exporter's spelling is one line of data; this module
only folds names and looks them up. A user's ``field_map`` (``description=Job Summary``)
comes first, for exports no rule recognises.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

from search.errors import InputError

#: Canonical keys of a ``RawRecord``, in the order their problems are reported.
CANONICAL_KEYS = ("id", "title", "location", "description", "posted", "company", "url")
#: Structured facts an export column may state (see ``[facts]`` in the vocabulary).
FACT_KEYS = (
    "employment_type",
    "workplace",
    "remote",
    "level",
    "experience",
    "closes",
    "apply_url",
    "pay_min",
    "pay_max",
    "pay_single",
    "pay_currency",
    "pay_period",
    "pay_text",
    "company_rating",
)

_KEY_NOISE = re.compile(r"[\s_\-]+")
_NOT_LETTERS = re.compile(r"[^a-z]+")


def fold_key(key: str) -> str:
    """``job_id``, ``jobId``, ``Job ID`` -> ``jobid``: one spelling to look up."""
    return _KEY_NOISE.sub("", key).casefold()


def fold_value(value: str) -> str:
    """``FULL_TIME``, ``Full-time``, ``full time`` -> ``fulltime``, for vocabulary lookups."""
    return _NOT_LETTERS.sub("", value.casefold())


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """``vocab/columns.toml`` as lookup tables, built once per process."""

    #: folded column name -> (canonical key, rank: lower wins)
    canonical: dict[str, tuple[str, int]]
    #: folded column name -> (fact key, rank: lower wins)
    facts: dict[str, tuple[str, int]]
    place_parts: tuple[str, ...]
    ignored: frozenset[str]
    #: folded column names starting with one of these are ignored (company bookkeeping)
    ignored_prefixes: tuple[str, ...]
    placeholders: frozenset[str]
    #: folded value -> normalised value
    employment_types: dict[str, str]
    workplaces: dict[str, str]
    levels: dict[str, str]


def _invert(groups: Mapping[str, list[str]]) -> dict[str, str]:
    return {alias: name for name, aliases in groups.items() for alias in aliases}


def _ranked(groups: Mapping[str, list[str]]) -> dict[str, tuple[str, int]]:
    ranked = (
        (name, rank, alias)
        for name, aliases in groups.items()
        for rank, alias in enumerate(aliases)
    )
    return {alias: (name, rank) for name, rank, alias in ranked}


@functools.cache
def vocabulary() -> Vocabulary:
    """The parsed vocabulary (a few hundred names; cheap, but read once)."""
    text = resources.files("search.ingest").joinpath("vocab/columns.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    return Vocabulary(
        canonical=_ranked(raw["aliases"]),
        facts=_ranked(raw["facts"]),
        place_parts=tuple(raw["places"]["parts"]),
        ignored=frozenset(raw["ignored"]["columns"]),
        ignored_prefixes=tuple(raw["ignored"]["prefixes"]),
        placeholders=frozenset(raw["placeholders"]["values"]),
        employment_types=_invert(raw["employment_types"]),
        workplaces=_invert(raw["workplaces"]),
        levels=_invert(raw["levels"]),
    )


def canonical_key(key: str) -> str | None:
    """The canonical key a column or JSON key stands for, or None when it is unknown."""
    hit = vocabulary().canonical.get(fold_key(key))
    return hit[0] if hit else None


#: Longer than any placeholder: such text is never compared with them.
PLACEHOLDER_MAX = 20


def is_placeholder(text: str) -> bool:
    """True for a value that stands for no value ("Not Provided", "N/A", "-")."""
    return len(text) <= PLACEHOLDER_MAX and text.strip().casefold() in vocabulary().placeholders


def clean(text: str) -> str:
    """``text`` without outer white space, or "" when it is a placeholder."""
    text = text.strip()
    if len(text) > PLACEHOLDER_MAX:
        return text
    return "" if text.casefold() in vocabulary().placeholders else text


def employment_type_of(value: str) -> str | None:
    """full-time, part-time, contract, temporary or internship; None when not one of them.

    Boards list several ("FULL_TIME, PART_TIME"); the first one known wins, since it is
    the one the board put first.
    """
    table = vocabulary().employment_types
    for part in re.split(r"[,;/|]| or | and ", value):
        found = table.get(fold_value(part))
        if found:
            return found
    return None


def workplace_of(value: str) -> str | None:
    """remote, hybrid or onsite; None when the value is none of them ("unspecified")."""
    return vocabulary().workplaces.get(fold_value(value))


def level_of(value: str) -> str | None:
    """A level of ``search.extract.roles.LEVELS`` from a site's label ("Mid-Senior level",
    "Entry-Level, Junior"); None when the label names none ("Not Applicable", "Any").

    The mapping is the ``[levels]`` table of the vocabulary, which says why each label
    sits where it does; of a list, the first known label wins.
    """
    table = vocabulary().levels
    for part in re.split(r"[,;/|]", value):
        found = table.get(fold_value(part))
        if found:
            return found
    return None


# --- the user's field map -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldMap:
    """Columns the user named for keys: ``{"description": "Job Summary"}``.

    A mapped column wins over every rule; the other columns are still read by the rules.
    Build one with ``parse_field_map``, which checks it.
    """

    #: key -> column, as the user spelled it
    columns: Mapping[str, str]
    #: folded column -> key, for lookups
    by_column: Mapping[str, str]

    def missing_from(self, header: Iterable[str]) -> list[str]:
        """Mapped columns that a header lacks, as the user spelled them."""
        present = {fold_key(name) for name in header}
        return [column for column in self.columns.values() if fold_key(column) not in present]


def parse_field_map(spec: Mapping[str, str] | Iterable[str] | None) -> FieldMap | None:
    """A checked ``FieldMap`` from ``{"title": "Role"}`` or ``["title=Role", ...]``.

    Raises ``InputError`` naming the bad entry and the keys that may be mapped, so a typo
    in ``--map`` fails before any file is read.
    """
    if spec is None:
        return None
    pairs = list(spec.items()) if isinstance(spec, Mapping) else [_split_pair(s) for s in spec]
    allowed = CANONICAL_KEYS + FACT_KEYS
    columns: dict[str, str] = {}
    for raw_key, raw_column in pairs:
        key, column = str(raw_key).strip().lower(), str(raw_column).strip()
        if key not in allowed:
            raise InputError(
                f"unknown key {raw_key!r} in the field map", hint="keys: " + ", ".join(allowed)
            )
        if not column:
            raise InputError(f"no column given for {key!r} in the field map")
        if key in columns:
            raise InputError(f"{key!r} is mapped twice in the field map")
        taken = [k for k, c in columns.items() if fold_key(c) == fold_key(column)]
        if taken:
            raise InputError(f"column {column!r} is mapped to both {taken[0]!r} and {key!r}")
        columns[key] = column
    if not columns:
        return None
    return FieldMap(columns, {fold_key(column): key for key, column in columns.items()})


def _split_pair(text: str) -> tuple[str, str]:
    key, sep, column = str(text).partition("=")
    if not sep:
        raise InputError(
            f"expected KEY=COLUMN in the field map, got {text!r}",
            hint="for example description='Job Summary'",
        )
    return key, column
