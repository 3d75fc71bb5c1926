"""Telling a full disk apart from other storage failures, for files and for SQLite alike."""
from __future__ import annotations

import errno
import sqlite3

import sqlcipher3

DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
SQLITE_FULL = 13  # "database or disk is full"


def is_disk_full(error: BaseException | None) -> bool:
    """Whether the error (or the driver error SQLAlchemy wraps in `.orig`) means "no space left"."""
    while error is not None:
        if isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS:
            return True
        if (isinstance(error, (sqlite3.Error, sqlcipher3.Error))
                and getattr(error, "sqlite_errorcode", None) == SQLITE_FULL):
            return True
        error = getattr(error, "orig", None)
    return False
