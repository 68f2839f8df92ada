"""Shared fixtures: vocabularies, stores on SQLite and PostgreSQL, a ready app."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from catalogue.model import Product, Status
from catalogue.store import Store
from catalogue.vocabularies import Vocabularies
from tests.harness import Server, ServerError, hrba_command, hrba_env

REPOSITORY = Path(__file__).resolve().parent.parent
CORPUS = REPOSITORY / "corpus"


def hrba(*args: str, data_dir: Path, settings: dict[str, str] | None = None, stdin: str | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `hrba ARGS` over `data_dir` as a user would, with this checkout's code."""
    return subprocess.run([hrba_command(), *args], env=hrba_env(data_dir, settings), input=stdin,
                          capture_output=True, text=True, timeout=timeout)


@contextmanager
def served(data_dir: Path, timeout: float = 60.0, settings: dict[str, str] | None = None):
    """Run `hrba serve` over `data_dir` on a free loopback port; yield its base URL.

    `settings` adds `HRBA_*` variables. The server runs this checkout's code even when the
    package is installed (editable) from another one, such as a git worktree's main tree.
    """
    server = Server(data_dir, settings)
    try:
        server.start(timeout)
    except ServerError as exc:
        pytest.fail(str(exc))
    try:
        yield server.base
    finally:
        server.stop()


@pytest.fixture(scope="session")
def vocabularies() -> Vocabularies:
    return Vocabularies.load(CORPUS / "vocabularies")


def _postgres_candidates() -> list[str]:
    explicit = os.environ.get("HRBA_TEST_DATABASE_URL")
    if explicit:
        return [explicit]
    return ["postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
            "postgresql+psycopg:///postgres?host=/var/run/postgresql"]


@pytest.fixture(scope="session")
def postgres_server():
    """Yield a function that makes a fresh, empty PostgreSQL database and returns its URL."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests skipped: psycopg is not installed (pip install -e '.[test]')")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin, reasons = None, []
    for url in _postgres_candidates():
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text("select 1"))
            admin = engine
            break
        except Exception as exc:  # any failure to connect means: try the next, then skip
            reasons.append(f"{make_url(url).render_as_string(hide_password=True)}: {str(exc).splitlines()[0]}")
            engine.dispose()
    if admin is None:
        pytest.skip("PostgreSQL tests skipped: no server reachable (" + "; ".join(reasons) + ")")
    created = []

    def make_database() -> str:
        name = f"hrba_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)

    yield make_database
    with admin.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """The URL of an empty database, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'catalogue.sqlite3'}"
    return request.getfixturevalue("postgres_server")()


@pytest.fixture
def store(database_url) -> Store:
    """A migrated, empty store (each test runs on SQLite and PostgreSQL)."""
    store = Store(database_url)
    store.upgrade()
    yield store
    store.close()


@pytest.fixture
def sqlite_store(tmp_path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'catalogue.sqlite3'}")
    store.upgrade()
    yield store
    store.close()


def make_product(**fields) -> Product:
    """A valid product with every field set; override any of them."""
    defaults = dict(
        id="hrba-guide", title="A Guide to the Human Rights-Based Approach", type="guidance",
        summary="How country teams apply HRBA.", agencies=("ohchr", "undp"),
        themes=("participation", "accountability"), languages=("en", "fr"),
        regions=("global",), stages=("assessment-analysis",), year=2015,
        url="https://example.org/guide.pdf", status=Status.PUBLISHED)
    defaults.update(fields)
    return Product(**defaults)


@pytest.fixture(scope="session")
def ready_data_dir(tmp_path_factory) -> Path:
    """A data directory with the shipped corpus imported and indexed (built once)."""
    from webapp import create_app

    data_dir = tmp_path_factory.mktemp("ready") / "data"
    app = create_app({"HRBA_DATA_DIR": str(data_dir), "TESTING": True})
    app.extensions["hrba"].prepare()
    app.extensions["hrba"].close()
    return data_dir


@pytest.fixture(scope="session")
def app(ready_data_dir):
    """An app over the shipped corpus, for tests that only read."""
    from webapp import create_app

    app = create_app({"HRBA_DATA_DIR": str(ready_data_dir), "TESTING": True})
    yield app
    app.extensions["hrba"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fresh_app(tmp_path, ready_data_dir):
    """An app over a private copy of the ready data directory, for tests that write."""
    from webapp import create_app

    data_dir = tmp_path / "data"
    shutil.copytree(ready_data_dir, data_dir)
    app = create_app({"HRBA_DATA_DIR": str(data_dir), "TESTING": True})
    yield app
    app.extensions["hrba"].close()


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Compile the interface's message catalogues when a .po is newer than its .mo
    (`make test` already compiles them; this keeps a bare `pytest` honest too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (REPOSITORY / "webapp" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source, mo.open("wb") as target:
                write_mo(target, read_po(source))
