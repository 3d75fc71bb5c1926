"""Small evidence files in one request (schemas/protocol.py, `POST /evidence/batch`).

The body is the members' bytes back to back, in the order the `Evidence-Batch` header names them.
Each member streams into its own temporary file in evidence/tmp/ while it is hashed; once the whole body is
in, every member is fsynced in one worker-thread call.
Only a body that arrived whole is looked at further (a cut or over-long body deletes every temporary
file: nothing half-written, nothing stored). Then each member is judged alone, exactly as a single
upload would be: bytes that do not hash to the member's name are refused by name (the others are
kept); the rest are moved into the store with one fsync per directory (`BlobStore.place_many`),
all before the answer is sent.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import anyio

from schemas.problems import Code, ProblemError
from sync_server.evidence.disk_store import BlobStore, is_disk_full


@dataclass(frozen=True)
class Member:
    """One file of a batch as received: its temporary file and the hash of its bytes."""

    sha256: str
    size: int
    tmp: Path
    actual: str

    @property
    def intact(self) -> bool:
        return self.actual == self.sha256


class Pieces:
    """Splits a stream of body chunks at the members' sizes."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self.chunks, self.pending = chunks, b""

    async def take(self, size: int) -> AsyncIterator[bytes]:
        """The next `size` bytes of the body, in pieces; ValidationError if the body ends first."""
        left = size
        while left:
            if not self.pending:
                self.pending = await anext(self.chunks, b"")
                if not self.pending:
                    raise ProblemError(Code.BATCH_MISMATCH, "数据少于所列文件的字节数之和")
            piece, self.pending = self.pending[:left], self.pending[left:]
            left -= len(piece)
            yield piece

    async def rest(self) -> int:
        """How many bytes follow the last member (any is a malformed body)."""
        extra = len(self.pending)
        async for chunk in self.chunks:
            extra += len(chunk)
        return extra


async def _receive_one(blobs: BlobStore, pieces: Pieces, sha256: str, size: int,
                       temporaries: list[Path], files: list[BinaryIO]) -> Member:
    """One member written to its temporary file, left open (in `files`) for the one fsync of them all."""
    fd, tmp = blobs.temporary()
    temporaries.append(tmp)
    out = os.fdopen(fd, "wb")
    files.append(out)
    hasher = hashlib.sha256()
    async for piece in pieces.take(size):
        hasher.update(piece)
        out.write(piece)
    out.flush()
    return Member(sha256, size, tmp, hasher.hexdigest())


def _sync_and_close(files: list[BinaryIO]) -> None:
    """Make every member durable (in one worker-thread call, not one call per member: issue 19) and close
    it; the files still open are closed whatever fails."""
    try:
        for out in files:
            os.fsync(out.fileno())
    finally:
        _close(files)


def _close(files: list[BinaryIO]) -> None:
    for out in files:
        out.close()


async def receive_batch(blobs: BlobStore, members: list[tuple[str, int]],
                        chunks: AsyncIterator[bytes]) -> list[Member]:
    """Every member in a fsynced temporary file, or (a short, long or cut body; a full disk) none.
    The caller removes the temporary files (`discard`) once it has placed what it keeps."""
    temporaries: list[Path] = []
    files: list[BinaryIO] = []
    pieces = Pieces(chunks)
    try:
        try:
            received = [await _receive_one(blobs, pieces, sha, size, temporaries, files) for sha, size in members]
            if await pieces.rest():
                raise ProblemError(Code.BATCH_MISMATCH, "数据多于所列文件的字节数之和")
        except BaseException:
            _close(files)
            raise
        await anyio.to_thread.run_sync(_sync_and_close, files)
        return received
    except OSError as error:
        discard(temporaries)
        if is_disk_full(error):
            raise ProblemError(Code.STORAGE_FULL) from error
        raise
    except BaseException:
        discard(temporaries)
        raise


def discard(paths: list[Path]) -> None:
    """Remove temporary files (those already moved into the store are gone anyway)."""
    for path in paths:
        path.unlink(missing_ok=True)


def place_intact(blobs: BlobStore, members: list[Member], held: set[str]) -> None:
    """Move the intact members the store lacks into it, durably (one fsync per directory); members the
    caller's owner holds already, and the refused ones, are only deleted."""
    fresh = [(m.tmp, m.sha256) for m in members if m.intact and m.sha256 not in held and not blobs.has(m.sha256)]
    try:
        blobs.place_many(fresh)
    finally:
        discard([m.tmp for m in members])
