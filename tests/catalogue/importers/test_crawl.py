"""The crawler on the fixture site, served for real on loopback, into SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalogue.importers.crawl import Crawler, page_states
from catalogue.importers.fetch import Fetcher, FetchPolicy
from catalogue.importers.link_checker import check_links
from catalogue.importers.sources import source_from
from catalogue.link_checks import checks_for
from catalogue.model import Status
from catalogue.tables import ReviewFlagRow
from tests.fixture_site import RESOURCES, site_routes, source_toml
from tests.loopback import serving

import tomllib

POLICY = FetchPolicy(allow_private=True, delay=0, deadline=1.0, max_bytes=2 * 1024 * 1024,
                     retries=0)


def crawl(store, vocabularies, base, **options):
    source = source_from(tomllib.loads(source_toml(base)), "fixture", "fixture.toml")
    fetcher = Fetcher(POLICY)
    try:
        return Crawler(store, vocabularies, source, fetcher, **options).run(), fetcher
    finally:
        fetcher.close()


@pytest.fixture
def site():
    routes = site_routes()
    with serving(routes) as server:
        yield server, routes


def test_crawl_brings_every_real_product_in_once_as_pending_review(store, vocabularies, site):
    server, _ = site
    result, _ = crawl(store, vocabularies, server.base)
    products = list(store.iter_products())
    assert sorted(p.title for p in products) == sorted(r.title for r in RESOURCES)
    assert {p.status for p in products} == {Status.PENDING_REVIEW}
    assert result.report.counts == {"added": 8, "updated": 0, "unchanged": 1, "rejected": 0}
    assert result.finished
    by_title = {p.title: p for p in products}
    guide = by_title["Guide de programmation fondée sur les droits de l'homme"]
    assert (guide.type, guide.agencies, guide.languages, guide.year) == \
        ("manual-handbook", ("ohchr",), ("fr",), 2012)
    assert guide.url == f"{server.base}/files/guide-droits-programmation.pdf"
    assert guide.links[0].label == "PDF, 2 pages"
    assert "Approche fondée sur les droits" in guide.full_text
    assert guide.summary.startswith("Un guide pratique")
    assert guide.provenance.source == "hrba-portal-fixture"
    assert guide.provenance.importer == "crawl:hrba-portal-fixture"
    assert guide.provenance.canonical_url == f"{server.base}/resources/guide-droits-programmation"
    assert len(guide.provenance.file_hash) == 64
    arabic = by_title["دليل النهج القائم على حقوق الإنسان في البرمجة"]
    assert (arabic.languages, arabic.agencies, arabic.url) == \
        (("ar",), ("ohchr",), f"{server.base}/resources/dalil-arabi")


def test_crawl_survives_every_trap_and_reports_each_failure(store, vocabularies, site):
    server, _ = site
    result, _ = crawl(store, vocabularies, server.base)
    failures = dict(result.failures)
    assert "longer than 1 s" in failures[f"{server.base}/resources/slow-page"]
    assert "bytes" in failures[f"{server.base}/resources/huge-page"]
    assert "unreadable PDF" in failures[f"{server.base}/files/broken.pdf"]
    assert "404" in failures[f"{server.base}/files/gone.pdf"]
    assert [url for url, _ in result.skipped] == [f"{server.base}/internal/drafts"]
    assert "/internal/drafts" not in server.paths()
    calendar = [path for path in server.paths() if path.startswith("/calendar")]
    assert 0 < len(calendar) <= 26  # the trap was entered, and left
    assert server.paths().count("/resources/training-package") == 1  # reached by redirect


def test_second_crawl_downloads_only_what_changed(store, vocabularies, site):
    server, routes = site
    crawl(store, vocabularies, server.base)
    routes.update(site_routes(editions={"hrba-checklist": 2}))
    before = len(server.requests)
    result, _ = crawl(store, vocabularies, server.base)
    second = server.requests[before:]
    full = [path for path, headers in second if "if-none-match" not in headers]
    assert result.report.counts["updated"] == 1
    assert result.report.counts["added"] == 0
    assert result.not_modified >= 11  # every listing and unchanged resource page
    # Only the changed page and its file were sent whole (plus pages with no ETag).
    assert "/resources/hrba-checklist" in [p for p, h in second if "if-none-match" in h]
    assert "/files/hrba-checklist.pdf" in full
    assert not any(path.startswith("/files/") and path != "/files/hrba-checklist.pdf"
                   and path not in ("/files/broken.pdf", "/files/gone.pdf") for path in full)
    assert len(list(store.iter_products())) == 8


def test_duplicate_under_two_urls_is_one_product(store, vocabularies, site):
    server, _ = site
    crawl(store, vocabularies, server.base)
    titles = [p.title for p in store.iter_products()]
    assert titles.count(RESOURCES[0].title) == 1
    assert "/node/17" in server.paths()


def test_a_crawl_stopped_by_its_limit_resumes_without_duplicates(store, vocabularies, site):
    server, _ = site
    first, _ = crawl(store, vocabularies, server.base, limit=5)
    assert not first.finished
    assert page_states(store, "hrba-portal-fixture")["queued"] > 0
    rest, _ = crawl(store, vocabularies, server.base)
    assert rest.finished and rest.run_id == first.run_id
    titles = [p.title for p in store.iter_products()]
    assert sorted(titles) == sorted(r.title for r in RESOURCES)


def test_link_checker_marks_the_dead_link_and_offers_an_archived_copy(store, vocabularies, site):
    server, _ = site
    crawl(store, vocabularies, server.base)
    fetcher = Fetcher(POLICY)
    report = check_links(store, fetcher)
    dead = f"{server.base}/files/gone.pdf"
    assert [item["url"] for item in report.broken] == [dead]
    assert report.broken[0]["archived"].startswith("https://web.archive.org/web/")
    assert report.ok == 7
    checks = checks_for(store, [dead, f"{server.base}/files/hrba-checklist.pdf"])
    assert checks[dead].ok is False and checks[dead].status_code == 404
    assert checks[f"{server.base}/files/hrba-checklist.pdf"].ok is True


def test_pending_product_that_repeats_a_catalogue_product_is_flagged(store, vocabularies, site):
    from tests.conftest import make_product

    server, _ = site
    with store.write() as writer:
        writer.add(make_product(id="existing", title=RESOURCES[3].title, url="https://x.org/c.pdf"))
    crawl(store, vocabularies, server.base)
    with store.read() as session:
        flags = [(f.other_id, f.reason) for f in session.scalars(select(ReviewFlagRow))]
    assert flags == [("existing", "similar_title")]
