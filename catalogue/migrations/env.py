"""Alembic environment: run migrations on the connection the Store hands over."""

from alembic import context
from sqlalchemy import create_engine

from catalogue.tables import Base

config = context.config


def run_migrations() -> None:
    """Migrate the connection in `config.attributes`, or the URL in `sqlalchemy.url`."""
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:
    # render_as_batch lets ALTER-style migrations work on SQLite.
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
