"""Whole result lists as CSV, JSON Lines, BibTeX and RIS: every result, in order, streamed."""

import csv
import gzip
import io
import json
import re

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from catalogue.model import LanguageVersion, Link, Status
from indexer.search import search_ids
from tests.conftest import make_product
from webapp import exports
from webapp.citations import CSV_FIELDS
from webapp.search_params import search_request_from

CLP = "the-un-common-learning-package-on-hrba"
KINDS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
         "bib": "application/x-bibtex; charset=utf-8",
         "ris": "application/x-research-info-systems; charset=utf-8"}


def api_ids(client, query: str) -> list[str]:
    """Every id the JSON API lists for `query`, page after page (100 a page)."""
    ids, page = [], 1
    while True:
        body = client.get(f"/api/v1/search?{query}&per_page=100&page={page}").get_json()
        ids += [r["id"] for r in body["results"]]
        if len(ids) >= body["total"]:
            assert len(ids) == body["total"]
            return ids
        page += 1


def csv_records(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def jsonl_records(response) -> list[dict]:
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


@pytest.mark.parametrize("query", ["q=rights", "q=rights&sort=title", "language=en", "q=gender&sort=oldest"])
def test_csv_and_json_lines_list_every_result_in_the_search_order(client, app, query):
    expected = api_ids(client, query)
    assert len(expected) > 100  # more than one API page
    hub = app.extensions["hrba"]
    wanted = search_request_from(MultiDict([pair.split("=") for pair in query.split("&")]))
    assert search_ids(hub.index, wanted, hub.vocabularies) == expected
    assert [row["id"] for row in csv_records(client.get(f"/search.csv?{query}"))] == expected
    assert [record["id"] for record in jsonl_records(client.get(f"/search.jsonl?{query}"))] == expected


def test_a_filter_narrows_the_export(client):
    everything = csv_records(client.get("/search.csv?q=rights"))
    unicef = csv_records(client.get("/search.csv?q=rights&agency=unicef"))
    assert 0 < len(unicef) < len(everything)
    assert all("unicef" in row["agencies"].split("; ") for row in unicef)
    assert [row["id"] for row in unicef] == api_ids(client, "q=rights&agency=unicef")


@pytest.mark.parametrize("extension, content_type", KINDS.items())
def test_each_export_is_a_streamed_attachment_of_its_type(client, extension, content_type):
    response = client.get(f"/search.{extension}?q=water")
    assert response.is_streamed
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="hrba-search.{extension}"'
    assert "X-Export-Truncated" not in response.headers
    response.close()  # a streamed body left unread holds its request context


def test_bibtex_and_ris_hold_one_entry_per_result(client):
    total = client.get("/api/v1/search?q=rights&per_page=1").get_json()["total"]
    bib = client.get("/search.bib?q=rights").get_data(as_text=True)
    entries = bib.split("\n\n")
    assert len(entries) == total
    assert all(re.fullmatch(r"@misc\{[a-z0-9-]+,\n(  \w+ = \{.*\},?\n)+\}\n?", e, re.S) for e in entries)
    ris = client.get("/search.ris?q=rights").get_data(as_text=True)
    records = ris.split("\r\n\r\n")
    assert len(records) == total
    for record in records:
        lines = record.removesuffix("\r\n").split("\r\n")
        assert lines[0] in ("TY  - GEN", "TY  - RPRT") and lines[-1] == "ER  - "
        assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)


def test_json_lines_carry_every_public_field(client, app):
    product = app.extensions["hrba"].store.get(CLP)
    records = {r["id"]: r for r in jsonl_records(client.get("/search.jsonl?q=common+learning+package"))}
    assert records[CLP] == {
        "id": CLP, "title": "The UN Common Learning Package on HRBA", "summary": product.summary,
        "type": "training-material", "agencies": list(product.agencies), "themes": list(product.themes),
        "languages": list(product.languages), "regions": list(product.regions),
        "stages": list(product.stages), "year": 2011, "url": product.url,
        "links": [{"url": link.url, "label": link.label} for link in product.links],
        "versions": [{"language": v.language, "title": v.title, "url": v.url} for v in product.versions],
        "page_url": f"http://localhost/products/{CLP}",
    }
    assert {"en", "fr", "es", "ar"} <= set(records[CLP]["languages"])


def test_one_product_and_a_whole_list_are_written_alike(client):
    one = client.get(f"/products/{CLP}/export/csv").get_data(as_text=True).splitlines()
    listed = client.get("/search.csv?q=common+learning+package").get_data(as_text=True).splitlines()
    assert one[0] == listed[0] == ",".join(CSV_FIELDS)
    assert one[1] in listed[1:]
    assert listed.count(listed[0]) == 1  # the header is written once
    bib = client.get(f"/products/{CLP}/export/bibtex").get_data(as_text=True)
    assert bib in client.get("/search.bib?q=common+learning+package").get_data(as_text=True)


