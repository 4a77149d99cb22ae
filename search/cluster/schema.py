"""The Typesense collection of a cluster index: every field name, defined once.

Typesense 0.24 has no stemmer and tokenizes text its own way, so the fields people search
are sent twice: as written (``title``, ``description``, for highlights and snippets) and
as jobsearch's own analysed terms (``*_terms``, a ``string[]`` with one value per term, in
order, written by ``search.cluster.documents.term_token``), so a query parsed and stemmed
by jobsearch is matched as exact value tests (``search.cluster.expr``). Filter and facet
values are the embedded engine's terms of the same field (``search.store.documents``), so
both engines count the same postings.

Only field types and options that Typesense 0.24 and current releases share are used
(no nested objects, no per-field stemming or tokenizing, no embeddings). Every field
but the identity, the text and ``indexed_us`` is optional: a fact a posting does not
state is absent, never invented.
"""

from __future__ import annotations

from typing import Any

# -- identity -------------------------------------------------------------------------
ID = "id"
#: The id as searchable text (a unique-prefix lookup needs the id indexed; ``id`` isn't).
ID_TEXT = "id_text"
#: The job key shared by copies of one job posted for several places (group_by needs a facet).
DUP_KEY = "dup_key"
#: ``search.store.documents.content_hash``: equal digests mean nothing changed.
CONTENT_HASH = "content_hash"
#: The posting's stored form (JSON text, not indexed): ``from_cluster_doc`` reads it back.
POSTING = "posting"

# -- text -----------------------------------------------------------------------------
TITLE = "title"
DESCRIPTION = "description"
#: jobsearch's analysed terms of each text field, in order, one value (token) each.
TITLE_TERMS = "title_terms"
TITLE_WORDS_TERMS = "title_words_terms"
DESCRIPTION_TERMS = "description_terms"
SKILL_TERMS = "skill_terms"
#: Multi-word skill names as one value each ("machin learn"), per text field.
TITLE_PHRASES = "title_phrases"
DESCRIPTION_PHRASES = "description_phrases"
#: Every two terms that stand together in the text ("data platform"), one value each,
#: per text field: a phrase of other words than a skill's is matched by its pairs.
TITLE_PAIRS = "title_pairs"
DESCRIPTION_PAIRS = "description_pairs"
#: The pair field of each terms field.
PAIR_FIELDS: dict[str, str] = {"title_terms": TITLE_PAIRS, "description_terms": DESCRIPTION_PAIRS}
#: Skills the whole text names (boilerplate included).
SKILL_NAMED = "skill_named"

# -- facets and filter keys -------------------------------------------------------------
COMPANY = "company"
COMPANY_KEY = "company_key"
CITIES = "cities"
STATES = "states"
#: The countries of the places and the countries a remote offer is open to.
COUNTRIES = "countries"
REGIONS = "regions"
CITY_KEY = "city_key"
STATE_KEY = "state_key"
COUNTRY_KEY = "country_key"
REGION_KEY = "region_key"
#: Filter name (as ``search.store.fields.PLACE_KEY_FIELDS``) -> key field.
PLACE_KEY_FIELDS: dict[str, str] = {
    "city": CITY_KEY,
    "state": STATE_KEY,
    "country": COUNTRY_KEY,
    "region": REGION_KEY,
}
REMOTE = "remote"
REMOTE_SCOPE = "remote_scope"
SKILLS = "skills"
ROLE = "role"
LEVEL = "level"
EMPLOYMENT_TYPE = "employment_type"
#: remote / hybrid / onsite as the embedded engine has them (remote added when open to it).
WORKPLACE = "workplace"
PAY_CURRENCY = "pay_currency"
#: "stated" or "estimate".
PAY_KIND = "pay_kind"
PAY_ESTIMATE = "pay_estimate"
#: A year's pay at the bottom and top, in the pay's own currency (Typesense floats are
#: 32-bit: about 7 significant digits).
PAY_ANNUAL_LOW = "pay_annual_low"
PAY_ANNUAL_HIGH = "pay_annual_high"
#: The minimum years of experience required.
YEARS = "years"
#: The lowest degree required as an ordinal: ``DEGREE_RANKS``.
DEGREE = "degree"
#: Days since 1970-01-01 of the posting date (``search.store.documents.EPOCH``).
POSTED = "posted"
#: When the posting's id first entered the index, microseconds since 1970 (UTC).
INDEXED_US = "indexed_us"
#: The absolute path of the file a posting was read from.
SOURCE_FILE = "source_file"
#: The facts a posting states, named by their fields (``STATED_FACTS``): Typesense cannot
#: filter on a field being absent, so "states no pay" is ``stated:!=[pay_annual_high]``.
STATED = "stated"
#: Every place with coordinates, as [lat, lon] (rounded as the embedded engine's geo terms).
GEO = "geo"

