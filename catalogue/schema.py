"""The database schema's versions: the Alembic migrations, applied on a given connection."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).parent / "migrations"


def _config():
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _scripts():
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    return ScriptDirectory.from_config(_config())


def migrate(connection: Connection, revision: str = "head") -> None:
    """Upgrade the schema on `connection` to `revision`, inside its open transaction."""
    from alembic import command  # noqa: PLC0415

    config = _config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def current_revision(connection: Connection) -> str | None:
    """Return the revision the database on `connection` is at (None: no schema yet)."""
    from alembic.migration import MigrationContext  # noqa: PLC0415

    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """Return the newest revision this code knows."""
    return _scripts().get_current_head()


def is_known(revision: str) -> bool:
    """Tell whether `revision` is one of this code's migrations."""
    return any(script.revision == revision for script in _scripts().walk_revisions())
