"""Take the README's screenshots of the main pages with the browser the tests use.

Run `make screenshots` (or `python -m tests.browser.screenshots`): it builds a fresh
catalogue from the shipped corpus in a temporary directory, serves it on loopback, and
writes PNG files next to this script, in `screenshots/`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.conftest import hrba_command, served

OUT = Path(__file__).parent / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 360, "height": 760}
SHOTS = [
    ("home.png", "/", DESKTOP),
    ("results.png", "/?q=gender+equality&theme=participation&type=guidance", DESKTOP),
    ("product.png", "/products/the-un-common-learning-package-on-hrba", DESKTOP),
    ("results-arabic.png", "/?lang=ar&q=%D8%AD%D9%82%D9%88%D9%82+%D8%A7%D9%84%D8%B7%D9%81%D9%84", DESKTOP),
    ("results-french-phone.png", "/?lang=fr&q=participation", PHONE),
    ("curator-login.png", "/curate/login", {"width": 1280, "height": 600}),
]
# Taken signed in as a curator, after a problem report and a pending product arrive.
CURATOR_SHOTS = [
    ("curator-dashboard.png", "/curate/", DESKTOP),
    ("curator-review.png", "/curate/review/", DESKTOP),
    ("curator-history.png", "/curate/products/the-un-common-learning-package-on-hrba/history", DESKTOP),
]
PASSWORD = "screenshots only, not a real password"


def _prepare_workspace(data_dir: Path) -> None:
    """Give the workspace something to show: an account, a pending product, an edit."""
    from catalogue import editing, queries
    from catalogue.model import Status
    from catalogue.store import Store
    from catalogue.vocabularies import Vocabularies
    from tests.conftest import CORPUS, make_product

    subprocess.run([hrba_command(), "users", "create", "--role", "admin", "--password-stdin",
                    "curator@example.org"], input=PASSWORD + "\n", text=True, check=True,
                   capture_output=True, env={**os.environ, "HRBA_DATA_DIR": str(data_dir)})
    store = Store(f"sqlite:///{data_dir / 'hrba.sqlite3'}")
    vocabularies = Vocabularies.load(CORPUS / "vocabularies")
    with store.write() as writer:
        writer.add(make_product(id="un-common-learning-package-trainers-notes",
                                title="UN Common Learning Package on HRBA: trainers' notes",
                                status=Status.PENDING_REVIEW, agencies=("unssc",), type="training-material",
                                url="https://example.org/clp-notes.pdf"), actor="importer:crawl")
    queries.set_flags(store, "un-common-learning-package-trainers-notes",
                      [queries.Flag("the-un-common-learning-package-on-hrba", "similar_title", "titles 91% alike")])
    clp = store.get("the-un-common-learning-package-on-hrba")
    editing.save(store, vocabularies, clp.with_changes(themes=clp.themes + ("participation",)), "curator@example.org")
    store.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        subprocess.run([hrba_command(), "setup"], check=True, capture_output=True,
                       env={**os.environ, "HRBA_DATA_DIR": str(data_dir)})
        with served(data_dir) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for name, path, viewport in SHOTS:
                context = browser.new_context(base_url=base, viewport=viewport, locale="en-GB",
                                              device_scale_factor=1)
                page = context.new_page()
                page.goto(path)
                page.screenshot(path=str(OUT / name))
                context.close()
                print(f"{OUT / name}")
            _prepare_workspace(data_dir)
            context = browser.new_context(base_url=base, viewport=DESKTOP, locale="en-GB")
            page = context.new_page()
            page.goto("/curate/login")
            page.fill("#email", "curator@example.org")
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            for name, path, viewport in CURATOR_SHOTS:
                page.set_viewport_size(viewport)
                page.goto(path)
                page.screenshot(path=str(OUT / name))
                print(f"{OUT / name}")
            context.close()
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
