"""The OpenAPI 3.1 description of `/api/v1/`, built from the same constants the API uses.

A test checks it against the app's routes, and schemathesis checks every answer against it.
"""

from __future__ import annotations

from indexer.search import FILTER_FACETS, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_LENGTH, SORTS
from webapp.api_documents import (ALL_RESULT_FIELDS, CURSOR, FACETS, LANGUAGES, VOCABULARY_NAMES,
                                  names_pattern)
from webapp.public_access import APPNAME

NULLABLE_STRING = {"type": ["string", "null"]}


def _param(name: str, description: str, schema: dict, *, where: str = "query", **extra) -> dict:
    return {"name": name, "in": where, "description": description, "schema": schema,
            "required": where == "path", **extra}


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(schema: str, description: str, example: dict | None = None) -> dict:
    content = {"schema": {"$ref": f"#/components/schemas/{schema}"}}
    if example:
        content["example"] = example
    return {"description": description, "content": {"application/json": content}}


COMMON_ERRORS = {
    "304": {"description": "Not modified: the `If-None-Match` ETag still matches."},
    "400": _error("A parameter is not valid; `error` says which and why."),
    "429": _error("Too many requests from this client; wait `Retry-After` seconds."),
    "503": _error("Search is being rebuilt; retry after `Retry-After` seconds."),
}

SEARCH_PARAMETERS = [
    _param("q", "Words in any of the six UN languages; `\"phrase\"`, `-exclude`, "
           "`agency:unicef`, `prefix*` work too. Empty: every published product.",
           {"type": "string", "maxLength": MAX_QUERY_LENGTH}),
    *[_param(facet, f"Only products with this {facet} (a vocabulary id, see "
             f"`/api/v1/vocabularies/{facet}`); repeat for OR.",
             {"type": "array", "items": {"type": "string", "maxLength": 200}},
             style="form", explode=True) for facet in FILTER_FACETS],
    _param("year_from", "Only products published in or after this year.", {"type": "integer"}),
    _param("year_to", "Only products published in or before this year.", {"type": "integer"}),
    _param("un_system", "Only UN-system publishers (`true`) or only others (`false`).",
           {"type": "string", "enum": ["true", "false"]}),
    _param("lang", "Language of labels and of tie-breaking in ranking.",
           {"type": "string", "enum": list(LANGUAGES), "default": "en"}),
    _param("appname", "Who is calling (your portal's name): recorded in our logs, so we can "
           "reach you before changing anything you rely on.",
           {"type": "string", "pattern": f"^{APPNAME.pattern}$"}),
]


