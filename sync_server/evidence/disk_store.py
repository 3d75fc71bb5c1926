"""The content-addressed evidence store: files under evidence/ab/abcdef..., written atomically.

A file only ever appears under its final name with bytes that hash to that name: it is streamed
to a temporary file in evidence/tmp/ while hashed, fsynced, and renamed into place; anything else
deletes the temporary file and stores nothing. A full disk is `storage.full` (507). Temporary
files of a server process that is gone (killed mid-upload) are deleted when the store opens.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from schemas.problems import Code, ProblemError
from schemas.records import SHA256_PATTERN

if TYPE_CHECKING:
    from sync_server.evidence.s3_store import S3Evidence

log = logging.getLogger(__name__)
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
TMP_PREFIX = "upload-"


def is_disk_full(error: BaseException) -> bool:
    """Whether an OSError means "no space left" (full disk, quota, file size limit)."""
    return isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS


class BlobStore:
    """Evidence files on disk, addressed by SHA-256."""

    def __init__(self, root: Path, remote: S3Evidence | None = None) -> None:
        self.root = root
        self.remote = remote  # an object store holds finished files; root keeps temp, partial, cache
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        gone = self.sweep_temporary()
        if gone:
            log.warning("removed %d unfinished upload(s) left in %s", len(gone), self.tmp)

    def sweep_temporary(self) -> list[Path]:
        """Delete temporary files whose writing process is gone; returns them."""
        gone = []
        for path in self.tmp.iterdir():
            if path.is_file() and not _writer_alive(path.name):
                path.unlink(missing_ok=True)
                gone.append(path)
        return gone

    @staticmethod
    def is_address(sha256: str) -> bool:
        """Whether the text is a lowercase hex SHA-256 (nothing else ever becomes a path)."""
        return re.fullmatch(SHA256_PATTERN, sha256) is not None

    def path_for(self, sha256: str) -> Path:
        """Where the file with this hash lives."""
        if not self.is_address(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        """Whether the bytes are stored (on disk, or in the object store)."""
        return self.path_for(sha256).is_file() or (self.remote is not None and self.remote.has(sha256))

    def size(self, sha256: str) -> int | None:
        """The stored file's size, or None if it is not stored."""
        path = self.path_for(sha256)
        if path.is_file():
            return path.stat().st_size
        return self.remote.size(sha256) if self.remote is not None else None

    def delete(self, sha256: str) -> bool:
        """Remove a stored file wherever it is kept (the disk, the object store and its local cached copy);
        whether it was stored. Disposal only (R35): evidence is otherwise never removed."""
        if not self.has(sha256):
            return False
        self.path_for(sha256).unlink(missing_ok=True)
        self._cached(sha256).unlink(missing_ok=True)
        if self.remote is not None:
            self.remote.delete(sha256)
        return True

    def _cached(self, sha256: str) -> Path:
        """Where a local copy of an object-store file is kept once read."""
        return self.root / "cache" / sha256[:2] / sha256

    def local_path(self, sha256: str) -> Path:
        """A local file with the bytes: the stored file, or a cached copy of the object (made once)."""
        path = self.path_for(sha256)
        if path.is_file() or self.remote is None:
            return path
        cached = self._cached(sha256)
        if not cached.is_file():
            cached.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix=f"{TMP_PREFIX}{os.getpid()}-")
            os.close(fd)
            try:
                self.remote.download(sha256, Path(tmp_name))
                os.replace(tmp_name, cached)
            finally:
                Path(tmp_name).unlink(missing_ok=True)
        return cached

    def place(self, source: Path, sha256: str) -> Path:
        """Move a finished, verified file into place under its hash, durably: the rename and the
        new directory entry are fsynced (or the object store has it all) before this returns."""
        if self.remote is not None:
            self.remote.put_file(source, sha256)
            source.unlink(missing_ok=True)
            return self.path_for(sha256)
        final = self.path_for(sha256)
        if not final.parent.is_dir():
            final.parent.mkdir(exist_ok=True)
            fsync_dir(self.root)
        os.replace(source, final)
        fsync_dir(final.parent)
        return final

    def place_many(self, files: list[tuple[Path, str]]) -> None:
        """`place` for several verified files, with each directory fsynced once (not once per file):
        every rename is durable before this returns."""
        if self.remote is not None:
            for source, sha256 in files:
                self.place(source, sha256)
            return
        parents: dict[Path, None] = {}
        for source, sha256 in files:
            final = self.path_for(sha256)
            if not final.parent.is_dir():
                final.parent.mkdir(exist_ok=True)
                parents[self.root] = None
            os.replace(source, final)
            parents[final.parent] = None
        for parent in parents:
            fsync_dir(parent)

    def temporary(self) -> tuple[int, Path]:
        """A new temporary file in the store's tmp/ (named for this process, so a restart sweeps it)."""
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix=f"{TMP_PREFIX}{os.getpid()}-")
        return fd, Path(name)

    async def receive(self, sha256: str, chunks: AsyncIterator[bytes], *, expected_size: int | None,
                      max_bytes: int) -> int:
        """Stream chunks into the store under `sha256`; return the size stored.

        Raises `evidence.too_large`, `request.invalid` (body shorter or longer than announced),
        `evidence.hash_mismatch` or `storage.full` (after reading the rest of the body, so the
        client hears the answer); a client that disconnects propagates its exception. In every
        failure the temporary file is removed and nothing is stored."""
        tmp: Path | None = None
        size = 0
        try:
            fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix=f"{TMP_PREFIX}{os.getpid()}-")
            tmp = Path(tmp_name)
            hasher = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise ProblemError(Code.EVIDENCE_TOO_LARGE, f"上限 {max_bytes} 字节",
                                           max_bytes=max_bytes)
                    hasher.update(chunk)
                    out.write(chunk)
                out.flush()
                await anyio.to_thread.run_sync(os.fsync, out.fileno())  # keep the event loop serving
            if expected_size is not None and size != expected_size:
                raise ProblemError(Code.VALIDATION, f"上传不完整：收到 {size} 字节，"
                                   f"应为 {expected_size} 字节",
                                   received=size, expected=expected_size)
            actual = hasher.hexdigest()
            if actual != sha256:
                raise ProblemError(Code.EVIDENCE_HASH_MISMATCH, sha256, expected=sha256, actual=actual)
            await anyio.to_thread.run_sync(self.place, tmp, sha256)
            return size
        except OSError as error:
            if not is_disk_full(error):
                raise
            log.error("evidence store full, upload of %s refused: %s", sha256, error)
            if tmp is not None:
                tmp.unlink(missing_ok=True)  # give the space back before the client retries
            await _discard(chunks, max_bytes - size)
            raise ProblemError(Code.STORAGE_FULL, sha256=sha256) from error
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)


async def _discard(chunks: AsyncIterator[bytes], budget: int) -> None:
    """Read and drop the rest of a body (at most `budget` bytes), so the answer reaches the client."""
    async for chunk in chunks:
        budget -= len(chunk)
        if budget < 0:
            return


def fsync_dir(path: Path) -> None:
    """Make a directory's entries (a rename, a new file) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _writer_alive(name: str) -> bool:
    """Whether the process named in a temporary file's name (`upload-<pid>-...`) still runs."""
    pid = name[len(TMP_PREFIX):].split("-", 1)[0] if name.startswith(TMP_PREFIX) else ""
    if not pid.isdigit():
        return False  # not one of ours, or an older name without a pid: its writer is gone
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
