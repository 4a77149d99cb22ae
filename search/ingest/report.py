"""What a load did, per file and overall: the numbers ``jobsearch index`` prints.

A user who feeds in a board's JSON, a scraper's CSV and a saved page wants to know, per
file, what it was taken for and what became of its records: read, kept, merged (the same
posting id seen again in this run: the later one replaces the earlier) and rejected.
Merges of records that differ are named (first few, file:line), since two different
postings sharing an id is usually an export's fault and otherwise silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: How many id conflicts a report names; the rest are only counted.
MAX_CONFLICTS_NAMED = 5


@dataclass(slots=True)
class FileReport:
    """One file's outcome. ``read`` = ``kept`` + ``merged`` + ``rejected``."""

    source: str
    #: What the file was read as: ``greenhouse (json)``, ``json-ld (html)``, ``csv`` ...
    format: str = ""
    read: int = 0
    #: Postings whose id was new in this run.
    kept: int = 0
    #: Postings whose id was already seen in this run (they replace the earlier one).
    merged: int = 0
    rejected: int = 0

    def __str__(self) -> str:
        return (
            f"{self.source}: {self.format}, {self.read} read, {self.kept} kept, "
            f"{self.merged} merged, {self.rejected} rejected"
        )


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
