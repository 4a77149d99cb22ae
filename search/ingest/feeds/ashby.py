"""Ashby posting-API entries (``api.ashbyhq.com/posting-api/job-board/<board>``).

Shape: ``jobUrl``/``applyUrl`` with ``descriptionHtml``/``descriptionPlain`` or the
board flags (``isListed``, ``secondaryLocations``). Every location counts: ``location``
and each ``secondaryLocations[].location``. ``workplaceType`` is trusted over
``isRemote`` when both are given (real boards say isRemote true and Hybrid together).
Pay is in ``compensation`` (with ``includeCompensation=true``): components of type
Salary with an interval such as ``1 YEAR``.
"""

from __future__ import annotations

from typing import Any

from search.ingest.columns import employment_type_of, workplace_of
from search.ingest.context import ReadContext
from search.ingest.dates import iso_date
from search.ingest.draft import Draft, plain_text
from search.ingest.feeds.common import board_slug, obj, objects, text
from search.ingest.money import make_pay, period_of
from search.model import Pay

_HOSTS = ("jobs.ashbyhq.com",)
_FLAGS = ("descriptionHtml", "descriptionPlain", "isListed", "secondaryLocations")


def is_ashby(entry: dict[str, Any]) -> bool:
    return ("jobUrl" in entry or "applyUrl" in entry) and any(k in entry for k in _FLAGS)


def draft(entry: dict[str, Any], ctx: ReadContext) -> Draft:
    """One posting as a draft (see the module docstring)."""
    url = text(entry.get("jobUrl")) or text(entry.get("applyUrl"))
    found = Draft(
        id=text(entry.get("id")),
        title=text(entry.get("title")),
        description=text(entry.get("descriptionPlain"))
        or plain_text(text(entry.get("descriptionHtml"))),
        url=url,
        company=ctx.company or board_slug(url, _HOSTS),
        posted=iso_date(entry.get("publishedAt")),
    )
    found.add_place(entry.get("location"))
    for other in objects(entry.get("secondaryLocations")):
        found.add_place(other.get("location"))
    if not found.locations:
        address = obj(obj(entry.get("address")).get("postalAddress"))
        parts = (
            text(address.get(k)) for k in ("addressLocality", "addressRegion", "addressCountry")
        )
        found.add_place(", ".join(p for p in parts if p))
    kind = text(entry.get("employmentType"))
    found.employment_type = employment_type_of(kind) if kind else None
    found.workplace = workplace_of(text(entry.get("workplaceType")))
    if found.workplace is None and entry.get("isRemote") is True:
        found.workplace = "remote"
    found.remote = True if found.workplace == "remote" else None
    for key in ("department", "team"):
        found.add_section(key.capitalize(), entry.get(key))
    compensation = obj(entry.get("compensation"))
    found.pay = _salary(compensation)
    found.add_section("Compensation", compensation.get("compensationTierSummary"))
    return found


def _salary(compensation: dict[str, Any]) -> Pay | None:
    """The first Salary component with an amount (equity components have none)."""
    components = [
        component
        for tier in objects(compensation.get("compensationTiers"))
        for component in objects(tier.get("components"))
    ]
    for component in [*objects(compensation.get("summaryComponents")), *components]:
        if text(component.get("compensationType")).casefold() not in ("salary", "hourly"):
            continue
        period = period_of(component.get("interval"))
        pay = make_pay(
            component.get("minValue"),
            component.get("maxValue"),
            component.get("currencyCode"),
            period,
        )
        if pay is not None:
            return pay
    return None
