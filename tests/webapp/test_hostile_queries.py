"""Generated hostile queries (hypothesis) never make the server fail.

The fast part sends 500 generated requests through the app; the 10,000-request run against
a live server, with its latency figures, is `python benchmarks/hostile_queries.py` (or this
file's slow test). Each answer is timed and the slowest are reported; only server errors
(5xx) fail the fast test.
"""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import served
from tests.hostile import probe
from webapp import create_app

LIFTED = {"HRBA_RATE_LIMIT": "1000000 per minute"}  # one client sends them all


def test_500_generated_requests_get_no_server_error(tmp_path, ready_data_dir, capsys):
    data_dir = tmp_path / "data"
    shutil.copytree(ready_data_dir, data_dir)
    app = create_app({"HRBA_DATA_DIR": str(data_dir), "TESTING": True, **LIFTED})
    client = app.test_client()

    def send(target: str) -> int:
        response = client.get(target)
        response.close()
        return response.status_code

    found = probe(send, 500)
    app.extensions["hrba"].close()
    with capsys.disabled():
        print(f"\n{found.requests} hostile requests: statuses {sorted(found.statuses.items())}, "
              f"slowest {found.max_seconds * 1000:.0f} ms: {found.slowest[0][1]!r}")
    assert found.requests == 500
    assert not found.server_errors, found.server_errors[:10]
    assert len(found.statuses) > 2  # answers of several kinds: the requests reached real code


@pytest.mark.slow
def test_10000_generated_requests_to_a_live_server_get_no_server_error(tmp_path, ready_data_dir):
    import requests

    data_dir = tmp_path / "data"
    shutil.copytree(ready_data_dir, data_dir)
    with served(data_dir, settings=LIFTED) as base:
        session = requests.Session()
        found = probe(lambda target: session.get(base + target, timeout=30).status_code, 10_000)
    print(f"max {found.max_seconds * 1000:.0f} ms, p99 {found.percentile(0.99) * 1000:.0f} ms")
    assert found.requests == 10_000
    assert not found.server_errors, found.server_errors[:10]
