"""The curator workspace through real form submissions: roles, CSRF, and every editorial action."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from catalogue import accounts, queries, revisions
from catalogue.model import Status
from tests.conftest import make_product
from tests.harness import form_fields
from webapp.auth import hash_password

PASSWORD = "a long enough passphrase"
CLP = "the-un-common-learning-package-on-hrba"


class Browser:
    """A test client that signs in and submits the forms it is shown, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str) -> str:
        page = self.client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        return BeautifulSoup(page.data, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]

    def sign_in(self, email: str):
        response = self.client.post("/curate/login", data={"email": email, "password": PASSWORD,
                                                           "csrf_token": self.token("/curate/login")})
        assert response.status_code == 302
        return self

    def submit(self, page_path: str, action: str, data: dict | list, **kwargs):
        """Post `data` to `action` with the CSRF token of `page_path`, as the browser would."""
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        pairs.append(("csrf_token", self.token(page_path)))
        return self.client.post(action, data=_multi(pairs), **kwargs)

    def get(self, path):
        return self.client.get(path)


def _multi(pairs):
    from werkzeug.datastructures import MultiDict
    return MultiDict(pairs)


@pytest.fixture
def store(fresh_app):
    return fresh_app.extensions["hrba"].store


@pytest.fixture
def people(store):
    for email, role in (("admin@example.org", "admin"), ("li@example.org", "curator"),
                        ("gone@example.org", "curator")):
        accounts.create_account(store, email, hash_password(PASSWORD), role)
    return store


@pytest.fixture
def curator(fresh_app, people):
    return Browser(fresh_app.test_client()).sign_in("li@example.org")


@pytest.fixture
def admin(fresh_app, people):
    return Browser(fresh_app.test_client()).sign_in("admin@example.org")


@pytest.mark.parametrize("path", ["/curate/", "/curate/products/", "/curate/products/new",
                                  f"/curate/products/{CLP}/edit", f"/curate/products/{CLP}/history",
                                  "/curate/review/", "/curate/activity", "/curate/reports", "/curate/links",
                                  "/curate/searches", "/curate/users", "/curate/account", "/curate/activity.atom"])
def test_anonymous_users_get_the_login_page(fresh_app, path):
    response = fresh_app.test_client().get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/curate/login")


def test_curators_cannot_manage_users(curator, store):
    assert curator.get("/curate/users").status_code == 403
    assert curator.get("/curate/activity.atom").status_code == 403
    response = curator.submit("/curate/", "/curate/users", {"email": "new@example.org", "role": "admin",
                                                            "password": PASSWORD})
    assert response.status_code == 403
    assert accounts.find_account(store, "new@example.org") is None


def test_admins_create_and_disable_accounts_and_a_disabled_account_cannot_act(fresh_app, admin, store):
    response = admin.submit("/curate/users", "/curate/users", {"email": "new@example.org", "role": "curator",
                                                                "password": PASSWORD})
    assert response.status_code == 302
    victim = Browser(fresh_app.test_client()).sign_in("gone@example.org")
    assert victim.get("/curate/").status_code == 200
    gone = accounts.find_account(store, "gone@example.org")[0]
    admin.submit("/curate/users", f"/curate/users/{gone.id}/disable", {})
    assert victim.get("/curate/").status_code == 302
    response = victim.client.post(f"/curate/products/{CLP}/withdraw", data={"reason": "x"})
    assert response.status_code in (302, 400) and store.get(CLP).status is Status.PUBLISHED


def test_forms_without_a_valid_csrf_token_change_nothing(curator, store):
    before = revisions.latest_revision_id(store, CLP)
    for token in (None, "forged-token"):
        data = {"reason": "Superseded"} | ({"csrf_token": token} if token else {})
        response = curator.client.post(f"/curate/products/{CLP}/withdraw", data=data)
        assert response.status_code == 400
    assert store.get(CLP).status is Status.PUBLISHED
    assert revisions.latest_revision_id(store, CLP) == before


