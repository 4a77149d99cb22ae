"""Skill phrases indexed as single terms, so a phrase query needs no word positions.

Every multi-word spelling of a skill ("machine learning", "large language models") is
looked for in a posting's analysed terms when it is indexed; each occurrence becomes one
phrase term ("machin learn") in ``title_phrase`` or ``description_phrase``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import cache

from search.extract.skills import vocabulary
from search.store.analysis import FastTextAnalysis


@cache
def skill_phrases() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Every multi-word skill spelling as analysed terms, by its first term.

    A posting's text is scanned for these once at index time and each occurrence is
    indexed as one phrase term ("machin learn"), so a skill phrase is found without word
    positions. The terms are the analyzer's, stop words out, exactly as Whoosh's phrase
    query over positions would see them.
    """
    analysis = FastTextAnalysis()
    found: dict[str, set[tuple[str, ...]]] = {}
    for skill in vocabulary():
        for form in skill.aliases:
            terms = tuple(analysis.terms(form))
            if len(terms) > 1:
                found.setdefault(terms[0], set()).add(terms)
    return {k: tuple(sorted(v)) for k, v in found.items()}


@cache
def phrase_vocabulary() -> tuple[frozenset[str], str]:
    """Every skill phrase term ("machin learn"), and a digest of the set.

    A segment records the digest it was written with: where it matches, a phrase of the
    set that a segment lacks is truly absent there (no stored text need be read).
    """
    names = frozenset(" ".join(words) for group in skill_phrases().values() for words in group)
    digest = hashlib.blake2b("\n".join(sorted(names)).encode(), digest_size=8).hexdigest()
    return names, digest


def phrase_terms(terms: list[str]) -> Counter[str]:
    """Occurrences of skill phrases in a term sequence, as phrase terms with counts.

    Every phrase found at a word counts, overlapping ones too ("deep reinforcement
    learning" holds "reinforcement learning"), as a phrase query would match each.
    """
    phrases = skill_phrases()
    counts: Counter[str] = Counter()
    for i in [i for i, term in enumerate(terms) if term in phrases]:
        for words in phrases[terms[i]]:
            if tuple(terms[i : i + len(words)]) == words:
                counts[" ".join(words)] += 1
    return counts
