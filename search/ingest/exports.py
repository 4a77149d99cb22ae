"""Any export's columns -> one record: known keys, facts, and every other text column.

Scrapers and aggregators name columns as they like. A column is, in this order: what the
user's field map says it is; a canonical key (``Job Title``, ``Apply Link``); a
structured fact (``Employment Type``, ``salary_min``); a part of an address; ignored
bookkeeping (``logo``, ``scraped_at``); or else text, kept under its own name as a
section of the description, so "Minimum Qualifications" is searchable like the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from search.ingest.columns import (
    CANONICAL_KEYS,
    PLACEHOLDER_MAX,
    FieldMap,
    Vocabulary,
    clean,
    employment_type_of,
    fold_key,
    vocabulary,
    workplace_of,
)
from search.ingest.dates import date_of, iso_date
from search.ingest.draft import Draft, plain_text
from search.ingest.htmltext import html_to_text
from search.ingest.money import make_pay, period_of
from search.ingest.records import FieldError, RawRecord, json_kind
from search.model import Pay

#: Keys of a place object that name it outright, and the parts to join when none does.
_PLACE_NAME_KEYS = ("name", "locationname", "label", "displayname", "text")
_PLACE_PART_KEYS = ("city", "region", "state", "country")
_TRUE = frozenset({"true", "yes", "y", "1"})

Candidate = tuple[int, str, str, object]


def _place_text(place: object, key: str) -> str:
    """One place of a location list: a string, or an object with a name or city parts."""
    if isinstance(place, str):
        return clean(place)
    if isinstance(place, dict):
        folded = {fold_key(str(k)): v for k, v in place.items()}
        for name_key in _PLACE_NAME_KEYS:
            name = folded.get(name_key)
            if isinstance(name, str) and clean(name):
                return clean(name)
        parts = [folded.get(k) for k in _PLACE_PART_KEYS]
        return ", ".join(clean(p) for p in parts if isinstance(p, str) and clean(p))
    raise FieldError(
        f"field {key!r} must be text or a list of places, got list of {json_kind(place)}"
    )


def _location_text(value: object, key: str) -> str:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return _place_text(value, key)
    if isinstance(value, list):
        names = (_place_text(place, key) for place in value)
        return "; ".join(dict.fromkeys(name for name in names if name))
    raise FieldError(f"field {key!r} must be text or a list of places, got {json_kind(value)}")


def _text(canonical: str, folded: str, key: str, value: object) -> str:
    """The text of one value, or FieldError naming the key as the file spells it."""
    if canonical == "location":
        return _location_text(value, key)
    if isinstance(value, str):
        text = clean(value)
        if canonical != "description" or not text:
            return text
        return html_to_text(text) if folded == "descriptionhtml" else plain_text(text)
    if canonical == "id" and isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    raise FieldError(f"field {key!r} must be text, got {json_kind(value)}")


#: What a column is: ("key", canonical, rank), ("fact", name, 0), ("part", folded, 0),
#: ("ignored", "", 0) or ("text", "", 0).
Kind = tuple[str, str, int]
#: Kinds of column names already seen without a field map (exports repeat their keys).
_KINDS: dict[str, tuple[str, Kind]] = {}
#: Column names already seen that are plain canonical keys -> that key, for the fast path.
_SIMPLE: dict[str, str] = {}


def _kind(key: str, vocab: Vocabulary, field_map: FieldMap | None) -> tuple[str, Kind]:
    """(folded name, kind) of a column, in the order the module docstring gives."""
    if field_map is None and (known := _KINDS.get(key)) is not None:
        return known
    folded = fold_key(key)
    mapped = field_map.by_column.get(folded) if field_map else None
    kind: Kind
    if mapped in CANONICAL_KEYS:
        kind = ("key", mapped, -1)
    elif mapped:
        kind = ("fact", mapped, -1)
    elif (hit := vocab.canonical.get(folded)) is not None:
        # A column the map displaces (the map names another for its key) is kept as text.
        displaced = field_map is not None and hit[0] in field_map.columns
        kind = ("text", "", 0) if displaced else ("key", *hit)
    elif (fact := vocab.facts.get(folded)) is not None:
        kind = ("fact", fact, 0)
    elif folded in vocab.place_parts:
        kind = ("part", folded, 0)
    else:
        kind = ("ignored" if folded in vocab.ignored else "text", "", 0)
    if field_map is None and len(_KINDS) < 10_000:
        _KINDS[key] = (folded, kind)
        if kind[0] == "key" and folded != "descriptionhtml":
            _SIMPLE[key] = kind[1]
    return folded, kind


class _Columns:
    """One record's columns sorted by what they are; see the module docstring."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.candidates: dict[str, list[Candidate]] = {}
        self.facts: dict[str, tuple[str, object]] = {}
        self.parts: dict[str, str] = {}
        self.extra: list[tuple[str, object]] = []

    def add(self, key: str, value: object, field_map: FieldMap | None) -> None:
        folded, (kind, name, rank) = _kind(key, self.vocab, field_map)
        if kind == "key":
            self.candidates.setdefault(name, []).append((rank, folded, key, value))
        elif kind == "fact":
            if rank < 0 or name not in self.facts:
                self.facts[name] = (key, value)
        elif kind == "part":
            if isinstance(value, str) and clean(value):
                self.parts[folded] = clean(value)
        elif kind == "text":
            self.extra.append((key, value))

    def best(self, canonical: str) -> tuple[str, str]:
        """(key, text) of the best-ranked non-empty value; only its type is checked."""
        found = self.candidates.get(canonical)
        if not found:
            return "", ""
        for _, folded, key, value in sorted(found, key=_rank) if len(found) > 1 else found:
            text = _text(canonical, folded, key, value)
            if text:
                return key, text
        return "", ""


