"""`hrba serve` on an empty data directory: imports the corpus, indexes, serves over HTTP."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    hrba = shutil.which("hrba", path=str(Path(sys.executable).parent)) or "hrba"
    env = {**os.environ, "HRBA_DATA_DIR": str(tmp_path / "data"), "HRBA_PORT": str(port),
           "HRBA_HOST": "127.0.0.1"}
    process = subprocess.Popen([hrba, "serve"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("hrba serve exited:\n" + process.stdout.read())
        try:
            urllib.request.urlopen(base + "/api/v1/search?per_page=1", timeout=2)
            break
        except OSError:
            time.sleep(0.25)
    else:
        process.kill()
        pytest.fail("hrba serve did not answer within 60 s")
    yield base, tmp_path / "data"
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def test_serve_builds_everything_from_the_corpus_and_answers(server):
    base, data_dir = server
    with urllib.request.urlopen(base + "/api/v1/search?per_page=1") as response:
        assert response.headers["Server"] == "hrba"  # waitress, not the debug server
        assert json.load(response)["total"] == 472
    with urllib.request.urlopen(base + "/") as response:
        assert b"472 products" in response.read()
    assert (data_dir / "hrba.sqlite3").exists() and (data_dir / "index" / "CURRENT").exists()
