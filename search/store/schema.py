"""The Whoosh schema: which fields exist, how each is analysed, indexed and stored.

``SCHEMA_VERSION`` is stored beside the index; bump it whenever a field, an analyzer or
the stored posting changes, so an old index asks to be rebuilt.
"""

from __future__ import annotations

from functools import cache

from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from search.store import fields as f
from search.store.analysis import exact_analyzer, text_analyzer, title_analyzer

SCHEMA_VERSION = 15


def build_schema() -> Schema:
    """The fields and how each is indexed.

    No field keeps word positions: a search reads term frequencies only (positions were
    two thirds of the index and most of its build time). Skill phrases are indexed as
    phrase terms instead (``title_phrase``, ``description_phrase``); no field has a
    Whoosh sort column, since dates and duplicate keys are read from the side tables.
    """
    keyword = {"commas": True, "scorable": False}
    return Schema(
        **{
            f.ID: ID(stored=True, unique=True),
            f.CONTENT_HASH: STORED(),
            f.DUP_KEY: ID(),
            # spelling=True adds the unstemmed spell_title field for "did you mean".
            f.TITLE: TEXT(analyzer=text_analyzer(), stored=True, spelling=True, phrase=False),
            f.TITLE_WORDS: TEXT(analyzer=title_analyzer(), phrase=False),
            f.SKILL_TEXT: TEXT(analyzer=exact_analyzer(), phrase=False),
            f.DESCRIPTION: TEXT(analyzer=text_analyzer(), stored=True, phrase=False),
            f.TITLE_PHRASE: KEYWORD(commas=True, scorable=False),
            f.DESCRIPTION_PHRASE: KEYWORD(commas=True, scorable=False),
            f.CITY: KEYWORD(**keyword),
            f.COUNTRY: KEYWORD(**keyword),
            f.SKILL: KEYWORD(**keyword),
            f.SKILL_NAMED: KEYWORD(**keyword),
            f.ROLE: ID(),
            f.LEVEL: ID(),
            f.EMPLOYMENT_TYPE: ID(),
            f.CITY_KEY: KEYWORD(**keyword),
            f.STATE_KEY: KEYWORD(**keyword),
            f.COUNTRY_KEY: KEYWORD(**keyword),
            f.REGION_KEY: KEYWORD(**keyword),
            f.GEO: KEYWORD(**keyword),
            f.REMOTE: BOOLEAN(),
            f.POSTED: DATETIME(),
            f.COMPANY_KEY: ID(),
            f.COMPANY: ID(),
            f.WORKPLACE: KEYWORD(**keyword),
            f.PAY_CURRENCY: ID(),
            f.PAY_KIND: ID(),
            f.DEGREE: ID(),
            f.SOURCE_FILE: ID(),
            f.PAYLOAD: STORED(),
        }
    )


@cache
def shared_schema() -> Schema:
    """One schema object for query-time analysis (parsing, spelling), built once."""
    return build_schema()
