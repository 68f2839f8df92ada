"""Dangerous addresses (`javascript:`, `data:`, `vbscript:`, disguised with case, white space,
control characters or entities) never become links: every way in refuses them.

The browser test (tests/browser/test_stored_xss.py) also checks that no rendered page has a
link, source or form action with such a scheme.
"""

from __future__ import annotations

import json
import shutil

import pytest

from catalogue import accounts
from catalogue.model import LanguageVersion, Link, Provenance
from catalogue.validation import url_problem, validate
from tests.conftest import make_product
from tests.harness import run_hrba
from tests.webapp.test_curator_workspace import PASSWORD, Browser
from webapp.auth import hash_password

DANGEROUS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "\tjavascript:alert(1)",
    "\x00javascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)", "javascript\x0b:alert(1)",
    "&#106;avascript:alert(1)", "jav&#x61;script:alert(1)", "javascript&colon;alert(1)",
    "data:text/html,<script>alert(1)</script>", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:image/svg+xml,<svg onload=alert(1)>", "vbscript:msgbox(1)", "VBScript:msgbox(1)",
    "//evil.example/x", "/relative/path", "https:javascript:alert(1)", "http:/example.org", "file:///etc/passwd",
    "ftp://example.org/x", "about:blank", "blob:https://example.org/x", "mailto:x@example.org",
    "https://example.org/ x", "https://example.org/\x00", "\u202ehttps://example.org",
]
SAFE = ["https://example.org/guide.pdf", "http://example.org/x?q=javascript:alert(1)",
        "https://example.org/?q=%22%3E%3Csvg%20onload=alert(1)%3E"]


@pytest.mark.parametrize("url", DANGEROUS)
def test_validation_refuses_every_dangerous_or_odd_address(url, vocabularies):
    assert url_problem(url)
    for product in (make_product(url=url), make_product(links=(Link(url=url, label="x"),)),
                    make_product(versions=(LanguageVersion(language="fr", title="Guide", url=url),)),
                    make_product(versions=(LanguageVersion(language="fr", title="Guide", source_url=url),)),
                    make_product(provenance=Provenance(source_url=url))):
        assert validate(product, vocabularies), (url, product)


@pytest.mark.parametrize("url", SAFE)
def test_plain_web_addresses_are_accepted_whatever_their_query(url, vocabularies):
    assert url_problem(url) is None
    assert not validate(make_product(url=url, provenance=Provenance(source_url=url)), vocabularies)


def test_the_corpus_import_rejects_records_with_dangerous_addresses(tmp_path, ready_data_dir):
    data_dir = tmp_path / "data"
    shutil.copytree(ready_data_dir, data_dir)
    records = []
    for n, url in enumerate(DANGEROUS[:12]):
        base = {"title": f"Dangerous address {n}", "agencies": ["UNICEF"], "type": "Guidance", "languages": ["en"]}
        records += [base | {"url": url}, base | {"title": f"Dangerous source {n}", "source": url},
                    base | {"title": f"Dangerous link {n}", "links": [{"url": url, "label": "x"}]},
                    base | {"title": f"Dangerous version {n}",
                            "versions": [{"language": "fr", "title": "x", "url": url}]}]
    path = tmp_path / "dangerous.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    report = json.loads(run_hrba(["import", "--json", str(path)], data_dir).stdout)
    assert report["counts"]["rejected"] == len(records) and report["counts"]["added"] == 0


def test_the_product_form_refuses_dangerous_addresses_and_saves_nothing(fresh_app):
    store = fresh_app.extensions["hrba"].store
    accounts.create_account(store, "li@example.org", hash_password(PASSWORD), "curator")
    curator = Browser(fresh_app.test_client()).sign_in("li@example.org")
    before = store.count()
    for url in ("javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
                "vbscript:msgbox(1)"):
        for field in ("url", "version-0-url", "link-0-url"):
            data = {"title": f"Form {field}", "type": "guidance", "agencies": "unicef", "languages": "en",
                    "version-0-language": "fr", "version-0-title": "Guide", field: url,
                    **({"link-0-label": "x"} if field == "link-0-url" else {})}
            response = curator.submit("/curate/products/new", "/curate/products/new", data)
            assert response.status_code == 422, (url, field, response.status_code)
    assert store.count() == before
