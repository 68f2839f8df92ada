"""The app factory: settings from defaults, environment and test overrides; the data directory."""

import os
import stat

import pytest

from webapp import create_app
from webapp.settings import SETTINGS, StartupError, load


def test_defaults_apply_when_nothing_is_set():
    config = load({})
    assert config["HRBA_HOST"] == "127.0.0.1" and config["HRBA_PORT"] == 5000
    assert config["HRBA_DATA_DIR"] == "instance"


def test_environment_overrides_defaults_and_test_config_overrides_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HRBA_PORT", "8080")
    monkeypatch.setenv("HRBA_HOST", "0.0.0.0")
    app = create_app({"HRBA_DATA_DIR": str(tmp_path), "HRBA_HOST": "127.0.0.2", "TESTING": True})
    assert app.config["HRBA_PORT"] == 8080
    assert app.config["HRBA_HOST"] == "127.0.0.2"
    assert app.testing


@pytest.mark.parametrize("name, value, message", [
    ("HRBA_PORT", "eighty", "HRBA_PORT='eighty'"),
    ("HRBA_PORT", "70000", "from 1 to 65535"),
    ("HRBA_THREADS", "0", "1 or more"),
    ("HRBA_WORKERS", "0", "1 or more"),
    ("HRBA_WORKERS", "two", "HRBA_WORKERS='two'"),
    ("HRBA_LOG_LEVEL", "LOUD", "must be one of"),
    ("HRBA_OAI_NAMESPACE", "hrba", "domain-like name"),
    ("HRBA_OAI_NAMESPACE", "oai:hrba.org", "domain-like name"),
    ("HRBA_ADMIN_EMAIL", "nobody", "e-mail address"),
    ("HRBA_OAI_PAGE_SIZE", "0", "1 or more"),
])
def test_a_bad_value_stops_start_up_with_a_clear_message(tmp_path, name, value, message):
    with pytest.raises(StartupError, match=message):
        create_app({"HRBA_DATA_DIR": str(tmp_path), name: value})


def test_everything_mutable_lives_in_the_data_directory(tmp_path):
    data_dir = tmp_path / "data"
    app = create_app({"HRBA_DATA_DIR": str(data_dir)})
    app.extensions["hrba"].store.upgrade()
    assert app.config["HRBA_DATABASE_URL"] == f"sqlite:///{data_dir / 'hrba.sqlite3'}"
    assert (data_dir / "hrba.sqlite3").exists()
    assert (data_dir / "logs" / "hrba.log").exists()
    key_file = data_dir / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert app.secret_key == key_file.read_text()
    assert create_app({"HRBA_DATA_DIR": str(data_dir)}).secret_key == app.secret_key
    app.extensions["hrba"].close()


def test_each_request_to_the_api_is_written_to_the_log_with_its_appname(tmp_path):
    data_dir = tmp_path / "data"
    app = create_app({"HRBA_DATA_DIR": str(data_dir)})
    app.extensions["hrba"].store.upgrade()
    app.test_client().get("/api/v1/vocabularies?appname=partner-portal")
    for handler in app.logger.handlers:
        handler.flush()
    log = (data_dir / "logs" / "hrba.log").read_text(encoding="utf-8")
    assert "hrba.access: GET /api/v1/vocabularies?appname=partner-portal 200 appname=partner-portal" in log
    app.extensions["hrba"].close()


def test_each_data_directory_gets_its_own_secret_key(tmp_path):
    one = create_app({"HRBA_DATA_DIR": str(tmp_path / "a"), "TESTING": True})
    two = create_app({"HRBA_DATA_DIR": str(tmp_path / "b"), "TESTING": True})
    assert one.secret_key != two.secret_key and len(one.secret_key) >= 64


def test_every_setting_has_help():
    assert all(s.help and s.name.startswith("HRBA_") for s in SETTINGS)


def test_no_app_object_exists_at_import_time():
    import webapp.app

    from flask import Flask
    assert not any(isinstance(v, Flask) for v in vars(webapp.app).values())