def test_create_a_product_through_the_form(curator, store):
    data = {"title": "Guía sobre el EBDH", "type": "guidance", "summary": "Una guía.", "year": "2019",
            "url": "https://example.org/guia.pdf", "agencies": "unicef", "languages": "es",
            "themes": "participation", "version-0-language": "fr", "version-0-title": "Guide sur l'AFDH",
            "version-0-url": "https://example.org/guide.pdf"}
    response = curator.submit("/curate/products/new", "/curate/products/new", data)
    assert response.status_code == 302
    created = store.get("guia-sobre-el-ebdh")
    assert (created.type, created.year, created.agencies, created.status) == ("guidance", 2019, ("unicef",), Status.PUBLISHED)
    assert created.version("fr").title == "Guide sur l'AFDH"
    assert revisions.history(store, created.id)[0].actor == "li@example.org"


def test_a_bad_form_is_shown_again_with_messages_per_field(curator, store):
    response = curator.submit("/curate/products/new", "/curate/products/new",
                              {"title": "", "type": "guidance", "year": "last year", "agencies": "unicef",
                               "languages": "en"})
    assert response.status_code == 422
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.find(id="year-error") and soup.select_one("#f-year")["aria-invalid"] == "true"
    assert soup.select_one("#f-type option[selected]")["value"] == "guidance"
    assert store.count() == 472


def test_edit_a_products_themes_keeping_everything_else(curator, store):
    before = store.get(CLP)
    page = curator.get(f"/curate/products/{CLP}/edit")
    fields = [(k, v) for k, v in form_fields(page.data) if k != "themes"] + [("themes", "health"), ("themes", "participation")]
    response = curator.submit(f"/curate/products/{CLP}/edit", f"/curate/products/{CLP}/edit", fields)
    assert response.status_code == 302
    after = store.get(CLP)
    assert after.themes == ("health", "participation")
    assert after.with_changes(themes=before.themes, provenance=before.provenance) == before
    latest = revisions.history(store, CLP)[0]
    assert [c.name for c in latest.changes] == ["themes"]


def test_a_stale_form_does_not_overwrite_a_newer_edit(fresh_app, curator, store, people):
    page = curator.get(f"/curate/products/{CLP}/edit")
    stale = form_fields(page.data)
    other = Browser(fresh_app.test_client()).sign_in("admin@example.org")
    fresh = [(k, "Edited by the admin" if k == "title" else v)
             for k, v in form_fields(other.get(f"/curate/products/{CLP}/edit").data)]
    assert other.submit(f"/curate/products/{CLP}/edit", f"/curate/products/{CLP}/edit", fresh).status_code == 302
    stale = [(k, "Edited late" if k == "title" else v) for k, v in stale]
    response = curator.submit(f"/curate/products/{CLP}/edit", f"/curate/products/{CLP}/edit", stale)
    assert response.status_code == 409
    assert store.get(CLP).title == "Edited by the admin"


def test_saving_an_untouched_form_changes_nothing(curator, store):
    before = revisions.latest_revision_id(store, CLP)
    page = curator.get(f"/curate/products/{CLP}/edit")
    curator.submit(f"/curate/products/{CLP}/edit", f"/curate/products/{CLP}/edit", form_fields(page.data))
    assert revisions.latest_revision_id(store, CLP) == before  # no empty revision either


def test_preview_shows_the_public_page_and_saves_nothing(curator, store):
    fields = [(k, "A previewed title" if k == "title" else v)
              for k, v in form_fields(curator.get(f"/curate/products/{CLP}/edit").data)] + [("action", "preview")]
    response = curator.submit(f"/curate/products/{CLP}/edit", f"/curate/products/{CLP}/edit", fields)
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.h1.get_text() == "A previewed title" and soup.select_one(".preview-note")
    assert store.get(CLP).title != "A previewed title"


def test_withdraw_then_restore(curator, store, fresh_app):
    response = curator.submit(f"/curate/products/{CLP}/edit", f"/curate/products/{CLP}/withdraw",
                              {"reason": "Replaced by the 2024 edition"})
    assert response.status_code == 302 and store.get(CLP).status is Status.WITHDRAWN
    assert fresh_app.test_client().get(f"/products/{CLP}").status_code == 410
    curator.submit(f"/curate/products/{CLP}/edit", f"/curate/products/{CLP}/restore", {})
    assert store.get(CLP).status is Status.PUBLISHED