def test_cells_that_would_run_as_formulas_are_neutralised(fresh_app):
    hub = fresh_app.extensions["hrba"]
    hostile = make_product(id="zanzibar-formula", title='=HYPERLINK("https://evil.example/","Zanzibar")',
                           summary="@SUM(A1:A9) Zanzibar", url=None,
                           links=(Link("https://example.org/a.pdf", "+1 annex"),),
                           versions=(LanguageVersion("fr", "-Zanzibar", None),))
    with hub.store.write() as writer:
        writer.add(hostile)
    hub.catch_up()
    client = fresh_app.test_client()
    [row] = csv_records(client.get("/search.csv?q=zanzibar"))
    assert row["title"] == "'" + hostile.title
    assert row["summary"] == "'@SUM(A1:A9) Zanzibar"
    assert all(not value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())
    [one] = csv_records(client.get("/products/zanzibar-formula/export/csv"))
    assert one == row
    # Other formats are not spreadsheets: they keep the title exactly as published.
    [record] = jsonl_records(client.get("/search.jsonl?q=zanzibar"))
    assert record["title"] == hostile.title
    assert record["versions"] == [{"language": "fr", "title": "-Zanzibar", "url": None}]


def test_a_withdrawn_product_the_index_still_holds_is_left_out(fresh_app):
    hub = fresh_app.extensions["hrba"]
    client = fresh_app.test_client()
    before = [r["id"] for r in csv_records(client.get("/search.csv?q=common+learning+package"))]
    with hub.store.write() as writer:  # not yet applied to the index
        writer.update(writer.get(CLP).with_changes(status=Status.WITHDRAWN))
    after = [r["id"] for r in csv_records(client.get("/search.csv?q=common+learning+package"))]
    assert CLP in before and after == [i for i in before if i != CLP]


def test_the_store_is_read_a_batch_at_a_time(client, app, monkeypatch):
    store = app.extensions["hrba"].store
    asked = []
    real = store.get_many
    monkeypatch.setattr(store, "get_many", lambda ids: asked.append(len(ids)) or real(ids))
    response = client.get("/search.jsonl")
    assert len(asked) <= 1  # the client starts the body; the rest waits to be read
    assert len(jsonl_records(response)) == 472
    assert asked == [200, 200, 72]


def test_a_list_longer_than_the_cap_is_cut_and_says_so(client, monkeypatch):
    monkeypatch.setattr(exports, "MAX_ROWS", 10)
    response = client.get("/search.csv?q=rights")
    assert response.headers["X-Export-Truncated"] == "the first 10 results only"
    assert len(csv_records(response)) == 10
    soup = BeautifulSoup(client.get("/?q=rights").data, "html.parser")
    assert "Download the first 10 of these results as" in soup.select_one("p.exports").get_text()


@pytest.mark.parametrize("query, message", [
    ("sort=sideways", "sort must be one of"), ("page=zero", "page must be a whole number"),
    ("year_from=nineteen", "year_from"), ("un_system=maybe", "un_system"),
    ("q=" + "x" * 1001, "longer than 1000"), ("per_page=500", "per_page"),
])
@pytest.mark.parametrize("extension", KINDS)
def test_a_bad_parameter_is_a_400_not_half_a_file(client, query, message, extension):
    page = client.get(f"/search.{extension}?{query}")
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "Content-Disposition" not in page.headers and message in page.get_data(as_text=True)
    api = client.get(f"/search.{extension}?{query}", headers={"Accept": "application/json"})
    body = api.get_json()
    assert api.status_code == 400 and "Content-Disposition" not in api.headers
    assert body == {"ok": False, "error": body["error"], "errors": [], "status": 400}
    assert message in body["error"]


def test_exports_travel_compressed_as_they_stream(client):
    plain = client.get("/search.csv?q=rights").data
    packed = client.get("/search.csv?q=rights", headers={"Accept-Encoding": "gzip"})
    assert packed.is_streamed and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain
    assert len(packed.data) < len(plain) / 2


def test_the_results_page_links_every_export_of_the_same_search(client):
    soup = BeautifulSoup(client.get("/?q=water&agency=unicef&page=2").data, "html.parser")
    links = {a.get_text(): (a["href"], a["type"]) for a in soup.select("p.exports a")}
    assert links == {
        "CSV": ("/search.csv?q=water&agency=unicef", "text/csv"),
        "JSON Lines": ("/search.jsonl?q=water&agency=unicef", "application/x-ndjson"),
        "BibTeX": ("/search.bib?q=water&agency=unicef", "application/x-bibtex"),
        "RIS": ("/search.ris?q=water&agency=unicef", "application/x-research-info-systems"),
    }
    assert "Download these results as" in soup.select_one("p.exports").get_text()
    for href, media_type in links.values():
        response = client.get(href)
        assert response.status_code == 200 and response.mimetype == media_type and response.data


def test_the_export_links_speak_the_interface_language(client):
    soup = BeautifulSoup(client.get("/?q=eau&lang=fr").data, "html.parser")
    note = soup.select_one("p.exports")
    assert "Download" not in note.get_text()
    assert note.a["href"] == "/search.csv?q=eau&lang=fr"


def test_no_export_links_when_nothing_is_found(client):
    soup = BeautifulSoup(client.get("/?q=xqzzqx").data, "html.parser")
    assert soup.select_one("p.exports") is None
