"""Content-addressed evidence files: `root/ab/<sha256>`, written once, never changed.

A file is written to a temporary name (`.tmp-<pid>-...` beside it), fsynced, then renamed into
place, so a killed app leaves either the whole file or nothing under the hash name. Temporary files
of a process that is gone are removed when the store is opened. A full disk is `StorageFull`, with
the temporary file removed. Putting the same bytes again is a no-op.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from field_app.errors import StorageFull
from field_app.store.full import is_disk_full

_SHA = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024
TMP_PREFIX = ".tmp-"


def _check(sha: str) -> str:
    if not _SHA.match(sha):
        raise ValueError(f"not a sha256: {sha!r}")
    return sha


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


class EvidenceStore:
    """Evidence files addressed by the SHA-256 of their bytes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.sweep_temporary()

    def sweep_temporary(self) -> list[Path]:
        """Delete temporary files left by a process that was killed mid-write; returns them.

        A temporary file of a process still running (this one included) is being written: kept."""
        gone = []
        for path in self.root.glob(f"??/{TMP_PREFIX}*"):
            if _writer_alive(path.name):
                continue
            path.unlink(missing_ok=True)
            gone.append(path)
        return gone

    def path(self, sha: str) -> Path:
        """Where the file with this hash lives (whether or not it exists yet)."""
        return self.root / _check(sha)[:2] / sha

    def has(self, sha: str) -> bool:
        """Whether the file is stored."""
        return self.path(sha).is_file()

    def read(self, sha: str) -> bytes:
        """The stored bytes (FileNotFoundError if absent)."""
        return self.path(sha).read_bytes()

    def read_range(self, sha: str, offset: int, length: int) -> bytes:
        """Up to `length` stored bytes from `offset` (a chunk of a resumable upload)."""
        with open(self.path(sha), "rb") as source:
            source.seek(offset)
            return source.read(length)

    def size(self, sha: str) -> int:
        """Size in bytes of a stored file."""
        return self.path(sha).stat().st_size

    def verify(self, sha: str) -> bool:
        """Whether the stored file still hashes to its name."""
        return self.has(sha) and sha256_file(self.path(sha)) == sha

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        """Store bytes durably; returns (sha256, size). Idempotent."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.is_file() and target.stat().st_size == len(data):
            return sha, len(data)
        try:
            _write_atomically(target, data)
        except OSError as error:
            if is_disk_full(error):
                raise StorageFull("文件未保存") from error
            raise
        return sha, len(data)

    def stored(self) -> set[str]:
        """Hashes of every stored file."""
        return {p.name for p in self.root.glob("??/*") if _SHA.match(p.name)}

    def prune(self, keep: Iterable[str], min_age_s: float = 600.0) -> list[str]:
        """Delete stored files whose hash is not in `keep`; returns the deleted hashes.

        Callers pass every hash a draft or an unsynced record references (see `prune_evidence`),
        so those files are never deleted. Files younger than `min_age_s` are spared too: a photo
        is written a moment before the draft that references it is saved.
        """
        keep_set = set(keep)
        now = time.time()
        gone = []
        for sha in sorted(self.stored() - keep_set):
            path = self.path(sha)
            try:
                if now - path.stat().st_mtime >= min_age_s:
                    path.unlink()
                    gone.append(sha)
            except FileNotFoundError:
                continue
        return gone


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f"{TMP_PREFIX}{os.getpid()}-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _writer_alive(name: str) -> bool:
    """Whether the process named in a temporary file's name (`.tmp-<pid>-...`) still runs."""
    pid = name[len(TMP_PREFIX):].split("-", 1)[0]
    if not pid.isdigit():
        return False  # an older name without a pid: its writer is long gone
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
