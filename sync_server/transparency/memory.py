"""The agency key's memory of every checkpoint it signed, kept outside the database, and the log alarm.

Someone with write access to the database can delete the newest log entries and the checkpoints above
them; the database alone then cannot tell. So each signed checkpoint is also appended (after its
transaction commits) to `signed_checkpoints.jsonl` in the data folder, and before signing another the server
asks the database for the consistency proof from the newest one remembered there. A shorter log, a
different root at the same size or a proof that does not hold is refused: nothing is signed, an error goes
to the server log and an alarm line to `log_alarms.jsonl`, which the console shows to staff on every page
until an administrator has looked into it and moved the file away (docs/DOSSIER.md).

A data folder without the memory file (the first start after the upgrade) begins it with the next
checkpoint signed: trust on first use, said in the server log.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schemas.checkpoint import consistency_holds

MEMORY_FILE = "signed_checkpoints.jsonl"
ALARM_FILE = "log_alarms.jsonl"
TAIL_BYTES = 64 * 1024
logger = logging.getLogger("sync_server.transparency.audit")


@dataclass(frozen=True)
class Signed:
    """A checkpoint the server signed: its size, root and the signed note as served."""

    size: int
    root: bytes
    note: str


class LogDisagrees(Exception):
    """The database's log is not an extension of the log the server signed before (raised, never signed)."""

    def __init__(self, reason: str, **detail: Any) -> None:
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def _append_line(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def remember(data_dir: Path, signed: Signed) -> None:
    """Append one signed checkpoint to the memory file (O_APPEND, fsync)."""
    _append_line(data_dir / MEMORY_FILE, {"size": signed.size, "root": signed.root.hex(), "note": signed.note,
                                          "remembered_at": datetime.now(UTC).isoformat()})


def _tail_lines(path: Path, limit: int = TAIL_BYTES) -> list[str]:
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        end = f.tell()
        f.seek(max(0, end - limit))
        tail = f.read()
    lines = tail.split(b"\n")
    if end > limit:
        lines = lines[1:]  # the first may be cut
    return [line.decode("utf-8") for line in lines if line.strip()]


def newest_signed(data_dir: Path) -> Signed | None:
    """The largest checkpoint among the last ones remembered (None: nothing remembered yet). A torn last
    line (a crash mid-write) is skipped."""
    path = data_dir / MEMORY_FILE
    if not path.exists():
        return None
    best: Signed | None = None
    for line in _tail_lines(path):
        try:
            data = json.loads(line)
            signed = Signed(int(data["size"]), bytes.fromhex(data["root"]), str(data["note"]))
        except (ValueError, KeyError, TypeError):
            continue
        if best is None or signed.size >= best.size:
            best = signed
    return best


def check_extends(data_dir: Path, size: int, proofs: Callable[[int], tuple[bytes, list[bytes]]]) -> bytes:
    """The root of the database's log at `size` if it extends the newest remembered checkpoint; otherwise
    raise the alarm and `LogDisagrees`. `proofs(first)` gives the database's root at `size` and its
    consistency proof from the tree of `first` entries (0: none)."""
    last = newest_signed(data_dir)
    if last is None or last.size == 0:
        if last is None and size:
            logger.warning("no memory of signed checkpoints in %s yet: starting it at tree size %d", data_dir, size)
        return proofs(0)[0]
    if size < last.size:
        fail(data_dir, "shorter", size=size, signed_size=last.size)
    root, proof = proofs(last.size)
    if not consistency_holds(last.size, size, last.root, root, proof):
        fail(data_dir, "inconsistent", size=size, signed_size=last.size, signed_root=last.root.hex(), root=root.hex())
    return root


REASONS = {
    "shorter": "数据库中的审计日志比服务器此前签发的检查点更短，日志条目可能已被删除；服务器已拒绝签发新的检查点",
    "inconsistent": "数据库中的审计日志与服务器此前签发的检查点不一致，日志条目可能已被删除或改写；"
                    "服务器已拒绝签发新的检查点",
    "witness": "调查平板持有的检查点与服务器当前的审计日志不一致，日志可能已被删除或改写",
}


def fail(data_dir: Path, reason: str, **detail: Any) -> None:
    """Raise the alarm and refuse (raises LogDisagrees)."""
    raise_alarm(data_dir, reason, **detail)
    raise LogDisagrees(reason, **detail)


def raise_alarm(data_dir: Path, reason: str, **detail: Any) -> None:
    """Append an alarm (shown in the console) and write it to the server log as an error."""
    _append_line(data_dir / ALARM_FILE, {"at": datetime.now(UTC).isoformat(), "reason": reason,
                                         "message": REASONS.get(reason, reason), "detail": detail})
    logger.error("AUDIT LOG ALARM (%s): %s %s", reason, REASONS.get(reason, reason), detail)


def alarms(data_dir: Path) -> list[dict[str, Any]]:
    """The alarms raised and not yet cleared, newest last (at most the last 64 KiB of them)."""
    path = data_dir / ALARM_FILE
    if not path.exists():
        return []
    found = []
    for line in _tail_lines(path):
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return found
