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
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
