"""RSS and Atom feeds: entries read into records (pure), and imported from a loopback server."""

from __future__ import annotations

import pytest

from catalogue.importers.errors import BlockedAddressError, ContentTypeError, ParseError
from catalogue.importers.feeds import entry_record, import_feed, read_feed
from catalogue.importers.fetch import Fetcher, FetchPolicy
from catalogue.model import Status
from tests.loopback import page, serving

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>UNICEF publications</title><link>https://www.unicef.org/</link><language>en-GB</language>
<item><title>Child rights programming guide</title><link>https://www.unicef.org/docs/crp.pdf</link>
<guid>unicef-1</guid><pubDate>Tue, 03 Jun 2008 09:39:21 GMT</pubDate>
<description>A &lt;b&gt;practical&lt;/b&gt; guide &amp;amp; checklist.</description>
<category>Participation</category><category>Cooking</category></item>
<item><title>Equity toolkit</title><link>https://www.unicef.org/docs/equity</link><guid>unicef-2</guid>
<dc:creator>UNDP</dc:creator><dc:date>2016-04-01</dc:date></item>
<item><title>Repeated entry</title><link>https://www.unicef.org/docs/other</link><guid>unicef-2</guid></item>
<item><title></title><link>https://www.unicef.org/docs/untitled</link><guid>unicef-4</guid></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>Publications</title>
<id>urn:feed</id><updated>2020-01-01T00:00:00Z</updated>
<entry xml:lang="es"><id>urn:es</id><title type="html">Gu&amp;iacute;a &lt;i&gt;pr&amp;aacute;ctica&lt;/i&gt;</title>
<link href="/docs/guia"/><published>2014-05-01T00:00:00Z</published><updated>2015-01-01T00:00:00Z</updated>
<summary type="html">&lt;p&gt;Hola&lt;/p&gt;</summary><author><name>OHCHR</name></author></entry>
<entry><id>urn:fr</id><title>Guide des droits</title><link href="https://example.org/guide"/>
<updated>2019-06-01T00:00:00Z</updated></entry>
</feed>"""


def test_rss_items_become_records(vocabularies):
    parsed = read_feed(RSS.encode(), "https://www.unicef.org/feed.rss")
    first, second = (entry_record(e, parsed.feed, vocabularies, "https://www.unicef.org/feed.rss")
                     for e in parsed.entries[:2])
    assert first == {"title": "Child rights programming guide",
                     "url": "https://www.unicef.org/docs/crp.pdf",
                     "summary": "A practical guide & checklist.", "type": "other",
                     "agencies": ["unicef"],  # no author: the agency whose site the link is on
                     "languages": ["en"], "year": 2008, "themes": ["Participation"],
                     "source": "https://www.unicef.org/feed.rss"}
    assert (second["agencies"], second["year"]) == (["UNDP"], 2016)


def test_atom_entries_take_their_xml_lang_and_the_agency_named_by_the_caller(vocabularies):
    parsed = read_feed(ATOM.encode(), "https://example.org/feed.atom")
    spanish, french = (entry_record(e, parsed.feed, vocabularies, "https://example.org/feed.atom",
                                    agency="UN Women", type_="guidance") for e in parsed.entries)
    assert (spanish["title"], spanish["url"], spanish["summary"]) == \
        ("Guía práctica", "https://example.org/docs/guia", "Hola")
    assert (spanish["languages"], spanish["year"], spanish["agencies"]) == (["es"], 2014, ["OHCHR"])
    assert (french["languages"], french["year"], french["agencies"], french["type"]) == \
        (["fr"], 2019, ["UN Women"], "guidance")


@pytest.mark.parametrize("data", [b"<html><body>a page</body></html>", b"\x00\xff\xfe garbage", b""])
def test_what_is_not_a_feed_raises_a_parse_error(data):
    with pytest.raises(ParseError, match="is not an RSS or Atom feed"):
        read_feed(data, "https://example.org/feed")


POLICY = FetchPolicy(allow_private=True, delay=0, retries=0)


def test_a_served_feed_is_imported_pending_review_and_found_again(store, vocabularies):
    routes = {"/feed.rss": page(RSS, "application/rss+xml; charset=utf-8")}
    with serving(routes) as server:
        fetcher = Fetcher(POLICY)
        try:
            report = import_feed(store, vocabularies, server.base + "/feed.rss", fetcher,
                                 source="unicef-feed", actor="importer:test")
            assert [(line.line, line.outcome, line.reason) for line in report.lines] == [
                (1, "added", None), (2, "added", None),
                (3, "rejected", "repeats line 2 (same id)"),
                (4, "rejected", "title: is required")]
            assert report.notes == ["read 'UNICEF publications' (rss20): 4 entries"]
            guide = store.get("child-rights-programming-guide")
            assert (guide.status, guide.agencies, guide.languages, guide.provenance.source) == \
                (Status.PENDING_REVIEW, ("unicef",), ("en",), "unicef-feed")
            routes["/feed.rss"] = page(RSS.replace("Equity toolkit", "Equity toolkit, 2nd edition"),
                                       "application/rss+xml")
            again = import_feed(store, vocabularies, server.base + "/feed.rss", fetcher,
                                source="unicef-feed", actor="importer:test")
        finally:
            fetcher.close()
    assert again.counts == {"added": 0, "updated": 1, "unchanged": 1, "rejected": 2}
    assert store.get("equity-toolkit").title == "Equity toolkit, 2nd edition"


def test_feeds_are_fetched_under_the_address_policy_and_content_types(store, vocabularies):
    routes = {"/feed.rss": page(RSS, "application/rss+xml"), "/page": page("<html></html>")}
    with serving(routes) as server:
        fetcher = Fetcher(FetchPolicy(delay=0, retries=0))  # loopback not allowed
        with pytest.raises(BlockedAddressError, match="loopback"):
            import_feed(store, vocabularies, server.base + "/feed.rss", fetcher, source="s", actor="a")
        assert server.requests == []  # refused before connecting: not even robots.txt
        fetcher = Fetcher(POLICY)
        with pytest.raises(ContentTypeError, match="text/html"):
            import_feed(store, vocabularies, server.base + "/page", fetcher, source="s", actor="a")
    assert store.count() == 0
