"""Cite and describe products: BibTeX, RIS, CSV, JSON Lines, schema.org JSON-LD, Dublin Core.

Each export format writes one product at a time (`Format.entry`), so the citation of one
product and the streamed export of a whole result list share the same code (`render`).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from catalogue.model import Product
from catalogue.vocabularies import Vocabularies

CSV_FIELDS = ("id", "title", "agencies", "type", "year", "languages", "themes", "regions", "stages",
              "url", "page_url", "summary")
# A spreadsheet reads a cell starting with one of these as a formula ("CSV injection", OWASP):
# such cells get a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    # A line break inside a value would start a line without a tag (or end the record).
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)


def _csv_line(values: Iterable[object]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(values)  # RFC 4180: quoted as needed, CRLF line ends
    return out.getvalue()


def safe_cell(value: object) -> object:
    """Return `value` so that no spreadsheet runs it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(product: Product, page_url: str) -> str:
    """Return one CSV row (in the order of CSV_FIELDS) describing `product`."""
    values = [product.id, product.title, "; ".join(product.agencies), product.type, product.year or "",
              "; ".join(product.languages), "; ".join(product.themes), "; ".join(product.regions),
              "; ".join(product.stages), product.url or "", page_url, product.summary]
    return _csv_line(safe_cell(value) for value in values)


def json_record(product: Product, page_url: str) -> dict:
    """Return every public field of `product` as plain data (one line of a JSON Lines export)."""
    return {
        "id": product.id, "title": product.title, "summary": product.summary, "type": product.type,
        "agencies": list(product.agencies), "themes": list(product.themes),
        "languages": list(product.languages), "regions": list(product.regions),
        "stages": list(product.stages), "year": product.year, "url": product.url,
        "links": [{"url": link.url, "label": link.label} for link in product.links],
        "versions": [{"language": v.language, "title": v.title, "url": v.url} for v in product.versions],
        "page_url": page_url,
    }


@dataclass(frozen=True)
class Format:
    """An export format: its media type, how a file starts and how each product is written."""

    name: str  # as links show it
    content_type: str
    extension: str
    entry: Callable[[Product, Vocabularies, str], str]  # (product, vocabularies, page URL)
    header: str = ""  # written once, before the first entry
    separator: str = ""  # written between two entries


FORMATS: dict[str, Format] = {
    "csv": Format("CSV", "text/csv; charset=utf-8", "csv",
                  lambda product, vocabularies, page_url: csv_row(product, page_url),
                  header=_csv_line(CSV_FIELDS)),
    # JSON Lines (one object a line) under the media type most tools know it by (ndjson).
    "jsonl": Format("JSON Lines", "application/x-ndjson", "jsonl",
                    lambda product, vocabularies, page_url:
                    json.dumps(json_record(product, page_url), ensure_ascii=False) + "\n"),
    "bibtex": Format("BibTeX", "application/x-bibtex; charset=utf-8", "bib",
                     lambda product, vocabularies, page_url: bibtex(product, vocabularies),
                     separator="\n"),
    "ris": Format("RIS", "application/x-research-info-systems; charset=utf-8", "ris",
                  lambda product, vocabularies, page_url: ris(product, vocabularies),
                  separator="\r\n"),
}


def render(kind: str, products: Iterable[Product], vocabularies: Vocabularies,
           page_url: Callable[[str], str]) -> Iterator[str]:
    """Yield the export `kind` of `products` a piece at a time: the header, then each entry.

    `page_url` gives the address of a product's page from its id. `products` may be a
    generator: nothing is held but the product being written.
    """
    export = FORMATS[kind]
    if export.header:
        yield export.header
    for number, product in enumerate(products):
        yield (export.separator if number else "") + export.entry(product, vocabularies,
                                                                   page_url(product.id))


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
