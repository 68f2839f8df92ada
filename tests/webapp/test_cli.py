"""The `hrba` command line, run as a user would (through click's runner and a subprocess)."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.conftest import CORPUS
from webapp.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("HRBA_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()

    def invoke(*args):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result
    return invoke


def test_help_lists_every_command(run):
    output = run("--help").output
    for command in ("backup", "check", "import", "indexer", "migrate", "reindex", "restore", "routes", "search",
                    "serve", "setup", "shell", "import-csv", "import-jsonl", "import-feed", "harvest"):
        assert f"  {command} " in output
    assert "--app" not in output


def test_import_twice_reports_nothing_new_the_second_time(run):
    first = run("import", str(CORPUS))
    assert first.exit_code == 0
    assert first.output.strip().startswith("507 added, 0 updated, 0 unchanged, 0 rejected")
    second = run("import", str(CORPUS))
    assert second.output.strip().startswith("0 added, 0 updated, 507 unchanged, 0 rejected")


def test_import_reports_each_rejected_line(run, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "Only a title"}\nnot json\n', encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 0
    assert "rejected bad.jsonl:1: type: is required" in result.output
    assert "rejected bad.jsonl:2: not valid JSON" in result.output
    assert "0 added" in result.output and "2 rejected" in result.output


def test_import_json_report_names_each_product(run, tmp_path):
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"title": "A guide", "type": "Guidance", "agencies": ["OHCHR"],
                                "languages": ["en"]}) + "\n", encoding="utf-8")
    report = json.loads(run("import", "--json", str(path)).output)
    assert report["counts"]["added"] == 1
    assert report["lines"][0]["product_id"] == "a-guide"


def test_reindex_then_search_as_json(run):
    run("import", "--no-reindex", str(CORPUS))
    assert "Indexed 472 products" in run("reindex").output
    body = json.loads(run("search", "water sanitation", "--json", "--filter", "agency=ohchr").output)
    assert body["total"] >= 1
    assert all("ohchr" in r["agencies"] for r in body["results"])


def test_search_before_any_index_is_a_clear_error(run):
    result = CliRunner().invoke(main, ["search", "x"])
    assert result.exit_code == 1
    assert "Error: the search index has not been built yet" in result.output


def test_a_bad_setting_is_a_clear_error_not_a_traceback(tmp_path):
    env = {"HRBA_DATA_DIR": str(tmp_path), "HRBA_PORT": "nope", "PATH": ""}
    done = subprocess.run([sys.executable, "-m", "webapp.cli", "search", "x"],
                          capture_output=True, text=True, env=env)
    assert done.returncode != 0
    assert "HRBA_PORT='nope'" in done.stderr and "Traceback" not in done.stderr


def test_check_reports_and_repairs_drift(run):
    run("import", str(CORPUS))
    assert run("check").output.strip() == "0 missing, 0 stale, 0 extra"
    from webapp import create_app

    app = create_app({"TESTING": True})
    hub = app.extensions["hrba"]
    with hub.store.write() as writer:  # a change no updater has applied
        product = writer.get(next(hub.store.iter_products()).id)
        writer.update(product.with_changes(summary="Changed behind the index's back"))
    assert run("check", "--dry-run").output.strip() == "0 missing, 1 stale, 0 extra"
    assert run("check").output.strip() == "0 missing, 1 stale, 0 extra (repaired)"
    assert run("check").output.strip() == "0 missing, 0 stale, 0 extra"
    hub.close()
