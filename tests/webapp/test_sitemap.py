"""Sitemaps and robots.txt: every published page once, with its language versions."""

import shutil
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from urllib.robotparser import RobotFileParser

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import update
from sqlalchemy.orm import Session

from catalogue.model import Status
from catalogue.tables import ProductRow
from webapp import create_app
from webapp.feeds import rfc3339
from webapp.i18n import LANGUAGES

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
LOCAL = "http://localhost"


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    return ET.fromstring(response.data)


def entries(root) -> list[dict]:
    """Each <url> as {loc, lastmod, alternates: {hreflang: href}}."""
    assert root.tag == SM + "urlset"
    return [{"loc": url.findtext(SM + "loc"), "lastmod": url.findtext(SM + "lastmod"),
             "alternates": {link.get("hreflang"): link.get("href")
                            for link in url.findall(XHTML + "link") if link.get("rel") == "alternate"}}
            for url in root.findall(SM + "url")]


def published(app) -> dict:
    return {p.id: p for p in app.extensions["hrba"].store.iter_products(Status.PUBLISHED)}


@pytest.fixture(scope="module")
def sitemap(client_module):
    return entries(fetch(client_module, "/sitemap.xml"))


@pytest.fixture(scope="module")
def client_module(app):
    return app.test_client()


def test_the_sitemap_lists_the_home_page_then_every_published_product_once(sitemap, app):
    products = published(app)
    locs = [e["loc"] for e in sitemap]
    assert locs[0] == "http://localhost/"
    assert locs[1:] == [f"http://localhost/products/{pid}" for pid in sorted(products)]
    assert len(set(locs)) == len(locs) == 1 + len(products) == 473


def test_each_entry_says_when_the_product_last_changed(sitemap, app):
    products = published(app)
    for entry in sitemap[1:]:
        product = products[entry["loc"].rsplit("/", 1)[1]]
        assert entry["lastmod"] == rfc3339(product.provenance.last_changed)
    newest = max(p.provenance.last_changed for p in products.values())
    assert sitemap[0]["lastmod"] == rfc3339(newest)


def test_each_entry_names_every_language_version_of_its_page(sitemap):
    for entry in sitemap:
        separator = "&" if "?" in entry["loc"] else "?"
        assert entry["alternates"] == {"x-default": entry["loc"],
                                       **{code: f"{entry['loc']}{separator}lang={code}" for code in LANGUAGES}}


def test_every_page_the_sitemap_names_answers(sitemap, client_module):
    for entry in sitemap:
        assert client_module.get(entry["loc"].removeprefix(LOCAL)).status_code == 200, entry["loc"]
    # Each language version of a sample of pages (every one would take a minute: 3,800 pages);
    # the test above shows every alternate has the same form as these.
    for entry in sitemap[::40]:
        for code, href in entry["alternates"].items():
            response = client_module.get(href.removeprefix(LOCAL))
            assert response.status_code == 200, href
            if code != "x-default":
                assert BeautifulSoup(response.data, "html.parser").html["lang"] == code


def test_each_language_version_links_back_to_the_others(sitemap, client_module):
    """hreflang annotations count only when every version names the others (the page's <head>)."""
    entry = next(e for e in sitemap if "the-un-common-learning-package-on-hrba" in e["loc"])
    for href in entry["alternates"].values():
        soup = BeautifulSoup(client_module.get(href.removeprefix(LOCAL)).data, "html.parser")
        in_head = {link["hreflang"]: link["href"] for link in soup.head.find_all("link", hreflang=True)}
        assert in_head == entry["alternates"]


def test_withdrawn_and_draft_products_are_left_out(fresh_app):
    store = fresh_app.extensions["hrba"].store
    with store.write() as writer:
        writer.update(writer.get("the-un-common-learning-package-on-hrba").with_changes(status=Status.WITHDRAWN))
    locs = [e["loc"] for e in entries(fetch(fresh_app.test_client(), "/sitemap.xml"))]
    assert "http://localhost/products/the-un-common-learning-package-on-hrba" not in locs
    assert len(locs) == 1 + store.count(Status.PUBLISHED) == 472


@pytest.fixture
def small_files(tmp_path, ready_data_dir):
    """A copy of the shipped catalogue with at most 100 URLs a sitemap file."""
    data_dir = tmp_path / "data"
    shutil.copytree(ready_data_dir, data_dir)
    app = create_app({"HRBA_DATA_DIR": str(data_dir), "TESTING": True, "SITEMAP_URLS": 100})
    yield app
    app.extensions["hrba"].close()


def test_a_catalogue_too_big_for_one_file_gets_a_sitemap_index(small_files, sitemap):
    client = small_files.test_client()
    root = fetch(client, "/sitemap.xml")
    assert root.tag == SM + "sitemapindex"
    parts = [s.findtext(SM + "loc") for s in root.findall(SM + "sitemap")]
    assert parts == [f"http://localhost/sitemap-{n}.xml" for n in range(1, 6)]  # 473 URLs
    split = []
    for part in parts:
        listed = entries(fetch(client, part.removeprefix(LOCAL)))
        assert 0 < len(listed) <= 100
        split += listed
    assert split == sitemap  # the same entries, in the same order


def test_each_part_of_the_index_says_when_its_pages_last_changed(small_files):
    store = small_files.extensions["hrba"].store
    ids = [product_id for product_id, _ in store.published_stamps()]
    changed = ids[250]  # the home page is entry 0, so this product is entry 251: part 3, place 51
    with Session(store.engine) as session, session.begin():
        session.execute(update(ProductRow).where(ProductRow.id == changed)
                        .values(last_changed=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)))
    root = fetch(small_files.test_client(), "/sitemap.xml")
    lastmods = [s.findtext(SM + "lastmod") for s in root.findall(SM + "sitemap")]
    later = "2030-01-02T03:04:05Z"
    assert lastmods[0] == lastmods[2] == later  # the home page shows the newest change
    assert all(lastmod < later for number, lastmod in enumerate(lastmods) if number not in (0, 2))
    part = entries(fetch(small_files.test_client(), "/sitemap-3.xml"))
    assert part[51] == {**part[51], "loc": f"http://localhost/products/{changed}", "lastmod": later}


@pytest.mark.parametrize("url", ["/sitemap-0.xml", "/sitemap-6.xml", "/sitemap-x.xml"])
def test_a_sitemap_part_beyond_the_last_is_404(small_files, url):
    assert small_files.test_client().get(url).status_code == 404


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_curation(client):
    response = client.get("/robots.txt")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    robots = RobotFileParser()
    robots.parse(response.get_data(as_text=True).splitlines())
    assert robots.site_maps() == ["http://localhost/sitemap.xml"]
    assert not robots.can_fetch("AnyBot", "http://localhost/curate/")
    assert not robots.can_fetch("AnyBot", "http://localhost/search.csv?q=water")
    for allowed in ("/", "/?q=water", "/products/the-un-common-learning-package-on-hrba",
                    "/search.atom?q=water", "/sitemap.xml"):
        assert robots.can_fetch("AnyBot", "http://localhost" + allowed), allowed
