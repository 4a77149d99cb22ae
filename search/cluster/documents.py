"""A ``JobPosting`` as a Typesense document, and back.

Every value comes from ``search.store.documents.to_document``, the embedded engine's own
mapping: the filter keys, facet values, pay, years, dates and geo terms are the terms the
embedded engine indexes, so the two engines filter and count the same postings. Text
fields are added twice: as written, and as jobsearch's analysed terms in order (the
same analysers), encoded as one Typesense token per term by ``term_token``.

The document carries the posting's stored form (``posting``, JSON, not indexed), so
``from_cluster_doc`` gives back exactly the ``JobPosting`` that was written.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from search.cluster import schema as c
from search.extract.skills import skill_spellings
from search.model import JobPosting
from search.store import fields as f
from search.store.analysis import FastTextAnalysis, exact_terms
from search.store.documents import from_stored, to_document

_ANALYSIS = FastTextAnalysis()
_TITLES = FastTextAnalysis.titles()
#: A term Typesense keeps whole as one token: letters and digits only.
_PLAIN = re.compile(r"[^\W_]+")
#: A character of joined terms that is neither a letter, a digit nor the separator.
_ODD = re.compile(r"[^\w ]|_")


class _Recording(FastTextAnalysis):
    """The shared analysis (its token cache too) that keeps each text's terms, so the
    terms ``to_document`` counted are the ones sent in order, analysed once."""

    def __init__(self) -> None:
        super().__init__()
        self._cache = _ANALYSIS._cache
        self.seen: dict[str, list[str]] = {}

    def terms(self, text: str) -> list[str]:
        found = self.seen.get(text)
        if found is None:
            found = self.seen[text] = super().terms(text)
        return found


def term_token(term: str) -> str:
    """One analysed term as one Typesense token.

    Typesense drops the characters it does not index (``c++`` would be ``c``, ``node.js``
    ``nodejs``), so any character other than a letter or digit is written as ``zz<hex>z``
    (``c++`` -> ``czz2bzzz2bz``). A query term must go through this same function.
    """
    if _PLAIN.fullmatch(term):
        return term
    return "".join(ch if ch.isalnum() else f"zz{ord(ch):x}z" for ch in term)


def terms_text(terms: Iterable[str]) -> list[str]:
    """Terms as the values of a ``*_terms`` field: their tokens, in order (a query's
    term is an exact value test on them)."""
    terms = list(terms)
    if not _ODD.search(" ".join(terms)):
        return terms
    return [term_token(t) for t in terms]


def clean_text(text: str) -> str:
    """``text`` with lone surrogates (valid in a Python string, not in JSON that the
    server reads) replaced by U+FFFD; a filter value must go through this too."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _values(postings: dict[str, dict[Any, int]], name: str) -> list[str]:
    return sorted(str(term) for term in postings.get(name, ()))


def _one(postings: dict[str, dict[Any, int]], name: str) -> str | None:
    values = _values(postings, name)
    return values[0] if values else None


def field_terms(
    posting: JobPosting, analysis: FastTextAnalysis = _ANALYSIS
) -> dict[str, list[str]]:
    """The analysed terms of each ranked text field, in order (their counts are the
    embedded engine's ``IndexedDoc.postings`` of the same field)."""
    return {
        c.TITLE_TERMS: analysis.terms(posting.title),
        c.TITLE_WORDS_TERMS: _TITLES.terms(posting.title),
        c.DESCRIPTION_TERMS: analysis.terms(posting.description),
        c.SKILL_TERMS: exact_terms(" ; ".join(skill_spellings(posting.skills))),
    }


def term_pairs(terms: list[str]) -> list[str]:
    """Every two terms standing one after the other ("data platform"), once each: a
    two-word phrase is exactly one pair, a longer one all of its pairs."""
    return sorted({f"{a} {b}" for a, b in pairwise(terms)})


#: Cluster field -> the embedded engine's field with the same values.
_LISTS: dict[str, str] = {
    c.CITIES: f.CITY,
    c.COUNTRIES: f.COUNTRY,
    c.SKILLS: f.SKILL,
    c.SKILL_NAMED: f.SKILL_NAMED,
    c.WORKPLACE: f.WORKPLACE,
    c.TITLE_PHRASES: f.TITLE_PHRASE,
    c.DESCRIPTION_PHRASES: f.DESCRIPTION_PHRASE,
    **{c.PLACE_KEY_FIELDS[name]: key for name, key in f.PLACE_KEY_FIELDS.items()},
}
_SINGLE: dict[str, str] = {
    c.COMPANY: f.COMPANY,
    c.COMPANY_KEY: f.COMPANY_KEY,
    c.ROLE: f.ROLE,
    c.LEVEL: f.LEVEL,
    c.EMPLOYMENT_TYPE: f.EMPLOYMENT_TYPE,
    c.PAY_CURRENCY: f.PAY_CURRENCY,
    c.PAY_KIND: f.PAY_KIND,
    c.SOURCE_FILE: f.SOURCE_FILE,
}


