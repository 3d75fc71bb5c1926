"""Alembic environment: the connection comes from `sync_server.migrations.upgrade.upgrade` (config attribute
"connection") or, on the command line, from `-x url=...`, `DATABASE_URL`, or data/server/server.db."""
from __future__ import annotations

import os
from typing import Any

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from sync_server import tables  # noqa: F401  (registers every table on SQLModel.metadata)
from sync_server.casework.case_search import include_object  # PostgreSQL-only indexes left out
from sync_server.tables.columns import UtcDateTime

config = context.config
target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> Any:
    """Render the project's column types as plain SQLAlchemy ones, so revisions import nothing of ours."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime()"
    if type_ == "type" and type(obj).__module__.startswith("sqlmodel"):
        return "sa.String()"  # sqlmodel's AutoString is a VARCHAR
    return False


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, render_item=render_item,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                      include_object=include_object)


def run_migrations_online() -> None:
    """Run against the given connection, or one opened from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get("DATABASE_URL") \
        or "sqlite:///data/server/server.db"
    engine = create_engine(url)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
