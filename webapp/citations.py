"""Cite and describe a product: BibTeX, RIS, CSV rows, schema.org JSON-LD, Dublin Core."""

from __future__ import annotations

import csv
import io

from catalogue.model import Product
from catalogue.vocabularies import Vocabularies

CSV_FIELDS = ("id", "title", "agencies", "type", "year", "languages", "themes", "regions", "url", "summary")


def _agency_names(product: Product, vocabularies: Vocabularies) -> list[str]:
    agencies = vocabularies["agency"]
    return [agencies.term(a).name("en") if a in agencies else a for a in product.agencies]


def _bibtex_escape(text: str) -> str:
    for char in "\\{}":
        text = text.replace(char, "\\" + char)
    for char in "&%$#_":
        text = text.replace(char, "\\" + char)
    return text


def bibtex(product: Product, vocabularies: Vocabularies) -> str:
    """Return a BibTeX @misc entry for `product` (authors are its publishing bodies)."""
    fields = {
        "title": "{" + _bibtex_escape(product.title) + "}",
        "author": " and ".join("{" + _bibtex_escape(n) + "}" for n in _agency_names(product, vocabularies)),
        "year": str(product.year) if product.year else None,
        "howpublished": product.url and "\\url{" + product.url + "}",
        "note": _bibtex_escape(vocabularies["resource_type"].label(product.type)),
        "language": ", ".join(product.languages),
    }
    body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields.items() if value)
    return f"@misc{{{product.id},\n{body}\n}}\n"


def ris(product: Product, vocabularies: Vocabularies) -> str:
    """Return a RIS record for `product` (type GEN, or RPRT for reports)."""
    kind = "RPRT" if product.type == "report-study" else "GEN"
    lines = [("TY", kind), ("TI", product.title)]
    lines += [("AU", name) for name in _agency_names(product, vocabularies)]
    if product.year:
        lines.append(("PY", str(product.year)))
    lines += [("LA", language) for language in product.languages]
    lines += [("KW", vocabularies["theme"].label(t)) for t in product.themes]
    if product.url:
        lines.append(("UR", product.url))
    if product.summary:
        lines.append(("AB", product.summary))
    lines.append(("ID", product.id))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines)


def csv_rows(products: list[Product]) -> str:
    """Return CSV (with a header) describing `products`, one row each."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for p in products:
        writer.writerow([p.id, p.title, "; ".join(p.agencies), p.type, p.year or "",
                         "; ".join(p.languages), "; ".join(p.themes), "; ".join(p.regions),
                         p.url or "", p.summary])
    return out.getvalue()


def json_ld(product: Product, vocabularies: Vocabularies, page_url: str) -> dict:
    """Return schema.org JSON-LD: CreativeWork, or the type's own (LearningResource...)."""
    kind = vocabularies["resource_type"].term(product.type).data.get("schema_org", "CreativeWork") \
        if product.type in vocabularies["resource_type"] else "CreativeWork"
    data = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": page_url,
        "name": product.title,
        "description": product.summary,
        "inLanguage": list(product.languages),
        "publisher": [{"@type": "Organization", "name": n} for n in _agency_names(product, vocabularies)],
        "about": [vocabularies["theme"].label(t) for t in product.themes],
        "workTranslation": [{"@type": "CreativeWork", "name": v.title, "inLanguage": v.language,
                             **({"url": v.url} if v.url else {})} for v in product.versions],
    }
    if kind == "LearningResource":
        data["learningResourceType"] = vocabularies["resource_type"].label(product.type)
    if product.year:
        data["datePublished"] = str(product.year)
    if product.url:
        data["url"] = product.url
    return data


def dublin_core_elements(product: Product, vocabularies: Vocabularies,
                         page_url: str | None = None) -> list[tuple[str, str]]:
    """Return (element, value) pairs of simple Dublin Core, in the order of the 15 elements.

    Agencies are both creators and publishers; `page_url`, the product's page in the
    catalogue, is a second identifier; language versions are relations.
    """
    agencies = _agency_names(product, vocabularies)
    elements = [("title", product.title)]
    elements += [("creator", name) for name in agencies]
    elements += [("subject", vocabularies["theme"].label(t)) for t in product.themes]
    if product.summary:
        elements.append(("description", product.summary))
    elements += [("publisher", name) for name in agencies]
    if product.year:
        elements.append(("date", str(product.year)))
    elements.append(("type", vocabularies["resource_type"].label(product.type)))
    elements += [("identifier", url) for url in (product.url, page_url) if url]
    elements += [("language", language) for language in product.languages]
    elements += [("relation", v.url) for v in product.versions if v.url]
    elements += [("coverage", vocabularies["region"].label(r)) for r in product.regions]
    return elements


def dublin_core(product: Product, vocabularies: Vocabularies) -> list[tuple[str, str]]:
    """Return (name, content) pairs for Dublin Core <meta> tags."""
    return [("DC." + element, value) for element, value in dublin_core_elements(product, vocabularies)]