def _geo(tokens: list[str]) -> list[list[float]]:
    points = []
    for token in tokens:
        lat, _, lon = token.partition(":")
        points.append([float(lat), float(lon)])
    return points


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def indexed_us(indexed: float) -> int:
    """Seconds since 1970 as whole microseconds, rounded as the stored ``indexed_at``
    is (``datetime.fromtimestamp``), so ``indexed_us / 1e6`` gives that time back."""
    return (datetime.fromtimestamp(indexed, tz=UTC) - _EPOCH) // timedelta(microseconds=1)


def stored_hash(digest: str) -> str:
    """A posting's content digest as a document of this form holds it: an unchanged
    posting stored in an older form differs, so it is written again."""
    return f"{c.DOC_FORMAT}:{digest}"


def to_cluster_doc(posting: JobPosting, indexed: float) -> dict[str, Any]:
    """The Typesense document of a posting whose id first entered the index at
    ``indexed`` (seconds since 1970). Facts the posting does not state are left out."""
    analysis = _Recording()
    doc = to_document(posting, analysis, indexed=indexed)
    postings = doc.postings
    out: dict[str, Any] = {
        c.ID: posting.id,
        c.ID_TEXT: posting.id,
        c.TITLE: posting.title,
        c.DESCRIPTION: posting.description,
        c.DUP_KEY: _one(postings, f.DUP_KEY),
        c.REMOTE: posting.remote,
        c.INDEXED_US: indexed_us(doc.indexed),
        c.CONTENT_HASH: stored_hash(doc.content_hash),
    }
    terms_of = field_terms(posting, analysis)
    out.update({name: terms_text(terms) for name, terms in terms_of.items()})
    for name, pairs in c.PAIR_FIELDS.items():
        out[pairs] = term_pairs(terms_of[name])
    for name, source in _LISTS.items():
        out[name] = _values(postings, source)
    for name, source in _SINGLE.items():
        out[name] = _one(postings, source)
    out[c.STATES] = sorted({p.state for p in posting.places if p.state})
    out[c.REGIONS] = sorted({p.region for p in posting.places if p.region})
    out[c.REMOTE_SCOPE] = list(posting.remote_scope)
    out[c.GEO] = _geo(_values(postings, f.GEO))
    if posting.pay is not None:
        out[c.PAY_ESTIMATE] = posting.pay.estimate
    for name, value in ((c.PAY_ANNUAL_LOW, doc.pay_low), (c.PAY_ANNUAL_HIGH, doc.pay_high)):
        if not math.isnan(value):
            out[name] = value
    if doc.years >= 0:
        out[c.YEARS] = doc.years
    if posting.degree is not None and posting.degree in c.DEGREE_RANKS:
        out[c.DEGREE] = c.DEGREE_RANKS[posting.degree]
    if doc.posted_day >= 0:
        out[c.POSTED] = doc.posted_day
    out[c.STATED] = [name for name in c.STATED_FACTS if _stated(out.get(name))]
    cleaned = {
        name: _cleaned(value)
        for name, value in out.items()
        if _stated(value) or name in (c.TITLE, c.DESCRIPTION)
    }
    payload = dict(doc.stored[f.PAYLOAD])
    if cleaned[c.DESCRIPTION] != posting.description:
        payload["description"] = posting.description  # the exact text, escaped as JSON
    # ASCII JSON: lone surrogates travel as \\ud800 escapes inside the string value.
    cleaned[c.POSTING] = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    return cleaned


def _stated(value: object) -> bool:
    return value is not None and value != "" and value != []


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [clean_text(v) for v in value]
    return value


def from_cluster_doc(doc: dict[str, Any]) -> JobPosting:
    """The posting a document was made from (``to_cluster_doc``), exactly."""
    payload = json.loads(doc[c.POSTING])
    description = payload.pop("description", None)
    if description is None:
        description = doc.get(c.DESCRIPTION, "")
    return from_stored({f.PAYLOAD: payload, f.DESCRIPTION: description})
