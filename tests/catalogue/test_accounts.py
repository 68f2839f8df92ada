"""Accounts, throttle events, problem reports and link checks in the store (SQLite and PostgreSQL)."""

from datetime import datetime, timedelta, timezone

import pytest

from catalogue import accounts, link_checks, reports, throttle
from catalogue.errors import AccountError, ProductNotFound, ValidationError
from tests.conftest import make_product


def test_an_account_is_found_by_email_in_any_case(store):
    created = accounts.create_account(store, " Ana@Example.ORG ", "hash-1", "admin")
    assert created.email == "ana@example.org" and created.is_admin and created.active
    found, password_hash = accounts.find_account(store, "ANA@example.org")
    assert found == created and password_hash == "hash-1"
    assert accounts.find_account(store, "someone@example.org") is None


@pytest.mark.parametrize("email, role", [("ana@example.org", "curator"), ("not-an-email", "curator"),
                                         ("li@example.org", "owner")])
def test_bad_or_taken_accounts_are_refused(store, email, role):
    accounts.create_account(store, "ana@example.org", "hash", "curator")
    with pytest.raises(AccountError):
        accounts.create_account(store, email, "hash", role)
    assert len(accounts.list_accounts(store)) == 1


def test_password_change_and_disable_end_sessions(store):
    epoch = accounts.create_account(store, "li@example.org", "hash", "curator").session_epoch
    changed = accounts.set_password_hash(store, "li@example.org", "hash-2")
    assert changed.session_epoch == epoch + 1
    assert accounts.find_account(store, "li@example.org")[1] == "hash-2"
    disabled = accounts.set_active(store, "li@example.org", False)
    assert not disabled.active and disabled.session_epoch == epoch + 2
    assert accounts.set_active(store, "li@example.org", True).active
    with pytest.raises(AccountError):
        accounts.set_active(store, "nobody@example.org", False)


def test_throttle_counts_events_per_key_within_the_window(store):
    for _ in range(3):
        throttle.record_event(store, "login-address:10.0.0.1", "login-account:li@example.org")
    assert throttle.recent_events(store, "login-address:10.0.0.1", timedelta(minutes=15)) == 3
    assert throttle.recent_events(store, "login-address:10.0.0.2", timedelta(minutes=15)) == 0
    assert throttle.forget_events(store, "login-account:li@example.org") == 3
    assert throttle.recent_events(store, "login-account:li@example.org", timedelta(minutes=15)) == 0
    assert throttle.recent_events(store, "login-address:10.0.0.1", timedelta(minutes=15)) == 3


def test_a_report_is_kept_for_the_curators(store):
    with store.write() as writer:
        writer.add(make_product())
    report = reports.add_report(store, "hrba-guide", "broken_link", "  The PDF link gives 404.  ",
                                contact="li@example.org", language="fr")
    assert report.message == "The PDF link gives 404." and report.status == "open"
    assert reports.open_reports(store) == [report]
    assert reports.count_open(store) == 1


@pytest.mark.parametrize("kind, message, contact, field", [
    ("spam", "text", None, "kind"),
    ("other", "   ", None, "message"),
    ("other", "x" * 5001, None, "message"),
    ("other", "bell\x07", None, "message"),
    ("other", "text", "not an email", "contact"),
])
def test_bad_reports_are_refused_field_by_field(store, kind, message, contact, field):
    with store.write() as writer:
        writer.add(make_product())
    with pytest.raises(ValidationError) as caught:
        reports.add_report(store, "hrba-guide", kind, message, contact)
    assert field in caught.value.errors
    assert reports.count_open(store) == 0


def test_a_report_about_no_product_is_refused(store):
    with pytest.raises(ProductNotFound):
        reports.add_report(store, "no-such-product", "other", "text")


def test_link_checks_keep_the_last_result_and_when_it_last_worked(store):
    url = "https://example.org/guide.pdf"
    good = datetime(2026, 1, 5, tzinfo=timezone.utc)
    link_checks.record_check(store, url, ok=True, status_code=200, when=good)
    link_checks.record_check(store, url, ok=False, status_code=404,
                             when=datetime(2026, 3, 1, tzinfo=timezone.utc))
    check = link_checks.checks_for(store, [url, "https://example.org/unchecked", None])[url]
    assert (check.ok, check.status_code, check.last_ok_at) == (False, 404, good)
    assert check.archived_url == "https://web.archive.org/web/20260105000000/https://example.org/guide.pdf"
    assert list(link_checks.checks_for(store, [url, "https://example.org/unchecked"])) == [url]