#: The facts whose absence a filter or a facet counts (unknown stays unknown).
STATED_FACTS: tuple[str, ...] = (
    PAY_ANNUAL_HIGH,
    YEARS,
    POSTED,
    DEGREE,
    LEVEL,
    EMPLOYMENT_TYPE,
    WORKPLACE,
    ROLE,
    # Places: whether a posting names a city, state, country or region (query words
    # read as a place leave out only postings naming another one).
    CITY_KEY,
    STATE_KEY,
    COUNTRY_KEY,
    REGION_KEY,
)
#: The form of the documents this code writes; a posting stored in another form is
#: written again by the next upsert even when it has not changed (``CONTENT_HASH``
#: holds ``DOC_FORMAT:digest``). 2: places among ``STATED_FACTS``.
DOC_FORMAT = 2

#: Degree name -> ordinal, lowest first, so "at most a master" is ``degree:<=2``.
DEGREE_RANKS: dict[str, int] = {"bachelor": 1, "master": 2, "phd": 3}

#: Fields with exact counts (``facet_by``); every filter field is one, so filters on them
#: are exact matches of whole values.
FACETS: tuple[str, ...] = (
    DUP_KEY,
    COMPANY,
    COMPANY_KEY,
    CITIES,
    STATES,
    COUNTRIES,
    REGIONS,
    CITY_KEY,
    STATE_KEY,
    COUNTRY_KEY,
    REGION_KEY,
    REMOTE,
    REMOTE_SCOPE,
    SKILLS,
    ROLE,
    LEVEL,
    EMPLOYMENT_TYPE,
    WORKPLACE,
    PAY_CURRENCY,
    PAY_KIND,
    PAY_ESTIMATE,
    DEGREE,
)

_STRING_LISTS = frozenset(
    {
        TITLE_PAIRS,
        DESCRIPTION_PAIRS,
        TITLE_TERMS,
        TITLE_WORDS_TERMS,
        DESCRIPTION_TERMS,
        SKILL_TERMS,
        CITIES,
        STATES,
        COUNTRIES,
        REGIONS,
        CITY_KEY,
        STATE_KEY,
        COUNTRY_KEY,
        REGION_KEY,
        REMOTE_SCOPE,
        SKILLS,
        WORKPLACE,
        TITLE_PHRASES,
        DESCRIPTION_PHRASES,
        SKILL_NAMED,
        STATED,
    }
)
_TYPES: dict[str, str] = {
    REMOTE: "bool",
    PAY_ESTIMATE: "bool",
    PAY_ANNUAL_LOW: "float",
    PAY_ANNUAL_HIGH: "float",
    YEARS: "int32",
    DEGREE: "int32",
    POSTED: "int32",
    INDEXED_US: "int64",
    GEO: "geopoint[]",
}
#: Fields every document has; all others are optional (analysed terms too: a title
#: such as "IT" has no term once stop words are dropped).
REQUIRED: tuple[str, ...] = (
    ID_TEXT,
    TITLE,
    DESCRIPTION,
    DUP_KEY,
    INDEXED_US,
    CONTENT_HASH,
    POSTING,
)
#: Stored, never searched or filtered.
NOT_INDEXED: tuple[str, ...] = (CONTENT_HASH, POSTING)
#: Every field in the order the schema lists them.
FIELDS: tuple[str, ...] = (
    ID_TEXT,
    TITLE,
    DESCRIPTION,
    TITLE_TERMS,
    TITLE_WORDS_TERMS,
    DESCRIPTION_TERMS,
    SKILL_TERMS,
    TITLE_PHRASES,
    DESCRIPTION_PHRASES,
    TITLE_PAIRS,
    DESCRIPTION_PAIRS,
    SKILL_NAMED,
    *FACETS,
    PAY_ANNUAL_LOW,
    PAY_ANNUAL_HIGH,
    YEARS,
    POSTED,
    INDEXED_US,
    SOURCE_FILE,
    STATED,
    GEO,
    CONTENT_HASH,
    POSTING,
)


def field_type(name: str) -> str:
    """The Typesense type of a field."""
    if name in _STRING_LISTS:
        return "string[]"
    return _TYPES.get(name, "string")


def collection_schema(name: str) -> dict[str, Any]:
    """The create-collection body for a collection called ``name``."""
    fields: list[dict[str, Any]] = []
    for field in FIELDS:
        spec: dict[str, Any] = {"name": field, "type": field_type(field)}
        if field in FACETS:
            spec["facet"] = True
        if field not in REQUIRED:
            spec["optional"] = True
        if field in NOT_INDEXED:
            # Typesense wants fields it does not index to be optional.
            spec["index"] = False
            spec["optional"] = True
        fields.append(spec)
    return {"name": name, "fields": fields}
