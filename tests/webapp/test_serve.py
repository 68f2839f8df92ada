"""`hrba serve` on an empty data directory: imports the corpus, indexes, serves over HTTP."""

import json
import os
import subprocess
import time
import urllib.request

import pytest

from tests.conftest import hrba_command, served


@pytest.fixture
def server(tmp_path):
    with served(tmp_path / "data") as base:
        yield base, tmp_path / "data"


def test_serve_builds_everything_from_the_corpus_and_answers(server):
    base, data_dir = server
    with urllib.request.urlopen(base + "/api/v1/search?per_page=1") as response:
        assert response.headers["Server"] == "hrba"  # waitress, not the debug server
        assert json.load(response)["total"] == 472
    with urllib.request.urlopen(base + "/") as response:
        assert b"472 products" in response.read()
    assert (data_dir / "hrba.sqlite3").exists() and (data_dir / "index" / "CURRENT").exists()


def test_an_import_while_serving_reaches_search_within_two_seconds(server, tmp_path):
    base, data_dir = server
    record = {"title": "Zanzibar water rights field guide", "type": "Guidance", "agencies": ["UNDP"],
              "languages": ["en"], "themes": ["Water and sanitation"]}
    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    env = {**os.environ, "HRBA_DATA_DIR": str(data_dir)}
    done = subprocess.run([hrba_command(), "import", str(path)], env=env, capture_output=True, text=True, timeout=60)
    assert "1 added" in done.stdout
    assert "running indexer" in done.stderr  # the server's updater owns the index
    applied = time.monotonic()
    while time.monotonic() - applied < 2.0:
        with urllib.request.urlopen(base + "/api/v1/search?q=zanzibar") as response:
            if json.load(response)["total"] == 1:
                break
        time.sleep(0.1)
    else:
        pytest.fail("the imported product did not reach search within 2 s")