def _rank(candidate: Candidate) -> int:
    return candidate[0]


def export_record(
    pairs: dict[str, Any] | Iterable[tuple[Any, Any]],
    source: str,
    line: int,
    field_map: FieldMap | None = None,
) -> RawRecord:
    """A record from one row or object of an export; FieldError when it cannot be indexed.

    Unknown keys holding text become sections of the description, under their own name;
    a posted date that cannot be read is kept the same way rather than losing the row.
    """
    if isinstance(pairs, dict):
        if field_map is None:
            fast = _plain_record(pairs, source, line)
            if fast is not None:
                return fast
        items: Iterable[tuple[Any, Any]] = pairs.items()
    else:
        items = pairs
    columns = _Columns(vocabulary())
    for key, value in items:
        if value is not None and isinstance(key, str):
            columns.add(key, value, field_map)
    draft = Draft()
    draft.id = columns.best("id")[1]
    draft.title = columns.best("title")[1]
    draft.description = columns.best("description")[1]
    draft.company = columns.best("company")[1]
    draft.url = columns.best("url")[1]
    draft.location = columns.best("location")[1] or _joined_parts(columns)
    posted_key, posted = columns.best("posted")
    draft.posted = iso_date(posted)
    if posted and not draft.posted:
        draft.add_section(posted_key, posted)
    _read_facts(columns, draft)
    for key, value in columns.extra:
        draft.add_section(key, value)
    return draft.record(source, line)


def _plain_record(row: dict[str, Any], source: str, line: int) -> RawRecord | None:
    """The record of a row of canonical text keys, each once (the common case, kept
    fast); None when the row needs the general path (another column, a repeated key,
    a non-text value, an HTML-only description, a date to keep as text)."""
    fields: dict[str, str] = {}
    placeholders = vocabulary().placeholders
    for key, value in row.items():
        if value is None:
            continue
        canonical = _SIMPLE.get(key)
        if canonical is None or canonical in fields or value.__class__ is not str:
            return None
        text = value.strip()
        if text and (len(text) > PLACEHOLDER_MAX or text.casefold() not in placeholders):
            fields[canonical] = text
    posted = fields.get("posted")
    if posted is not None and not (len(posted) == 10 and posted[4] == posted[7] == "-"):
        fields["posted"] = iso_date(posted)
        if not fields["posted"]:
            return None
    description = fields.get("description")
    if description is None:
        return None
    if "<" in description or "&" in description:
        fields["description"] = plain_text(description)
    return RawRecord(fields, source, line)


def may_describe(columns: Iterable[str], field_map: FieldMap | None = None) -> bool:
    """Whether rows with these columns can have a description: a description column, or
    any column of text that would become a section of one."""
    vocab = vocabulary()
    for name in map(fold_key, columns):
        key = field_map.by_column.get(name) if field_map else None
        if key is None:
            key = vocab.canonical.get(name, (None, 0))[0]
        if key == "description":
            return True
        known = key or name in vocab.facts or name in vocab.place_parts
        if not known and name not in vocab.ignored:
            return True
    return False


def _joined_parts(columns: _Columns) -> str:
    parts = (columns.parts.get(name) for name in columns.vocab.place_parts)
    return ", ".join(part for part in parts if part and not part.isdigit())


def _read_facts(columns: _Columns, draft: Draft) -> None:
    """Facts from fact columns; a value that cannot be read as its fact stays as text."""
    facts = columns.facts
    for name, (key, value) in facts.items():
        if name in ("employment_type", "workplace", "closes") and not _read_fact(
            draft, name, value
        ):
            draft.add_section(key, value)
    remote = facts.get("remote")
    if remote is not None and _is_true(remote[1]):
        draft.remote = True
        draft.workplace = draft.workplace or "remote"
    if "pay_min" in facts or "pay_max" in facts:
        draft.pay = _pay(facts)
        if draft.pay is None:
            for name in ("pay_min", "pay_max"):
                if name in facts:
                    draft.add_section(*facts[name])


def _read_fact(draft: Draft, name: str, value: object) -> bool:
    """Set one fact on ``draft``; False when the value does not say it."""
    text = value if isinstance(value, str) else ""
    if name == "employment_type":
        draft.employment_type = employment_type_of(text) if text else None
        return draft.employment_type is not None
    if name == "workplace":
        draft.workplace = workplace_of(text) if text else None
        return draft.workplace is not None
    draft.closes = date_of(value)
    return draft.closes is not None


def _pay(facts: dict[str, tuple[str, object]]) -> Pay | None:
    def value(name: str) -> object:
        return facts[name][1] if name in facts else None

    period = period_of(value("pay_period"), default="year")
    return make_pay(value("pay_min"), value("pay_max"), value("pay_currency"), period)


def _is_true(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().casefold() in _TRUE
