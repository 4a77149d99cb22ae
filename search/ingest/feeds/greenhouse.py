"""Greenhouse job-board API entries (``boards-api.greenhouse.io/v1/boards/<b>/jobs``).

Shape: ``absolute_url`` with ``internal_job_id``/``metadata``/``first_published``. The
``content`` is HTML escaped once more (``&lt;p&gt;``, and ``&amp;nbsp;``); custom
``metadata`` carries what boards chose to state ("Workplace Type", "Time Type",
"Employment Type", a pay range) and free text ("Discipline", "Program"); pay ranges come
in cents, with the period only in the range's title ("Mexico Monthly Pay Range").
"""

from __future__ import annotations

from typing import Any

from search.ingest.columns import employment_type_of, fold_key, workplace_of
from search.ingest.context import ReadContext
from search.ingest.dates import date_of, iso_date
from search.ingest.draft import Draft
from search.ingest.feeds.common import obj, objects, text
from search.ingest.money import make_pay, period_of
from search.model import Pay

_WORKPLACE_NAMES = frozenset({"workplacetype", "workplace", "remotestatus", "worklocationtype"})
_TYPE_NAMES = frozenset({"timetype", "employmenttype", "jobtype", "commitment", "contracttype"})
_SKIPPED_TYPES = frozenset({"yes_no", "date", "number", "user"})


def is_greenhouse(entry: dict[str, Any]) -> bool:
    return "absolute_url" in entry and (
        "internal_job_id" in entry or "metadata" in entry or "first_published" in entry
    )


def draft(entry: dict[str, Any], ctx: ReadContext) -> Draft:
    """One board entry as a draft posting (see the module docstring)."""
    found = Draft(
        id=text(entry.get("id")),
        title=text(entry.get("title")),
        description=text(entry.get("content")),
        url=text(entry.get("absolute_url")),
        company=text(entry.get("company_name")) or ctx.company,
        posted=iso_date(entry.get("first_published")) or iso_date(entry.get("updated_at")),
        closes=date_of(entry.get("application_deadline")),
    )
    for place in text(obj(entry.get("location")).get("name")).split(";"):
        found.add_place(place)
    if not found.locations:
        for office in objects(entry.get("offices")):
            found.add_place(office.get("location") or office.get("name"))
    for field in objects(entry.get("metadata")):
        _metadata(found, field)
    for department in objects(entry.get("departments")):
        found.add_section("Department", department.get("name"))
    found.pay = found.pay or _pay_range(entry.get("pay_input_ranges"))
    return found


def _metadata(found: Draft, field: dict[str, Any]) -> None:
    """One custom field: a fact when its name says which, else text under its name."""
    name, value = text(field.get("name")), field.get("value")
    folded = fold_key(name)
    if value is None or field.get("value_type") in _SKIPPED_TYPES or not name:
        return
    if folded in _WORKPLACE_NAMES and isinstance(value, str) and workplace_of(value):
        found.workplace = workplace_of(value)
        found.remote = True if found.workplace == "remote" else found.remote
    elif folded in _TYPE_NAMES and isinstance(value, str) and employment_type_of(value):
        found.employment_type = employment_type_of(value)
    elif isinstance(value, dict) and ("min_value" in value or "max_value" in value):
        period = period_of(name, default="year")
        found.pay = make_pay(
            value.get("min_value"), value.get("max_value"), value.get("unit"), period
        )
    else:
        found.add_section(name, value)


def _pay_range(ranges: object) -> Pay | None:
    """The first pay range stated in cents (later ones are other countries' versions)."""
    for entry in objects(ranges):
        period = period_of(entry.get("title"), default="year")
        low, high = entry.get("min_cents"), entry.get("max_cents")
        pay = make_pay(
            low / 100 if isinstance(low, int | float) else None,
            high / 100 if isinstance(high, int | float) else None,
            entry.get("currency_type"),
            period,
        )
        if pay is not None:
            return pay
    return None
