"""Raw records -> ``JobPosting``: stable ids, dates, and every extractor applied once."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from search.errors import InputError
from search.extract.locations import extract_locations
from search.extract.roles import (
    classify_employment_type,
    classify_level,
    classify_role,
    extract_title,
)
from search.extract.skills import extract_skills
from search.ingest import RawRecord, Rejection, read_records
from search.model import JobPosting

log = logging.getLogger(__name__)

RejectHandler = Callable[[Rejection], None]

_SPACE = re.compile(r"\s+")


def posting_id(fields: dict[str, str]) -> str:
    """The record's own id, else a digest of its normalised content.

    Normalising case and white space means a re-exported file with reflowed text keeps
    its ids, so indexing it again adds nothing.
    """
    own = fields.get("id", "").strip()
    if own:
        return own
    parts = (fields.get(k, "") for k in ("title", "location", "company", "description"))
    normalised = "\x1f".join(_SPACE.sub(" ", p).strip().casefold() for p in parts)
    return "h" + hashlib.blake2b(normalised.encode(), digest_size=8).hexdigest()


def parse_date(text: str) -> date:
    """ISO dates and timestamps (``2025-03-01``, ``2025-03-01T10:00:00Z``); else ValueError."""
    text = text.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"unreadable date {text!r} (expected YYYY-MM-DD)") from None


def build_posting(record: RawRecord) -> JobPosting:
    """Apply every extractor to one record; ValueError when the record is unusable."""
    fields = record.fields
    description = fields.get("description", "").strip()
    if not description:
        raise ValueError("missing description")
    location_text = fields.get("location", "").strip()
    title = extract_title(fields.get("title"), description)
    where = extract_locations(location_text, description)
    posted = parse_date(fields["posted"]) if fields.get("posted") else None
    return JobPosting(
        id=posting_id(fields),
        title=title,
        description=description,
        location_text=location_text,
        places=where.places,
        remote=where.remote,
        remote_scope=where.remote_scope,
        role=classify_role(title, description),
        level=classify_level(title, description),
        employment_type=classify_employment_type(title, description),
        skills=extract_skills(f"{title}\n{description}"),
        posted=posted,
        company=fields.get("company") or None,
        url=fields.get("url") or None,
        source=f"{record.source}:{record.line}",
    )


def _log_rejection(rejection: Rejection) -> None:
    log.warning("%s", rejection)


def load_postings(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    strict: bool = False,
    on_reject: RejectHandler | None = None,
) -> Iterator[JobPosting]:
    """Stream postings from files or directories.

    A bad record never stops the stream: it goes to ``on_reject`` (default: a logged
    warning) and the valid records around it are kept. With ``strict=True`` the first bad
    record raises ``InputError`` instead; collect the stream before writing to get
    all-or-nothing behaviour.
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    handler = on_reject or _log_rejection
    for item in read_records(paths):
        if isinstance(item, RawRecord):
            try:
                yield build_posting(item)
                continue
            except ValueError as exc:
                item = Rejection(item.source, item.line, str(exc))
        if strict:
            raise InputError(str(item), hint="fix the record or index without --strict")
        handler(item)
