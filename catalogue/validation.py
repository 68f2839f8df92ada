"""Validation of products: one list of plain-language messages per field."""

from __future__ import annotations

import datetime as dt
import unicodedata
from urllib.parse import urlsplit

from catalogue.errors import ValidationError
from catalogue.ids import is_valid_id
from catalogue.model import TAG_FIELDS, Product, Status
from catalogue.vocabularies import Vocabularies

MAX_TITLE = 500
MAX_SUMMARY = 10_000
MAX_FULL_TEXT = 5_000_000
MAX_URL = 2048
MAX_TAGS = 30
FIRST_YEAR = 1945  # the UN Charter; nothing in the catalogue predates it


def has_control_characters(text: str) -> bool:
    """Tell whether `text` holds control characters other than tab and newlines."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text)


def url_problem(url: str) -> str | None:
    """Return why `url` is not an acceptable public link, or None when it is."""
    if len(url) > MAX_URL:
        return f"is longer than {MAX_URL} characters"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "must be an absolute http:// or https:// address"
    if any(ch.isspace() for ch in url) or has_control_characters(url):
        return "must not contain spaces or control characters"
    return None


def _check_text(errors, name: str, value: str, limit: int, required: bool) -> None:
    if not value or not value.strip():
        if required:
            errors.setdefault(name, []).append("is required")
        return
    if len(value) > limit:
        errors.setdefault(name, []).append(
            f"is {len(value):,} characters long; the limit is {limit:,}")
    if has_control_characters(value):
        errors.setdefault(name, []).append("contains control characters")


def validate(product: Product, vocabularies: Vocabularies) -> dict[str, list[str]]:
    """Return the problems of `product`, a list of messages per field (empty when valid)."""
    errors: dict[str, list[str]] = {}
    if not is_valid_id(product.id):
        errors.setdefault("id", []).append(
            "must be lowercase letters, digits and single hyphens, at most 80 characters")
    _check_text(errors, "title", product.title, MAX_TITLE, required=True)
    _check_text(errors, "summary", product.summary, MAX_SUMMARY, required=False)
    if product.full_text and len(product.full_text) > MAX_FULL_TEXT:
        errors.setdefault("full_text", []).append(f"is longer than {MAX_FULL_TEXT:,} characters")
    if not product.type:
        errors.setdefault("type", []).append("is required")
    elif product.type not in vocabularies["resource_type"]:
        errors.setdefault("type", []).append(f"unknown resource type {product.type!r}")
    for field_name, vocabulary_name in TAG_FIELDS.items():
        values = getattr(product, field_name)
        vocabulary = vocabularies[vocabulary_name]
        messages = [f"unknown {vocabulary_name.replace('_', ' ')} {v!r}"
                    for v in values if v not in vocabulary]
        if len(set(values)) != len(values):
            messages.append("lists a value twice")
        if len(values) > MAX_TAGS:
            messages.append(f"has {len(values)} values; the limit is {MAX_TAGS}")
        if messages:
            errors[field_name] = messages
    for field_name in ("agencies", "languages"):
        if not getattr(product, field_name):
            errors.setdefault(field_name, []).append("needs at least one value")
    if product.year is not None:
        latest = dt.date.today().year + 1
        if not isinstance(product.year, int) or isinstance(product.year, bool) \
                or not FIRST_YEAR <= product.year <= latest:
            errors.setdefault("year", []).append(f"must be a year from {FIRST_YEAR} to {latest}")
    if product.url and (problem := url_problem(product.url)):
        errors.setdefault("url", []).append(problem)
    # Where the product was found is shown as a link too: the same rule applies.
    if product.provenance.source_url and (problem := url_problem(product.provenance.source_url)):
        errors.setdefault("source", []).append(problem)
    for link in product.links:
        if problem := url_problem(link.url):
            errors.setdefault("links", []).append(f"{link.url[:80]!r} {problem}")
    _validate_versions(errors, product, vocabularies)
    if not isinstance(product.status, Status):
        errors.setdefault("status", []).append(f"unknown status {product.status!r}")
    return errors


def _validate_versions(errors, product: Product, vocabularies: Vocabularies) -> None:
    seen = set()
    messages = []
    for version in product.versions:
        where = f"{version.language} version"
        if version.language not in vocabularies["language"]:
            messages.append(f"unknown language {version.language!r}")
        if version.language in seen:
            messages.append(f"{where} is listed twice")
        seen.add(version.language)
        if not version.title or not version.title.strip():
            messages.append(f"{where}: title is required")
        elif len(version.title) > MAX_TITLE or has_control_characters(version.title):
            messages.append(f"{where}: title is too long or contains control characters")
        if version.url and (problem := url_problem(version.url)):
            messages.append(f"{where}: url {problem}")
        if version.source_url and (problem := url_problem(version.source_url)):
            messages.append(f"{where}: source {problem}")
    if messages:
        errors["versions"] = messages


def check(product: Product, vocabularies: Vocabularies) -> Product:
    """Return `product` if valid; raise ValidationError with every problem otherwise."""
    errors = validate(product, vocabularies)
    if errors:
        raise ValidationError(errors)
    return product
