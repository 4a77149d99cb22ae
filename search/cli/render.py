"""Results -> rich renderables for people: the hits table, one posting, facets, stats.

Functions here return renderables and never print: the commands decide where output
goes. Every string from a posting or a user reaches a renderable through
``search.cli.safe`` (``text``/``clean``): rich never parses it as markup and a terminal
never receives its control codes. A plain ``str`` handed to a ``Table`` would be parsed.

Matched words are styled on a colour terminal; where stdout shows no styles (a pipe,
``NO_COLOR``) they are written between « and », so they stay visible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from search.cli.safe import clean, text
from search.model import JobPosting
from search.records import pay_figures, plain
from search.results import MARK_CLOSE, MARK_OPEN, Hit, SearchResults

MATCH_STYLE = "bold yellow underline"
#: How a matched word is shown where there are no styles.
PLAIN_MARKS = ("«", "»")
WORKPLACE_LABELS = {"remote": "remote", "hybrid": "hybrid", "onsite": "on-site"}
DEGREE_LABELS = {"none": "no degree", "bachelor": "bachelor's", "master": "master's", "phd": "PhD"}
PLACES_SHOWN = 3
#: An id at most this much longer than its unique prefix is shown whole ("globex-2").
WHOLE_ID_SLACK = 4
SNIPPET_WIDTH = 160


def marked_text(snippet: str, plain_marks: bool = False) -> Text:
    """A snippet with its ``<em>`` marks turned into highlighting (or « »)."""
    shown = Text()
    rest = snippet
    while MARK_OPEN in rest:
        before, _, after = rest.partition(MARK_OPEN)
        word, _, rest = after.partition(MARK_CLOSE)
        shown.append(clean(before))
        if plain_marks:
            shown.append(f"{PLAIN_MARKS[0]}{clean(word)}{PLAIN_MARKS[1]}")
        else:
            shown.append(clean(word), style=MATCH_STYLE)
    shown.append(clean(rest))
    return shown


def short_snippet(snippet: str, width: int = SNIPPET_WIDTH) -> str:
    """Trim a marked snippet for a table cell without cutting a mark in half."""
    bare = plain(snippet)
    if len(bare) <= width:
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


def workplace_label(posting: JobPosting) -> str:
    """remote (with the countries or regions it is open to), hybrid, on-site, or ""."""
    if posting.workplace == "remote" or (posting.remote and not posting.workplace):
        scope = ", ".join(posting.remote_scope)
        return f"remote ({scope})" if scope else "remote"
    return WORKPLACE_LABELS.get(posting.workplace or "", posting.workplace or "")


def places_label(posting: JobPosting, most: int = PLACES_SHOWN) -> str:
    """The places, joined by "; " whatever their count (a place holds commas)."""
    labels = [p.label() for p in posting.places]
    if not labels:
        return posting.location_text
    shown = "; ".join(labels[:most])
    return shown + (f" +{len(labels) - most} more" if len(labels) > most else "")


def years_label(posting: JobPosting) -> str:
    years = posting.experience_years
    if years is None:
        return ""
    return f"{years}+ year{'' if years == 1 else 's'}"


def facts_line(posting: JobPosting) -> list[str]:
    """The short facts a job seeker scans: pay, years, degree, type, dates."""
    return [
        part
        for part in (
            pay_figures(posting.pay) if posting.pay else "",
            years_label(posting),
            DEGREE_LABELS.get(posting.degree or "", ""),
            posting.employment_type or "",
            f"posted {posting.posted.isoformat()}" if posting.posted else "",
            f"closes {posting.closes.isoformat()}" if posting.closes else "",
        )
        if part
    ]


def _posting_cell(hit: Hit, plain_marks: bool) -> Text:
    p = hit.posting
    cell = text(p.title, "bold")
    if p.company:
        cell.append(f" · {clean(p.company)}", style="cyan")
    facts = facts_line(p)
    if facts:
        cell.append("\n" + clean(" · ".join(facts)), style="green")
    if hit.snippet:
        cell.append("\n")
        cell.append_text(marked_text(short_snippet(hit.snippet), plain_marks))
    if hit.explanation is not None:
        cell.append_text(_explanation(hit))
    return cell


def _where_cell(hit: Hit) -> Text:
    p = hit.posting
    lines = [x for x in (workplace_label(p), places_label(p)) if x]
    if hit.distance_km is not None:
        lines.insert(0, f"{hit.distance_km:g} km")
    if hit.duplicates:
        lines.append(f"(posted {len(hit.duplicates) + 1} times)")
    return text("\n".join(lines) or "—", lines=True)


def shown_id(posting_id: str, short: Mapping[str, str]) -> str:
    """The id as a person types it: its unique prefix, or the whole id when that is
    hardly longer (a prefix like "acme-ml-" for "acme-ml-1" helps nobody)."""
    prefix = short.get(posting_id, posting_id)
    return posting_id if len(posting_id) <= len(prefix) + WHOLE_ID_SLACK else prefix


#: Scores from this size on are shown in three significant digits: a cluster's
#: text-match score is a 64-bit integer that would take the table's width.
LARGE_SCORE = 1e6


def score_label(score: float | None) -> str:
    """A hit's score as the table shows it: two decimals (BM25F), or three significant
    digits for a large one (a cluster's text-match score, which only orders hits)."""
    if score is None:
        return "—"
    return f"{score:.2f}" if abs(score) < LARGE_SCORE else f"{score:.3g}"


def hits_table(
    hits: Sequence[Hit],
    short: Mapping[str, str],
    *,
    title: str | None = None,
    first: int = 1,
    plain_marks: bool = False,
) -> Table:
    """One row per hit. The id column never wraps, so every id shown is whole (or the
    unique prefix that ``show`` accepts) at any width."""
    ids = [shown_id(h.posting.id, short) for h in hits]
    table = Table(
        title=text(title) if title else None, show_lines=True, expand=True, title_justify="left"
    )
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("Id", no_wrap=True, min_width=max(map(len, ids), default=2))
    table.add_column("Posting", ratio=3)
    table.add_column("Where", ratio=2)
    table.add_column("Level", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    for rank, (hit, typed) in enumerate(zip(hits, ids, strict=True), first):
        score_cell = Text(score_label(hit.score))
        if hit.partial:
            score_cell.append("\npartial", style="yellow")
        table.add_row(
            Text(str(rank)),
            text(typed),
            _posting_cell(hit, plain_marks),
            _where_cell(hit),
            text(hit.posting.level or "—"),
            score_cell,
        )
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


def facets_summary(facets: Mapping[str, Mapping[str, int]], most: int = 5) -> Table:
    """A few values of each facet on one line each, under a search's hits."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for name, counts in facets.items():
        if counts:
            values = " · ".join(f"{v} ({n})" for v, n in list(counts.items())[:most])
            grid.add_row(text(name), text(values))
    return grid


def facets_table(facets: Mapping[str, Mapping[str, int]]) -> Table:
    """Every value counted, a section per facet: what ``facets`` prints."""
    table = Table(title_justify="left", expand=False)
    table.add_column("Facet", style="bold")
    table.add_column("Value")
    table.add_column("Count", justify="right")
    for name, counts in facets.items():
        for at, (value, count) in enumerate(counts.items()):
            table.add_row(text(name if at == 0 else ""), text(value), Text(f"{count:,}"))
        if counts:
            table.add_section()
    return table


def results_header(results: SearchResults) -> Text:
    """What the page holds, counted the way the hits below are: those with every word,
    then those with only some (marked "partial"); never more than are listed."""
    total, partial = results.total, results.partial_total
    if total == 0 and partial == 0:
        return Text("No postings match.", style="bold")
    noun = "posting matches" if total == 1 else "postings match"
    if not partial:
        head = f"{total:,} {noun}"
    elif total:
        head = f"{total:,} {noun} every word, {partial:,} only some"
    else:
        head = f"No posting has every word; {partial:,} have some"
    if results.hits:
        first = (results.page - 1) * results.limit + 1
        last = first + len(results.hits) - 1
        head += f" — showing {first}-{last}, page {results.page} of {results.pages}"
    return Text(head, style="bold")


def results_view(
    results: SearchResults,
    short: Mapping[str, str],
    notes: Sequence[str],
    plain_marks: bool = False,
) -> RenderableType:
    parts: list[RenderableType] = [results_header(results)]
    parts.extend(text(line, "yellow") for line in notes)
    if results.hits:
        first = (results.page - 1) * results.limit + 1
        parts.append(hits_table(results.hits, short, first=first, plain_marks=plain_marks))
    if results.facets and (results.total or results.partial_total):
        parts.append(facets_summary(results.facets))
    return Group(*parts)


def posting_rows(posting: JobPosting) -> list[tuple[str, str | None]]:
    """The facts of one posting as (label, value) pairs, in reading order."""
    pay = posting.pay
    years = years_label(posting)
    if years and posting.experience_text:
        years += f' ("{posting.experience_text}")'
    return [
        ("id", posting.id),
        ("company", posting.company),
        ("role", posting.role),
        ("level", posting.level),
        ("type", posting.employment_type),
        ("workplace", workplace_label(posting)),
        ("location", posting.location_text),
        ("pay", pay_figures(pay) if pay else None),
        ("pay a year", _annual(posting)),
        ("pay as stated", f'"{pay.text}"' if pay and pay.text else None),
        ("experience", years),
        ("degree", DEGREE_LABELS.get(posting.degree or "")),
        ("posted", posting.posted.isoformat() if posting.posted else None),
        ("closes", posting.closes.isoformat() if posting.closes else None),
        ("first indexed", _moment(posting)),
        ("skills", ", ".join(posting.skills)),
        ("url", posting.url),
        ("apply at", posting.extra.get("apply_url")),
        ("company rating", posting.extra.get("company_rating")),
        ("source", posting.source),
    ]


def minute(moment: datetime | None) -> str | None:
    """A UTC time as a person reads it: "2025-06-01 09:30 UTC"."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else None


def _moment(posting: JobPosting) -> str | None:
    """When the posting first entered the index, in UTC to the minute."""
    return minute(posting.indexed_at)


def _annual(posting: JobPosting) -> str | None:
    """The yearly figures, when the pay is stated per another period."""
    pay = posting.pay
    if pay is None or pay.period == "year" or pay.annual_max is None:
        return None
    low, high = pay.annual_min, pay.annual_max
    if low is None:  # an upper bound
        return f"up to {pay.currency or ''} {high:,.0f}".replace("  ", " ")
    figures = f"{low:,.0f}" if low == high else f"{low:,.0f}-{high:,.0f}"
    return f"{pay.currency or ''} {figures}".strip()


def posting_view(posting: JobPosting) -> RenderableType:
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column()
    for name, value in posting_rows(posting):
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


def stats_view(stats: Mapping[str, Any]) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for key, value in stats.items():
        if key == "top":
            continue
        if key == "size_bytes":
            key, value = "size", "not known" if value is None else f"{value / 1_048_576:.1f} MiB"
        elif value is None and key in {"segments", "written", "schema_version"}:
            value = "not known"
        if key.startswith("posted_") and value is None:
            value = "no posting states a date"
        grid.add_row(text(key.replace("_", " ")), text(value))
    return Group(grid, Text(""), facets_table(stats.get("top", {})))
