"""The database engine: SQLite in WAL mode by default, any SQLAlchemy URL when configured."""
from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event, make_url
from sqlmodel import Session, create_engine

from schemas.problems import Code, ProblemError
from sync_server import tables  # noqa: F401  (registers every table)
from sync_server.casework import device_order, review, seal_checks, sealers, summaries
from sync_server.migrations import upgrade
from sync_server.ops import backfills
from sync_server.transparency import audit

summaries.track(Session)  # every session keeps the case summaries right as it commits
device_order.track(Session)  # and numbers new and reassigned cases for the devices' case list


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _has_nul(parameters: Any) -> bool:
    if isinstance(parameters, str):
        return "\x00" in parameters
    if isinstance(parameters, Mapping):
        return any(_has_nul(v) for v in parameters.values())
    if isinstance(parameters, list | tuple):
        return any(_has_nul(v) for v in parameters)
    return False


def _refuse_nul(_conn, _cursor, _statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL can neither store nor compare text holding NUL (U+0000); the driver would fail with an
    internal error. Refuse such input as a request problem, the same way on every database."""
    if _has_nul(parameters):
        raise ProblemError(Code.VALIDATION, "文本中含有空字符（U+0000），无法处理")


def _private_file(path: str) -> None:
    """Create a new SQLite file owner-only (0600), whatever the umask: SQLite gives its -wal and -shm files
    the database file's mode (issue 17, privacy.py). An empty file is an empty database."""
    if path and path != ":memory:" and not path.startswith("file:") and not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, *, pool_size: int = 8, max_overflow: int = 4, pool_timeout: float = 5.0) -> Engine:
    """An engine for the URL, its database upgraded to the newest schema (Alembic). The pool is bounded and
    waits briefly: a request that gets no connection in `pool_timeout` s is answered `server.busy`."""
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
    if url.startswith("sqlite"):
        _private_file(make_url(url).database or "")
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, **pool)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    upgrade.upgrade(engine)
    _backfill(engine)
    return engine


def _backfill(engine: Engine) -> None:
    """Rows the revisions added columns or tables for, computed by the code that keeps them (so a later
    revision re-chained before this one cannot break it): case summaries, seal verdicts, respondents'
    names, the audit log's stored subtrees, who sealed each record. Each runs once and is recorded
    (ops/backfills.py): a start reads the `backfills` table, never the big ones."""
    with open_session(engine) as session:
        backfills.run_once(session, [
            ("case_summaries", lambda: summaries.fill_missing(session)),
            ("seal_verdicts", lambda: seal_checks.fill_missing(session, datetime.now(UTC))),
            ("respondent_names", lambda: review.fill_respondents(session)),
            ("audit_nodes", lambda: audit.fill_nodes(session)),
            ("record_surveyors", lambda: sealers.fill_missing(session))])


def open_session(engine: Engine) -> Session:
    """A session that keeps loaded objects usable after commit (routes read them afterwards)."""
    return Session(engine, expire_on_commit=False)
