"""Any export's columns -> one record: known keys, facts, and every other text column.

Scrapers and aggregators name columns as they like. A column is, in this order: what the
user's field map says it is; a canonical key (``Job Title``, ``Job URL``); a structured
fact (``Employment Type``, ``salary_min``, ``Salary Estimate``: see ``factcolumns``); a
part of an address; ignored bookkeeping (``logo``, ``scraped_at``, a company's
``Headquarters``); or else text, kept under its own name as a section of the
description, so "Minimum Qualifications" is searchable like the rest. Each record notes
which column fed which key or fact (``RawRecord.columns``), for the per-file report.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from search.ingest.columns import (
    CANONICAL_KEYS,
    PLACEHOLDER_MAX,
    FieldMap,
    Vocabulary,
    clean,
    fold_key,
    vocabulary,
)
from search.ingest.dates import iso_date
from search.ingest.draft import Draft, plain_text, shared_uses
from search.ingest.factcolumns import company_and_rating, read_facts
from search.ingest.htmltext import html_to_text
from search.ingest.records import ColumnUse, FieldError, RawRecord, json_kind

#: Keys of a place object that name it outright, and the parts to join when none does.
_PLACE_NAME_KEYS = ("name", "locationname", "label", "displayname", "text")
_PLACE_PART_KEYS = ("city", "region", "state", "country")

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
        displaced = field_map is not None and fact[0] in field_map.columns
        kind = ("text", "", 0) if displaced else ("fact", *fact)
    elif folded in vocab.place_parts:
        kind = ("part", folded, 0)
    elif folded in vocab.ignored or folded.startswith(vocab.ignored_prefixes):
        kind = ("ignored", "", 0)
    else:
        kind = ("text", "", 0)
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
        #: fact -> (rank, column, value) of every column stating it
        self.facts: dict[str, list[tuple[int, str, object]]] = {}
        self.parts: dict[str, tuple[str, str]] = {}
        self.extra: list[tuple[str, object]] = []
        self.ignored: list[str] = []

    def add(self, key: str, value: object, field_map: FieldMap | None) -> None:
        folded, (kind, name, rank) = _kind(key, self.vocab, field_map)
        if kind == "key":
            self.candidates.setdefault(name, []).append((rank, folded, key, value))
        elif kind == "fact":
            self.facts.setdefault(name, []).append((rank, key, value))
        elif kind == "part":
            if isinstance(value, str) and clean(value):
                self.parts[folded] = (key, clean(value))
        elif kind == "text":
            self.extra.append((key, value))
        else:
            self.ignored.append(key)

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
    A row with a title and a link but no text is described by its title.
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
    draft.id = _key(columns, draft, "id")
    draft.title = _key(columns, draft, "title")
    draft.description = _key(columns, draft, "description")
    _company(columns, draft)
    draft.url = _key(columns, draft, "url")
    draft.location = _key(columns, draft, "location") or _joined_parts(columns, draft)
    posted_key, posted = columns.best("posted")
    draft.posted = iso_date(posted)
    if posted and not draft.posted:
        draft.add_section(posted_key, posted)
    elif draft.posted:
        draft.uses.append(("posted", posted_key, ""))
    read_facts(columns.facts, draft)
    if draft.apply_url and draft.apply_url == draft.url:
        draft.apply_url = None  # the same link twice
        draft.uses = [use for use in draft.uses if use[0] != "apply_url"]
    elif draft.apply_url and not draft.url:
        # The only link the export gives: the posting is found there.
        draft.url, draft.apply_url = draft.apply_url, None
        draft.uses = [("url", c, n) if f == "apply_url" else (f, c, n) for f, c, n in draft.uses]
    for key, value in columns.extra:
        draft.add_section(key, value)
        draft.uses.append(("text", key, ""))
    draft.uses.extend(("ignored", key, "") for key in columns.ignored)
    # A row of a list page (JobSpy's LinkedIn rows) has a title and a link but no text:
    # it is still a posting, found by its title, as a feed's list entry is.
    return draft.record(source, line, title_as_description=bool(draft.url))


def _key(columns: _Columns, draft: Draft, canonical: str) -> str:
    """The text of a canonical key, noting the column it came from."""
    key, text = columns.best(canonical)
    if text:
        draft.uses.append((canonical, key, ""))
    return text


def _company(columns: _Columns, draft: Draft) -> None:
    """The company, without the rating line some sites write under the name."""
    key, text = columns.best("company")
    if not text:
        return
    draft.company, rating = company_and_rating(text)
    draft.uses.append(("company", key, "rating line dropped" if rating is not None else ""))
    if rating is not None:
        draft.company_rating = rating


def _plain_record(row: dict[str, Any], source: str, line: int) -> RawRecord | None:
    """The record of a row of canonical text keys, each once (the common case, kept
    fast); None when the row needs the general path (another column, a repeated key,
    a non-text value, an HTML-only description, a date to keep as text)."""
    fields: dict[str, str] = {}
    used: list[str] = []
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
            used.append(key)
    posted = fields.get("posted")
    if posted is not None and not (len(posted) == 10 and posted[4] == posted[7] == "-"):
        fields["posted"] = iso_date(posted)
        if not fields["posted"]:
            return None
    description = fields.get("description")
    if description is None or "\n" in fields.get("company", ""):
        return None  # a company cell of several lines may carry a rating line
    if "<" in description or "&" in description:
        fields["description"] = plain_text(description)
    return RawRecord(fields, source, line, columns=_plain_uses(tuple(used)))


@functools.lru_cache(maxsize=1024)
def _plain_uses(keys: tuple[str, ...]) -> tuple[ColumnUse, ...]:
    return shared_uses([(_SIMPLE[key], key, "") for key in keys])


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
        if not known and name not in vocab.ignored and not name.startswith(vocab.ignored_prefixes):
            return True
    return False


def _joined_parts(columns: _Columns, draft: Draft) -> str:
    found = [columns.parts[name] for name in columns.vocab.place_parts if name in columns.parts]
    used = [(key, part) for key, part in found if not part.isdigit()]
    if used:
        draft.uses.append(("location", "+".join(key for key, _ in used), ""))
    return ", ".join(part for _, part in used)
