"""The shapes of results as data: one record per posting, hit, page of results, facet
count and statistic, for any program that writes them out (the CLI's JSON, JSON Lines and
CSV; an HTTP service).

* a posting or a hit is one JSON object (``posting_record``/``hit_record``); a page of
  results is ``results_record``; CSV writes one row per posting with ``CSV_COLUMNS``
  (``posting_row``);
* facet counts are rows ``facet, value, count`` (``facet_rows``);
* statistics are rows ``name, value`` (``stat_rows``), their top values as facet rows.

The ``id`` is always the whole id; ``short_id`` (where given) is what a person types.
Records hold plain values (text, numbers, booleans, lists, None); escaping them for a
terminal, a spreadsheet or a web page is the writer's part.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from search.model import JobPosting, Pay
from search.results import MARK_CLOSE, MARK_OPEN, Hit, SearchResults

if TYPE_CHECKING:
    from search.watches import Watch

#: The columns of a posting in CSV, in order: what a spreadsheet user filters on.
CSV_COLUMNS = (
    "id",
    "title",
    "company",
    "url",
    "role",
    "level",
    "employment_type",
    "workplace",
    "remote",
    "remote_scope",
    "locations",
    "location_text",
    "pay",
    "pay_text",
    "pay_min",
    "pay_max",
    "pay_currency",
    "pay_period",
    "pay_estimate",
    "experience_years",
    "degree",
    "skills",
    "posted",
    "closes",
    "score",
    "distance_km",
    "partial",
    "snippet",
)
#: A posting's columns without those of a search (``show`` adds the description).
POSTING_COLUMNS = tuple(
    c for c in CSV_COLUMNS if c not in {"score", "distance_km", "partial", "snippet"}
)
FACET_COLUMNS = ("facet", "value", "count")
STAT_COLUMNS = ("name", "value")


def _day(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def pay_record(pay: Pay | None) -> dict[str, Any] | None:
    """Pay as stated (``text``, the phrase it was read from) and as figures;
    ``estimate`` is true for a job site's estimate rather than the employer's figure."""
    if pay is None:
        return None
    return {
        "min": pay.min,
        "max": pay.max,
        "currency": pay.currency,
        "period": pay.period,
        "text": pay.text,
        "estimate": pay.estimate,
        "annual_min": pay.annual_min,
        "annual_max": pay.annual_max,
    }


def _rating(text: str | None) -> float | None:
    return float(text) if text else None


def posting_record(posting: JobPosting, short_id: str | None = None) -> dict[str, Any]:
    """Everything about a posting except its description (``show`` adds that)."""
    record: dict[str, Any] = {"id": posting.id}
    if short_id is not None:
        record["short_id"] = short_id
    record.update(
        {
            "title": posting.title,
            "company": posting.company,
            "url": posting.url,
            "role": posting.role,
            "level": posting.level,
            "employment_type": posting.employment_type,
            "workplace": posting.workplace,
            "locations": [
                {"city": p.city, "state": p.state, "country": p.country, "region": p.region}
                for p in posting.places
            ],
            "location_text": posting.location_text,
            "remote": posting.remote,
            "remote_scope": list(posting.remote_scope),
            "pay": pay_record(posting.pay),
            "experience_years": posting.experience_years,
            "experience_text": posting.experience_text,
            "degree": posting.degree,
            "skills": list(posting.skills),
            "posted": _day(posting.posted),
            "closes": _day(posting.closes),
            "indexed_at": _day(posting.indexed_at),
            "source": posting.source,
            "apply_url": posting.extra.get("apply_url"),
            "company_rating": _rating(posting.extra.get("company_rating")),
        }
    )
    return record


def hit_record(hit: Hit, short_id: str | None = None) -> dict[str, Any]:
    """A posting as a search found it: its score, snippet, distance, copies, and whether
    it matched only some of the words (``partial``)."""
    record = posting_record(hit.posting, short_id)
    record["score"] = round(hit.score, 4) if hit.score is not None else None
    record["partial"] = hit.partial
    record["snippet"] = hit.snippet
    record["distance_km"] = hit.distance_km
    record["duplicates"] = list(hit.duplicates)
    if hit.explanation is not None:
        record["explanation"] = {
            "parts": [
                {"field": p.field, "term": p.term, "score": p.score} for p in hit.explanation.parts
            ],
            "synonyms": list(hit.explanation.synonyms),
            "places": list(hit.explanation.places),
        }
    return record


def results_record(results: SearchResults, short: Mapping[str, str]) -> dict[str, Any]:
    """One page of results: ``total`` counts exact matches, ``partial_total`` the postings
    matching only some of the words (listed after them, ``"partial": true``)."""
    return {
        "query": results.query,
        "filters": results.filters.as_dict(),
        "total": results.total,
        "partial_total": results.partial_total,
        "page": results.page,
        "pages": results.pages,
        "limit": results.limit,
        "hits": [hit_record(h, short.get(h.posting.id)) for h in results.hits],
        "facets": results.facets,
        "notes": list(results.notes),
        "suggestion": results.suggestion,
        "fuzzy": results.fuzzy,
        "read_as": results.read_as,
    }


def facet_rows(facets: Mapping[str, Mapping[str, int]]) -> list[dict[str, Any]]:
    """Facet counts flattened to ``{"facet", "value", "count"}`` rows, in order."""
    return [
        {"facet": name, "value": value, "count": count}
        for name, counts in facets.items()
        for value, count in counts.items()
    ]


def stat_rows(stats: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The figures of ``stats`` as ``{"name", "value"}`` rows; each top value of a facet
    is a row named ``top.FACET.VALUE`` whose value is its count."""
    rows = [{"name": k, "value": v} for k, v in stats.items() if k != "top"]
    rows.extend(
        {"name": f"top.{facet}.{value}", "value": count}
        for facet, counts in stats.get("top", {}).items()
        for value, count in counts.items()
    )
    return rows


