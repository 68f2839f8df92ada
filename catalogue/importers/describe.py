"""Describe one document for a curator: fetch a URL (a page or a PDF) or read an uploaded
PDF, and say what it holds (title, summary, language, year, pages, size, full text)."""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.importers.errors import FetchError, ParseError
from catalogue.importers.fetch import HTML_TYPES, PDF_TYPES, Fetcher, FetchPolicy
from catalogue.importers.html import decode_html, page_metadata, year_of
from catalogue.importers.pdf import read_pdf

MAX_TEXT = 200_000  # characters of full text offered to the curator


@dataclass(frozen=True)
class Description:
    """What a document says about itself, for a curator to check before saving."""

    title: str = ""
    summary: str = ""
    language: str | None = None
    year: int | None = None
    url: str | None = None
    pdf_url: str | None = None
    publisher: str = ""
    pages: int | None = None
    size: int | None = None
    full_text: str = ""
    kind: str = "page"  # page or pdf


def describe_pdf(data: bytes, url: str | None = None) -> Description:
    """Read a PDF file; raise ParseError when it cannot be read."""
    info = read_pdf(data)
    return Description(title=info.title, summary=info.subject, year=year_of(info.created),
                       url=url, pdf_url=url, publisher=info.author, pages=info.pages, size=info.size,
                       full_text=info.text[:MAX_TEXT], kind="pdf")


def describe_url(url: str, policy: FetchPolicy) -> Description:
    """Fetch `url` politely and safely; raise FetchError or ParseError when it fails."""
    fetcher = Fetcher(policy)
    try:
        response = fetcher.fetch(url, accept=HTML_TYPES + PDF_TYPES)
    finally:
        fetcher.close()
    if response.content_type in PDF_TYPES or response.body[:5] == b"%PDF-":
        return describe_pdf(response.body, response.final_url)
    page = page_metadata(decode_html(response.body, response.charset), response.final_url)
    if not page.title:
        raise ParseError("the page has no title to take")
    return Description(title=page.title, summary=page.description, language=page.language,
                       year=page.year, url=page.canonical or response.final_url, pdf_url=page.pdf_url or None,
                       publisher=page.publisher or ", ".join(page.authors), size=len(response.body),
                       full_text=page.text[:MAX_TEXT], kind="page")


__all__ = ["Description", "describe_pdf", "describe_url", "FetchError", "ParseError"]
