"""Malformed inputs for the robustness tests: broken HTML pages and PDFs, made deterministically."""

from __future__ import annotations

import random
import re
import zlib

from tests.fixture_site import RESOURCES, listing, resource_page
from tests.pdfs import encrypted_pdf, make_pdf

# ------------------------------------------------------------------------------ HTML

RICH_PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Guide | Site</title><meta name="citation_title" content="Guide des droits">
<meta name="DC.date" content="2012-03-01"><meta property="og:description" content="Un guide.">
<link rel="canonical" href="/guide"><base href="https://example.org/docs/">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "Report", "name": "Guide des droits", "inLanguage": "fr", "datePublished": "2012",
  "author": [{"@type": "Organization", "name": "OHCHR"}], "publisher": {"name": "OHCHR"}}]}</script>
</head><body><nav>menu</nav><main><h1>Guide des droits</h1><p>Texte.</p>
<a href="guide.pdf">PDF</a><a href="mailto:x@example.org">mail</a></main></body></html>"""


def seed_pages() -> list[tuple[str, str]]:
    """Return (path, html) of the fixture site's pages and a page rich in metadata."""
    pages = [(f"/resources/{r.slug}", resource_page(r)) for r in RESOURCES]
    pages += [(f"/resources?page={n}", listing(n, 3)) for n in (1, 2, 3)]
    return pages + [("/guide", RICH_PAGE)]


_JUNK = [b"\x00", b"\xff\xfe", b"\xed\xa0\x80", b"\x1b[2J", b"<", b">", b"&", b"&#0;", b"&#xD800;",
         b"&#1114112;", b"<!--", b"]]>", b"<![CDATA[", b"<?xml", b"\"'", b"<script>", b"</html>",
         b"<meta charset='utf-16'>", b"<meta charset=x-bogus>", b"<base href='http://[::1'>",
         b"<a href='http://%zz/'>", b"<a href='//'>", b"<a href='javascript:alert(1)'>",
         b"<link rel=canonical href='http://[bad'>", b"<time datetime='99999-99-99'>",
         b'<script type="application/ld+json">{"@type":', b"<html lang='\xff\xfe'>"]


def _nested_json(depth: int) -> bytes:
    return (b'<script type="application/ld+json">' + b'{"@graph":[' * depth + b"{}"
            + b"]}" * depth + b"</script>")


def _mutations(rng: random.Random, body: bytes) -> bytes:
    """Apply one to three random damages to `body`."""
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(body) + 1)
        kind = rng.randrange(11)
        if kind == 0:
            body = body[:at]                                          # truncated
        elif kind == 1:
            body = body[:at] + body[at + rng.randint(1, 400):]        # a span lost
        elif kind == 2:
            span = body[at:at + rng.randint(1, 400)]
            body = body[:at] + span * rng.randint(2, 50) + body[at:]  # a span repeated
        elif kind == 3:
            body = body[:at] + rng.choice(_JUNK) + body[at:]          # junk inserted
        elif kind == 4:
            noise = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
            body = body[:at] + noise + body[at + len(noise):]          # bytes flipped
        elif kind == 5:
            body = body.replace(rng.choice([b">", b"<", b'"', b"'", b"/"]), b"")
        elif kind == 6:
            tag = rng.choice([b"<div>", b"<b><i>", b"<table><tr><td>", b"<a href=x>", b"<p>"])
            body = body[:at] + tag * rng.randint(500, 5000) + body[at:]  # deep, unclosed
        elif kind == 7:
            body = body[:at] + _nested_json(rng.randint(50, 3000)) + body[at:]
        elif kind == 8:
            links = b"".join(b"<a href='/p%d?x=%d'>l</a>" % (n, n) for n in range(rng.randint(100, 3000)))
            body = body[:at] + links + body[at:]
        elif kind == 9:
            body = body[:at] + b"<meta name='description' content='" + b"x" * rng.randint(1, 300_000) \
                + b"'>" + body[at:]
        else:
            text = body.decode("utf-8", "replace")
            body = text.encode(rng.choice(["utf-16-le", "utf-16", "shift_jis", "cp1252", "koi8-r"]),
                               "replace")
    return body


def malformed_pages(count: int, seed: int = 7) -> list[tuple[str, bytes, str | None]]:
    """Return `count` (path, body, declared charset) of damaged copies of the seed pages."""
    rng = random.Random(seed)
    seeds = seed_pages()
    charsets = [None, "utf-8", "iso-8859-1", "utf-16", "x-bogus", "gb2312", "shift_jis"]
    pages = []
    for _ in range(count):
        path, html = rng.choice(seeds)
        pages.append((path, _mutations(rng, html.encode("utf-8")), rng.choice(charsets)))
    return pages


# ------------------------------------------------------------------------------- PDF


def _flate_bomb(size: int) -> bytes:
    """Return a Flate stream that inflates to `size` bytes of spaces."""
    compressor, chunk = zlib.compressobj(9), b" " * (1 << 20)
    parts = [compressor.compress(chunk) for _ in range(size >> 20)]
    return b"".join(parts) + compressor.flush()


