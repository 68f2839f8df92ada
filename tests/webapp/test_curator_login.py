"""Signing in to the curator workspace: the form, sessions, CSRF, throttling, redirects."""

import pytest
from bs4 import BeautifulSoup

from catalogue import accounts
from webapp.auth import MAX_FAILURES_PER_ACCOUNT, hash_password

PASSWORD = "a long enough passphrase"


@pytest.fixture
def curator(fresh_app):
    hub = fresh_app.extensions["hrba"]
    return accounts.create_account(hub.store, "li@example.org", hash_password(PASSWORD), "curator")


@pytest.fixture
def browser(fresh_app):
    return fresh_app.test_client()


def csrf_token(client, path="/curate/login"):
    soup = BeautifulSoup(client.get(path).data, "html.parser")
    return soup.find("input", attrs={"name": "csrf_token"})["value"]


def sign_in(client, email="li@example.org", password=PASSWORD, next_url=None):
    token = csrf_token(client)
    path = "/curate/login" + (f"?next={next_url}" if next_url else "")
    return client.post(path, data={"email": email, "password": password, "csrf_token": token})


def test_the_login_form_has_labelled_email_password_and_csrf_fields(client):
    soup = BeautifulSoup(client.get("/curate/login").data, "html.parser")
    form = soup.find("form", method="post")
    names = {field["name"] for field in form.find_all("input")}
    assert names == {"email", "password", "csrf_token"}
    for name in ("email", "password"):
        field = form.find("input", attrs={"name": name})
        assert soup.find("label", attrs={"for": field["id"]})


def test_anonymous_users_are_sent_to_the_login_page(browser):
    response = browser.get("/curate/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/curate/login?next=/curate/")


def test_a_curator_signs_in_reaches_the_dashboard_and_signs_out(browser, curator):
    response = sign_in(browser, next_url="/curate/")
    assert response.status_code == 302 and response.headers["Location"] == "/curate/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    dashboard = browser.get("/curate/")
    assert dashboard.status_code == 200 and b"li@example.org" in dashboard.data
    token = BeautifulSoup(dashboard.data, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]
    assert browser.post("/curate/logout", data={"csrf_token": token}).status_code == 302
    assert browser.get("/curate/").status_code == 302


def test_a_wrong_password_is_refused_with_a_clear_message(browser, curator):
    response = sign_in(browser, password="not the password at all")
    assert response.status_code == 401
    alert = BeautifulSoup(response.data, "html.parser").find(attrs={"role": "alert"})
    assert "do not match an active account" in alert.get_text()
    assert browser.get("/curate/").status_code == 302


def test_a_post_without_the_csrf_token_is_refused(browser, curator):
    response = browser.post("/curate/login", data={"email": "li@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert browser.get("/curate/").status_code == 302


def test_repeated_failures_throttle_the_account_even_with_the_right_password(browser, curator):
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert sign_in(browser, password="wrong password guess").status_code == 401
    response = sign_in(browser)
    assert response.status_code == 429
    assert "Too many failed attempts" in BeautifulSoup(response.data, "html.parser").get_text()


@pytest.mark.parametrize("change", [
    lambda store: accounts.set_active(store, "li@example.org", False),
    lambda store: accounts.set_password_hash(store, "li@example.org", hash_password("another passphrase")),
    lambda store: accounts.end_sessions(store, "li@example.org"),
])
def test_disable_password_change_and_logout_everywhere_end_the_session(fresh_app, browser, curator, change):
    sign_in(browser)
    assert browser.get("/curate/").status_code == 200
    change(fresh_app.extensions["hrba"].store)
    assert browser.get("/curate/").status_code == 302


def test_a_disabled_account_cannot_sign_in(fresh_app, browser, curator):
    accounts.set_active(fresh_app.extensions["hrba"].store, "li@example.org", False)
    assert sign_in(browser).status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/curate/", "https://evil.example/", "/products/x",
                                    "/curate/\\\\evil.example"])
def test_next_never_leaves_the_workspace(browser, curator, target):
    response = sign_in(browser, next_url=target)
    assert response.headers["Location"] == "/curate/"


def test_open_problem_reports_are_counted_on_the_dashboard_and_listed(fresh_app, browser, curator):
    from catalogue import reports

    store = fresh_app.extensions["hrba"].store
    reports.add_report(store, "the-un-common-learning-package-on-hrba", "broken_link",
                       "The <b>Arabic</b> module link is dead.")
    sign_in(browser)
    dashboard = BeautifulSoup(browser.get("/curate/").data, "html.parser")
    link = dashboard.find("a", href="/curate/reports")
    assert link.select_one(".number").get_text() == "1"
    soup = BeautifulSoup(browser.get("/curate/reports").data, "html.parser")
    (item,) = soup.select(".worklist li")
    assert item.a["href"] == "/curate/products/the-un-common-learning-package-on-hrba/edit"
    assert item.select_one(".message").get_text() == "The <b>Arabic</b> module link is dead."
    token = item.find("input", attrs={"name": "csrf_token"})["value"]
    browser.post(item.form["action"], data={"csrf_token": token, "resolution": "Link fixed"})
    assert reports.count_open(store) == 0
