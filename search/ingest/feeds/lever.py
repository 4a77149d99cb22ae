"""Lever postings API entries (``api.lever.co/v0/postings/<company>``).

Shape: ``categories`` object, ``text`` (the title) and ``hostedUrl``/``createdAt``.
The description is ``opening`` + ``descriptionBody`` (HTML); the combined ``description``
and the ``*Plain`` twins are last resorts, since real boards cut the former and leave
recruiters' template text in the latter. ``lists`` (headed bullet lists), ``additional``
and ``salaryDescription`` are kept as sections. ``createdAt`` is in milliseconds;
``salaryRange`` has an ``interval`` such as ``per-year-salary``.
"""

from __future__ import annotations

from typing import Any

from search.ingest.columns import employment_type_of, workplace_of
from search.ingest.context import ReadContext
from search.ingest.dates import iso_date
from search.ingest.draft import Draft, plain_text
from search.ingest.feeds.common import board_slug, obj, objects, strings, text
from search.ingest.money import make_pay, period_of

_HOSTS = ("jobs.lever.co", "jobs.eu.lever.co")


def is_lever(entry: dict[str, Any]) -> bool:
    return (
        isinstance(entry.get("categories"), dict)
        and "text" in entry
        and ("hostedUrl" in entry or "createdAt" in entry)
    )


def _description(entry: dict[str, Any]) -> str:
    body = text(entry.get("descriptionBody"))
    if body:
        parts = (plain_text(text(entry.get("opening"))), plain_text(body))
        return "\n\n".join(p for p in parts if p)
    for key in ("description", "descriptionPlain", "descriptionBodyPlain"):
        found = plain_text(text(entry.get(key)))
        if found:
            return found
    return ""


def draft(entry: dict[str, Any], ctx: ReadContext) -> Draft:
    """One posting as a draft (see the module docstring)."""
    url = text(entry.get("hostedUrl")) or text(entry.get("applyUrl"))
    categories = obj(entry.get("categories"))
    found = Draft(
        id=text(entry.get("id")),
        title=text(entry.get("text")),
        description=_description(entry),
        url=url,
        company=ctx.company or board_slug(url, _HOSTS),
        posted=iso_date(entry.get("createdAt")),
    )
    for place in [categories.get("location"), *strings(categories.get("allLocations"))]:
        found.add_place(place)
    commitment = text(categories.get("commitment"))
    found.employment_type = employment_type_of(commitment) if commitment else None
    if commitment and not found.employment_type:
        found.add_section("Commitment", commitment)
    for key in ("department", "team", "level"):
        found.add_section(key.capitalize(), categories.get(key))
    found.workplace = workplace_of(text(entry.get("workplaceType")))
    found.remote = True if found.workplace == "remote" else None
    for item in objects(entry.get("lists")):
        found.add_text(text(item.get("text")), item.get("content"))
    found.add_text("", entry.get("additional") or entry.get("additionalPlain"))
    found.add_text("", entry.get("salaryDescription") or entry.get("salaryDescriptionPlain"))
    salary = obj(entry.get("salaryRange"))
    if salary:
        period = period_of(salary.get("interval"))
        found.pay = make_pay(salary.get("min"), salary.get("max"), salary.get("currency"), period)
    return found
