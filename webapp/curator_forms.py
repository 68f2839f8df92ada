"""Read the curators' product form into a Product (validation proper is the catalogue's)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from catalogue.errors import ValidationError
from catalogue.model import TAG_FIELDS, LanguageVersion, Link, Product, Provenance, Status

MAX_ROWS = 40  # language versions or links in one form


def _text(form: MultiDict, name: str) -> str:
    return form.get(name, "").replace("\r\n", "\n").strip()


def _optional(form: MultiDict, name: str) -> str | None:
    return _text(form, name) or None


def _rows(form: MultiDict, prefix: str, names: tuple[str, ...]) -> list[dict]:
    """Return the filled rows of a repeated group (`version-3-title`...), minus removed ones."""
    rows = []
    for n in range(MAX_ROWS):
        row = {name: _text(form, f"{prefix}-{n}-{name}") for name in names}
        if any(row.values()) and not form.get(f"{prefix}-{n}-remove"):
            rows.append(row)
    return rows


def _ordered(submitted: list[str], current: tuple[str, ...]) -> tuple[str, ...]:
    """Keep the product's own order for values it already had (forms list them in vocabulary
    order), and add the new ones after them: an unchanged form is an unchanged product."""
    chosen = list(dict.fromkeys(v for v in submitted if v))
    kept = [v for v in current if v in chosen]
    return tuple(kept + [v for v in chosen if v not in kept])


def product_from_form(form: MultiDict, current: Product | None = None) -> Product:
    """Build the product a curator's form describes; raise ValidationError on unreadable values."""
    errors: dict[str, list[str]] = {}
    year = None
    if raw := _text(form, "year"):
        try:
            year = int(raw)
        except ValueError:
            errors["year"] = ["must be a year such as 2015"]
    versions = tuple(LanguageVersion(language=r["language"], title=r["title"], url=r["url"] or None,
                                     summary=r["summary"] or None)
                     for r in _rows(form, "version", ("language", "title", "url", "summary")))
    links = tuple(Link(url=r["url"], label=r["label"]) for r in _rows(form, "link", ("url", "label")))
    if any(not link.url for link in links):
        errors["links"] = ["every link needs an address"]
    tags = {name: _ordered(form.getlist(name), getattr(current, name) if current else ())
            for name in TAG_FIELDS}
    if errors:
        raise ValidationError(errors)
    return Product(
        id=(current.id if current else _text(form, "id")), title=_text(form, "title"),
        type=_text(form, "type"), summary=_text(form, "summary"), year=year,
        url=_optional(form, "url"), links=links, versions=versions,
        full_text=_optional(form, "full_text"),
        status=current.status if current else Status.PENDING_REVIEW if form.get("pending") else Status.PUBLISHED,
        provenance=current.provenance if current else Provenance(importer="curator"),
        **tags)


def form_from_product(product: Product | None) -> dict:
    """Return the values to fill a form with (plain data for the template)."""
    if product is None:
        return {"tags": {name: () for name in TAG_FIELDS}, "versions": [], "links": []}
    return {"id": product.id, "title": product.title, "type": product.type, "summary": product.summary,
            "year": product.year or "", "url": product.url or "", "full_text": product.full_text or "",
            "tags": {name: getattr(product, name) for name in TAG_FIELDS},
            "versions": [vars(v) for v in product.versions],
            "links": [vars(link) for link in product.links]}


def form_values(form: MultiDict) -> dict:
    """Return what the curator typed, to show the form again after an error."""
    def rows(prefix, names):
        return [{name: form.get(f"{prefix}-{n}-{name}", "") for name in names}
                for n in range(MAX_ROWS)
                if any(form.get(f"{prefix}-{n}-{name}") for name in names)]
    return {"id": form.get("id", ""), "title": form.get("title", ""), "type": form.get("type", ""),
            "summary": form.get("summary", ""), "year": form.get("year", ""), "url": form.get("url", ""),
            "full_text": form.get("full_text", ""),
            "tags": {name: tuple(form.getlist(name)) for name in TAG_FIELDS},
            "versions": rows("version", ("language", "title", "url", "summary")),
            "links": rows("link", ("url", "label"))}


def values_from_description(described, vocabularies) -> tuple[dict, dict]:
    """Return the new-product form filled from a described document, and a note for the
    curator (what was read, pages and size) — everything stays editable before saving."""
    from indexer.language import DETECTABLE, detect  # noqa: PLC0415 (the web layer joins them)

    values = form_from_product(None)
    language = vocabularies["language"].resolve(described.language) if described.language else None
    if language is None and (described.title or described.full_text):
        language = detect(f"{described.title}. {described.summary} {described.full_text[:2000]}", DETECTABLE)
    agencies = []
    for part in [described.publisher, *described.publisher.replace(";", ",").split(",")]:
        found = vocabularies["agency"].resolve(part.strip()) if part.strip() else None
        if found and found not in agencies:
            agencies.append(found)
    links = []
    if described.pdf_url and described.pdf_url != described.url:
        links.append({"url": described.pdf_url, "label": "PDF"})
    values.update(title=described.title, summary=described.summary, year=described.year or "",
                  url=described.url or "", full_text=described.full_text, links=links)
    values["tags"] = {**values["tags"], "languages": (language,) if language else (), "agencies": tuple(agencies)}
    note = {"kind": described.kind, "pages": described.pages, "size": described.size,
            "language": language, "publisher": described.publisher}
    return values, note
