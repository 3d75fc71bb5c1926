"""The database engine: SQLite in WAL mode by default, any SQLAlchemy URL when configured."""
from __future__ import annotations

from sqlalchemy import Engine, event
from sqlmodel import Session, SQLModel, create_engine

from sync_server import tables  # noqa: F401  (registers every table on SQLModel.metadata)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for the URL, with the tables created if they are missing."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    SQLModel.metadata.create_all(engine)
    return engine


def open_session(engine: Engine) -> Session:
    """A session that keeps loaded objects usable after commit (routes read them afterwards)."""
    return Session(engine, expire_on_commit=False)
