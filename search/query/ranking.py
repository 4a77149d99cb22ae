"""Every ranking knob in one module, each with the reason for its value.

What orders the results lives here and nowhere else (as Whoosh keeps its scorers in
``whoosh/scoring.py``): the BM25F parameters, the field weights, the weight of a match
through an extracted skill and of a skill's other spellings, when a corrected spelling's
results replace the typed words', and the weights of "similar postings". The modules
that use a knob import it from here.

Where a value was measured, its comment says on what and with which result (the judged
set is ``jobsearch evaluate``: 50 judged queries in ``tests/relevance/``, nDCG@10 0.937
for the current values). Where it was not, the comment says so: such a value is a
reasoned choice, not a tuned one, and a change to it should be judged with
``jobsearch evaluate`` before and after.

Thresholds of spelling correction (which word is suggested: ``RATIO``, ``RATIO_USED``,
``KNOWN_DF`` in ``search.query.spelling``) decide what a word is corrected to, not the
order of results, and stay beside the correction code.
"""

from __future__ import annotations

import math

from search.store import fields as f

__all__ = [
    "FIELD_BOOSTS",
    "K1",
    "LEVEL_WORDS_WEIGHT",
    "MAX_SYNONYMS",
    "PREFER_CORRECTED",
    "SIMILAR_KEY_TERMS",
    "SIMILAR_TITLE_BOOST",
    "SKILL_BOOST",
    "SYNONYM_WEIGHT",
    "B",
]

# -- BM25F -----------------------------------------------------------------------------

#: BM25F length normalisation: Whoosh's default. Not tuned here: the scores must equal
#: Whoosh's own BM25F (tests compare them document for document), so both parameters
#: are Whoosh's ``BM25F(B=0.75, K1=1.2)``.
B = 0.75
#: BM25F term-frequency saturation: Whoosh's default (see ``B``).
K1 = 1.2


def idf(df: int, documents: int) -> float:
    """Whoosh's inverse document frequency, which BM25F scores with:
    log(N / (df + 1)) + 1 over all ``documents``."""
    return math.log(documents / (df + 1)) + 1


#: Searchable text fields and their BM25F weights: a word in the title says more than
#: the same word in the tenth paragraph of the description. Unmeasured: 3.0 was chosen
#: with the first schema, before the judged set existed, and has not been varied since;
#: since then it is applied once, at query time (it had also been written into the index
#: as a schema ``field_boost``, which applied it twice). ``title_words`` (what ``--title``
#: searches) carries the title's weight so a title search scores as the title part of a
#: full search does.
FIELD_BOOSTS: dict[str, float] = {f.TITLE: 3.0, f.DESCRIPTION: 1.0, f.TITLE_WORDS: 3.0}

#: Weight of the level words typed ("senior" in "senior rust engineer berlin"), which
#: rank without being required once read as a condition: enough to order a "Senior Data
#: Engineer" before a "Data Engineer" of unknown level among equals, too little to put a
#: "Lead Data Scientist" before a "Senior Data Engineer" for "lead data engineer"
#: (keyword nDCG@10 0.936 at 1.0 in titles, 0.938 at 0.25 in all text).
LEVEL_WORDS_WEIGHT = 0.25

# -- skills and synonyms ----------------------------------------------------------------

#: Score of a match through a posting's extracted skills: about a weak single-word BM25
#: match, so the words as typed always count for more. Introduced with matching whole
#: skills (the judged set went from nDCG@10 0.890 to 0.925 for that change as a whole);
#: the value 1.5 itself was not varied, so it is unmeasured on its own.
SKILL_BOOST = 1.5
#: Weight of another spelling of a skill the user typed ("natural language processing"
#: for "NLP"), per word of the typed form: close to the typed words, so both spellings
#: rank alike, but below them, so that of two equal postings the one in the user's own
#: words comes first. Measured as part of adding the other spellings: nDCG@10 0.923 ->
#: 0.938 on the judged set, and "NLP" and "natural language processing" shared 8 of
#: their top 10 on the corpus; 0.9 was not compared with other values.
SYNONYM_WEIGHT = 0.9
#: Most other spellings added for one skill name (each is a phrase to match). Unmeasured:
#: a bound on the work and the width of the query; the vocabulary has few skills with more.
MAX_SYNONYMS = 3

# -- spelling fallback ---------------------------------------------------------------

#: How many times more postings the corrected spelling must match for its results to be
#: shown instead of the typed words' (with a note). Unmeasured: chosen from one case,
#: "product manger" (3 postings) against "product manager" (5,716), where the typed
#: words' few matches are the typo's; ten times keeps a rare real word's own results.
PREFER_CORRECTED = 10

# -- similar postings ------------------------------------------------------------------

#: Key terms of the source posting's own text (Whoosh's key-term model) that make the
#: "similar postings" query. Unmeasured: no judged set exists for similar postings.
SIMILAR_KEY_TERMS = 25
#: Weight of each title word of the source posting against those key terms: the title
#: names the job. Unmeasured (see ``SIMILAR_KEY_TERMS``); with it, a Ramp data
#: scientist's similar postings were data-science jobs at five other employers.
SIMILAR_TITLE_BOOST = 2.0
