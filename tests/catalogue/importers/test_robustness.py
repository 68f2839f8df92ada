"""Robustness: malformed HTML pages and PDFs through extraction and the pipeline.

Every page goes the crawler's way (decode, read metadata, make the record, the pipeline)
and every PDF through the reader's child process: nothing may raise past them, and every
failure must be a report line or a ParseError that says why. The quick runs here are part
of `make test`; the long ones are marked slow (`pytest -m slow`). Bad table rows are in
test_spreadsheet.py.
"""

from __future__ import annotations

import random
import re
import tomllib
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.importers.errors import ParseError
from catalogue.importers.html import decode_html, page_metadata
from catalogue.importers.pdf import PdfInfo, read_pdf
from catalogue.importers.pipeline import Candidate, Pipeline
from catalogue.importers.records import page_record, pdf_record
from catalogue.importers.sources import source_from
from catalogue.importers.urls import canonical_url
from tests.fixture_site import source_toml
from tests.malformed import malformed_pages, malformed_pdfs
from tests.pdfs import make_pdf

BASE = "http://portal.example.org"
SOURCE = source_from(tomllib.loads(source_toml(BASE)), "fixture", "fixture.toml")


def _page_candidate(vocabularies, number: int, path: str, body: bytes, charset: str | None) -> Candidate:
    """What the crawler makes of a product page (crawl.Crawler._read, without the fetch)."""
    url = BASE + path
    meta = page_metadata(decode_html(body, charset), url, SOURCE.fields)
    record = page_record(meta, SOURCE, vocabularies, None, url)
    return Candidate(record, origin=canonical_url(url), where=url, line=number,
                     canonical_url=canonical_url(url))


def _pipeline(vocabularies) -> Pipeline:
    return Pipeline(vocabularies, source=SOURCE.name, importer="crawl:robustness")


def _survive_pages(store, vocabularies, pages) -> None:
    candidates = (_page_candidate(vocabularies, n, *page) for n, page in enumerate(pages, start=1))
    report = _pipeline(vocabularies).run(store, candidates)
    assert [line.line for line in report.lines] == list(range(1, len(pages) + 1))
    assert all(line.reason for line in report.rejected)
    counts = report.counts
    # Not vacuous: damage rejected some pages, and others still made products.
    assert counts["rejected"] > len(pages) // 10
    assert counts["added"] + counts["updated"] + counts["unchanged"] > len(pages) // 10


def test_300_malformed_pages_go_through_extraction_and_the_pipeline(sqlite_store, vocabularies):
    _survive_pages(sqlite_store, vocabularies, malformed_pages(300, seed=7))


@pytest.mark.slow
def test_1000_malformed_pages_go_through_extraction_and_the_pipeline(sqlite_store, vocabularies):
    _survive_pages(sqlite_store, vocabularies, malformed_pages(1000, seed=1000))


_TAGS = ["html", "head", "body", "title", "meta", "link", "base", "script", "main", "article",
         "h1", "a", "time", "div", "li", "b", "nav", "template", "svg", "iframe", "noscript"]
_ATTRIBUTES = ["href", "content", "name", "property", "rel", "lang", "xml:lang", "charset",
               "datetime", "type", "class", "itemprop", "http-equiv"]
_token = st.one_of(
    st.sampled_from(_TAGS).map(lambda tag: f"<{tag}>"),
    st.sampled_from(_TAGS).map(lambda tag: f"</{tag}>"),
    st.tuples(st.sampled_from(_TAGS), st.sampled_from(_ATTRIBUTES), st.text(max_size=30))
    .map(lambda t: f'<{t[0]} {t[1]}="{t[2]}">'),
    st.sampled_from(["canonical", "citation_title", "DC.date", "og:title", "application/ld+json",
                     '{"@type": "Report", "name": ', "Resource Type:", "Agency:", "Year:",
                     "&amp;", "&#0;", "&#xD800;", "<!--", "-->", "<![CDATA[", "]]>", "\x00"]),
    st.text(max_size=40),
)
_pages = st.tuples(st.lists(_token, max_size=60).map("".join),
                   st.sampled_from([None, "utf-8", "utf-16", "iso-8859-1", "x-bogus"]))


