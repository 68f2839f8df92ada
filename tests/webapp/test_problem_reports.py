"""The "report a problem" form of the product page, and link status shown to users."""

from datetime import datetime, timezone

import pytest
from bs4 import BeautifulSoup

from catalogue import link_checks, reports
from webapp.search_ui import REPORTS_PER_HOUR

CLP = "the-un-common-learning-package-on-hrba"
WATER = "the-right-to-water-fact-sheet-no-35"


@pytest.fixture
def browser(fresh_app):
    return fresh_app.test_client()


@pytest.fixture
def store(fresh_app):
    return fresh_app.extensions["hrba"].store


def report(client, data, product_id=CLP):
    soup = BeautifulSoup(client.get(f"/products/{product_id}").data, "html.parser")
    token = soup.select_one("#report input[name=csrf_token]")["value"]
    return client.post(f"/products/{product_id}/report", data={"csrf_token": token, **data})


def test_the_form_is_a_labelled_fieldset_that_works_without_javascript(client):
    soup = BeautifulSoup(client.get(f"/products/{CLP}").data, "html.parser")
    form = soup.select_one("#report form")
    assert form["method"] == "post" and form["action"] == f"/products/{CLP}/report"
    assert form.fieldset.legend.get_text(strip=True)
    assert {i["value"] for i in form.select("input[name=kind]")} == {
        "broken_link", "wrong_details", "missing_version", "other"}
    for field_id in ("report-message", "report-contact"):
        assert form.find("label", attrs={"for": field_id})


def test_a_report_reaches_the_curators(browser, store):
    response = report(browser, {"kind": "broken_link", "message": "The French PDF gives 404.",
                                "contact": "li@example.org"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/products/{CLP}#report")
    (saved,) = reports.open_reports(store)
    assert (saved.product_id, saved.kind.value, saved.message, saved.contact) == (
        CLP, "broken_link", "The French PDF gives 404.", "li@example.org")
    thanks = BeautifulSoup(browser.get(f"/products/{CLP}").data, "html.parser")
    assert "the curators have your report" in thanks.find(attrs={"role": "status"}).get_text()


def test_a_bad_report_is_shown_again_with_its_errors_and_nothing_is_kept(browser, store):
    response = report(browser, {"kind": "other", "message": "  ", "contact": "nobody"})
    assert response.status_code == 422
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("#report details").has_attr("open")
    assert soup.select_one("#report-message")["aria-invalid"] == "true"
    assert soup.select_one("#report-contact")["value"] == "nobody"
    assert reports.count_open(store) == 0


def test_robots_filling_the_hidden_field_are_thanked_and_ignored(browser, store):
    response = report(browser, {"kind": "other", "message": "Buy now", "website": "http://spam.example"})
    assert response.status_code == 302
    assert reports.count_open(store) == 0


def test_a_report_needs_the_csrf_token(browser, store):
    response = browser.post(f"/products/{CLP}/report", data={"kind": "other", "message": "text"})
    assert response.status_code == 400
    assert reports.count_open(store) == 0


def test_reports_are_limited_per_address(browser, store):
    for n in range(REPORTS_PER_HOUR):
        assert report(browser, {"kind": "other", "message": f"report {n}"}).status_code == 302
    response = report(browser, {"kind": "other", "message": "one too many"})
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert reports.count_open(store) == REPORTS_PER_HOUR


def test_a_report_on_an_unknown_product_is_404(browser):
    token = BeautifulSoup(browser.get(f"/products/{CLP}").data, "html.parser") \
        .select_one("#report input[name=csrf_token]")["value"]
    assert browser.post("/products/no-such/report", data={"csrf_token": token, "kind": "other",
                                                          "message": "x"}).status_code == 404


def test_a_broken_link_shows_a_warning_and_an_archived_copy(browser, store):
    product = store.get(WATER)  # has a link and linked language versions
    worked = datetime(2025, 6, 1, tzinfo=timezone.utc)
    link_checks.record_check(store, product.url, ok=True, status_code=200, when=worked)
    link_checks.record_check(store, product.url, ok=False, status_code=404,
                             when=datetime(2026, 2, 1, tzinfo=timezone.utc))
    version = product.versions[0]
    link_checks.record_check(store, version.url, ok=True, status_code=200, when=worked)
    soup = BeautifulSoup(browser.get(f"/products/{product.id}").data, "html.parser")
    warning = soup.select_one(".open-line .link-broken")
    assert "broken" in warning.get_text() and "2026" in warning.get_text()
    assert warning.a["href"] == link_checks.archived_copy(product.url, worked)
    assert "checked" in soup.select_one(".versions .link-ok").get_text()


def test_unchecked_links_show_no_status(client):
    soup = BeautifulSoup(client.get(f"/products/{CLP}").data, "html.parser")
    assert not soup.select(".link-ok, .link-broken")
