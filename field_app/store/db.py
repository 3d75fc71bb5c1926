"""Opening the tablet's SQLite database: WAL, foreign keys on, and sealed records made immutable
by triggers (not only by the absence of an update function). A full disk is `StorageFull`, after
SQLite has rolled the whole transaction back."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from field_app.errors import StorageFull
from field_app.store.full import is_disk_full
from field_app.store.tables import DeviceTable

DB_NAME = "field.db"

_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS outbox_sealed_is_immutable
       BEFORE UPDATE OF record_id, case_id, kind, sealed_json, sealed_at ON outbox
       BEGIN SELECT RAISE(ABORT, 'sealed records are immutable'); END""",
    """CREATE TRIGGER IF NOT EXISTS outbox_unsynced_is_kept
       BEFORE DELETE ON outbox WHEN OLD.status <> 'synced'
       BEGIN SELECT RAISE(ABORT, 'unsynced sealed records cannot be deleted'); END""",
]


def _pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")  # a commit survives a power cut, not only an app kill
    cursor.execute("PRAGMA busy_timeout=5000")  # the UI and the sync thread may both write
    cursor.close()


def _begin(conn) -> None:
    # Write transactions take the write lock up front, so a read-then-write unit of work never
    # fails half-way on a lock upgrade while the sync thread writes too.
    immediate = conn.get_execution_options().get("immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Store:
    """The tablet's database. Use `transaction()` for one unit of work that commits once."""

    def __init__(self, engine: Engine, data_dir: Path) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self._writer = engine.execution_options(immediate=True)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits at the end of the block, or rolls back on an exception.

        A full disk raises `StorageFull`; the transaction is then rolled back whole."""
        try:
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                yield session
        except (DBAPIError, OSError) as error:
            if is_disk_full(error):
                raise StorageFull() from error
            raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only (never commits)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()


def open_store(data_dir: Path) -> Store:
    """Open (creating if needed) `data_dir/field.db`."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{data_dir / DB_NAME}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _pragmas)
    event.listen(engine, "begin", _begin)
    DeviceTable.metadata.create_all(engine)
    with engine.begin() as conn:
        for trigger in _TRIGGERS:
            conn.execute(text(trigger))
    return Store(engine, data_dir)
