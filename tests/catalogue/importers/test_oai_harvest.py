"""OAI-PMH harvesting: oai_dc records read into records (pure), and harvested from a
repository served on loopback (resumption tokens, deleted and malformed records, errors)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from catalogue.importers.errors import BlockedAddressError, HarvestError, HTTPStatusError
from catalogue.importers.fetch import Fetcher, FetchPolicy
from catalogue.importers.oai import dc_record, harvest
from catalogue.model import Status
from tests.loopback import send, serving

ENDPOINT = "https://repository.example.org/oai"


def test_an_oai_dc_record_becomes_a_record(vocabularies):
    metadata = {
        "title": ["A guide to rights-based programming", "Alternative title"],
        "creator": ["Smith, Jane", "UNICEF"], "publisher": ["United Nations Development Programme"],
        "type": ["Text", "Manual / handbook"], "language": ["eng", "fr-FR", "Klingon"],
        "date": ["2014-05-01"], "subject": ["Participation", "Cooking", None],
        "coverage": ["Africa", "Mars"], "description": ["A guide.", "Another description."],
        "identifier": ["https://repository.example.org/records/7", "https://example.org/guide.pdf",
                       "ISBN 978-0-00-000000-0"]}
    assert dc_record(metadata, vocabularies, ENDPOINT, "oai:repo:7") == {
        "title": "A guide to rights-based programming",
        "agencies": ["UNICEF", "United Nations Development Programme"],
        "type": "Manual / handbook", "languages": ["eng", "fr"], "year": 2014,
        "url": "https://example.org/guide.pdf", "summary": "A guide.",
        "themes": ["Participation"], "regions": ["Africa"],
        "source": "https://repository.example.org/records/7"}


def test_a_record_with_no_known_agency_keeps_the_names_and_one_with_no_link_its_getrecord(vocabularies):
    record = dc_record({"title": ["T"], "creator": ["Ministry of Rights"]}, vocabularies, ENDPOINT,
                       "oai:repo:8")
    assert (record["agencies"], record["type"], record["url"]) == (["Ministry of Rights"], "other", None)
    assert record["source"] == ("https://repository.example.org/oai?verb=GetRecord&"
                                "metadataPrefix=oai_dc&identifier=oai%3Arepo%3A8")


def _record(identifier: str, title: str, *, deleted: bool = False, url: str | None = None) -> str:
    status = ' status="deleted"' if deleted else ""
    header = (f"<header{status}><identifier>{identifier}</identifier>"
              f"<datestamp>2024-01-01</datestamp></header>")
    if deleted:
        return f"<record>{header}</record>"
    return (f"<record>{header}<metadata><oai_dc:dc><dc:title>{title}</dc:title>"
            f"<dc:creator>UNICEF</dc:creator><dc:type>Guidance</dc:type><dc:language>en</dc:language>"
            f"<dc:date>2020</dc:date><dc:identifier>{url or 'https://example.org/' + identifier[-1]}"
            f"</dc:identifier></oai_dc:dc></metadata></record>")


def _envelope(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
            'xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><responseDate>2024-01-01T00:00:00Z'
            f"</responseDate><request>x</request>{body}</OAI-PMH>").encode("utf-8")


class Repository:
    """An OAI-PMH repository on loopback: `pages` of ListRecords joined by tokens."""

    def __init__(self, pages: list[str]):
        self.pages = pages
        self.failing_page: int | None = None
        self.asked: list[dict] = []

    def __call__(self, handler):
        query = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        self.asked.append(query)
        number = int(query.get("resumptionToken", "0"))
        if number == self.failing_page:
            send(handler, 500, b"down", "text/plain")
            return
        if query.get("from") == "bad":
            body = '<error code="badArgument">from is not a date</error>'
        elif query.get("set") == "empty":
            body = '<error code="noRecordsMatch">nothing</error>'
        else:
            token = f"<resumptionToken>{number + 1}</resumptionToken>" \
                if number + 1 < len(self.pages) else "<resumptionToken/>"
            body = f"<ListRecords>{self.pages[number]}{token}</ListRecords>"
        send(handler, 200, _envelope(body), "text/xml; charset=utf-8")


POLICY = FetchPolicy(allow_private=True, delay=0, retries=0)
MALFORMED = "<record><metadata><oai_dc:dc><dc:title>No header</dc:title></oai_dc:dc></metadata></record>"


@pytest.fixture
def repository():
    repo = Repository([
        _record("oai:repo:1", "First guide") + _record("oai:repo:2", "Second guide"),
        _record("oai:repo:9", "", deleted=True) + MALFORMED + _record("oai:repo:3", "Third guide")
        + _record("oai:repo:4", "Same as the first", url="https://example.org/1"),
    ])
    with serving({"/oai": repo}) as server:
        fetcher = Fetcher(POLICY)
        yield repo, server.base + "/oai", fetcher
        fetcher.close()


def _harvest(store, vocabularies, url, fetcher, **options):
    return harvest(store, vocabularies, url, fetcher, source="repo", actor="importer:test", **options)


def test_a_harvest_follows_resumption_tokens_and_reports_every_record(store, vocabularies, repository):
    repo, url, fetcher = repository
    report = _harvest(store, vocabularies, url, fetcher)
    assert [(line.source, line.line, line.outcome, line.reason) for line in report.lines] == [
        ("oai:repo:1", 1, "added", None), ("oai:repo:2", 2, "added", None),
        (url, 4, "rejected", "a malformed OAI-PMH record (AttributeError)"),
        ("oai:repo:3", 5, "added", None), ("oai:repo:4", 6, "added", None)]
    assert report.notes == ["1 deleted records that were never harvested: nothing to do"]
    assert [q.get("resumptionToken") for q in repo.asked] == [None, "1"]
    first = store.get("first-guide")
    assert (first.status, first.agencies, first.type, first.year, first.provenance.source) == \
        (Status.PENDING_REVIEW, ("unicef",), "guidance", 2020, "repo")
    assert report.pending == 4  # oai:repo:4 shares a URL with the first: flagged for review too
    again = _harvest(store, vocabularies, url, fetcher)
    assert again.counts == {"added": 0, "updated": 0, "unchanged": 4, "rejected": 1}


def test_a_record_deleted_at_the_source_is_reported_and_its_product_left_alone(store, vocabularies,
                                                                                repository):
    repo, url, fetcher = repository
    _harvest(store, vocabularies, url, fetcher)
    repo.pages[0] = _record("oai:repo:1", "", deleted=True) + _record("oai:repo:2", "Second guide")
    report = _harvest(store, vocabularies, url, fetcher)
    assert "oai:repo:1 is deleted at the source; product first-guide (pending_review) stays as " \
           "it is: withdraw it in the curator workspace if it should go" in report.notes
    assert store.get("first-guide").status == Status.PENDING_REVIEW
    assert store.count() == 4


def test_set_and_from_are_passed_on_and_protocol_errors_are_clear(store, vocabularies, repository):
    repo, url, fetcher = repository
    assert _harvest(store, vocabularies, url, fetcher, set_spec="empty").lines == []
    assert repo.asked[-1] == {"metadataPrefix": "oai_dc", "set": "empty", "verb": "ListRecords"}
    with pytest.raises(HarvestError, match="answered badArgument: from is not a date"):
        _harvest(store, vocabularies, url, fetcher, from_date="bad")
    assert store.count() == 0


def test_a_failure_midway_keeps_what_came_in_and_says_so(store, vocabularies, repository):
    repo, url, fetcher = repository
    repo.failing_page = 1
    report = _harvest(store, vocabularies, url, fetcher)
    assert report.counts["added"] == 2 and store.count() == 2
    assert report.notes[0].startswith("the harvest stopped after 2 records (")
    assert "answered 500" in report.notes[0]
    repo.failing_page = 0
    with pytest.raises(HTTPStatusError, match="answered 500"):
        harvest(store, vocabularies, url, fetcher, source="other", actor="a")


def test_what_is_not_oai_pmh_and_loopback_without_the_opt_in_are_refused(store, vocabularies):
    routes = {"/oai": lambda handler: send(handler, 200, b"<rss><channel/></rss>", "text/xml")}
    with serving(routes) as server:
        fetcher = Fetcher(POLICY)
        with pytest.raises(HarvestError, match="did not answer with OAI-PMH XML"):
            _harvest(store, vocabularies, server.base + "/oai", fetcher)
        strict = Fetcher(FetchPolicy(delay=0, retries=0))
        with pytest.raises(BlockedAddressError, match="loopback"):
            _harvest(store, vocabularies, server.base + "/oai", strict)
        assert len(server.requests) == 2  # robots.txt and the one answer; none from `strict`
