"""Private by default (R21, issue 17): the data folder is 0700 and every file the server writes is 0600.

The data folder holds full ID numbers, answers, photos, the agency key and the dossier zips. Rather than
set a mode at each of the many places that write a file (SQLite makes its WAL and shared-memory files,
uvicorn nothing, we the evidence, display copies, exports, keys, backups), the process's umask is set to
077 before anything is written: whatever umask the service manager or shell gave, new files come out
0600 and new folders 0700. SQLite gives its -wal and -shm files the database file's own mode.

A start refuses a data folder that others (group or world) may enter or read, or whose top-level files
they may read (an installation from before this rule), and prints the command that fixes it; it does
not change modes by itself, so that an operator who shared the folder on purpose notices.
"""
from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077


def private_umask() -> int:
    """Make every file and folder this process creates from now on private; returns the previous umask."""
    return os.umask(PRIVATE_UMASK)


def make_private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) owner-only; an existing folder is left as it is."""
    private_umask()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def exposed(path: Path) -> list[Path]:
    """The data folder itself and its top-level entries that group or others may read or enter."""
    if not path.exists():
        return []
    found = [path] if stat.S_IMODE(path.stat().st_mode) & 0o077 else []
    for entry in sorted(path.iterdir()):
        if not entry.is_symlink() and stat.S_IMODE(entry.stat().st_mode) & 0o077:
            found.append(entry)
    return found


class DataDirExposed(RuntimeError):
    """The data folder is readable by others; the message carries the command that fixes it."""


def require_private(path: Path) -> None:
    """Refuse (DataDirExposed) a data folder readable by anyone but its owner."""
    found = exposed(path)
    if not found:
        return
    names = "、".join(f"{p} ({stat.S_IMODE(p.stat().st_mode):o})" for p in found[:5])
    fix = f"chmod -R go-rwx {shlex.quote(str(path))}"
    raise DataDirExposed(f"数据目录可被其他用户读取，拒绝启动：{names}{' …' if len(found) > 5 else ''}\n"
                         f"请执行 / fix with:  {fix}\n"
                         f"data folder readable by group or others; refusing to start")