def test_history_shows_each_change_and_restores_an_earlier_version(curator, store):
    original = store.get(CLP)
    fields = [(k, "A mistaken title" if k == "title" else v)
              for k, v in form_fields(curator.get(f"/curate/products/{CLP}/edit").data)]
    curator.submit(f"/curate/products/{CLP}/edit", f"/curate/products/{CLP}/edit", fields)
    soup = BeautifulSoup(curator.get(f"/curate/products/{CLP}/history").data, "html.parser")
    latest = soup.select_one("ol.revisions > li")
    assert "li@example.org" in latest.get_text()
    row = latest.select_one("table.diff tbody tr")
    assert row.th.get_text() == "Title" and row.select_one(".after").get_text() == "A mistaken title"
    assert latest.select_one(".who strong").get_text() == "Edited"
    french = BeautifulSoup(curator.get(f"/curate/products/{CLP}/history?lang=fr").data, "html.parser")
    latest_fr = french.select_one("ol.revisions > li")
    assert latest_fr.select_one(".who strong").get_text() == "Modifié"
    assert latest_fr.select_one("table.diff tbody tr").th.get_text() == "Titre"
    first_revision = soup.select("ol.revisions > li")[-1]
    action = first_revision.form["action"]
    curator.submit(f"/curate/products/{CLP}/history", action, {})
    assert store.get(CLP).title == original.title


@pytest.fixture
def pending(store):
    with store.write() as writer:
        for n in range(3):
            writer.add(make_product(id=f"pending-{n}", title=f"Pending guide {n}", status=Status.PENDING_REVIEW,
                                    url=f"https://example.org/p{n}.pdf"), actor="importer:test")
    queries.set_flags(store, "pending-2", [queries.Flag(CLP, "similar_title", "97% alike")])
    return ["pending-0", "pending-1", "pending-2"]


def test_the_review_queue_shows_pending_products_and_their_duplicate_flags(curator, pending):
    soup = BeautifulSoup(curator.get("/curate/review/").data, "html.parser")
    assert {li["id"] for li in soup.select("li.queue-item")} == {f"p-{p}" for p in pending}
    flag = soup.select_one("#p-pending-2 .flag")
    assert "Nearly the same title" in flag.get_text() and flag.a["href"] == f"/curate/products/{CLP}/edit"
    only_flagged = BeautifulSoup(curator.get("/curate/review/?duplicates=yes").data, "html.parser")
    assert [li["id"] for li in only_flagged.select("li.queue-item")] == ["p-pending-2"]


def test_approve_reject_and_merge_from_the_queue(curator, store, pending, fresh_app):
    curator.submit("/curate/review/", "/curate/review/pending-0/approve", {})
    assert store.get("pending-0").status is Status.PUBLISHED
    response = curator.submit("/curate/review/", "/curate/review/pending-1/reject", {"reason": ""})
    assert store.get("pending-1").status is Status.PENDING_REVIEW  # a reason is required
    curator.submit("/curate/review/", "/curate/review/pending-1/reject", {"reason": "Not about HRBA"})
    assert store.get("pending-1").status is Status.REJECTED
    curator.submit("/curate/review/", "/curate/review/pending-2/merge", {"into": CLP})
    merged = store.get("pending-2")
    assert (merged.status, merged.replaced_by) == (Status.REJECTED, CLP)
    assert "https://example.org/p2.pdf" in [link.url for link in store.get(CLP).links]
    assert response.status_code == 302


def test_a_merged_products_page_sends_visitors_to_the_one_that_remains(fresh_app, curator, store):
    with store.write() as writer:
        writer.add(make_product(id="old-copy", status=Status.PUBLISHED))
    curator.submit("/curate/review/", "/curate/review/old-copy/merge", {"into": CLP})
    response = fresh_app.test_client().get("/products/old-copy")
    assert response.status_code == 301 and response.headers["Location"] == f"/products/{CLP}"
    assert store.get("old-copy").status is Status.WITHDRAWN  # it was public: a tombstone for harvesters


def test_bulk_approve_and_reject(curator, store, pending):
    response = curator.submit("/curate/review/", "/curate/review/bulk",
                              [("product", "pending-0"), ("product", "pending-1"), ("action", "approve")])
    assert response.status_code == 302
    assert [store.get(p).status for p in pending] == [Status.PUBLISHED, Status.PUBLISHED, Status.PENDING_REVIEW]
    curator.submit("/curate/review/", "/curate/review/bulk",
                   [("product", "pending-2"), ("action", "reject"), ("reason", "Duplicate")])
    assert store.get("pending-2").status is Status.REJECTED


