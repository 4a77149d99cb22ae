"""What a load did, per file and overall: the numbers ``jobsearch index`` prints.

A user who feeds in a board's JSON, a scraper's CSV and a saved page wants to know, per
file, what it was taken for and what became of its records: read, kept, merged (the same
posting id seen again in this run: the later one replaces the earlier) and rejected.
Merges of records that differ are named (first few, file:line), since two different
postings sharing an id is usually an export's fault and otherwise silent.

For an export, the report also says which column fed which fact ("company=Company Name
(922 rating lines dropped)", "pay=Salary Estimate (699 estimates)"), which columns were
kept as text and which were left out, so a misread column is seen before anyone
searches (``--map`` then names the right one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from search.ingest.records import ColumnUse

#: How many id conflicts a report names; the rest are only counted.
MAX_CONFLICTS_NAMED = 5


#: Keys and facts in the order a report names them.
_ORDER = (
    "id",
    "title",
    "description",
    "company",
    "location",
    "url",
    "posted",
    "pay",
    "workplace",
    "remote",
    "employment_type",
    "level",
    "experience",
    "closes",
    "apply_url",
    "company_rating",
)
#: How a note reads after its count.
_NOTES = {
    "estimate": ("estimate", "estimates"),
    "rating line dropped": ("rating line dropped", "rating lines dropped"),
    "unread": ("unread, kept as text", "unread, kept as text"),
}


@dataclass(frozen=True, slots=True)
class ColumnFact:
    """Which column fed one key or fact of a file's records, and for how many.

    ``columns`` are named as the file names them ("min_salary+max_salary+pay_period" when
    several made one fact); ``records`` counts the records the fact was read for;
    ``notes`` counts what more was said ("estimate", "rating line dropped", "unread":
    a value that said nothing readable, kept as text).
    """

    fact: str
    columns: tuple[str, ...]
    records: int
    notes: dict[str, int]

    def label(self, total: int = 0) -> str:
        """``pay=Salary Estimate (742 of 956; 699 estimates)``: the records it was read
        for when that is not all ``total`` of them, and the notes."""
        said = [f"{self.records:,} of {total:,}"] if 0 <= self.records < total else []
        said += [
            f"{count:,} {_NOTES.get(note, (note, note))[count != 1]}"
            for note, count in self.notes.items()
        ]
        text = f"{self.fact}={', '.join(self.columns)}"
        return f"{text} ({'; '.join(said)})" if said else text


@dataclass(slots=True)
class FileReport:
    """One file's outcome. ``read`` = ``kept`` + ``merged`` + ``rejected``.

    ``columns`` (exports only) says which column fed which key or fact.
    """

    source: str
    #: What the file was read as: ``greenhouse (json)``, ``json-ld (html)``, ``csv`` ...
    format: str = ""
    read: int = 0
    #: Postings whose id was new in this run.
    kept: int = 0
    #: Postings whose id was already seen in this run (they replace the earlier one).
    merged: int = 0
    rejected: int = 0
    #: How many records noted each list of column uses (``RawRecord.columns``).
    uses: Counter[tuple[ColumnUse, ...]] = field(default_factory=Counter, repr=False)

    def __str__(self) -> str:
        return (
            f"{self.source}: {self.format}, {self.read} read, {self.kept} kept, "
            f"{self.merged} merged, {self.rejected} rejected"
        )

    def saw_columns(self, uses: tuple[ColumnUse, ...]) -> None:
        """Count one record's column uses (a shared tuple: cheap to count)."""
        self.uses[uses] += 1

    @property
    def columns(self) -> list[ColumnFact]:
        """Each key and fact read from a column, in a fixed order (empty for feeds)."""
        columns: dict[str, dict[str, None]] = {}
        records: Counter[str] = Counter()
        notes: dict[str, Counter[str]] = {}
        for uses, count in self.uses.items():
            read: set[str] = set()
            noted: set[tuple[str, str]] = set()
            for fact, column, note in uses:
                if fact in ("text", "ignored"):
                    continue
                columns.setdefault(fact, {})[column] = None
                if note != "unread":
                    read.add(fact)
                if note:
                    noted.add((fact, note))
            # One record counts once per fact, however many of its columns made it.
            for fact in read:
                records[fact] += count
            for fact, note in noted:
                notes.setdefault(fact, Counter())[note] += count
        order = {name: rank for rank, name in enumerate(_ORDER)}
        return [
            ColumnFact(fact, tuple(named), records[fact], dict(notes.get(fact, {})))
            for fact, named in sorted(columns.items(), key=lambda kv: order.get(kv[0], 99))
        ]

    def other_columns(self, kind: str) -> list[str]:
        """Columns kept as text (``kind`` "text") or left out ("ignored"), in file order."""
        found: dict[str, None] = {}
        for uses in self.uses:
            for fact, column, _note in uses:
                if fact == kind:
                    found[column] = None
        return list(found)

    def columns_line(self) -> str:
        """One line naming the column of each fact, or "" when the file had no columns.

        ``columns: title=Job Title, company=Company Name (922 rating lines dropped),
        pay=Salary Estimate (699 estimates); text: Industry; ignored: Headquarters``.
        """
        facts = self.columns
        if not facts:
            return ""
        total = sum(self.uses.values())
        parts = ["columns: " + ", ".join(fact.label(total) for fact in facts)]
        for kind, label in (("text", "kept as text"), ("ignored", "ignored")):
            named = self.other_columns(kind)
            if named:
                parts.append(f"{label}: " + ", ".join(n or repr(n) for n in named))
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class IdConflict:
    """Two different records with one id: where each is (``file:line``)."""

    id: str
    first: str
    again: str


@dataclass(slots=True)
class LoadReport:
    """Every file's report, in reading order, and the id conflicts found on the way.

    Filled while the postings stream is consumed; complete once it is exhausted.
    """

    files: list[FileReport] = field(default_factory=list)
    #: The first ``MAX_CONFLICTS_NAMED`` conflicts; ``conflict_count`` counts them all.
    conflicts: list[IdConflict] = field(default_factory=list)
    conflict_count: int = 0

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def kept(self) -> int:
        return sum(f.kept for f in self.files)

    @property
    def merged(self) -> int:
        return sum(f.merged for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    def conflict(self, posting_id: str, first: str, again: str) -> None:
        self.conflict_count += 1
        if len(self.conflicts) < MAX_CONFLICTS_NAMED:
            self.conflicts.append(IdConflict(posting_id, first, again))

    def conflict_note(self) -> str | None:
        """One sentence naming the first conflicts, or None when there were none."""
        if not self.conflict_count:
            return None
        named = "; ".join(f"{c.id!r} at {c.first} and {c.again}" for c in self.conflicts)
        more = self.conflict_count - len(self.conflicts)
        tail = f" and {more} more" if more else ""
        count = self.conflict_count
        noun = "id was" if count == 1 else "ids were"
        return f"{count} {noun} used by different records (the last one kept): {named}{tail}"
