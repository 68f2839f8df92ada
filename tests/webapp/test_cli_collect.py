"""`hrba crawl`, `hrba sources` and `hrba check-links` as a user runs them (real processes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from catalogue.model import Status
from catalogue.store import Store
from tests.conftest import REPOSITORY, hrba_command
from tests.fixture_site import RESOURCES, site_routes, source_toml
from tests.loopback import serving


def _env(data_dir, sources_dir, delay="0"):
    return {**os.environ, "HRBA_DATA_DIR": str(data_dir), "HRBA_SOURCES_DIR": str(sources_dir),
            "HRBA_CRAWL_DELAY": delay,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPOSITORY), os.environ.get("PYTHONPATH")]))}


def _hrba(env, *args, timeout=300):
    return subprocess.run([hrba_command(), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def site_and_source(tmp_path):
    with serving(site_routes()) as server:
        sources = tmp_path / "sources"
        sources.mkdir()
        (sources / "portal.toml").write_text(source_toml(server.base, "portal"), encoding="utf-8")
        yield server, sources


def _products(data_dir):
    store = Store(f"sqlite:///{data_dir / 'hrba.sqlite3'}")
    try:
        return list(store.iter_products())
    finally:
        store.close()


def test_crawl_killed_midway_resumes_with_no_duplicates(tmp_path, site_and_source):
    server, sources = site_and_source
    data = tmp_path / "data"
    env = _env(data, sources, delay="0.15")
    process = subprocess.Popen([hrba_command(), "crawl", "portal", "--allow-private"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if (data / "hrba.sqlite3").exists():
                try:
                    if len(_products(data)) >= 3:
                        break
                except Exception:  # the schema may not exist yet
                    pass
            time.sleep(0.1)
        assert process.poll() is None, "the crawl ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    killed_with = len(_products(data))
    assert 3 <= killed_with < len(RESOURCES)
    done = _hrba(env, "crawl", "portal", "--allow-private", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["finished"] is True
    titles = [p.title for p in _products(data)]
    assert sorted(titles) == sorted(r.title for r in RESOURCES)  # each exactly once
    assert {p.status for p in _products(data)} == {Status.PENDING_REVIEW}


def test_sources_lists_the_last_run_and_check_links_marks_the_dead_link(tmp_path, site_and_source):
    server, sources = site_and_source
    env = _env(tmp_path / "data", sources)
    before = _hrba(env, "sources")
    assert before.returncode == 0 and "portal (weekly, reviewed) - never run" in before.stdout
    crawled = _hrba(env, "crawl", "portal", "--allow-private")
    assert crawled.returncode == 0, crawled.stderr
    # Under the default 60 s deadline and 50 MB cap, the slow and the huge page do arrive,
    # and are rejected for what they lack.
    assert crawled.stdout.startswith("8 added, 0 updated, 1 unchanged, 2 rejected;")
    assert f"rejected {server.base}/resources/huge-page: title: is required" in crawled.stderr
    assert f"failed {server.base}/files/broken.pdf: unreadable PDF" in crawled.stderr
    after = _hrba(env, "sources")
    assert "finished: 8 added" in after.stdout
    checked = _hrba(env, "check-links", "--allow-private")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "8 links: 7 links work, 1 broken, 0 not checked (robots.txt)"
    assert f"broken {server.base}/files/gone.pdf" in checked.stderr
    assert "https://web.archive.org/web/" in checked.stderr


def test_crawl_refuses_loopback_without_the_opt_in(tmp_path, site_and_source):
    server, sources = site_and_source
    result = _hrba(_env(tmp_path / "data", sources), "crawl", server.base + "/resources")
    assert result.returncode == 0
    assert "refused to connect" in result.stderr and "loopback" in result.stderr
    assert server.requests == []


def test_crawl_of_an_unknown_source_is_a_one_line_error(tmp_path, site_and_source):
    _, sources = site_and_source
    result = _hrba(_env(tmp_path / "data", sources), "crawl", "nowhere")
    assert result.returncode != 0
    assert "Error: no source named 'nowhere'" in result.stderr
    assert "Traceback" not in result.stderr
