"""Every field name of the index, defined once; the rest of the package imports them.

Grouped by what a field is for: identity, ranked text, filter keys (normalised with
``search.extract.text.normalize_key``), facet values (display names and codes), and
stored data. ``SCHEMA_VERSION`` in ``search.store.schema`` changes with any of them.
"""

from __future__ import annotations

# -- identity ---------------------------------------------------------------------------
ID = "id"
CONTENT_HASH = "content_hash"
#: One key shared by the copies of a job posted once per location.
DUP_KEY = "dup_key"

# -- ranked text --------------------------------------------------------------------------
TITLE = "title"
DESCRIPTION = "description"
#: Unstemmed title words, added by Whoosh for ``TEXT(spelling=True)``.
SPELL_TITLE = "spell_title"
#: Every spelling of every extracted skill, unstemmed.
SKILL_TEXT = "skill_text"
#: The skills the whole text names (boilerplate included), read by the skill
#: vocabulary's case and list rules: a query word naming a skill matches these postings.
SKILL_NAMED = "skill_named"
#: Each occurrence of a multi-word skill name in the text, as one term of its analysed
#: words ("machin learn"): a skill phrase is found without word positions.
TITLE_PHRASE = "title_phrase"
DESCRIPTION_PHRASE = "description_phrase"
#: Text field -> its phrase field.
PHRASE_FIELDS: dict[str, str] = {"title": TITLE_PHRASE, "description": DESCRIPTION_PHRASE}

#: Title words with plurals folded but not stemmed further: what ``--title`` searches
#: ("intern" is not "internal"); it keeps one-letter words and "IT".
TITLE_WORDS = "title_words"
#: What a search reads by default; a title search reads ``TITLE_WORDS`` alone.
TEXT_FIELDS: tuple[str, ...] = (TITLE, DESCRIPTION)

# -- filter keys --------------------------------------------------------------------------
CITY_KEY = "city_key"
STATE_KEY = "state_key"
COUNTRY_KEY = "country_key"
REGION_KEY = "region_key"
COMPANY_KEY = "company_key"
#: Filter name -> key field, for the place filters.
PLACE_KEY_FIELDS: dict[str, str] = {
    "city": CITY_KEY,
    "state": STATE_KEY,
    "country": COUNTRY_KEY,
    "region": REGION_KEY,
}
#: A place's coordinates as one term ``"lat:lon"``, for radius search.
GEO = "geo"
REMOTE = "remote"
POSTED = "posted"

# -- facets (also filters) ----------------------------------------------------------------
CITY = "city"
COUNTRY = "country"
SKILL = "skill"
ROLE = "role"
LEVEL = "level"
EMPLOYMENT_TYPE = "employment_type"
#: The employer as the posting names it (filters use ``company_key``).
COMPANY = "company"
#: remote, hybrid or onsite, as stated; absent (unknown) when the posting says none.
WORKPLACE = "workplace"
#: The ISO code of the currency of the stated pay.
PAY_CURRENCY = "pay_currency"
#: "stated" for pay the posting states, "estimate" for a job site's estimate of it.
PAY_KIND = "pay_kind"
#: The lowest degree required (bachelor, master, phd); absent when none is stated.
DEGREE = "degree"
#: The absolute path of the file a posting was read from, so that postings a feed no
#: longer holds can be pruned.
SOURCE_FILE = "source_file"
FACET_FIELDS: tuple[str, ...] = (
    CITY,
    COUNTRY,
    SKILL,
    ROLE,
    LEVEL,
    EMPLOYMENT_TYPE,
    COMPANY,
    WORKPLACE,
)

# -- stored ---------------------------------------------------------------------------
#: The posting's fields other than the description, as one stored value.
PAYLOAD = "payload"


#: Ranked fields, whose per-document lengths BM25F reads from the side tables.
RANKED_FIELDS: tuple[str, ...] = (TITLE, DESCRIPTION, TITLE_WORDS)
#: Fields a search reads from the side tables (the rest serve Whoosh's own use).
SIDE_FIELDS: tuple[str, ...] = (
    TITLE,
    DESCRIPTION,
    TITLE_WORDS,
    TITLE_PHRASE,
    DESCRIPTION_PHRASE,
    SKILL,
    SKILL_NAMED,
    CITY,
    COUNTRY,
    ROLE,
    LEVEL,
    EMPLOYMENT_TYPE,
    CITY_KEY,
    STATE_KEY,
    COUNTRY_KEY,
    REGION_KEY,
    COMPANY_KEY,
    GEO,
    REMOTE,
    COMPANY,
    WORKPLACE,
    PAY_CURRENCY,
    PAY_KIND,
    DEGREE,
    SOURCE_FILE,
)

#: Fields used only to filter and count: searches read them from the side tables alone
#: (their bit sets and term tables), so Whoosh's segment holds no postings for them.
#: Measured: with every Whoosh term lookup logged over searches with every filter, facet,
#: sort, explanation, similar postings, the plain-BM25 baseline and export, Whoosh's
#: term data of these fields was never read (only title, description, skill_text and
#: spell_title were). They stay in the schema, so the parser and stored data are unchanged.
FILTER_ONLY_FIELDS: frozenset[str] = frozenset(
    {
        DUP_KEY,
        CITY_KEY,
        STATE_KEY,
        COUNTRY_KEY,
        REGION_KEY,
        COMPANY_KEY,
        GEO,
        REMOTE,
        POSTED,
        CITY,
        COUNTRY,
        ROLE,
        LEVEL,
        EMPLOYMENT_TYPE,
        COMPANY,
        WORKPLACE,
        PAY_CURRENCY,
        PAY_KIND,
        DEGREE,
        SOURCE_FILE,
    }
)


def term_text(raw: bytes | str) -> str:
    """A term as text: Whoosh hands out terms as bytes from lexicons, str elsewhere."""
    return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
