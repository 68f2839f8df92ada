"""Pure parsers: saved pages and generated PDFs in, data out."""

from __future__ import annotations

import pytest

from catalogue.importers.errors import ParseError
from catalogue.importers.html import decode_html, language_tag, page_metadata, year_of
from catalogue.importers.pdf import read_pdf
from tests.pdfs import make_pdf

URL = "https://agency.example.org/resources/guide"

TITLES = {
    "en": "Human rights-based approach to programming",
    "fr": "Approche de la programmation fondée sur les droits de l'homme",
    "es": "Enfoque basado en los derechos humanos: guía práctica",
    "ar": "نهج قائم على حقوق الإنسان في البرمجة",
    "ru": "Правозащитный подход к программированию",
    "zh": "基于人权的方法编制方案指南",
}


@pytest.mark.parametrize("language, encoding", [
    ("en", "ascii"), ("fr", "iso-8859-1"), ("fr", "cp1252"), ("es", "iso-8859-1"),
    ("ar", "windows-1256"), ("ar", "iso-8859-6"), ("ru", "windows-1251"), ("ru", "koi8-r"),
    ("zh", "gb2312"), ("zh", "gbk"), ("zh", "gb18030"), ("zh", "big5"),
    ("ar", "utf-8"), ("ru", "utf-8"), ("zh", "utf-8"),
])
@pytest.mark.parametrize("declared_in", ["header", "meta"])
def test_six_un_languages_decode_in_their_usual_encodings(language, encoding, declared_in):
    title = TITLES[language]
    if encoding == "big5":
        title = "基於人權的方法編制方案指南"
    meta = f'<meta charset="{encoding}">' if declared_in == "meta" else ""
    html = f"<html lang='{language}'><head>{meta}<title>{title}</title></head><body></body></html>"
    body = html.encode(encoding)
    text = decode_html(body, encoding if declared_in == "header" else None)
    assert page_metadata(text, URL).title == title


def test_undeclared_utf8_and_a_bom_are_recognised():
    assert decode_html("<p>Égalité</p>".encode("utf-8")) == "<p>Égalité</p>"
    assert decode_html(b"\xef\xbb\xbf<p>x</p>", "iso-8859-1") == "<p>x</p>"
    assert decode_html("<p>Égalité</p>".encode("utf-16"), None).endswith("Égalité</p>")


def test_a_wrong_declared_charset_falls_back_to_utf8():
    assert decode_html("<p>Права</p>".encode("utf-8"), "no-such-charset") == "<p>Права</p>"


def test_undecodable_bytes_never_raise():
    assert decode_html(b"\xff\xfe\x00\xd8garbage\x81", "utf-8")


SAVED_PAGE = """<!doctype html>
<html lang="fr-FR"><head>
<title>Guide | Agence</title>
<meta name="description" content="Short  description">
<meta name="DC.title" content="DC title">
<meta name="citation_title" content="Guide pratique de l'approche fondée sur les droits">
<meta name="citation_author" content="Dupont, Marie">
<meta name="citation_author" content="Sow, Awa">
<meta name="citation_publication_date" content="2019/05/02">
<meta name="citation_pdf_url" content="/files/guide-fr.pdf">
<meta property="og:site_name" content="Agence">
<meta name="keywords" content="droits; participation">
<link rel="canonical" href="https://agency.example.org/guide">
</head><body>
<nav>Accueil | Ressources</nav>
<main><h1>Guide pratique</h1><p>Ce guide explique   l'approche.</p>
<p class="meta">Resource Type: <strong>Guidance</strong></p>
<dl><dt>Agency:</dt><dd>UNICEF</dd></dl>
<a href="other.html#part">Autre</a> <a href="mailto:x@example.org">mail</a>
<script>var x = "not text";</script></main>
<footer>Copyright</footer></body></html>"""