def test_an_approved_product_reaches_search(fresh_app, curator, store, pending):
    hub = fresh_app.extensions["hrba"]
    hub.catch_up()
    public = fresh_app.test_client()
    assert public.get("/api/v1/search?q=%22Pending+guide+0%22").json["total"] == 0
    curator.submit("/curate/review/", "/curate/review/pending-0/approve", {})
    hub.catch_up()  # what the updater thread of `hrba serve` does every half second
    found = public.get("/api/v1/search?q=%22Pending+guide+0%22").json
    assert [r["id"] for r in found["results"]] == ["pending-0"]


def test_the_dashboard_counts_the_worklists(curator, store, pending, fresh_app):
    fresh_app.test_client().get("/?q=zzqxw+vvkrp")  # a search that finds nothing
    soup = BeautifulSoup(curator.get("/curate/").data, "html.parser")
    counts = {a.get_text(" ", strip=True).split(" ", 1)[1]: int(a.select_one(".number").get_text())
              for a in soup.select(".worklists a")}
    assert counts["Waiting for review"] == 3
    assert counts["… of which suspected duplicates"] == 1
    assert counts["Searches that found nothing"] == 1
    assert "zzqxw vvkrp" in curator.get("/curate/searches").data.decode()


def test_change_your_own_password(curator, store):
    response = curator.submit("/curate/account", "/curate/account",
                              {"current_password": PASSWORD, "new_password": "another long passphrase",
                               "confirm_password": "another long passphrase"})
    assert response.status_code == 302
    assert curator.get("/curate/").status_code == 200  # this session goes on
    wrong = curator.submit("/curate/account", "/curate/account",
                           {"current_password": "not it at all", "new_password": "x" * 12, "confirm_password": "x" * 12})
    assert wrong.status_code == 422


def test_an_admin_adds_an_alias_and_search_understands_it_at_once(fresh_app, admin, curator):
    public = fresh_app.test_client()
    hub = fresh_app.extensions["hrba"]
    hub.catch_up()
    assert public.get("/api/v1/search?q=Zorgbureau").json["total"] == 0
    assert curator.get("/curate/vocabularies/").status_code == 403
    response = admin.submit("/curate/vocabularies/", "/curate/vocabularies/aliases",
                            {"vocabulary": "agency", "term": "ohchr", "alias": "Zorgbureau"})
    assert response.status_code == 302
    hub.catch_up()
    found = public.get("/api/v1/search?q=Zorgbureau&per_page=100").json
    assert found["total"] > 0 and all("ohchr" in r["agencies"] for r in found["results"])


def test_an_admin_adds_a_theme_in_six_languages(fresh_app, admin):
    labels = {"label_en": "Social protection", "label_fr": "Protection sociale", "label_es": "Protección social",
              "label_ar": "الحماية الاجتماعية", "label_ru": "Социальная защита", "label_zh": "社会保护"}
    response = admin.submit("/curate/vocabularies/", "/curate/vocabularies/themes", {"id": "social-protection", **labels})
    assert response.status_code == 302
    themes = fresh_app.test_client().get("/api/v1/vocabularies/theme").json["terms"]
    added = next(t for t in themes if t["id"] == "social-protection")
    assert added["labels"]["zh"] == "社会保护"
    conflict = admin.submit("/curate/vocabularies/", "/curate/vocabularies/themes",
                            {"id": "health-two", "label_en": "Health"})
    assert conflict.status_code == 422


