"""schema.org ``JobPosting`` objects (JSON-LD) as draft postings.

Sites fill the vocabulary loosely: ``employmentType`` as one enum value, a list, or
"Full-time"; ``hiringOrganization`` as an object or a name; places as ``Place`` objects
with a ``name`` or a ``PostalAddress`` (whose country may be a ``Country`` object); pay as
``baseSalary`` ``MonetaryAmount`` holding a ``QuantitativeValue`` with ``unitText``.
A ``TELECOMMUTE`` posting is remote within its ``applicantLocationRequirements``,
written "Remote (India)" so that location extraction scopes it to those places.
"""

from __future__ import annotations

import html
from typing import Any

from search.ingest.columns import employment_type_of, fold_value
from search.ingest.context import ReadContext
from search.ingest.dates import date_of, iso_date
from search.ingest.draft import Draft
from search.ingest.feeds.common import obj, objects, strings, text
from search.ingest.money import make_pay, period_of
from search.model import Pay

#: Text properties kept as sections, with the heading they get.
_SECTIONS = (
    ("responsibilities", "Responsibilities"),
    ("qualifications", "Qualifications"),
    ("skills", "Skills"),
    ("educationRequirements", "Education"),
    ("experienceRequirements", "Experience"),
    ("jobBenefits", "Benefits"),
    ("incentiveCompensation", "Incentives"),
    ("workHours", "Hours"),
    ("industry", "Industry"),
    ("occupationalCategory", "Category"),
)
_DEGREES = (("doctor", "phd"), ("phd", "phd"), ("postgraduate", "master"), ("master", "master"))
_BACHELOR = ("bachelor", "undergraduate")


def is_job_posting(value: object) -> bool:
    kind = value.get("@type") if isinstance(value, dict) else None
    return kind == "JobPosting" or (isinstance(kind, list) and "JobPosting" in kind)


def _name(value: object) -> str:
    """A name from text or from an object with a ``name`` (Organization, Country)."""
    return text(value) or text(obj(value).get("name"))


def _place(place: dict[str, Any]) -> str:
    address = place.get("address")
    if isinstance(address, str):
        return html.unescape(address.strip())
    parts = [
        _name(obj(address).get(key))
        for key in ("addressLocality", "addressRegion", "addressCountry")
    ]
    joined = ", ".join(p for p in parts if p)
    return text(place.get("name")) or joined


def _places(posting: dict[str, Any], found: Draft) -> None:
    required = [_name(v) for v in _listed(posting.get("applicantLocationRequirements"))]
    if found.workplace == "remote":
        for name in required or [""]:
            found.add_place(f"Remote ({name})" if name else "Remote")
    for place in objects(posting.get("jobLocation")):
        found.add_place(_place(place))


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else [value] if value else []


def _pay(value: object) -> Pay | None:
    """``baseSalary``: a MonetaryAmount (value a QuantitativeValue or a number)."""
    for amount in objects(value):
        inner = amount.get("value")
        unit = amount.get("unitText")
        if isinstance(inner, dict):
            low = inner.get("minValue", inner.get("value"))
            high = inner.get("maxValue", inner.get("value"))
            unit = inner.get("unitText") or unit
        else:
            low = high = inner
        pay = make_pay(low, high, amount.get("currency"), period_of(unit, default="year"))
        if pay is not None:
            return pay
    return None


def _degree(value: object) -> str | None:
    for credential in _listed(value):
        name = fold_value(text(credential) or text(obj(credential).get("credentialCategory")))
        for word, degree in _DEGREES:
            if word in name:
                return degree
        if any(word in name for word in _BACHELOR):
            return "bachelor"
    return None


def _experience(value: object, found: Draft) -> None:
    for requirement in objects(value):
        months = requirement.get("monthsOfExperience")
        if isinstance(months, int | float) and not isinstance(months, bool) and months >= 0:
            found.experience_years = int(months) // 12
            found.experience_text = f"{int(months)} months of experience"
            return


def draft(posting: dict[str, Any], ctx: ReadContext) -> Draft:
    """One JobPosting object as a draft (see the module docstring)."""
    identifier = posting.get("identifier")
    kinds = strings(posting.get("employmentType"))
    found = Draft(
        id=text(obj(identifier).get("value")) or text(identifier),
        title=html.unescape(text(posting.get("title"))),
        description=text(posting.get("description")),
        url=text(posting.get("url")) or ctx.page_url,
        company=_name(posting.get("hiringOrganization")) or ctx.company,
        posted=iso_date(posting.get("datePosted")),
        closes=date_of(posting.get("validThrough")),
        employment_type=next((t for t in map(employment_type_of, kinds) if t), None),
    )
    if fold_value(text(posting.get("jobLocationType"))) == "telecommute":
        found.workplace, found.remote = "remote", True
    _places(posting, found)
    found.pay = _pay(posting.get("baseSalary")) or _pay(posting.get("estimatedSalary"))
    found.degree = _degree(posting.get("educationRequirements"))
    _experience(posting.get("experienceRequirements"), found)
    for key, heading in _SECTIONS:
        value = posting.get(key)
        if isinstance(value, str):
            found.add_text(heading, value)
        elif isinstance(value, list):
            found.add_section(heading, value)
    return found