def _search_path() -> dict:
    parameters = SEARCH_PARAMETERS + [
        _param("sort", "Order; default relevance with words, newest without.",
               {"type": "string", "enum": list(SORTS)}),
        _param("page", "Page number.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
        _param("per_page", "Results per page.",
               {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20}),
        _param("cursor", "Paging through a whole result list: `*` for the first page, then each "
               "answer's `next_cursor` (treat it as opaque). Overrides `page`.",
               {"type": "string", "pattern": f"^({CURSOR.pattern})$"}),
        _param("fields", "Comma-separated result fields to return: " + ", ".join(ALL_RESULT_FIELDS) + ".",
               {"type": "string", "pattern": names_pattern(ALL_RESULT_FIELDS)}),
        _param("facets", "Comma-separated facets to return (empty: none): " + ", ".join(FACETS) + ".",
               {"type": "string", "pattern": names_pattern(FACETS)}),
    ]
    return {"get": {
        "operationId": "search", "summary": "Search the published products",
        "description": "The same search as the portal's search page, with facet counts: values "
                       "of one facet combine with OR, facets with AND, and each facet's counts "
                       "ignore its own filter.",
        "parameters": parameters,
        "responses": {"200": _ok("SearchResults", "One page of results, with facets and links."),
                      **COMMON_ERRORS}}}


def _product_path() -> dict:
    return {"get": {
        "operationId": "getProduct", "summary": "One product, with every field",
        "parameters": [_param("product_id", "The product's id.", {"type": "string"}, where="path"),
                       SEARCH_PARAMETERS[-1]],
        "responses": {"200": _ok("Product", "The product."),
                      "404": _error("No published product has this id."),
                      "410": _error("The product was withdrawn from the catalogue."),
                      **{k: v for k, v in COMMON_ERRORS.items() if k != "503"}}}}


def _facet_path() -> dict:
    return {"get": {
        "operationId": "getFacet", "summary": "Every value of one facet, with counts, for a search",
        "parameters": [_param("name", "The facet.", {"type": "string", "enum": list(FACETS)}, where="path"),
                       *SEARCH_PARAMETERS],
        "responses": {"200": _ok("Facet", "The facet's values, most frequent first (years newest first)."),
                      "404": _error("No facet has this name."), **COMMON_ERRORS}}}


def _vocabulary_paths() -> dict:
    return {
        "/api/v1/vocabularies": {"get": {
            "operationId": "listVocabularies", "summary": "The controlled vocabularies",
            "parameters": [SEARCH_PARAMETERS[-1]],
            "responses": {"200": _ok("VocabularyList", "Their names, sizes and addresses."),
                          **{k: v for k, v in COMMON_ERRORS.items() if k in ("304", "400", "429")}}}},
        "/api/v1/vocabularies/{name}": {"get": {
            "operationId": "getVocabulary", "summary": "One vocabulary, labelled in six languages",
            "parameters": [_param("name", "The vocabulary.",
                                  {"type": "string", "enum": sorted(VOCABULARY_NAMES)}, where="path"),
                           SEARCH_PARAMETERS[-1]],
            "responses": {"200": _ok("Vocabulary", "Every term with its labels."),
                          "404": _error("No vocabulary has this name."),
                          **{k: v for k, v in COMMON_ERRORS.items() if k in ("304", "400", "429")}}}},
    }


def _suggest_path() -> dict:
    return {"get": {
        "operationId": "suggest", "summary": "Complete what a user has typed",
        "parameters": [_param("q", "The words so far (the last one may be partial).",
                              {"type": "string"}),
                       _param("format", "`opensearch` for the OpenSearch suggestions format, "
                              "`[query, [completions]]`, that browsers' search boxes read.",
                              {"type": "string", "enum": ["opensearch"]}),
                       SEARCH_PARAMETERS[-3], SEARCH_PARAMETERS[-1]],
        "responses": {"200": {"description": "Completions, best first.", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Suggestions"}},
            "application/x-suggestions+json": {"schema": {
                "type": "array", "minItems": 2, "maxItems": 2,
                "description": "The query, then the list of completions."}}}},
            **COMMON_ERRORS}}}


def _openapi_path() -> dict:
    return {"get": {
        "operationId": "openapi", "summary": "This document",
        "responses": {"200": {"description": "The OpenAPI 3.1 description of the API.",
                              "content": {"application/json": {"schema": {"type": "object"}}}},
                      **{k: v for k, v in COMMON_ERRORS.items() if k in ("304", "400", "429")}}}}


def _labelled() -> dict:
    return {"type": "array", "items": {"type": "object", "required": ["id", "label"],
                                       "properties": {"id": {"type": "string"}, "label": {"type": "string"}}}}


