"""Opening the tablet's database: SQLCipher (AES-256, every page, the WAL and journals too) under a
raw key derived from the vault's data key; WAL, foreign keys on, temp tables in memory, and sealed
records made immutable by triggers (not only by the absence of an update function). The schema is
brought up to date by migrations.py (a plain database of the previous release is first re-encrypted).
A full disk is `StorageFull`, after SQLite has rolled the whole transaction back."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlcipher3
from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from field_app.errors import DeviceWiped, StorageFull, StorageLocked
from field_app.store.full import is_disk_full
from field_app.store.migrations import migrate
from field_app.store.plain_to_encrypted import encrypt_plain_database, raw_key_pragma
from field_app.store.vault import KeyVault, subkey

DB_NAME = "field.db"


def _pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA temp_store=MEMORY")  # sorts and temp tables never reach the disk in clear
    cursor.execute("PRAGMA secure_delete=ON")  # a confirmed record's pages are zeroed, not only unlinked
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

    def __init__(self, engine: Engine, data_dir: Path, vault: KeyVault) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.vault = vault  # the device secret that wraps signing keys comes from here too
        self._writer = engine.execution_options(immediate=True)
        self.wiped = False  # set by `shut`: no connection may open (and so re-create) the database again
        self._in_use = 0  # sessions open now (`shut` waits for them to end)
        self._idle = threading.Condition()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits at the end of the block, or rolls back on an exception.

        A full disk raises `StorageFull`; the transaction is then rolled back whole."""
        with self._using():
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
        with self._using(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def _using(self) -> Iterator[None]:
        """Count a session while it is open; none opens once the store is shut (`DeviceWiped`)."""
        with self._idle:
            if self.wiped:
                raise DeviceWiped()
            self._in_use += 1
        try:
            yield
        finally:
            with self._idle:
                self._in_use -= 1
                self._idle.notify_all()

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    def shut(self) -> None:
        """Close for good before a wipe: any later use raises `DeviceWiped` instead of opening a new file;
        sessions open now are waited for (a minute at most), so none fails half-way on a closed file."""
        with self._idle:
            self.wiped = True
            self._idle.wait_for(lambda: self._in_use == 0, timeout=60)
        self.engine.dispose()


def open_store(data_dir: Path, vault: KeyVault) -> Store:
    """Open (creating if needed) the encrypted `data_dir/field.db` with the vault's key, upgrading it."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(data_dir, 0o700)  # the app's own folder (on Android the app sandbox does this)
    key = subkey(vault, "sqlcipher")
    path = data_dir / DB_NAME
    encrypt_plain_database(path, key)
    url = URL.create("sqlite+pysqlcipher", password=raw_key_pragma(key), database=str(path))
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _pragmas)
    event.listen(engine, "begin", _begin)
    try:
        raw = engine.raw_connection()
        try:
            migrate(raw.driver_connection, data_dir, vault)
        finally:
            raw.close()
    except (DBAPIError, sqlcipher3.DatabaseError) as error:
        engine.dispose()
        if "not a database" in str(getattr(error, "orig", error)):
            raise StorageLocked() from error
        raise
    return Store(engine, data_dir, vault)
