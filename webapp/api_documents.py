"""The JSON documents of the public API: products, vocabularies, facets, cursors, links."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import url_for

from catalogue.link_checks import LinkCheck
from catalogue.model import Product
from catalogue.vocabularies import Vocabularies, Vocabulary
from indexer.errors import QueryError
from indexer.search import FACET_VOCABULARIES, SearchResults
from webapp.presenters import RESULT_FIELDS, results_json

# Extra result fields a client may ask for with `fields`, besides RESULT_FIELDS.
EXTRA_RESULT_FIELDS = ("stages", "versions")
ALL_RESULT_FIELDS = RESULT_FIELDS + EXTRA_RESULT_FIELDS
FACETS = ("agency", "theme", "type", "language", "region", "stage", "year", "un_system")
# Vocabularies the API publishes, by the names clients use (facet names work too).
VOCABULARY_NAMES = {"agency": "agency", "theme": "theme", "type": "resource_type",
                    "resource_type": "resource_type", "language": "language", "region": "region",
                    "stage": "programming_stage", "programming_stage": "programming_stage",
                    "glossary": "glossary"}
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
CURSOR = re.compile(r"\*|0|[1-9][0-9]{0,6}")  # "*" or an offset below MAX_OFFSET


def names_pattern(names: tuple[str, ...]) -> str:
    """Return the regular expression of a comma-separated list of `names` (or nothing)."""
    one = "(" + "|".join(names) + ")"
    return f"^({one}(,{one})*)?$"


def _names(raw: str | None, allowed: tuple[str, ...], what: str) -> tuple[str, ...] | None:
    """Read a comma-separated list of names; None when the parameter is absent."""
    if raw is None:
        return None
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise QueryError(f"unknown {what} {unknown[0][:40]!r}; choose from {', '.join(allowed)}")
    return names


def result_fields(raw: str | None) -> tuple[str, ...]:
    """Return the result fields asked for with `fields` (default: the standard set)."""
    return _names(raw, ALL_RESULT_FIELDS, "field") or RESULT_FIELDS


def facet_choice(raw: str | None) -> tuple[str, ...]:
    """Return the facets asked for with `facets` (default: all; empty: none)."""
    names = _names(raw, FACETS, "facet")
    return FACETS if names is None else names


def encode_cursor(offset: int) -> str:
    """Return the cursor for the page that starts at `offset` (clients treat it as opaque)."""
    return str(offset)


def decode_cursor(cursor: str) -> int:
    """Return the offset a cursor stands for (`*` is the first page); QueryError if bad."""
    if cursor == "*":
        return 0
    if not CURSOR.fullmatch(cursor):
        raise QueryError("cursor is not one this API gave out; start again with cursor=*")
    return int(cursor)


def _hit_value(hit, name: str):
    value = getattr(hit, name)
    if name == "versions":
        return [{"language": lang, "title": title, "url": url} for lang, title, url in value]
    return list(value) if isinstance(value, tuple) else value


def search_document(results: SearchResults, args, *, fields: tuple[str, ...],
                    facets: tuple[str, ...], cursor: int | None) -> dict:
    """Return the `/api/v1/search` document: results, facets, and links to other pages."""
    document = results_json(results)
    document["results"] = [{name: _hit_value(hit, name) for name in fields} for hit in results.hits]
    document["facets"] = {name: values for name, values in document["facets"].items() if name in facets}
    request = results.request
    base = {k: v for k, v in args.items(multi=True) if k not in ("page", "cursor")}
    links = {"self": _api_url(args.items(multi=True))}
    if cursor is not None:
        end = cursor + len(results.hits)
        document["next_cursor"] = encode_cursor(end) if end < results.total else None
        if document["next_cursor"]:
            links["next"] = _api_url([*_pairs(base), ("cursor", document["next_cursor"])])
    else:
        if request.page < results.pages:
            links["next"] = _api_url([*_pairs(base), ("page", request.page + 1)])
        if request.page > 1:
            links["prev"] = _api_url([*_pairs(base), ("page", request.page - 1)])
    document["links"] = links
    return document


def _pairs(mapping: dict) -> list[tuple[str, str]]:
    return list(mapping.items())


def _api_url(pairs) -> str:
    query = urlencode(list(pairs))
    return url_for("api.search_products", _external=True) + (f"?{query}" if query else "")


def product_document(product: Product, vocabularies: Vocabularies,
                     checks: dict[str, LinkCheck]) -> dict:
    """Return every public field of a product, with labels and the status of its links."""
    def labelled(vocabulary: str, ids) -> list[dict]:
        terms = vocabularies[vocabulary]
        return [{"id": i, "label": terms.label(i, "en")} for i in ids]

    return {
        "id": product.id,
        "title": product.title,
        "summary": product.summary,
        "type": {"id": product.type, "label": vocabularies["resource_type"].label(product.type)},
        "agencies": labelled("agency", product.agencies),
        "themes": labelled("theme", product.themes),
        "languages": labelled("language", product.languages),
        "regions": labelled("region", product.regions),
        "stages": labelled("programming_stage", product.stages),
        "year": product.year,
        "url": product.url,
        "links": [{"url": link.url, "label": link.label} for link in product.links],
        "versions": [{"language": v.language, "title": v.title, "url": v.url, "summary": v.summary}
                     for v in product.versions],
        "full_text": product.full_text,
        "status": product.status.value,
        "page_url": url_for("search.product_page", product_id=product.id, _external=True),
        "source_url": product.provenance.source_url,
        "first_seen": _iso(product.provenance.first_seen),
        "last_changed": _iso(product.provenance.last_changed),
        "link_status": [_check(check) for check in checks.values()],
    }


def _iso(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _check(check: LinkCheck) -> dict:
    return {"url": check.url, "ok": check.ok, "status_code": check.status_code,
            "final_url": check.final_url, "checked_at": _iso(check.checked_at),
            "archived_url": None if check.ok else check.archived_url}


def vocabulary_document(name: str, vocabulary: Vocabulary) -> dict:
    """Return a vocabulary with each term's labels in the six UN languages."""
    terms = []
    for term in vocabulary:
        entry = {"id": term.id, "labels": {lang: term.label(lang) for lang in LANGUAGES}}
        if term.names:
            entry["names"] = {lang: term.name(lang) for lang in LANGUAGES}
        if term.aliases:
            entry["aliases"] = list(term.aliases)
        entry.update({k: v for k, v in term.data.items() if isinstance(v, (str, int, bool, type(None)))})
        terms.append(entry)
    return {"name": name, "count": len(terms), "terms": terms}


def facet_document(name: str, results: SearchResults) -> dict:
    """Return every value of one facet with its count for a search."""
    values = results.facets.get(name, ())
    return {"facet": name, "total": results.total,
            "values": [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                       for v in values]}


def vocabulary_for(name: str) -> str | None:
    """Return the vocabulary behind an API name (`type` → `resource_type`), or None."""
    return VOCABULARY_NAMES.get(name) or FACET_VOCABULARIES.get(name)
