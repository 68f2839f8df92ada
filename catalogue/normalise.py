"""Turn a raw record (an import line, a form) into a Product with vocabulary ids."""

from __future__ import annotations

from typing import Any, Mapping

from catalogue.model import TAG_FIELDS, LanguageVersion, Link, Product, Provenance, Status
from catalogue.vocabularies import Vocabularies

Errors = dict[str, list[str]]


def _clean_text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _optional_text(value: Any) -> str | None:
    text = _clean_text(value)
    return text or None


def _as_list(errors: Errors, name: str, value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    errors.setdefault(name, []).append(f"must be a list, not {type(value).__name__}")
    return []


def resolve_all(errors: Errors, name: str, raw_values: list, vocabularies: Vocabularies,
                vocabulary_name: str) -> tuple[str, ...]:
    """Map raw strings to vocabulary ids, in order, without repeats; note unknown ones."""
    vocabulary = vocabularies[vocabulary_name]
    ids: list[str] = []
    for raw in raw_values:
        term_id = vocabulary.resolve(raw) if isinstance(raw, str) else None
        if term_id is None:
            label = vocabulary_name.replace("_", " ")
            errors.setdefault(name, []).append(f"unknown {label} {str(raw)[:100]!r}")
        elif term_id not in ids:
            ids.append(term_id)
    return tuple(ids)


def _year(errors: Errors, value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors.setdefault("year", []).append("must be a whole number")
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():  # "٢٠١٥" is a year, "²" is not
        return int(value.strip())
    errors.setdefault("year", []).append(f"must be a whole number, not {str(value)[:20]!r}")
    return None


def _versions(errors: Errors, raw: Any, vocabularies: Vocabularies) -> tuple[LanguageVersion, ...]:
    versions = []
    for item in _as_list(errors, "versions", raw):
        if not isinstance(item, Mapping):
            errors.setdefault("versions", []).append("each version must be an object")
            continue
        language = resolve_all(errors, "versions", [item.get("language")], vocabularies, "language")
        if not language:
            continue
        versions.append(LanguageVersion(
            language=language[0],
            title=item.get("title") if isinstance(item.get("title"), str) else "",
            url=_optional_text(item.get("url")),
            summary=_optional_text(item.get("summary")),
            source_url=_optional_text(item.get("source") or item.get("source_url")),
        ))
    return tuple(versions)


def product_from_record(record: Mapping[str, Any], vocabularies: Vocabularies, *,
                        product_id: str, importer: str = "manual",
                        status: Status = Status.PUBLISHED) -> tuple[Product, Errors]:
    """Build a Product from `record`, resolving every tag through the vocabularies.

    Returns the product and the problems met while mapping (unknown values, wrong
    types). The product still needs `validation.validate` for the field rules.
    """
    errors: Errors = {}
    if not isinstance(record, Mapping):
        return Product(id=product_id, title="", type=""), {"record": ["must be a JSON object"]}
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        errors.setdefault("title", []).append("must be text")
    raw_type = record.get("type")
    types = resolve_all(errors, "type", [raw_type], vocabularies, "resource_type") \
        if raw_type not in (None, "") else ()
    tags = {
        field_name: resolve_all(errors, field_name, _as_list(errors, field_name, record.get(field_name)),
                                vocabularies, vocabulary_name)
        for field_name, vocabulary_name in TAG_FIELDS.items()
    }
    links = tuple(Link(url=item["url"], label=_clean_text(item.get("label", "")))
                  for item in _as_list(errors, "links", record.get("links"))
                  if isinstance(item, Mapping) and isinstance(item.get("url"), str))
    product = Product(
        id=product_id,
        # Titles are kept exactly as published, bar surrounding white space.
        title=title.strip() if isinstance(title, str) else "",
        type=types[0] if types else "",
        summary=_clean_text(record.get("summary")),
        year=_year(errors, record.get("year")),
        url=_optional_text(record.get("url")),
        links=links,
        versions=_versions(errors, record.get("versions"), vocabularies),
        full_text=record.get("full_text") if isinstance(record.get("full_text"), str) else None,
        status=status,
        provenance=Provenance(source_url=_optional_text(record.get("source")), importer=importer),
        **tags,
    )
    return product, errors