def test_fill_the_new_product_form_from_a_pdf(curator):
    from tests.pdfs import make_pdf

    data = make_pdf("Guide pratique de l'AFDH", ["Approche fondée sur les droits de l'homme.",
                                                 "Participation et redevabilité des titulaires de droits."], pages=3)
    token = curator.token("/curate/products/new")
    import io
    response = curator.client.post("/curate/products/fill", data={
        "csrf_token": token, "pdf": (io.BytesIO(data), "guide.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("#f-title")["value"] == "Guide pratique de l'AFDH"
    assert "3 pages" in soup.select_one(".fill-note").get_text()
    assert soup.select_one("#f-languages option[selected]")["value"] == "fr"
    assert "Participation" in soup.select_one("#f-full-text").get_text()


def test_fill_refuses_an_unreadable_file_and_a_private_address(curator):
    import io
    token = curator.token("/curate/products/new")
    broken = curator.client.post("/curate/products/fill", data={
        "csrf_token": token, "pdf": (io.BytesIO(b"%PDF-1.4 garbage"), "broken.pdf")}, content_type="multipart/form-data")
    assert broken.status_code == 422
    assert BeautifulSoup(broken.data, "html.parser").select_one("#fill-error")
    private = curator.submit("/curate/products/new", "/curate/products/fill", {"source_url": "http://127.0.0.1:9/x"})
    assert private.status_code == 422
    assert "address" in BeautifulSoup(private.data, "html.parser").select_one("#fill-error").get_text().lower()


def test_fill_from_a_page_on_a_real_server(fresh_app, people):
    from tests.fixture_site import site_routes  # a real HTTP server on loopback
    from tests.loopback import serving

    fresh_app.config["HRBA_ALLOW_PRIVATE_FETCH"] = True
    fresh_app.extensions["hrba"].config["HRBA_CRAWL_DELAY"] = 0
    curator = Browser(fresh_app.test_client()).sign_in("li@example.org")
    with serving(site_routes()) as site:
        response = curator.submit("/curate/products/new", "/curate/products/fill",
                                  {"source_url": f"{site.base}/resources/guide-droits-programmation"})
    assert response.status_code == 200, response.data[:800]
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("#f-title")["value"] == "Guide de programmation fondée sur les droits de l'homme"
    assert soup.select_one("#f-url")["value"] == f"{site.base}/resources/guide-droits-programmation"
    assert soup.select_one("#f-languages option[selected]")["value"] == "fr"


SHEET = ("title,agency,type,languages,year,url\n"
         "Guide to rights-based budgeting,UNICEF,Guidance,en,2021,https://example.org/budget.pdf\n"
         "Manuel de suivi des droits,OHCHR,Manual / handbook,fr,2018,https://example.org/suivi.pdf\n"
         ",UNDP,Guidance,en,2020,https://example.org/untitled.pdf\n").encode("utf-8")


def upload(curator, data: bytes, filename: str, **fields):
    import io
    token = curator.token("/curate/import/")
    return curator.client.post("/curate/import/", data={"csrf_token": token, "table": (io.BytesIO(data), filename),
                                                         **fields}, content_type="multipart/form-data")


def test_import_a_spreadsheet_dry_run_then_confirm(curator, store):
    before = store.count()
    checked = upload(curator, SHEET, "list.csv", source="unicef-list")
    assert checked.status_code == 200
    soup = BeautifulSoup(checked.data, "html.parser")
    outcomes = [row.select("td")[1].get_text() for row in soup.select("table.worktable tbody tr")]
    assert sorted(outcomes) == ["added", "added", "rejected"]
    assert "title" in soup.select_one("tr.outcome-rejected").get_text()
    assert store.count() == before  # a dry run changes nothing
    confirm = soup.select_one("form[action='/curate/import/confirm']")
    fields = {i["name"]: i.get("value", "") for i in confirm.find_all("input")}
    done = curator.client.post("/curate/import/confirm", data=fields)
    assert done.status_code == 200
    assert store.count() == before + 2
    pending = queries.find_products(store, statuses=(Status.PENDING_REVIEW,), source="unicef-list").products
    assert sorted(p.title for p in pending) == ["Guide to rights-based budgeting", "Manuel de suivi des droits"]
    again = curator.client.post("/curate/import/confirm", data=fields)  # the upload is used up
    assert again.status_code == 302 and store.count() == before + 2


def test_an_unreadable_spreadsheet_is_refused_cleanly(curator, store):
    before = store.count()
    assert upload(curator, b"\x00\x01 not a table", "list.pdf").status_code == 422
    response = upload(curator, b"PK\x03\x04 not really a zip", "list.xlsx")
    assert response.status_code == 422
    assert BeautifulSoup(response.data, "html.parser").select_one("#import-error")
    assert store.count() == before


def test_every_field_a_history_shows_and_every_action_has_a_label(fresh_app):
    from webapp.revision_labels import action_label, field_label
    with fresh_app.test_request_context("/curate/?lang=es"):
        assert all(field_label(name) != name for name in revisions.FIELD_ORDER)
        assert action_label("withdraw") == "Retirado" and action_label("a-future-action") == "a-future-action"
