"""A curator's day in a real browser: sign in, edit themes, approve, and see it in public search."""

from __future__ import annotations

import re
import time

from catalogue.model import Status
from catalogue.store import Store
from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import make_product

CLP = "the-un-common-learning-package-on-hrba"


def wait_for(page, url: str, text: str, seconds: float = 10.0) -> bool:
    """Reload `url` until `text` shows (the index follows the store within about a second)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.goto(url)
        if text in page.content():
            return True
        time.sleep(0.3)
    return False


def test_edit_themes_approve_and_see_the_changes_in_public_search(page, live_server, live_data_dir, curator_email):
    store = Store(f"sqlite:///{live_data_dir / 'hrba.sqlite3'}")
    with store.write() as writer:  # what the crawler would bring in
        writer.add(make_product(id="browser-pending", title="Quilombola community rights toolkit",
                                status=Status.PENDING_REVIEW), actor="importer:test")
    store.close()
    sign_in(page, curator_email)
    assert page.url.endswith("/curate/")
    assert axe_violations(page) == []

    page.goto(f"/curate/products/{CLP}/edit")
    assert axe_violations(page) == []
    page.check("input[name=themes][value=persons-with-disabilities]")
    with page.expect_navigation():
        page.click("button[value=save]")
    assert "Saved" in page.locator(".flash[role=status]").inner_text()

    page.goto("/curate/review/")
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.click("#p-browser-pending form[action$='/approve'] button")
    assert "Published" in page.locator(".flash[role=status]").inner_text()

    assert wait_for(page, "/?q=quilombola", "Quilombola community rights toolkit")
    assert wait_for(page, "/?theme=persons-with-disabilities&q=common+learning+package", "The UN Common Learning Package on HRBA")
    assert re.search(r"\d+ products?", page.locator("#count").inner_text())


def test_history_and_restore_in_the_browser(page, curator_email):
    sign_in(page, curator_email)
    page.goto(f"/curate/products/{CLP}/history")
    assert axe_violations(page) == []
    assert page.locator("ol.revisions > li").count() >= 1
