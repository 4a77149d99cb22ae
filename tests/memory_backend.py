"""A second search backend, for tests only: plain Python over a list of postings.

It answers ``search.query.contract.Backend`` without numpy, side tables or Whoosh's
index: each posting's terms come from the document mapping every backend shares
(``search.store.documents.to_document``: the analysed terms of each field, the facts
as numbers), and matching, BM25F scoring, filters, facets, folding and ordering are
written here again, in the plainest way. Whoosh's query objects are read (the parser
makes them) but never run.

It exists to show that a backend can be written without touching policy: it imports
the contract and the shared value types, never ``search.query.pipeline`` or the
embedded engine. It implements the filters the behavioural suite exercises (places
by key, skill, level, employment type, workplace and remote, employer, role, pay,
years of experience, posting date) and raises ``InvalidFilterError`` for the rest.
It reads no queries (``understand`` answers None): every text is searched as typed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from whoosh import query as wq
from whoosh.support.levenshtein import distance

from search.errors import InvalidFilterError
from search.extract.roles import classify_employment_type, classify_level
from search.extract.skills import vocabulary
from search.extract.text import normalize_key
from search.model import JobPosting, Place
from search.query.contract import Matched, Order, Ranked, Understood
from search.results import Explanation, Filters
from search.store import fields as f
from search.store.analysis import FastTextAnalysis
from search.store.documents import IndexedDoc, to_document

#: A set of matches: document -> score.
Scores = dict[int, float]

B, K1 = 0.75, 1.2
EPOCH = date(1970, 1, 1)
UNKNOWN_COUNTED = (f.ROLE, f.LEVEL, f.EMPLOYMENT_TYPE, f.WORKPLACE)
#: The posted facet's bands, each the postings a search with that ``since`` keeps.
POSTED_BANDS = (
    ("past day", "1d"),
    ("past 3 days", "3d"),
    ("past week", "7d"),
    ("past month", "30d"),
)
PAY_BANDS = (50, 100, 150, 200, 250)
YEAR_BANDS = (1, 3, 5, 9)
#: Filter -> the fact it needs, as the notes name it.
FACTS = {
    "salary": "pay",
    "years": "years of experience",
    "since": "posting date",
    "level": "level",
    "type": "employment type",
    "workplace": "workplace (remote, hybrid or onsite)",
    "role": "role",
}


@dataclass
class MemorySelection:
    """The documents each filter allows, and those lacking the fact a filter needs."""

    parts: dict[str, set[int]] = field(default_factory=dict)
    unstated: dict[str, set[int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    center: Place | None = None
    fold: bool = False


class MemoryBackend:
    """Evaluation over postings held in a list; document numbers are list positions."""

    def __init__(self, postings: Iterable[JobPosting]) -> None:
        analysis = FastTextAnalysis()
        self.postings = list(postings)
        self.docs: list[IndexedDoc] = [to_document(p, analysis, indexed=0.0) for p in self.postings]
        self.size = len(self.docs)
        self.average = {
            name: sum(d.lengths.get(name, 0) for d in self.docs) / (self.size or 1) or 1.0
            for name in (f.TITLE, f.TITLE_WORDS, f.DESCRIPTION, f.SKILL_TEXT)
        }

    # -- terms ---------------------------------------------------------------------------

    def _holding(self, name: str, term: str) -> list[int]:
        return [n for n, d in enumerate(self.docs) if term in _terms(d, name)]

    def doc_frequency(self, field: str, term: str) -> int:
        return len(self._holding(field, term))

    def _term(self, name: str, term: str, boost: float) -> Scores:
        held = self._holding(name, term)
        if name not in self.average:  # unranked fields score their weight
            return {n: boost * _terms(self.docs[n], name)[term] for n in held}
        idf = math.log(self.size / (len(held) + 1)) + 1
        out = {}
        for n in held:
            tf = _terms(self.docs[n], name)[term]
            length = self.docs[n].lengths.get(name, 0) or 1
            norm = K1 * (1 - B + B * length / self.average[name])
            out[n] = boost * idf * tf * (K1 + 1) / (tf + norm)
        return out

    # -- matching ------------------------------------------------------------------------

    def _eval(self, q: wq.Query) -> Scores:
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, str(q.text), q.boost)
        if isinstance(q, wq.Phrase):
            return self._phrase(q)
        if isinstance(q, wq.Or):
            out: Scores = {}
            for sub in q.subqueries:
                for n, s in self._eval(sub).items():
                    out[n] = out.get(n, 0.0) + s
            return {n: s * q.boost for n, s in out.items()}
        if isinstance(q, wq.And):
            parts = [self._eval(sub) for sub in q.subqueries]
            common = set.intersection(*(set(p) for p in parts)) if parts else set()
            return {n: q.boost * sum(p[n] for p in parts) for n in common}
        if isinstance(q, wq.AndNot):
            dropped = self._eval(q.b)
            return {n: s for n, s in self._eval(q.a).items() if n not in dropped}
        if isinstance(q, wq.Require):
            needed = self._eval(q.b)
            return {n: s for n, s in self._eval(q.a).items() if n in needed}
        if isinstance(q, wq.AndMaybe):
            extra = self._eval(q.b)
            return {n: s + extra.get(n, 0.0) for n, s in self._eval(q.a).items()}
        if isinstance(q, wq.Not):
            inner = self._eval(q.query)
            return {n: 0.0 for n in range(self.size) if n not in inner}
        if isinstance(q, wq.Every):
            return dict.fromkeys(range(self.size), 0.0)
        if isinstance(q, wq.FuzzyTerm | wq.Prefix):
            return self._expanded(q)
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            return {}
        raise NotImplementedError(type(q).__name__)

    def _phrase(self, q: wq.Phrase) -> Scores:
        words = [str(w) for w in q.words]
        scores: Scores = {}
        for word in words:
            for n, s in self._term(q.fieldname, word, 1.0).items():
                scores[n] = scores.get(n, 0.0) + s
        joined = " ".join(words)
        phrase_field = f.PHRASE_FIELDS.get(q.fieldname)
        analysis = FastTextAnalysis()
        out = {}
        for n, score in scores.items():
            indexed = phrase_field is not None and joined in _terms(self.docs[n], phrase_field)
            terms = analysis.terms(self.docs[n].stored.get(q.fieldname, ""))
            runs = (terms[i : i + len(words)] for i in range(len(terms)))
            if len(words) == 1 or indexed or any(run == words for run in runs):
                out[n] = score * q.boost
        return out

    def _expanded(self, q: wq.FuzzyTerm | wq.Prefix) -> Scores:
        text = str(q.text)
        out: Scores = {}
        for n, d in enumerate(self.docs):
            for term in _terms(d, q.fieldname):
                if isinstance(q, wq.FuzzyTerm):
                    keep = term[: q.prefixlength] == text[: q.prefixlength]
                    keep = keep and distance(term, text) <= q.maxdist
                else:
                    keep = term.startswith(text)
                if keep:
                    out[n] = out.get(n, 0.0) + q.boost
        return out

    def understand(
        self, text: str, filters: Filters, within: MemorySelection
    ) -> Understood[MemorySelection] | None:
        """This backend reads no queries: policy searches the words as typed (reading
        them is the embedded engine's, over its place keys and side tables)."""
        return None

    def match(self, q: wq.Query, within: MemorySelection) -> Matched[Scores]:
        scores = self._eval(q)
        allowed = _all(within.parts.values(), range(self.size))
        left_out = []
        for name, missing in within.unstated.items():
            others = [part for other, part in within.parts.items() if other != name]
            dropped = _all(others, set(scores) & missing)
            shown = set(scores) & allowed
            count = self._count_left_out(dropped, shown, within.fold)
            if count:
                left_out.append(_unstated_note(count, FACTS[name]))
        return Matched({n: s for n, s in scores.items() if n in allowed}, left_out)

    def _count_left_out(self, dropped: set[int], shown: set[int], fold: bool) -> int:
        if not fold:
            return len(dropped)
        shown_jobs = {self.docs[n].dup for n in shown}
        return len({self.docs[n].dup for n in dropped} - shown_jobs)

    # -- filters -------------------------------------------------------------------------

    def select(self, filters: Filters, fold: bool) -> MemorySelection:
        for name in ("exclude_company", "near", "degree", "indexed_after", "currency"):
            if getattr(filters, name):
                raise InvalidFilterError(f"the memory backend has no {name} filter")
        chosen = MemorySelection(fold=fold)

        def one_of(name: str, noun: str, key_field: str, values: Iterable[tuple[str, str]]) -> None:
            combined: set[int] | None = None
            for typed, key in values:
                held = set(self._holding(key_field, key))
                if not held:
                    chosen.notes.append(f"no posting {noun} {typed!r}")
                combined = held if combined is None else combined | held
            if combined is not None:
                chosen.parts[name] = combined

        vocab = vocabulary()
        one_of("city", "in city", f.CITY_KEY, ((v, normalize_key(v)) for v in filters.city))
        one_of("state", "in state", f.STATE_KEY, ((v, normalize_key(v)) for v in filters.state))
        countries = ((v, normalize_key(v)) for v in filters.country)
        one_of("country", "in country", f.COUNTRY_KEY, countries)
        levels = ((v, classify_level(v.lower()) or v.lower()) for v in filters.level)
        one_of("level", "at level", f.LEVEL, levels)
        types = filters.employment_type
        kinds = ((v, classify_employment_type(v.lower()) or v.lower()) for v in types)
        one_of("type", "of employment type", f.EMPLOYMENT_TYPE, kinds)
        workplaces = list(filters.workplace) + (
            [] if filters.remote is None else ["remote" if filters.remote else "onsite"]
        )
        one_of("workplace", "with workplace", f.WORKPLACE, ((v, v) for v in workplaces))
        skills = ((v, vocab.canonical(v) or v.strip()) for v in filters.skill)
        one_of("skill", "with skill", f.SKILL, skills)
        companies = ((v, normalize_key(v)) for v in filters.company)
        one_of("company", "from company", f.COMPANY_KEY, companies)
        one_of("role", "in role", f.ROLE, ((v, v.strip().lower()) for v in filters.role))
        for name, fact in (("level", f.LEVEL), ("type", f.EMPLOYMENT_TYPE)):
            if name in chosen.parts:
                chosen.unstated[name] = self._unstated(fact)
        for name, fact in (("workplace", f.WORKPLACE), ("role", f.ROLE)):
            if name in chosen.parts:
                chosen.unstated[name] = self._unstated(fact)
        docs = list(enumerate(self.docs))
        if filters.salary_min is not None:
            estimated = set(self._holding(f.PAY_KIND, "estimate"))
            chosen.parts["salary"] = {
                n
                for n, d in docs
                if d.pay_high >= filters.salary_min and (filters.estimates or n not in estimated)
            }
            chosen.unstated["salary"] = {n for n, d in docs if math.isnan(d.pay_high)}
        if filters.max_years is not None:
            chosen.parts["years"] = {n for n, d in docs if 0 <= d.years <= filters.max_years}
            chosen.unstated["years"] = {n for n, d in docs if d.years < 0}
        if filters.since is not None:
            day = max((filters.since - EPOCH).days, 0)
            chosen.parts["since"] = {n for n, d in docs if d.posted_day >= day}
            chosen.unstated["since"] = {n for n, d in docs if d.posted_day < 0}
        return chosen

    def _unstated(self, name: str) -> set[int]:
        return {n for n, d in enumerate(self.docs) if not _terms(d, name)}

    # -- counting, ordering, fetching ----------------------------------------------------

    def count(self, m: Scores, fold: bool) -> int:
        return len({self.docs[n].dup for n in m}) if fold else len(m)

    def without(self, m: Scores, other: Scores) -> Scores:
        return {n: s for n, s in m.items() if n not in other}

    def top(self, m: Scores, k: int, order: Order, within: MemorySelection) -> Ranked:
        if order == "nearest":
            raise InvalidFilterError("the memory backend has no near filter")
        if order == "newest":
            ranked = sorted(m, key=lambda n: (-self.docs[n].posted_day, n))
            return [(n, None) for n in ranked[:k]]
        if order == "pay":
            pay = {n: self.docs[n].pay_high for n in m}
            ranked = sorted(m, key=lambda n: (-(-math.inf if math.isnan(pay[n]) else pay[n]), n))
            return [(n, m[n]) for n in ranked[:k]]
        return [(n, m[n]) for n in sorted(m, key=lambda n: (-m[n], n))[:k]]

    def jobs(self, docs: Sequence[int]) -> list[int]:
        return [self.docs[n].dup for n in docs]

    def copies(self, doc: int) -> list[int]:
        key = self.docs[doc].dup
        return [n for n, d in enumerate(self.docs) if d.dup == key and n != doc]

    def posting(self, doc: int) -> JobPosting:
        return self.postings[doc]

    def suggest(self, text: str) -> str | None:
        """Each unknown title word replaced by the most frequent title word one edit
        away (a dictionary of the plainest kind)."""
        words = Counter(w for d in self.docs for w in d.spelling)
        changed = False
        out = []
        for token in re.findall(r"\w+|\W+", text):
            lowered = token.lower()
            if token.isalpha() and lowered not in words and len(token) > 3:
                close = [(c, w) for w, c in words.items() if distance(w, lowered) == 1]
                if close:
                    token, changed = max(close)[1], True
            out.append(token)
        return "".join(out) if changed else None

    def explain(
        self,
        doc: int,
        posting: JobPosting,
        q: wq.Query | None,
        filters: Filters,
        distance_km: float | None,
    ) -> Explanation:
        return Explanation()

    # -- facets --------------------------------------------------------------------------

    def facets(self, m: Scores, top: int, fold: bool) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name in f.FACET_FIELDS:
            holders: dict[str, set[object]] = {}
            unknown: set[object] = set()
            for n in m:
                values = _terms(self.docs[n], name)
                for value in values:
                    holders.setdefault(value, set()).add(self._unit(n, fold))
                if not values:
                    unknown.add(self._unit(n, fold))
            counts = {v: len(units) for v, units in holders.items()}
            ranked = sorted((-c, v) for v, c in counts.items())[:top]
            out[name] = {v: -c for c, v in ranked}
            if name in UNKNOWN_COUNTED:
                known = {u for units in holders.values() for u in units}
                if missing := len(unknown - known):
                    out[name]["unknown"] = missing
        pay: Counter[str] = Counter()
        years: Counter[str] = Counter()
        pay_seen: set[tuple[object, str]] = set()
        year_seen: set[tuple[object, str]] = set()
        for n in m:
            d = self.docs[n]
            stated = self.postings[n].pay
            currency = stated.currency if stated else None
            if currency and not math.isnan(d.pay_high):
                band = _band(d.pay_high / 1000, PAY_BANDS, "k", 0, "{}k+")
                _add(pay, pay_seen, self._unit(n, fold), f"{currency} {band}")
            if d.years >= 0:
                band = _band(d.years, YEAR_BANDS, " years", 1, "{}+ years")
                _add(years, year_seen, self._unit(n, fold), band)
        out["pay"] = dict(sorted(pay.items(), key=lambda kv: -kv[1])[:10])
        labels = [_band(b, YEAR_BANDS, " years", 1, "{}+ years") for b in (0, 2, 4, 6, 10)]
        out["experience"] = {label: years[label] for label in labels if years[label]}
        out["posted"] = self._posted(m, fold)
        return out

    def _posted(self, m: Scores, fold: bool) -> dict[str, int]:
        """Jobs (or postings) with a matching copy a ``since`` band keeps; "unknown" for
        those none of whose matching copies states a date."""
        out: dict[str, int] = {}
        for label, value in POSTED_BANDS:
            since = Filters.of({"since": value}).since
            assert since is not None
            day = max((since - EPOCH).days, 0)
            units = {self._unit(n, fold) for n in m if self.docs[n].posted_day >= day}
            if units:
                out[label] = len(units)
        dated = {self._unit(n, fold) for n in m if self.docs[n].posted_day >= 0}
        if unknown := len({self._unit(n, fold) for n in m} - dated):
            out["unknown"] = unknown
        return out

    def _unit(self, n: int, fold: bool) -> object:
        """What a facet counts: a job (its copies' shared key) when folding."""
        return ("job", self.docs[n].dup) if fold else n


def _terms(doc: IndexedDoc, name: str) -> dict[str, int]:
    held = doc.postings.get(name, {})
    return {(t.decode() if isinstance(t, bytes) else str(t)): c for t, c in held.items()}


def _all(parts: Iterable[set[int]], start: Iterable[int]) -> set[int]:
    out = set(start)
    for part in parts:
        out &= part
    return out


def _add(counts: Counter[str], seen: set[tuple[object, str]], unit: object, label: str) -> None:
    if (unit, label) not in seen:
        seen.add((unit, label))
        counts[label] += 1


def _band(value: float, bounds: tuple[int, ...], unit: str, step: int, last: str) -> str:
    """The band label of ``value``: "0-50k" ... "250k+", "0-1 years" ... "10+ years"."""
    low = 0
    for high in bounds:
        if value <= high:
            return f"{low}-{high}{unit}"
        low = high + step
    return last.format(low)


def _unstated_note(count: int, what: str) -> str:
    verb = "was" if count == 1 else "were"
    if what == "role":
        said = "posting" if count == 1 else "postings"
        return f"{count:,} {said} of no known role {verb} left out"
    said = "posting that states" if count == 1 else "postings that state"
    return f"{count:,} {said} no {what} {verb} left out"