def test_citation_tags_dublin_core_and_page_fields_are_read():
    meta = page_metadata(SAVED_PAGE, URL)
    assert meta.title == "Guide pratique de l'approche fondée sur les droits"
    assert meta.description == "Short description"
    assert meta.language == "fr"
    assert (meta.date, meta.year) == ("2019/05/02", 2019)
    assert meta.authors == ("Dupont, Marie", "Sow, Awa")
    assert meta.publisher == "Agence"
    assert meta.keywords == ("droits", "participation")
    assert meta.canonical == "https://agency.example.org/guide"
    assert meta.pdf_url == "https://agency.example.org/files/guide-fr.pdf"
    assert meta.links == ("https://agency.example.org/resources/other.html",)
    assert "Ce guide explique l'approche." in meta.text
    assert "not text" not in meta.text and "Copyright" not in meta.text and "Accueil" not in meta.text


def test_source_selectors_read_labelled_fields_and_css():
    selectors = {"type": {"label": "Resource Type:"}, "agency": {"label": "Agency:"},
                 "heading": "main h1", "missing": ".nothing", "broken": "p[[["}
    meta = page_metadata(SAVED_PAGE, URL, selectors)
    assert meta.fields == {"type": "Guidance", "agency": "UNICEF", "heading": "Guide pratique"}


def test_json_ld_wins_over_other_metadata():
    html = """<html lang="en"><head><title>T</title>
    <meta property="og:title" content="OG title">
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "WebPage", "name": "The page"},
      {"@type": "Report", "name": "Annual report on HRBA", "datePublished": "2021-03-04",
       "inLanguage": "es", "author": [{"@type": "Organization", "name": "UNDP"}],
       "publisher": {"name": "UNDP"}, "description": "What was done."}]}</script>
    <script type="application/ld+json">{ broken json</script>
    </head><body></body></html>"""
    meta = page_metadata(html, URL)
    assert (meta.title, meta.year, meta.language) == ("Annual report on HRBA", 2021, "es")
    assert meta.authors == ("UNDP",) and meta.publisher == "UNDP"
    assert meta.description == "What was done."


def test_opengraph_and_title_are_the_fallbacks():
    html = """<html><head><title> Only  a title </title>
    <meta property="og:locale" content="ru_RU"></head><body><time datetime="2008-01-01">x</time></body></html>"""
    meta = page_metadata(html, URL)
    assert (meta.title, meta.language, meta.year) == ("Only a title", "ru", 2008)


@pytest.mark.parametrize("value, expected", [
    ("fr-FR", "fr"), ("zh_Hans", "zh"), ("EN", "en"), ("", None), (None, None), ("123", None),
])
def test_language_tag_keeps_the_primary_subtag(value, expected):
    assert language_tag(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("2019-05-02", 2019), ("May 1998", 1998), ("D:20120101", 2012), ("1066", None), (None, None),
])
def test_year_of_reads_plausible_years(value, expected):
    assert year_of(value) == expected


def test_pdf_title_text_and_pages_are_read_in_a_worker():
    data = make_pdf("Guía práctica", ["Enfoque basado en derechos humanos", "Participación"],
                    pages=3, author="PNUD")
    info = read_pdf(data)
    assert (info.title, info.author, info.pages, info.size) == ("Guía práctica", "PNUD", 3, len(data))
    assert "Participación" in info.text


@pytest.mark.parametrize("data, reason", [
    (b"", "not a PDF"), (b"<html>not a pdf</html>", "not a PDF"),
    (make_pdf("T", ["x"])[:200], "unreadable PDF"),
    (b"%PDF-1.4\n" + b"\0" * 500, "unreadable PDF"),
])
def test_broken_pdfs_raise_parse_error_with_a_reason(data, reason):
    with pytest.raises(ParseError, match=reason):
        read_pdf(data)


def test_pdf_worker_memory_limit_turns_into_a_parse_error():
    with pytest.raises(ParseError, match="stopped|unreadable"):
        read_pdf(make_pdf("T", ["x"]), memory=16 * 1024 * 1024)


def test_pdf_worker_time_limit_turns_into_a_parse_error():
    with pytest.raises(ParseError, match="longer than"):
        read_pdf(make_pdf("T", ["x"]), timeout=0.001)
