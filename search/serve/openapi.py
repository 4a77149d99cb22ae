"""The OpenAPI document of the service, served at ``/openapi.json``.

Query parameters come from the same table that reads them (``search.serve.params``);
the answers are described as loosely as they are stable: objects whose main fields are
named, so that a client generator gets types and a fuzzer can check every answer.
"""

from __future__ import annotations

from typing import Any

from search.serve import params
from search.version import __version__

__all__ = ["document"]

_ERROR = {
    "description": "The request cannot be answered: the one-line message says why.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["error", "status"],
                "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
            }
        }
    },
}

_HIT = {
    "type": "object",
    "required": ["id", "title"],
    "properties": {
        "id": {"type": "string"},
        "short_id": {"type": ["string", "null"]},
        "title": {"type": "string"},
        "company": {"type": ["string", "null"]},
        "score": {"type": ["number", "null"]},
        "snippet": {"type": "string"},
        "url": {"type": ["string", "null"]},
    },
}

_RESULTS = {
    "type": "object",
    "required": ["query", "total", "page", "pages", "hits", "facets", "notes"],
    "properties": {
        "query": {"type": "string"},
        "filters": {"type": "object"},
        "total": {"type": "integer", "minimum": 0},
        "partial_total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer"},
        "hits": {"type": "array", "items": _HIT},
        "facets": {"type": "object"},
        "notes": {"type": "array", "items": {"type": "string"}},
        "suggestion": {"type": ["string", "null"]},
        "fuzzy": {"type": "boolean"},
        "read_as": {"type": ["string", "null"]},
    },
}

_WATCH = {
    "type": "object",
    "required": ["name", "query", "filters", "created"],
    "properties": {
        "name": {"type": "string"},
        "query": {"type": "string"},
        "filters": {"type": "object"},
        "created": {"type": "string"},
        "checked": {"type": ["string", "null"]},
    },
}

_NEW = {"type": "object", "additionalProperties": {"type": "array", "items": _HIT}}

#: A posting to add, as ``jobsearch index`` reads one from JSON (more fields are read:
#: see the README's input formats).
_POSTING_IN = {
    "type": "object",
    "required": ["title", "description"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "company": {"type": "string"},
        "location": {"type": "string"},
        "url": {"type": "string"},
        "description": {"type": "string"},
    },
}

#: A saved search's name, as ``Watches.add`` checks it (JSON Schema's ``\w`` is ASCII).
_WATCH_NAME = {"type": "string", "pattern": "^[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,63}$"}

_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "A posting id, or any unique start of one.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}

_TOKEN: list[dict[str, list[str]]] = [{"token": []}]


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _ERROR for code in codes}


#: What any operation can answer: an unknown or bad parameter (400), an address past
#: the limit (414), an index that is gone, damaged or being written (503).
_ANY_ERRORS = (400, 414, 503)
#: What any operation with a body can answer besides: too large (413), not of a type it
#: reads (415).
_BODY_ERRORS = (413, 415)


