"""The server's schema is Alembic's: `upgrade(engine)` runs at every start (create_app, the CLI
commands, `make run`) and brings the database to the newest revision.

A database made by the release before migrations (69d0248, `create_all`, no alembic_version table)
is recognised by its tables and stamped with the baseline revision first: the baseline is exactly
that release's schema. On PostgreSQL an advisory lock lets several workers start at once.

A database already at head is recognised without Alembic (issue 19: its import is ~70 ms of every start,
each worker's too): the head is read from the revision files' `revision` / `down_revision` lines, and
compared with `alembic_version`. Anything less plain (no such lines, several heads) asks Alembic.

An EMPTY database is not taken through every revision: it gets the head schema from the tables' code in one
go and the head's stamp (fresh.py, issue 19; tests/sync_server/test_fresh_schema.py holds the two equal).
`from_metadata=False` replays the revisions instead (what that test compares against).
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from sync_server.migrations import fresh

if TYPE_CHECKING:
    from alembic.config import Config

BASELINE = "0001"
MIGRATIONS = Path(__file__).parent
_PG_LOCK = 7_310_946  # any constant: one advisory lock for "migrating"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, pointing at sync_server/migrations (and at a connection if given)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The newest revision in sync_server/migrations (read once per process)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None before any)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, *, from_metadata: bool = True) -> None:
    """Bring the database to head; an empty one is made at head in one go (unless `from_metadata` is False),
    a pre-migration database is stamped with the baseline first.
    On SQLite, foreign keys are off while revisions run (batch mode rebuilds tables, Alembic's advice)
    and checked afterwards (after a revision ran: a database already at head is not scanned)."""
    if _at_plain_head(engine):
        return
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, or it is ignored
            connection.commit()
        try:
            with connection.begin():
                migrated = _upgrade(connection, from_metadata)
            if sqlite and migrated:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"foreign keys broken after upgrade: {broken[:5]}")
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


@cache
def plain_head() -> str | None:
    """The head as the revision files state it (the one revision no other names as its down_revision),
    read without importing Alembic; None unless every file states both plainly and there is one head."""
    revisions, downs = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        if path.name == "__init__.py":
            continue
        source = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision(?:: str)? = ['\"](\w+)['\"]", source, re.MULTILINE)
        down = re.search(r"^down_revision(?:: [^=]+)? = (None|['\"](\w+)['\"])$", source, re.MULTILINE)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(2):
            downs.add(down.group(2))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def _at_plain_head(engine: Engine) -> bool:
    """Whether the database is at the head the files state (no Alembic import, one small read)."""
    head = plain_head()
    if head is None:
        return False
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        versions = list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
        connection.rollback()
    return versions == [head]


def _upgrade(connection: Connection, from_metadata: bool) -> bool:
    """Make an empty database at head, or run what revisions are missing; whether anything ran."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
    head = plain_head()
    if from_metadata and head is not None and fresh.is_empty(connection):
        fresh.create_head(connection, head)
        return True
    from alembic import command

    if current_revision(connection) == head_revision():
        return False
    config = alembic_config(connection)
    names = set(inspect(connection).get_table_names())
    if "alembic_version" not in names and "accounts" in names:
        command.stamp(config, BASELINE)
    command.upgrade(config, "head")
    return True
