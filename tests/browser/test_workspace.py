"""Reporting a problem and signing in as a curator, in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

CLP = "/products/the-un-common-learning-package-on-hrba"
from tests.browser.conftest import PASSWORD


def test_a_user_reports_a_problem_and_a_curator_sees_it(page, curator_email):
    page.goto(CLP)
    page.click("#report summary")
    assert axe_violations(page) == []  # the open form too
    page.check("input[name=kind][value=broken_link]")
    page.fill("#report-message", "The Russian module gives 404 (seen in the browser test).")
    with page.expect_navigation():
        page.click("#report button[type=submit]")
    assert "the curators have your report" in page.locator(".flash[role=status]").inner_text()

    page.goto("/curate/")  # sent to the login page first
    assert "/curate/login" in page.url
    page.fill("#email", curator_email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/curate/")
    page.click("text=Problems reported by users")
    assert "The Russian module gives 404" in page.locator(".worklist").inner_text()
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.click("text=Sign out")
    assert "/curate/login" in page.url


def test_a_wrong_password_is_announced(page, curator_email):
    page.goto("/curate/login")
    page.fill("#email", curator_email)
    page.fill("#password", "not the right password")
    with page.expect_navigation():
        page.click("form.stacked button")
    assert page.locator("[role=alert]").is_visible()
    assert page.get_attribute("#password", "aria-invalid") == "true"


def test_the_api_docs_page_renders_the_interactive_reference(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/api/")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=15000)
    operations = page.locator(".swagger-ui .opblock-summary-path").all_inner_texts()
    assert any("/api/v1/search" in text for text in operations)
    assert not [e for e in errors if "Content Security Policy" in e]
