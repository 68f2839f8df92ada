"""Which agency published a page found by its address, where agencies share a host."""

from __future__ import annotations

import pytest

from catalogue.importers.html import page_metadata
from catalogue.importers.pdf import PdfInfo
from catalogue.importers.records import agency_for_url, page_record, pdf_record
from catalogue.importers.sources import Source


@pytest.mark.parametrize("url, agency", [
    ("https://www.ohchr.org/en/documents/tools-and-resources/hrba-guide", "ohchr"),
    ("https://ohchr.org/", "ohchr"),
    ("https://www.ohchr.org/en/treaty-bodies/cedaw/general-recommendations", "cedaw"),
    ("https://www.ohchr.org/fr/treaty-bodies/cedaw/general-recommendations", "cedaw"),
    ("https://www.ohchr.org/EN/Treaty-Bodies/CRC", "crc"),
    ("https://www.ohchr.org/en/treaty-bodies/cescr/general-comments", "cescr"),
    ("https://www.ohchr.org/es/hr-bodies/hrc/resolutions", "hrc"),
    ("https://www.ohchr.org/en/special-procedures/sr-water-and-sanitation/annual-reports", "sr-water-sanitation"),
    ("https://www.ohchr.org/en/treaty-bodies/cedawish", "ohchr"),
    ("https://www.fao.org/cfs/policy-products/en/", "cfs"),
    ("https://www.fao.org/3/i1234e/i1234e.pdf", "fao"),
    ("https://www.un.org/en/desa/publications", "un-desa"),
    ("https://dppa.un.org/en/guidance", "dppa"),
    ("https://www.un.org/en/", "un"),
    ("https://www.unicef.org:443/reports/child-rights", "unicef"),
    ("https://evil-ohchr.org/en/treaty-bodies/cedaw", None),
    ("https://example.org/ohchr.org/en/treaty-bodies/cedaw", None),
    ("not a url", None),
    ("", None),
])
def test_the_most_specific_agency_address_wins(vocabularies, url, agency):
    assert agency_for_url(vocabularies, url) == agency


def test_a_crawled_page_and_a_pdf_take_the_agency_of_their_address(vocabularies):
    source = Source(name="ohchr", start_urls=("https://www.ohchr.org/",))
    url = "https://www.ohchr.org/en/treaty-bodies/crc/general-comments"
    html = "<html lang='en'><head><title>General comment No. 5</title></head><body></body></html>"
    assert page_record(page_metadata(html, url), source, vocabularies)["agencies"] == ["crc"]
    info = PdfInfo(title="Guide", author="", subject="", keywords="", created="", pages=3, size=1000,
                   text="Guide")
    assert pdf_record("https://www.ohchr.org/sites/default/files/guide.pdf", info, source,
                      vocabularies)["agencies"] == ["ohchr"]
