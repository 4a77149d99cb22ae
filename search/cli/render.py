"""Results -> rich renderables for people, JSON / JSON Lines / CSV for programs.

Functions here return objects or strings and never print: the CLI decides where output
goes. Machine formats carry no colour codes so they pipe into jq or a spreadsheet.

Every string from a posting or a user reaches a renderable through ``search.cli.safe``
(``text``/``clean``): rich never parses it as markup and a terminal never receives its
control codes. A plain ``str`` handed to a rich ``Table`` or ``Panel`` would be parsed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from search.cli.safe import clean, csv_cell, json_text, text
from search.model import JobPosting
from search.results import MARK_CLOSE, MARK_OPEN, Hit, SearchResults


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"


CSV_COLUMNS = (
    "id",
    "title",
    "role",
    "level",
    "employment_type",
    "locations",
    "remote",
    "skills",
    "posted",
    "score",
    "distance_km",
    "snippet",
)


def posting_record(posting: JobPosting) -> dict[str, Any]:
    return {
        "id": posting.id,
        "title": posting.title,
        "company": posting.company,
        "role": posting.role,
        "level": posting.level,
        "employment_type": posting.employment_type,
        "locations": [
            {"city": p.city, "state": p.state, "country": p.country, "region": p.region}
            for p in posting.places
        ],
        "location_text": posting.location_text,
        "remote": posting.remote,
        "remote_scope": list(posting.remote_scope),
        "skills": list(posting.skills),
        "posted": posting.posted.isoformat() if posting.posted else None,
        "url": posting.url,
    }


def hit_record(hit: Hit) -> dict[str, Any]:
    record = posting_record(hit.posting)
    record["score"] = round(hit.score, 4) if hit.score is not None else None
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


def results_record(results: SearchResults) -> dict[str, Any]:
    return {
        "query": results.query,
        "filters": results.filters.as_dict(),
        "total": results.total,
        "page": results.page,
        "hits": [hit_record(h) for h in results.hits],
        "facets": results.facets,
        "notes": list(results.notes),
        "suggestion": results.suggestion,
        "fuzzy": results.fuzzy,
    }


def result_messages(results: SearchResults) -> list[str]:
    """Notes for a person: did-you-mean, fuzzy fallback, filter values that match nothing."""
    lines = list(results.notes)
    if results.suggestion:
        lines.insert(0, f"did you mean: {results.suggestion}")
    return lines


def to_json(data: Any) -> str:
    """Indented JSON; text keeps every character (terminal controls as escapes)."""
    return json_text(json.dumps(data, ensure_ascii=False, indent=2))


def to_jsonl(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json_text(json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def hits_csv(hits: Iterable[Hit], raw: bool = False) -> str:
    """CSV of the hits; cells a spreadsheet would run as formulas are neutralised
    (a leading ``'``) unless ``raw``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for hit in hits:
        row = hit_record(hit)
        row["locations"] = "; ".join(place.label() for place in hit.posting.places)
        row["skills"] = "; ".join(hit.posting.skills)
        row["snippet"] = plain(hit.snippet)
        writer.writerow({name: csv_cell(row.get(name), raw=raw) for name in CSV_COLUMNS})
    return buffer.getvalue()


def plain(snippet: str) -> str:
    return snippet.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def marked_text(snippet: str, style: str = "bold yellow") -> Text:
    """A snippet with its ``<em>`` marks turned into highlighting."""
    shown = Text()
    rest = snippet
    while MARK_OPEN in rest:
        before, _, after = rest.partition(MARK_OPEN)
        word, _, rest = after.partition(MARK_CLOSE)
        shown.append(clean(before))
        shown.append(clean(word), style=style)
    shown.append(clean(rest))
    return shown


def _locations(posting: JobPosting, most: int = 3) -> str:
    labels = [p.label() for p in posting.places]
    if posting.remote:
        scope = "/".join(posting.remote_scope)
        labels.insert(0, f"Remote ({scope})" if scope else "Remote")
    if not labels:
        return posting.location_text or "—"
    shown = ", ".join(labels[:most]) if len(labels) <= most else "; ".join(labels[:most])
    return shown + (f" +{len(labels) - most} more" if len(labels) > most else "")


def _short_snippet(snippet: str, width: int = 160) -> str:
    """Trim a marked snippet for a table cell without cutting a mark in half."""
    if len(plain(snippet)) <= width:
        return snippet
    out, shown, rest = [], 0, snippet
    while rest and shown < width:
        if rest.startswith(MARK_OPEN):
            word, _, rest = rest[len(MARK_OPEN) :].partition(MARK_CLOSE)
            out.append(f"{MARK_OPEN}{word}{MARK_CLOSE}")
            shown += len(word)
        else:
            out.append(rest[0])
            rest, shown = rest[1:], shown + 1
    return "".join(out).rstrip() + "…"


def hits_table(hits: Iterable[Hit], title: str | None = None, first: int = 1) -> Table:
    table = Table(
        title=text(title) if title else None, show_lines=True, expand=True, title_justify="left"
    )
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("Posting", ratio=4)
    table.add_column("Where", ratio=2)
    table.add_column("Level", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    for rank, hit in enumerate(hits, first):
        p = hit.posting
        cell = text(p.title, "bold")
        if p.company:
            cell.append(f" · {clean(p.company)}", style="cyan")
        cell.append(f"\n{clean(p.id)}", style="dim")
        if p.posted:
            cell.append(f" · {p.posted.isoformat()}", style="dim")
        if hit.snippet:
            cell.append("\n")
            cell.append_text(marked_text(_short_snippet(hit.snippet)))
        if hit.explanation is not None:
            cell.append_text(_explanation(hit))
        kind = "\n".join(clean(x) for x in (p.level, p.employment_type) if x) or "—"
        score = f"{hit.score:.2f}" if hit.score is not None else "—"
        where = clean(_locations(p))
        if hit.distance_km is not None:
            where = f"{hit.distance_km:g} km · {where}"
        if hit.duplicates:
            where += f"\n(posted {len(hit.duplicates) + 1} times)"
        table.add_row(Text(str(rank)), cell, Text(where), Text(kind), Text(score))
    return table


def _explanation(hit: Hit) -> Text:
    assert hit.explanation is not None
    shown = Text()
    for part in hit.explanation.parts:
        shown.append(f"\n  {part.score:6.2f}  {clean(part.field)}:{clean(part.term)}", "magenta")
    for synonym in hit.explanation.synonyms:
        shown.append(f"\n  synonym: {clean(synonym)}", style="magenta")
    for place in hit.explanation.places:
        shown.append(f"\n  filter {clean(place)}", style="magenta")
    return shown


def facets_table(facets: dict[str, dict[str, int]], most: int = 10) -> Table:
    table = Table(title="Facets", title_justify="left", expand=False)
    for name in facets:
        table.add_column(text(name.capitalize()))
    columns = [
        [text(f"{value} ({count})") for value, count in list(facets[name].items())[:most]]
        for name in facets
    ]
    for row in range(max((len(c) for c in columns), default=0)):
        table.add_row(*[c[row] if row < len(c) else Text() for c in columns])
    return table


def results_view(results: SearchResults, show_facets: bool = True) -> RenderableType:
    first = (results.page - 1) * results.limit + 1
    if results.total == 0:
        header = Text("No postings match.", style="bold")
    else:
        last = first + len(results.hits) - 1
        noun = "posting matches" if results.total == 1 else "postings match"
        shown = f" — showing {first}-{last}, page {results.page} of {results.pages}"
        header = Text(f"{results.total} {noun}" + (shown if results.hits else ""), style="bold")
    parts: list[RenderableType] = [header]
    parts.extend(text(line, "yellow") for line in result_messages(results))
    if results.hits:
        parts.append(hits_table(results.hits, first=first))
    if show_facets and results.total:
        parts.append(facets_table(results.facets, most=5))
    return Group(*parts)


def _remote_label(posting: JobPosting) -> str:
    if not posting.remote:
        return "no"
    return "yes" + (f" ({', '.join(posting.remote_scope)})" if posting.remote_scope else "")


def posting_view(posting: JobPosting) -> RenderableType:
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column()
    rows = [
        ("id", posting.id),
        ("company", posting.company),
        ("role", posting.role),
        ("level", posting.level),
        ("type", posting.employment_type),
        ("location", posting.location_text),
        ("remote", _remote_label(posting)),
        ("posted", posting.posted.isoformat() if posting.posted else None),
        ("skills", ", ".join(posting.skills)),
        ("url", posting.url),
        ("source", posting.source),
    ]
    for name, value in rows:
        if value:
            meta.add_row(name, text(value))
    for place in posting.places:
        detail = place.label()
        if place.lat is not None:
            detail += f"  ({place.lat:.3f}, {place.lon:.3f})"
        if place.note:
            detail += f"  — {place.note}"
        meta.add_row("place", text(detail))
    return Panel(
        Group(meta, Text(""), text(posting.description, lines=True)),
        title=text(posting.title, "bold"),
        title_align="left",
    )


def stats_view(stats: dict[str, Any]) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for key, value in stats.items():
        if key == "top":
            continue
        if key == "size_bytes":
            key, value = "size", f"{value / 1_048_576:.1f} MiB"
        grid.add_row(text(key.replace("_", " ")), text(value))
    return Group(grid, facets_table(stats.get("top", {})))
