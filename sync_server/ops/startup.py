"""A start that meets a damaged database says so in one message, not a traceback (issue 17).

SQLite reports a corrupted page or header as `sqlite3.DatabaseError` ("database disk image is malformed",
"file is not a database"), wrapped by SQLAlchemy; PostgreSQL's data-corruption class is XX (XX000
internal_error, XX001 data_corrupted, XX002 index_corrupted). The message names the database and the next
steps: `python -m sync_server check`, and a restore from the last good backup into a new data folder.
"""
from __future__ import annotations

import sqlite3

from sync_server.settings import Settings

SQLITE_DAMAGE = ("malformed", "not a database", "disk i/o error", "database corrupt", "integrity")


def _causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return chain


def is_damage(error: BaseException) -> bool:
    """Whether the error (or what it wraps) means the database's files are damaged."""
    for cause in _causes(error):
        if isinstance(cause, sqlite3.DatabaseError) and any(w in str(cause).lower() for w in SQLITE_DAMAGE):
            return True
        if str(getattr(cause, "sqlstate", "") or "").startswith("XX"):
            return True
    return False


def database_problem(error: BaseException, settings: Settings) -> str | None:
    """The message a start prints for a damaged database (None: not that kind of error)."""
    if not is_damage(error):
        return None
    where = settings.data_dir / "server.db" if not settings.database_url else "DATABASE_URL"
    reason = str(_causes(error)[-1]).strip().splitlines()[0][:200]
    return (f"数据库已损坏，服务器未启动 / the database is damaged, the server did not start: {where}\n"
            f"  原因 / reason: {reason}\n"
            f"  检查 / check:   python -m sync_server check --data-dir {settings.data_dir}\n"
            f"  恢复 / restore: python -m sync_server restore --from 备份目录/snapshots/时间 --data-dir 新数据目录")