def _survive_generated(store, vocabularies, page: tuple[str, str | None]) -> None:
    html, charset = page
    candidate = _page_candidate(vocabularies, 1, "/resources/generated",
                                html.encode("utf-8", "surrogatepass"), charset)
    report = _pipeline(vocabularies).run(store, [candidate], dry_run=True)
    assert len(report.lines) == 1
    assert report.lines[0].outcome != "rejected" or report.lines[0].reason


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=_pages)
def test_generated_tag_soup_goes_through_extraction_and_the_pipeline(sqlite_store, vocabularies, page):
    _survive_generated(sqlite_store, vocabularies, page)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=_pages)
def test_more_generated_tag_soup_goes_through_extraction_and_the_pipeline(sqlite_store, vocabularies,
                                                                          page):
    _survive_generated(sqlite_store, vocabularies, page)


# ---------------------------------------------------------------------------- PDFs

CLEAR = re.compile(r"^(not a PDF file \(no %PDF- header\)|unreadable PDF \(\w+: .+\)|"
                   r"the PDF is encrypted: it needs a password to be read|"
                   r"the PDF reader stopped \(exit -?\d+; out of memory or a crash in the file\)|"
                   r"the PDF reader gave no answer|reading the PDF took longer than \d+ s)$", re.S)


def _read(data: bytes) -> PdfInfo | ParseError:
    try:
        return read_pdf(data, timeout=30)
    except ParseError as exc:
        return exc


def _survive_pdfs(store, vocabularies, cases: list[tuple[str, bytes]]) -> dict[str, PdfInfo | ParseError]:
    with ThreadPoolExecutor(max_workers=2) as pool:  # each read is its own child process
        results = dict(zip((name for name, _ in cases), pool.map(_read, (data for _, data in cases))))
    failures = {name: str(r) for name, r in results.items() if isinstance(r, ParseError)}
    assert {name: message for name, message in failures.items() if not CLEAR.match(message)} == {}
    read = [(name, info) for name, info in results.items() if isinstance(info, PdfInfo)]
    candidates = [Candidate(pdf_record(f"{BASE}/files/{n}.pdf", info, SOURCE, vocabularies, "en"),
                            origin=f"{BASE}/files/{n}.pdf", where=name, line=n)
                  for n, (name, info) in enumerate(read, start=1)]
    report = _pipeline(vocabularies).run(store, candidates, dry_run=True)
    assert len(report.lines) == len(read) and all(line.reason for line in report.rejected)
    return results


def test_50_malformed_pdfs_are_read_or_refused_with_a_clear_error(sqlite_store, vocabularies):
    results = _survive_pdfs(sqlite_store, vocabularies, malformed_pdfs())
    assert len(results) == 50
    failed = [name for name, result in results.items() if isinstance(result, ParseError)]
    assert 15 <= len(failed) < 50  # not vacuous: some refused, some recovered
    assert str(results["empty"]) == "not a PDF file (no %PDF- header)"
    assert str(results["encrypted with a user password"]) == \
        "the PDF is encrypted: it needs a password to be read"
    assert results["encrypted, open to all"].text.strip() == "Open"
    assert all(isinstance(results[f"random bytes after a header #{n}"], ParseError) for n in range(10))


def _damaged(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(data))
        data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) + data[at + 8:]
    return data


@pytest.mark.slow
def test_200_more_damaged_pdfs_and_a_gigabyte_bomb(sqlite_store, vocabularies):
    rng = random.Random(2024)
    good = make_pdf("Guía práctica", ["Enfoque basado en derechos", "Participación"], pages=5)
    cases = [(f"damaged #{n}", _damaged(rng, good)) for n in range(200)]
    cases += [(f"big {name}", data) for name, data in malformed_pdfs(bomb_size=1 << 30)
              if "bomb" in name]
    results = _survive_pdfs(sqlite_store, vocabularies, cases)
    assert len(results) == len(cases)