def _with_common_errors(paths: dict[str, Any]) -> dict[str, Any]:
    for operations in paths.values():
        for operation in operations.values():
            codes = _ANY_ERRORS + (_BODY_ERRORS if "requestBody" in operation else ())
            for code in codes:
                operation["responses"].setdefault(str(code), _ERROR)
    return paths


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every ``/api`` operation."""
    document = _document()
    _with_common_errors(document["paths"])
    return document


def _document() -> dict[str, Any]:
    filters = params.openapi_parameters(params.FILTERS)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jobsearch",
            "version": __version__,
            "description": "Search job postings: keywords ranked by BM25F, filters by place, "
            "employer, pay, workplace, level, type, skill and more, with exact facet counts. "
            "Shapes are those of `jobsearch ... --format json`. Changes need the service's "
            "token as `Authorization: Bearer TOKEN`.",
        },
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "One page of hits for a query and filters, with facets.",
                    "parameters": params.openapi_parameters(params.SEARCH) + filters,
                    "responses": {"200": _ok(_RESULTS), **_errors(400, 503)},
                }
            },
            "/api/facets": {
                "get": {
                    "operationId": "facets",
                    "summary": "Facet counts for a query and filters.",
                    "parameters": params.openapi_parameters(params.FACETS) + filters,
                    "responses": {
                        "200": _ok({"type": "object", "required": ["total", "facets"]}),
                        **_errors(400, 503),
                    },
                }
            },
            "/api/stats": {
                "get": {
                    "operationId": "stats",
                    "summary": "Size and make-up of the index.",
                    "responses": {"200": _ok({"type": "object", "required": ["postings"]})},
                }
            },
            "/api/postings": {
                "post": {
                    "operationId": "add",
                    "summary": "Add or update postings (JSON array or JSON Lines).",
                    "security": _TOKEN,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"type": "array", "items": _POSTING_IN}},
                            "application/x-ndjson": {"schema": {"type": "string"}},
                        },
                    },
                    "responses": {
                        "200": _ok({"type": "object", "required": ["added", "rejected"]}),
                        **_errors(400, 403, 413, 503),
                    },
                }
            },
            "/api/postings/{id}": {
                "get": {
                    "operationId": "posting",
                    "summary": "One posting in full.",
                    "parameters": [_ID],
                    "responses": {"200": _ok(_HIT), **_errors(400, 404)},
                },
                "delete": {
                    "operationId": "delete",
                    "summary": "Delete one posting.",
                    "security": _TOKEN,
                    "parameters": [_ID],
                    "responses": {
                        "200": _ok({"type": "object", "required": ["deleted"]}),
                        **_errors(400, 403, 404, 503),
                    },
                },
            },
            "/api/postings/{id}/similar": {
                "get": {
                    "operationId": "similar",
                    "summary": "Postings most like this one, employers spread out.",
                    "parameters": [_ID, *params.openapi_parameters(params.SIMILAR)],
                    "responses": {
                        "200": _ok(
                            {
                                "type": "object",
                                "required": ["id", "hits"],
                                "properties": {"hits": {"type": "array", "items": _HIT}},
                            }
                        ),
                        **_errors(400, 404),
                    },
                }
            },
            "/api/watches": {
                "get": {
                    "operationId": "watches",
                    "summary": "The saved searches.",
                    "responses": {"200": _ok({"type": "array", "items": _WATCH})},
                },
                "post": {
                    "operationId": "watch_add",
                    "summary": "Save a search: a name, a query and filters.",
                    "security": _TOKEN,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {
                                        "name": _WATCH_NAME,
                                        "query": {"type": "string"},
                                        "filters": {"type": "object"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {"201": _ok(_WATCH, "Saved"), **_errors(400, 403, 503)},
                },
            },
            "/api/watches/{name}": {
                "delete": {
                    "operationId": "watch_remove",
                    "summary": "Forget a saved search.",
                    "security": _TOKEN,
                    "parameters": [
                        {
                            "name": "name",
                            "in": "path",
                            "required": True,
                            "schema": _WATCH_NAME,
                        }
                    ],
                    "responses": {"204": {"description": "Removed"}, **_errors(403, 404)},
                }
            },
            "/api/new": {
                "get": {
                    "operationId": "new_peek",
                    "summary": "What entered the index since each saved search was checked.",
                    "parameters": params.openapi_parameters(params.NEW),
                    "responses": {"200": _ok(_NEW), **_errors(400, 404)},
                },
                "post": {
                    "operationId": "new_mark",
                    "summary": "What is new, recorded as seen.",
                    "security": _TOKEN,
                    "parameters": params.openapi_parameters(params.NEW),
                    "responses": {"200": _ok(_NEW), **_errors(400, 403, 404, 503)},
                },
            },
        },
    }