def _with_stream(pdf: bytes, content: bytes, filters: bytes) -> bytes:
    """Replace the first page's content stream (object 5 of make_pdf) with `content`."""
    start = pdf.index(b"5 0 obj\n")
    end = pdf.index(b"endobj\n", start) + len(b"endobj\n")
    body = (b"5 0 obj\n<< /Length " + str(len(content)).encode() + b" " + filters + b" >>\nstream\n"
            + content + b"\nendstream\nendobj\n")
    return pdf[:start] + body + pdf[end:]  # offsets now wrong: readers rebuild the xref


def malformed_pdfs(seed: int = 11, bomb_size: int = 256 << 20) -> list[tuple[str, bytes]]:
    """Return 50 (name, bytes) of broken, hostile or odd PDFs."""
    rng = random.Random(seed)
    good = make_pdf("A guide to rights", ["Human rights-based approach", "Participation"], pages=3)
    xref = good.rindex(b"xref")
    cases = [(f"truncated at {n}%", good[:len(good) * n // 100]) for n in (1, 5, 20, 40, 60, 80, 95, 99)]
    cases += [
        ("xref offsets garbled", good[:xref] + re.sub(rb"\d{10} 00000 n", b"9999999999 00000 n", good[xref:])),
        ("no xref keyword", good.replace(b"xref\n0", b"xrof\n0")),
        ("startxref beyond the end", good.replace(b"startxref\n%d" % xref, b"startxref\n99999999")),
        ("startxref negative", good.replace(b"startxref\n%d" % xref, b"startxref\n-5")),
        ("startxref points at itself", good.replace(b"startxref\n%d" % xref,
                                                    b"startxref\n%d" % good.rindex(b"startxref"))),
        ("trailer without root", good.replace(b"/Root 1 0 R", b"")),
        ("no trailer at all", good[:xref]),
    ]
    cases += [(f"random bytes after a header #{n}",
               b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(rng.choice([10, 500, 5000, 50000]))))
              for n in range(10)]
    cases += [
        ("encrypted with a user password", encrypted_pdf(["Secret"])),
        ("encrypted, open to all", encrypted_pdf(["Open"], user_password=b"")),
        ("encrypted with garbage keys", encrypted_pdf(["x"]).replace(b"/R 2", b"/R 9")),
        ("page count claims 2^31", good.replace(b"/Count 3", b"/Count 2147483647")),
        ("page count claims -1", good.replace(b"/Count 3", b"/Count -1")),
        ("page tree loops on itself", good.replace(b"/Kids [4 0 R 6 0 R 8 0 R]", b"/Kids [2 0 R 2 0 R]")),
        ("page's parent loops", good.replace(b"/Parent 2 0 R", b"/Parent 4 0 R")),
        ("a billion kids", good.replace(b"/Kids [4 0 R 6 0 R 8 0 R]",
                                        b"/Kids [" + b"4 0 R " * 200_000 + b"]")),
        ("flate bomb in a content stream", _with_stream(good, _flate_bomb(bomb_size), b"/Filter /FlateDecode")),
        ("flate bomb inside a flate bomb", _with_stream(good, zlib.compress(_flate_bomb(bomb_size >> 2), 9),
                                                        b"/Filter [/FlateDecode /FlateDecode]")),
        ("broken flate data", _with_stream(good, b"x\x9c" + b"\xff" * 200, b"/Filter /FlateDecode")),
        ("unknown filter", _with_stream(good, b"abc", b"/Filter /NoSuchDecode")),
        ("stream length too long", good.replace(b"/Length ", b"/Length 9", 1)),
        ("stream length too short", re.sub(rb"/Length \d+", b"/Length 1", good, count=1)),
        ("arrays nested 100,000 deep", good.replace(b"/MediaBox [0 0 612 792]",
                                                    b"/MediaBox " + b"[" * 100_000 + b"]" * 100_000, 1)),
        ("dictionaries nested 50,000 deep", good.replace(b"/Producer (hrba tests)",
                                                         b"/X " + b"<<" * 50_000 + b">>" * 50_000)),
        ("absurd media box", good.replace(b"/MediaBox [0 0 612 792]", b"/MediaBox [0 0 1e308 -1e308]")),
        ("garbage operators", _with_stream(good, b"BT " + b"Tj TJ ' \" Td " * 5000 + b" ET", b"")),
        ("a 5 MB title", good.replace(b"/Title (A guide to rights)", b"/Title (" + b"T" * 5_000_000 + b")")),
        ("header after junk", b"junk" * 100 + good),
        ("header then zeros", b"%PDF-1.4\n" + b"\0" * 100_000),
        ("only a header", b"%PDF-"),
        ("object numbers overflow", good.replace(b"1 0 obj", b"99999999999999999999 0 obj")),
        ("xref table of a billion entries", good.replace(b"xref\n0 ", b"xref\n0 1000000000 ")),
        ("empty", b""),
    ]
    assert len(cases) == 50, len(cases)
    return cases