def plain(snippet: str) -> str:
    """A snippet without its match marks."""
    return snippet.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def posting_row(hit: Hit | JobPosting) -> dict[str, object]:
    """The CSV row of a hit (or of a posting, with the search columns empty)."""
    if isinstance(hit, JobPosting):
        record = posting_record(hit)
        posting = hit
    else:
        record = hit_record(hit)
        record["snippet"] = plain(hit.snippet)
        posting = hit.posting
    record["locations"] = [place.label() for place in posting.places]
    pay = posting.pay
    if pay is not None:
        record.update(
            pay=pay_figures(pay),
            pay_text=pay.text,
            pay_min=_amount(pay.min),
            pay_max=_amount(pay.max),
            pay_currency=pay.currency,
            pay_period=pay.period,
            pay_estimate=pay.estimate,
        )
    return record


def _amount(value: float | None) -> float | int | None:
    """A sum for a spreadsheet cell: 250000, not 250000.0; cents are kept (45.5)."""
    return int(value) if value is not None and value.is_integer() else value


def pay_figures(pay: Pay) -> str:
    """Pay as figures, in the stated currency and period: "USD 150,000-200,000 a year",
    "USD 45 an hour", "up to USD 220,000 a year", "USD 53,000-91,000 a year (estimate)"
    for a job site's estimate (``Pay.text`` keeps the words it was read from)."""
    amounts = dict.fromkeys(v for v in (pay.min, pay.max) if v is not None)
    figures = "-".join(f"{v:,.2f}".removesuffix(".00") for v in amounts)
    article = "an" if pay.period == "hour" else "a"
    bound = "up to" if pay.min is None and pay.max is not None else ""
    said = " ".join(x for x in (bound, pay.currency or "", figures, f"{article} {pay.period}") if x)
    return f"{said} (estimate)" if pay.estimate else said


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def watch_record(watch: Watch) -> dict[str, Any]:
    """A saved search as data: its name, query, filters (as given: "7d" stays relative)
    and when it was made and last checked."""
    return {
        "name": watch.name,
        "query": watch.text,
        "filters": dict(watch.given),
        "created": _when(watch.created),
        "checked": _when(watch.checked),
    }
