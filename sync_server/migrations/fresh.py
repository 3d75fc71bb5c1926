"""An EMPTY database gets the newest schema in one go: the tables' code (`SQLModel.metadata.create_all`), what
the revisions add outside it, and the version stamp (issue 19: a fresh `make run` spent about 0.3 s replaying
every revision from 0001, and importing Alembic to do it).

This is Alembic's own advice for a new database ("create_all, then stamp head"), and it is only right while
the tables' code makes exactly the schema the revisions make. tests/sync_server/test_fresh_schema.py compares
the two databases, catalogue against catalogue, on SQLite and PostgreSQL (columns in order, types,
nullability, server defaults, keys, CHECKs, indexes with their conditions, extensions, and every row) and
fails on any difference. A database with anything in it keeps upgrading by the revisions (upgrade.py).

What the revisions make outside the tables' code, repeated here (the comparison keeps it in step):
- 0008, 0020: the `counters` rows `case_listing` and `cross_outbox`, both 0 on an empty database;
- 0017: on PostgreSQL, the pg_trgm extension and the case search's two trigram indexes, when the role may
  create the extension (else the search reads without them, with a warning, as the revision does);
- Alembic's `alembic_version` table holding the head (written here: no Alembic import on this path).
"""
from __future__ import annotations

import warnings

from sqlalchemy import Column, Connection, MetaData, PrimaryKeyConstraint, String, Table, exc, inspect, text
from sqlmodel import SQLModel

from sync_server import tables  # noqa: F401  (registers every table on SQLModel.metadata)

COUNTERS = ("case_listing", "cross_outbox")  # revisions 0008 and 0020
TRGM_COLUMNS = ("search_names", "search_ids")  # revision 0017 (casework/case_search.PG_ONLY_INDEXES)
_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                 PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))  # Alembic's own definition


def is_empty(connection: Connection) -> bool:
    """Whether the database has no table at all (a new SQLite file, a new PostgreSQL database)."""
    return not inspect(connection).get_table_names()


def create_head(connection: Connection, head: str) -> None:
    """The schema at `head` on an empty database, in the caller's transaction: all of it or nothing. (pysqlite
    opens no transaction for DDL: each CREATE would commit, and sync the disk, on its own, about 100 of them,
    and a start killed halfway would leave a database neither empty nor at any revision.)"""
    driver = connection.connection.driver_connection
    if connection.dialect.name == "sqlite" and driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN")
    SQLModel.metadata.create_all(connection)
    if connection.dialect.name == "postgresql" and _pg_trgm(connection):
        for column in TRGM_COLUMNS:
            connection.exec_driver_sql(f"CREATE INDEX ix_case_summaries_{column}_trgm ON case_summaries "
                                       f"USING gin ({column} gin_trgm_ops)")
    connection.execute(text("INSERT INTO counters (name, value) VALUES (:name, 0)"), [{"name": n} for n in COUNTERS])
    _VERSION.create(connection)
    connection.execute(_VERSION.insert().values(version_num=head))


def _pg_trgm(connection: Connection) -> bool:
    """Whether pg_trgm is there or could be made (in a savepoint, as revision 0017 does)."""
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except exc.DBAPIError as error:
        warnings.warn(f"pg_trgm unavailable, the case search reads without its index: {error.orig}", stacklevel=1)
        return False
    return True
