"""The security baseline (OWASP ASVS level 2 where it applies), route by route.

Headers on every route, cookies, session lifetime, request size limits, no debug pages,
no secrets in the repository, bandit clean at medium and above, and every route declared
public, curator-only or admin-only.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
import sys
import time

import pytest
from itsdangerous import TimestampSigner

from catalogue import accounts
from tests.conftest import REPOSITORY, served
from tests.webapp.test_curator_workspace import CLP, PASSWORD, Browser
from webapp import create_app
from webapp.app import MAX_REQUEST_BYTES, SECRET_KEY_FILE
from webapp.auth import ACCESS_LEVELS, SESSION_MAX_AGE, access_of, hash_password, public

SAMPLE_VALUES = {"product_id": CLP, "kind": "bibtex", "name": "theme", "extension": "csv", "number": 1,
                 "filename": "style.css", "revision_id": 1, "report_id": 1, "account_id": 1,
                 "action": "disable"}
# The workspace's only open doors: everything else under /curate/ needs an account.
PUBLIC_WORKSPACE_ENDPOINTS = {"curator.login", "curator.logout"}


def _routes(app):
    """Yield (method, path, endpoint) for every route, with sample values in its variables."""
    adapter = app.url_map.bind("localhost")
    for rule in app.url_map.iter_rules():
        values = {name: SAMPLE_VALUES[name] for name in rule.arguments}
        path = adapter.build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path, rule.endpoint


@pytest.fixture
def admin(fresh_app):
    store = fresh_app.extensions["hrba"].store
    accounts.create_account(store, "admin@example.org", hash_password(PASSWORD), "admin")
    return Browser(fresh_app.test_client()).sign_in("admin@example.org")


def _assert_security_headers(response, where: str) -> None:
    headers = response.headers
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    script_sources = policy.get("script-src", policy["default-src"])
    assert "'unsafe-inline'" not in script_sources and "'unsafe-eval'" not in script_sources, where
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'", where
    assert policy["object-src"] == "'none'", where
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", where
    assert "Strict-Transport-Security" not in headers, where  # not without HRBA_HTTPS


def test_every_route_sends_the_security_headers_to_anyone_and_to_an_admin(fresh_app, admin):
    anonymous = fresh_app.test_client()
    checked = 0
    for method, path, endpoint in _routes(fresh_app):
        for who, client in (("anonymous", anonymous), ("admin", admin.client)):
            response = client.open(path, method=method)  # POSTs carry no CSRF token: refused
            _assert_security_headers(response, f"{who} {method} {path} ({response.status_code})")
            response.close()  # streamed exports end here
            checked += 1
    for path in ("/no/such/page", "/api/v1/no-such-endpoint"):
        _assert_security_headers(anonymous.get(path), path)
    assert checked >= 100


def test_workspace_pages_are_never_stored_by_browsers_or_proxies(fresh_app, admin):
    for path in ("/curate/", f"/curate/products/{CLP}/edit", "/curate/users", "/curate/login"):
        assert admin.get(path).headers["Cache-Control"] == "no-store", path
    assert fresh_app.test_client().get("/").headers.get("Cache-Control") != "no-store"


def test_behind_tls_cookies_are_secure_and_responses_carry_hsts(tmp_path, ready_data_dir):
    data_dir = tmp_path / "data"
    shutil.copytree(ready_data_dir, data_dir)
    app = create_app({"HRBA_DATA_DIR": str(data_dir), "HRBA_HTTPS": "1", "TESTING": True})
    accounts.create_account(app.extensions["hrba"].store, "li@example.org", hash_password(PASSWORD), "curator")
    client = app.test_client()
    page = client.get("/curate/login", base_url="https://localhost")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    response = client.post("/curate/login", base_url="https://localhost", headers={"Referer": "https://localhost/"},
                           data={"email": "li@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert all(flag in cookie for flag in ("Secure", "HttpOnly", "SameSite=Lax")), cookie
    app.extensions["hrba"].close()


def _session_cookie(app, data: dict, signed_at: float) -> str:
    """Sign session `data` as Flask would have at `signed_at`."""
    serializer = app.session_interface.get_signing_serializer(app)
    original = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(signed_at)
    try:
        return serializer.dumps(data)
    finally:
        TimestampSigner.get_timestamp = original


def test_a_session_ends_when_idle_too_long_and_at_most_eight_hours_after_sign_in(fresh_app, admin):
    account = accounts.find_account(fresh_app.extensions["hrba"].store, "admin@example.org")[0]
    session = {"account_id": account.id, "epoch": account.session_epoch}
    idle = fresh_app.permanent_session_lifetime.total_seconds()
    cases = {"signed just now": (time.time(), time.time(), 200),
             "idle too long": (time.time() - idle - 60, time.time() - idle - 60, 302),
             "active but signed in too long ago": (time.time(), time.time() - SESSION_MAX_AGE.total_seconds() - 60, 302)}
    for case, (signed_at, since, status) in cases.items():
        client = fresh_app.test_client()
        client.set_cookie("hrba_session", _session_cookie(fresh_app, {**session, "since": int(since)}, signed_at))
        assert client.get("/curate/").status_code == status, case
    assert idle <= 2 * 3600 and SESSION_MAX_AGE.total_seconds() <= 8 * 3600
    expires = admin.get("/curate/").headers.get("Set-Cookie", "")
    assert "Expires=" in expires  # a persistent cookie with a bounded life, refreshed by use


@pytest.mark.parametrize("path", ["/curate/login", f"/products/{CLP}/report", "/oai", "/curate/products/new"])
def test_a_body_over_the_limit_is_refused_with_a_clean_413(client, path):
    response = client.post(path, data={"message": "x" * (MAX_REQUEST_BYTES + 1)})
    assert response.status_code == 413
    assert b"Traceback" not in response.data and b"large" in response.data.lower()
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_live_server_refuses_oversized_bodies_cleanly_and_keeps_serving(tmp_path, ready_data_dir):
    import requests

    data_dir = tmp_path / "data"
    shutil.copytree(ready_data_dir, data_dir)
    with served(data_dir) as base:
        over_app_limit = requests.post(f"{base}/curate/login", data=b"x" * (MAX_REQUEST_BYTES + 10),
                                       headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
        assert over_app_limit.status_code == 413
        assert over_app_limit.headers["X-Content-Type-Options"] == "nosniff"  # the app's own page
        # Far past the limit, waitress refuses before buffering it all (no disk filling): it
        # answers 413 and closes, which the client may see as a reset while still sending.
        huge = (b"x" * 65536 for _ in range(200))  # 13 MB, chunked: no Content-Length to trust
        try:
            refused = requests.post(f"{base}/curate/login", data=huge, timeout=30,
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert refused.status_code == 413
            assert "X-Content-Type-Options" not in refused.headers  # waitress's answer, not the app's
        except requests.ConnectionError:
            pass
        assert requests.get(f"{base}/api/v1/search", params={"q": "gender"}, timeout=10).status_code == 200


def test_an_unexpected_error_shows_the_generic_page_never_a_traceback_even_with_flask_debug(
        tmp_path, ready_data_dir, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    data_dir = tmp_path / "data"
    shutil.copytree(ready_data_dir, data_dir)
    app = create_app({"HRBA_DATA_DIR": str(data_dir)})
    assert app.debug is False

    @public
    def explode():
        raise RuntimeError("internal detail: /srv/secret/path")
    app.add_url_rule("/explode", "explode", explode)
    app.add_url_rule("/api/v1/explode", "api_explode", explode)
    for path in ("/explode", "/api/v1/explode"):
        response = app.test_client().get(path)
        assert response.status_code == 500, path
        assert b"Traceback" not in response.data and b"/srv/secret" not in response.data
        assert b"unexpected error" in response.data
    app.extensions["hrba"].close()


def test_a_route_that_declares_no_access_is_refused(tmp_path, ready_data_dir):
    data_dir = tmp_path / "data"
    shutil.copytree(ready_data_dir, data_dir)
    app = create_app({"HRBA_DATA_DIR": str(data_dir), "TESTING": True})
    app.add_url_rule("/forgotten", "forgotten", lambda: "no declaration")
    assert app.test_client().get("/forgotten").status_code == 403
    app.extensions["hrba"].close()


def test_every_route_is_public_curator_only_or_admin_only_by_declaration(app):
    access = {}
    for rule in app.url_map.iter_rules():
        access[rule.endpoint] = access_of(app.view_functions[rule.endpoint])
        workspace = rule.rule.startswith("/curate")
        if workspace and rule.endpoint not in PUBLIC_WORKSPACE_ENDPOINTS:
            assert access[rule.endpoint] in ("curator", "admin"), rule.rule
        else:
            assert access[rule.endpoint] == "public", rule.rule
    assert set(access.values()) == set(ACCESS_LEVELS)
    assert access["curator_admin.users"] == access["curator_vocabularies.add_theme"] == "admin"


# Patterns of credentials that must never be committed (private keys, cloud and forge tokens,
# connection strings with a password, a hard-coded Flask secret key).
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "password in a URL": re.compile(r"\b[a-z+]+://[^/\s:@'\"]+:(?!\{)[^/\s:@'\"]{3,}@(?!example\.)[\w.-]+"),
    "hard-coded secret key": re.compile(r"""SECRET_KEY["']?\s*[:=]\s*["'][^"'\s]{8,}["']"""),
}


