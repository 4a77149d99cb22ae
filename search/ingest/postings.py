"""Raw records -> ``JobPosting``: stable ids, dates, facts, and every extractor applied once.

A fact a feed states as data (``RawRecord.facts``: pay, workplace, employment type,
level, experience, degree, closing date, places) is used as it is; text extraction only
fills what the feed left unsaid, and never overrides a structured fact. One exception:
pay that is only a job site's estimate gives way to pay the posting's text states.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from search.errors import InputError
from search.extract.experience import extract_degree, extract_experience
from search.extract.locations import extract_locations
from search.extract.pay import extract_pay
from search.extract.roles import (
    classify_employment_type,
    classify_level,
    classify_role,
    extract_title,
)
from search.extract.skills import extract_skills
from search.extract.workplace import extract_workplace
from search.ingest import FieldMapSpec, FileRead, RawRecord, Rejection, read_files
from search.ingest.dates import date_of
from search.ingest.records import Facts
from search.ingest.report import FileReport, LoadReport
from search.model import JobPosting, LocationInfo, Pay

log = logging.getLogger(__name__)

RejectHandler = Callable[[Rejection], None]
FileHandler = Callable[[FileReport], None]

_SPACE = re.compile(r"\s+")


def posting_id(fields: dict[str, str]) -> str:
    """The record's own id, else its url, else a digest of all of its text.

    The url names one posting on the web, so an export without ids (a scraper's CSV)
    still keeps postings that share a title and place apart. The digest covers title,
    place, company and the whole description (every text column is part of it), and
    normalises case and white space, so a re-exported file with reflowed text keeps its
    ids and indexing it again adds nothing.
    """
    own = fields.get("id", "").strip() or fields.get("url", "").strip()
    if own:
        return own
    parts = (fields.get(k, "") for k in ("title", "location", "company", "description"))
    normalised = "\x1f".join(_SPACE.sub(" ", p).strip().casefold() for p in parts)
    return "h" + hashlib.blake2b(normalised.encode(), digest_size=8).hexdigest()


def parse_date(text: str) -> date:
    """A date as feeds write it (ISO, epoch, RFC 2822, "May 6, 2025"); else ValueError."""
    found = date_of(text)
    if found is None:
        raise ValueError(f"unreadable date {text.strip()!r} (expected YYYY-MM-DD)")
    return found


# Facts a feed states outright win; the text is read only when the feed says nothing.


def _pay(facts: Facts, text: str, where: LocationInfo) -> Pay | None:
    """The feed's pay; where that is only an estimate, pay the text states wins."""
    if facts.pay is not None and not facts.pay.estimate:
        return facts.pay
    return extract_pay(text, _one_country(where)) or facts.pay


def _one_country(where: LocationInfo) -> str | None:
    """The one country the job is in or open to (ISO code), None when several or none:
    the text's "$" is that country's dollar. Only a city or state names it (a bare code
    such as "CA, US" may be read as a country wrongly), or a remote offer's scope."""
    countries = {p.country for p in where.places if p.country and (p.city or p.state)}
    countries |= {s for s in where.remote_scope if len(s) == 2 and s.isupper()}
    return countries.pop() if len(countries) == 1 else None


def _workplace(facts: Facts, location_text: str, text: str, title: str) -> str | None:
    return facts.workplace or extract_workplace(location_text, text, title)


def _experience(facts: Facts, text: str) -> tuple[int | None, str]:
    if facts.experience_years is not None:
        return facts.experience_years, facts.experience_text
    return extract_experience(text) or (None, "")


def _degree(facts: Facts, text: str) -> str | None:
    return facts.degree or extract_degree(text)


def _extra(facts: Facts) -> dict[str, str]:
    """Facts kept beside the posting, not filtered on: the employer's rating on the job
    site, and where to apply when that is not the posting's page."""
    extra: dict[str, str] = {}
    if facts.company_rating is not None:
        extra["company_rating"] = f"{facts.company_rating:g}"
    if facts.apply_url:
        extra["apply_url"] = facts.apply_url
    return extra


def build_posting(record: RawRecord) -> JobPosting:
    """Apply every extractor to one record; ValueError when the record is unusable."""
    fields, facts = record.fields, record.facts
    description = fields.get("description", "").strip()
    if not description:
        raise ValueError("missing description")
    location_text = "; ".join(facts.locations) or fields.get("location", "").strip()
    title = extract_title(fields.get("title"), description)
    where = extract_locations(location_text, description)
    posted = parse_date(fields["posted"]) if fields.get("posted") else None
    workplace = _workplace(facts, location_text, description, title)
    years, years_text = _experience(facts, description)
    return JobPosting(
        id=posting_id(fields),
        title=title,
        description=description,
        location_text=location_text,
        places=where.places,
        remote=where.remote or facts.remote is True or workplace == "remote",
        remote_scope=where.remote_scope,
        role=classify_role(title, description),
        level=facts.level or classify_level(title, description),
        employment_type=facts.employment_type or classify_employment_type(title, description),
        skills=extract_skills(f"{title}\n{description}"),
        posted=posted,
        company=fields.get("company") or None,
        url=fields.get("url") or None,
        source=f"{record.source}:{record.line}",
        pay=_pay(facts, description, where),
        workplace=workplace,
        experience_years=years,
        experience_text=years_text,
        degree=_degree(facts, description),
        closes=facts.closes,
        extra=_extra(facts),
    )


def _log_rejection(rejection: Rejection) -> None:
    log.warning("%s", rejection)


def load_postings(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    strict: bool = False,
    on_reject: RejectHandler | None = None,
    field_map: FieldMapSpec = None,
    report: LoadReport | None = None,
    on_file: FileHandler | None = None,
) -> PostingSource:
    """Postings from files or directories, streamed; every path is checked at the call.

    Paths and ``field_map`` are validated before this returns (``InputError``), so a
    caller can check its input before it creates an index. A bad record never stops the
    stream: it goes to ``on_reject`` (default: a logged warning) and the valid records
    around it are kept. With ``strict=True`` the first bad record raises ``InputError``
    instead; collect the stream before writing to get all-or-nothing behaviour.

    ``report`` (a ``LoadReport``) is filled as the stream is consumed: one ``FileReport``
    per file (format, read, kept, merged, rejected) and the ids that different records
    share. ``on_file`` is called with each ``FileReport`` when its file is finished.
    Postings with an id seen before in this run are still yielded (the last one wins).

    Iterate the result for ``JobPosting`` values, or give it to ``JobIndex.add``, which
    then builds the postings (the extraction) on every core.
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    files = read_files(paths, field_map=field_map)
    return PostingSource(
        files, strict, on_reject or _log_rejection, report or LoadReport(), on_file
    )


class PostingSource:
    """The postings of some files, read once.

    Iterating builds each posting here. The index writer instead takes the raw records
    (``pending``), builds them in worker processes (``make``) and reports the records
    that fail (``rejected``); the per-file counts come out the same either way.
    """

    def __init__(
        self,
        files: list[FileRead],
        strict: bool,
        on_reject: RejectHandler,
        report: LoadReport,
        on_file: FileHandler | None,
    ) -> None:
        self.files = files
        self.strict = strict
        self.on_reject = on_reject
        self.report = report
        self.on_file = on_file
        self._started = False
        self._iterator: Iterator[JobPosting] | None = None
        self._by_source: dict[str, FileReport] = {}
        self._seen: dict[str, tuple[int, str]] = {}

    @property
    def size(self) -> int:
        """Bytes of every input file, as stored."""
        return sum(f.size for f in self.files)

    @property
    def position(self) -> int:
        """Bytes of the input files read so far (for progress within a large file)."""
        return sum(f.position for f in self.files)

    def read_all(self) -> ReadPostings:
        """Every posting now, in a list that remembers its files (so ``JobIndex.add`` can
        still prune): with ``strict``, a bad record raises before anything is written."""
        return ReadPostings(self, self.files)

    def _start(self) -> None:
        if self._started:
            raise InputError("these postings were read already", hint="call load_postings again")
        self._started = True

    def __iter__(self) -> Iterator[JobPosting]:
        return self

    def __next__(self) -> JobPosting:
        if self._iterator is None:
            self._iterator = self._postings()
        return next(self._iterator)

    def _postings(self) -> Iterator[JobPosting]:
        for record in self.pending():
            built = self.make(record)
            if isinstance(built, str):
                self.rejected(record, built)
            else:
                yield built

    def pending(self) -> Iterator[RawRecord]:
        """The readable records, in file order; unreadable ones are reported here."""
        self._start()
        for reading in self.files:
            counts = FileReport(reading.source)
            self._by_source[reading.source] = counts
            for item in reading:
                counts.read += 1
                if isinstance(item, RawRecord):
                    self._count(item, counts)
                    if item.columns:
                        counts.saw_columns(item.columns)
                    yield item
                else:
                    counts.rejected += 1
                    self._reject(item)
            counts.format = reading.format
            self.report.files.append(counts)
            if self.on_file is not None:
                self.on_file(counts)

    @staticmethod
    def make(item: object) -> JobPosting | str:
        """The posting of one record, or why it cannot be one."""
        assert isinstance(item, RawRecord)
        try:
            return build_posting(item)
        except ValueError as exc:
            return str(exc)

    def rejected(self, item: object, reason: str) -> None:
        """A record ``make`` refused: counted as rejected instead of kept."""
        assert isinstance(item, RawRecord)
        counts = self._by_source.get(item.source)
        if counts is not None:
            counts.rejected += 1
            counts.kept = max(0, counts.kept - 1)
        self._reject(Rejection(item.source, item.line, reason))

    def _reject(self, rejection: Rejection) -> None:
        if self.strict:
            raise InputError(str(rejection), hint="fix the record or index without --strict")
        self.on_reject(rejection)

    def _count(self, record: RawRecord, counts: FileReport) -> None:
        """Count a record as kept or merged; a merge of different content is a conflict."""
        posting = posting_id(record.fields)
        fingerprint = hash((tuple(sorted(record.fields.items())), record.facts))
        source = f"{record.source}:{record.line}"
        earlier = self._seen.get(posting)
        self._seen[posting] = (fingerprint, source)
        if earlier is None:
            counts.kept += 1
            return
        counts.merged += 1
        if earlier[0] != fingerprint:
            self.report.conflict(posting, earlier[1], source)


class ReadPostings(list[JobPosting]):
    """Postings read whole, with the files they came from (``PostingSource.read_all``)."""

    def __init__(self, postings: Iterable[JobPosting], files: list[FileRead]) -> None:
        super().__init__(postings)
        self.files = files
