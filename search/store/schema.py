"""The Whoosh schema: which fields exist, how each is analysed, indexed and stored.

``SCHEMA_VERSION`` is stored beside the index; bump it whenever a field, an analyzer or
the stored posting changes, so an old index asks to be rebuilt.
"""

from __future__ import annotations

from functools import cache

from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from search.store import fields as f
from search.store.analysis import exact_analyzer, text_analyzer

SCHEMA_VERSION = 6


def build_schema() -> Schema:
    keyword = {"commas": True, "scorable": False}
    return Schema(
        **{
            f.ID: ID(stored=True, unique=True),
            f.CONTENT_HASH: STORED(),
            f.DUP_KEY: ID(sortable=True),
            # spelling=True adds the unstemmed spell_title field for "did you mean".
            f.TITLE: TEXT(analyzer=text_analyzer(), stored=True, spelling=True),
            f.SKILL_TEXT: TEXT(analyzer=exact_analyzer()),
            f.DESCRIPTION: TEXT(analyzer=text_analyzer(), stored=True),
            f.CITY: KEYWORD(**keyword),
            f.COUNTRY: KEYWORD(**keyword),
            f.SKILL: KEYWORD(**keyword),
            f.ROLE: ID(),
            f.LEVEL: ID(),
            f.EMPLOYMENT_TYPE: ID(),
            f.CITY_KEY: KEYWORD(**keyword),
            f.STATE_KEY: KEYWORD(**keyword),
            f.COUNTRY_KEY: KEYWORD(**keyword),
            f.REGION_KEY: KEYWORD(**keyword),
            f.GEO: KEYWORD(**keyword),
            f.REMOTE: BOOLEAN(),
            f.POSTED: DATETIME(sortable=True),
            f.COMPANY_KEY: ID(),
            f.PAYLOAD: STORED(),
        }
    )


@cache
def shared_schema() -> Schema:
    """One schema object for query-time analysis (parsing, spelling), built once."""
    return build_schema()