def _tracked_text_files():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPOSITORY, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        path = REPOSITORY / name
        if name and path.is_file() and path.suffix not in (".png", ".jpg", ".mo", ".ico", ".woff2"):
            yield name, path.read_text(encoding="utf-8", errors="replace")


def test_no_secrets_are_committed():
    found, files = [], 0
    for name, text in _tracked_text_files():
        files += 1
        found += [f"{name}: {label}: {match.group(0)[:40]}" for label, pattern in SECRET_PATTERNS.items()
                  for match in pattern.finditer(text)]
    assert files > 100
    assert not found, found


def test_the_patterns_catch_what_they_are_for():
    # Assembled here, so this file does not trip the scan above.
    samples = {"private key": "-----BEGIN RSA " + "PRIVATE KEY-----", "AWS access key": "AKIA" + "IOSFODNN7EXAMPLE",
               "GitHub token": "ghp_" + "a1" * 18, "password in a URL": "postgresql://hrba:" + "s3cret@db.internal/hrba",
               "hard-coded secret key": "SECRET_KEY = " + '"d0n7-c0mm17-m3"'}
    for label, sample in samples.items():
        assert SECRET_PATTERNS[label].search(sample), label
    assert not SECRET_PATTERNS["password in a URL"].search("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def test_each_data_directory_generates_its_own_private_secret_key(tmp_path):
    keys = []
    for name in ("one", "two"):
        app = create_app({"HRBA_DATA_DIR": str(tmp_path / name), "TESTING": True})
        path = tmp_path / name / SECRET_KEY_FILE
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert app.secret_key == path.read_text().strip() and len(app.secret_key) >= 64
        keys.append(app.secret_key)
        app.extensions["hrba"].close()
    assert keys[0] != keys[1]
    ignored = subprocess.run(["git", "check-ignore", "-q", f"instance/{SECRET_KEY_FILE}"], cwd=REPOSITORY)
    assert ignored.returncode == 0  # the default data directory never gets committed


def test_bandit_finds_no_issue_of_medium_or_high_severity():
    pytest.importorskip("bandit", reason="bandit is in the test extra: pip install -e '.[test]'")
    result = subprocess.run([sys.executable, "-m", "bandit", "-r", "catalogue", "indexer", "webapp", "-ll",
                             "-f", "json", "-q"], cwd=REPOSITORY, capture_output=True, text=True)
    report = json.loads(result.stdout)
    issues = [f"{i['filename']}:{i['line_number']} {i['test_id']} {i['issue_text']}" for i in report["results"]]
    assert not issues, issues
    assert report["metrics"]["_totals"]["loc"] > 5000  # it did scan the code