SCHEMAS = {
    "Error": {"type": "object", "required": ["ok", "error", "errors", "status"],
              "properties": {"ok": {"const": False}, "error": {"type": "string"},
                             "errors": {"type": "array"}, "status": {"type": "integer"}}},
    "FacetValue": {"type": "object", "required": ["value", "label", "count", "selected"],
                   "properties": {"value": {"type": "string"}, "label": {"type": "string"},
                                  "count": {"type": "integer", "minimum": 0},
                                  "selected": {"type": "boolean"}}},
    "Result": {"type": "object", "description": "The fields asked for with `fields`.",
               "properties": {
                   "id": {"type": "string"}, "title": {"type": "string"}, "url": NULLABLE_STRING,
                   "agencies": {"type": "array", "items": {"type": "string"}},
                   "themes": {"type": "array", "items": {"type": "string"}},
                   "stages": {"type": "array", "items": {"type": "string"}},
                   "languages": {"type": "array", "items": {"type": "string"}},
                   "type": {"type": "string"}, "year": {"type": ["integer", "null"]},
                   "summary": {"type": "string"},
                   "snippet": {"type": "string", "description": "HTML: matched words in <mark>, the rest escaped."},
                   "score": {"type": ["number", "null"]},
                   "versions": {"type": "array", "items": {"type": "object", "properties": {
                       "language": {"type": "string"}, "title": {"type": "string"}, "url": NULLABLE_STRING}}}},
               "additionalProperties": False},
    "SearchResults": {
        "type": "object", "required": ["total", "page", "per_page", "results", "facets", "suggestion", "links"],
        "properties": {
            "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
            "facets": {"type": "object", "additionalProperties": {
                "type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}},
            "suggestion": NULLABLE_STRING,
            "next_cursor": {**NULLABLE_STRING, "description": "Present when paging by cursor."},
            "links": {"type": "object", "required": ["self"],
                      "properties": {"self": {"type": "string"}, "next": {"type": "string"},
                                     "prev": {"type": "string"}}}}},
    "Product": {
        "type": "object",
        "required": ["id", "title", "summary", "type", "agencies", "themes", "languages", "regions",
                     "stages", "year", "url", "links", "versions", "status", "page_url", "link_status"],
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "summary": {"type": "string"},
            "type": {"type": "object", "properties": {"id": {"type": "string"}, "label": {"type": "string"}}},
            "agencies": _labelled(), "themes": _labelled(), "languages": _labelled(),
            "regions": _labelled(), "stages": _labelled(),
            "year": {"type": ["integer", "null"]}, "url": NULLABLE_STRING,
            "links": {"type": "array", "items": {"type": "object", "properties": {
                "url": {"type": "string"}, "label": {"type": "string"}}}},
            "versions": {"type": "array", "items": {"type": "object", "properties": {
                "language": {"type": "string"}, "title": {"type": "string"}, "url": NULLABLE_STRING,
                "summary": NULLABLE_STRING}}},
            "full_text": NULLABLE_STRING, "status": {"type": "string", "enum": ["published"]},
            "page_url": {"type": "string"}, "source_url": NULLABLE_STRING,
            "first_seen": NULLABLE_STRING, "last_changed": NULLABLE_STRING,
            "link_status": {"type": "array", "items": {"type": "object", "properties": {
                "url": {"type": "string"}, "ok": {"type": "boolean"},
                "status_code": {"type": ["integer", "null"]}, "final_url": NULLABLE_STRING,
                "checked_at": NULLABLE_STRING, "archived_url": NULLABLE_STRING}}}}},
    "Facet": {"type": "object", "required": ["facet", "total", "values"],
              "properties": {"facet": {"type": "string"}, "total": {"type": "integer"},
                             "values": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}}},
    "VocabularyList": {"type": "object", "required": ["vocabularies"], "properties": {"vocabularies": {
        "type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "count": {"type": "integer"}, "url": {"type": "string"}}}}}},
    "Vocabulary": {"type": "object", "required": ["name", "count", "terms"], "properties": {
        "name": {"type": "string"}, "count": {"type": "integer"},
        "terms": {"type": "array", "items": {"type": "object", "required": ["id", "labels"], "properties": {
            "id": {"type": "string"},
            "labels": {"type": "object", "required": list(LANGUAGES),
                       "additionalProperties": {"type": "string"}}}}}}},
    "Suggestions": {"type": "object", "required": ["q", "suggestions"], "properties": {
        "q": {"type": "string"}, "suggestions": {"type": "array", "items": {"type": "string"}}}},
}


def openapi_document(server_url: str) -> dict:
    """Return the OpenAPI 3.1 document, with `server_url` as the server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "HRBA knowledge catalogue API", "version": "1.0.0",
            "description": "Read-only access to the catalogue of UN knowledge products on the "
                           "human rights-based approach. No key needed; please send `appname`. "
                           "Every answer is JSON; errors have one shape. Also: Atom feeds "
                           "(`/search.atom`, `/changes.atom`), OAI-PMH 2.0 (`/oai`), "
                           "OpenSearch (`/opensearch.xml`) and a sitemap (`/sitemap.xml`).",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/v1/search": _search_path(),
            "/api/v1/products/{product_id}": _product_path(),
            "/api/v1/facets/{name}": _facet_path(),
            **_vocabulary_paths(),
            "/api/v1/suggest": _suggest_path(),
            "/api/v1/openapi.json": _openapi_path(),
        },
        "components": {"schemas": SCHEMAS},
    }
