"""A real server on loopback and a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import hrba_command, served

CHROMIUM = os.environ.get("HRBA_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture(scope="session")
def live_data_dir(ready_data_dir, tmp_path_factory) -> Path:
    """The live server's own copy of the ready data directory."""
    data_dir = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(ready_data_dir, data_dir)
    return data_dir


@pytest.fixture(scope="session")
def live_server(live_data_dir):
    """`hrba serve` on a free loopback port, over its own data directory."""
    with served(live_data_dir) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (never a downloaded browser: `playwright install` is not used)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests skipped: Playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


PASSWORD = "a long enough passphrase"


@pytest.fixture(scope="session")
def curator_email(live_data_dir, live_server):
    """A curator account on the live server (made with `hrba users create`, as an admin would)."""
    email = "curator@example.org"
    subprocess.run([hrba_command(), "users", "create", "--password-stdin", email], input=PASSWORD + "\n",
                   text=True, check=True, capture_output=True,
                   env={**os.environ, "HRBA_DATA_DIR": str(live_data_dir)})
    return email


def sign_in(page, email: str) -> None:
    """Sign in through the login form."""
    page.goto("/curate/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def axe_violations(page) -> list[dict]:
    """Run axe-core in `page`; return the serious and critical violations."""
    # Evaluated through the DevTools protocol: the page's CSP (no inline script) stays on.
    page.evaluate("source => { (0, eval)(source); }", AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document)")
    found = [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
             for v in results["violations"] if v["impact"] in ("serious", "critical")]
    # Contrast axe could not decide ("incomplete") counts too, but for decorative symbols:
    # white text on a same-blue background once hid the language switcher that way.
    for check in results["incomplete"]:
        if check["id"] != "color-contrast":
            continue
        undecided = [n["target"] for n in check["nodes"]
                     if "non-text characters" not in " ".join(a.get("message", "") for a in n["any"])]
        if undecided:
            found.append({"id": "color-contrast (undecided)", "impact": check["impact"], "nodes": undecided[:3]})
    return found
