"""Why a hit matched: each query term's share of the score, synonyms, satisfying places.

Used only with ``--explain``, so clarity beats speed: each term of the query is scored
on its own, as the search scored it, and read at the one document. Each distinct term is
evaluated once per search, not once per hit (a quoted phrase checked in stored text
took seconds per hit), and at most ``MAX_EXPLAINED`` terms are explained.
"""

from __future__ import annotations

import re
import threading
import weakref

import numpy as np
import numpy.typing as npt
from whoosh import query as wq

from search.extract.skills import vocabulary
from search.extract.text import normalize_key
from search.model import JobPosting, Place
from search.query.matching import evaluate
from search.query.view import Index
from search.results import Explanation, Filters, ScorePart
from search.store import fields as f
from search.store.analysis import stem_word as stem
from search.store.fields import term_text


def _leaves(q: wq.Query) -> list[wq.Query]:
    """The scoring leaves of a query (terms and phrases), excluding negated parts."""
    if isinstance(q, wq.Not):
        return []
    if isinstance(q, wq.AndNot | wq.Require | wq.AndMaybe):
        return _leaves(q.a) + (_leaves(q.b) if isinstance(q, wq.AndMaybe) else [])
    if isinstance(q, wq.Term | wq.Phrase | wq.FuzzyTerm | wq.Prefix):
        return [q]
    children = list(q.children()) if hasattr(q, "children") else []
    return [leaf for child in children for leaf in _leaves(child)]


#: Distinct query terms explained, in query order (a query has at most a few dozen words).
MAX_EXPLAINED = 48

#: (documents matching, their scores) of one term, sparse: most terms match few postings.
_Sparse = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]


class _LastQuery:
    """The terms of the query last explained, evaluated, for the other hits of its page.

    One entry: the hits of a page are explained one after another with the same query
    object. The index is held weakly, so a closed snapshot is never kept alive.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[weakref.ref[Index], wq.Query] | None = None
        self._terms: list[tuple[wq.Query, _Sparse]] = []

    def terms(self, index: Index, q: wq.Query) -> list[tuple[wq.Query, _Sparse]]:
        with self._lock:
            key = self._key
            if key is not None and key[0]() is index and key[1] is q:
                return self._terms
        found = []
        for leaf in list(dict.fromkeys(_leaves(q)))[:MAX_EXPLAINED]:
            match = evaluate(index, leaf)
            docs = np.flatnonzero(match.mask)
            found.append((leaf, (docs, match.scores[docs])))
        with self._lock:
            self._key, self._terms = (weakref.ref(index), q), found
        return found


_LAST = _LastQuery()


def _describe(leaf: wq.Query) -> tuple[str, str]:
    if isinstance(leaf, wq.Phrase):
        return leaf.fieldname, '"' + " ".join(leaf.words) + '"'
    return leaf.fieldname, term_text(leaf.text)


def _score_parts(index: Index, docnum: int, q: wq.Query) -> list[ScorePart]:
    parts = []
    for leaf, (docs, scores) in _LAST.terms(index, q):
        at = int(np.searchsorted(docs, docnum))
        if at < len(docs) and docs[at] == docnum:
            field, term = _describe(leaf)
            parts.append(ScorePart(field, term, round(float(scores[at]), 3)))
    return sorted(parts, key=lambda p: -p.score)


def _synonyms(posting: JobPosting, parts: list[ScorePart]) -> list[str]:
    """Skills that matched through another spelling ("NLP" on a posting saying the words)."""
    vocab = vocabulary()
    text = f"{posting.title}\n{posting.description}"
    typed = {p.term for p in parts if p.field != f.SKILL}
    found = []
    for part in parts:
        if part.field != f.SKILL:
            continue
        written = [
            form
            for form in vocab.aliases(part.term)
            if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text, re.IGNORECASE)
        ]
        if any(all(stem(w) in typed for w in form.lower().split()) for form in written):
            continue  # the posting uses the words typed; no synonym involved
        says = f"the posting says {written[0]!r}" if written else "an extracted skill"
        found.append(f"{part.term}: {says}")
    return found


def _place_matches(place: Place, name: str, value: str) -> bool:
    key = normalize_key(value)
    if name == "city":
        return place.city is not None and normalize_key(place.city) == key
    if name == "state":
        return place.state is not None and key in {
            normalize_key(place.state),
            normalize_key(f"{place.country} {place.state}"),
        }
    return place.country is not None and normalize_key(place.country) == key


def _places(posting: JobPosting, filters: Filters, distance_km: float | None) -> list[str]:
    out = []
    for name in ("city", "state", "country"):
        for value in getattr(filters, name):
            hits = [p.label() for p in posting.places if _place_matches(p, name, value)]
            if not hits and name == "country" and posting.remote:
                scope = ", ".join(posting.remote_scope) or "anywhere"
                hits = [f"remote ({scope})"]
            shown = "; ".join(hits) if hits else "an alias of a listed place"
            out.append(f"--{name} {value}: {shown}")
    if filters.near and distance_km is not None:
        out.append(f"--near {filters.near}: {distance_km:.1f} km away")
    return out


def explain_hit(
    index: Index,
    docnum: int,
    posting: JobPosting,
    q: wq.Query | None,
    filters: Filters,
    distance_km: float | None = None,
) -> Explanation:
    parts = _score_parts(index, docnum, q) if q is not None else []
    return Explanation(
        parts=tuple(parts),
        synonyms=tuple(_synonyms(posting, parts)),
        places=tuple(_places(posting, filters, distance_km)),
    )
