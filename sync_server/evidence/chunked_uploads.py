"""Resumable evidence uploads: a file arrives in chunks at offsets the server has made durable.

Per file and uploader (the owner of issue 5 §3: a team, a unit or a person), under evidence/partial/:
`<sha>.<owner tag>.part` (the bytes so far), `.state` (JSON: length and the durable offset) and `.lock`
(an flock, so one appender at a time across worker processes). Uploads are per owner so that nobody
learns, from an offset or a "complete", that another team holds the same bytes: only an owner that
holds the file already is told it is complete; anyone else sends every byte, which is hashed.
Appending a chunk: lock; truncate the part to the recorded offset (a crash may have left bytes past
it); write the chunk; fsync it; only then write the new offset (temp file, fsync, rename, fsync the
directory) and report it. The last chunk records no offset: the file is hashed and placed at once, so
a file sent in one chunk costs two fsyncs (its bytes, its directory entry). A cut chunk keeps what
arrived (unless it carried a checksum, which then cannot be checked). At the full length the whole
file is hashed: a match moves it into the content-addressed store (`BlobStore.place`, durable); a
mismatch discards it with `evidence.hash_mismatch`. The offset a client hears is therefore never ahead of the disk.
Finishing is ordered so that a kill at any point loses nothing (`kill_points`, tested by killing a real
server at each): place the file, record the owner's claim, and only then drop the state (state first,
then part, then lock, in `discard` and `sweep` alike). A state whose part is gone or shorter than its
offset (a finish cut short between placing and recording) is never reported as an offset: `progress`
answers 0, the owner sends the file again, and the finish finds it stored and records the claim.
A partial nobody touched for `Settings.abandoned_upload_days` (a tablet that never came back) is swept
(`sweep`): under the same lock, so an upload being appended is never removed; an appender that opened
the lock file before the sweep removed it sees the file replaced and is told to try again.
"""
from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import anyio
from starlette.requests import ClientDisconnect

from schemas.problems import Code, ProblemError
from sync_server.evidence import kill_points
from sync_server.evidence.disk_store import BlobStore, fsync_dir
from sync_server.evidence.sniffing import sniff_file

log = logging.getLogger("sync_server.evidence.staff_uploads")


@dataclass(frozen=True)
class Progress:
    """How far one file's upload is: `offset` of `length` bytes durable; complete once stored. An upload
    this call finished also says what its bytes are (`media`, sniffed before they were placed)."""

    offset: int
    length: int
    complete: bool = False
    media: str | None = None


def parse_checksum(header: str | None) -> bytes | None:
    """The digest of an `Upload-Checksum: sha256 <base64>` header (None if absent)."""
    if header is None:
        return None
    algorithm, _, value = header.strip().partition(" ")
    try:
        digest = base64.b64decode(value.strip(), validate=True)
    except ValueError:
        digest = b""
    if algorithm.lower() != "sha256" or len(digest) != 32:
        # a checksum that cannot be read checks nothing: the chunk is refused like one that does not match
        raise ProblemError(Code.UPLOAD_CHECKSUM_MISMATCH, "Upload-Checksum 应为 “sha256 <base64>”")
    return digest


class PartialUploads:
    """The partial files of resumable uploads, finished into a `BlobStore`."""

    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs
        self.root = blobs.root / "partial"
        self.root.mkdir(parents=True, exist_ok=True)

    def _paths(self, sha256: str, owner: str) -> tuple[Path, Path, Path]:
        if not self.blobs.is_address(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        stem = f"{sha256}.{hashlib.sha256(owner.encode()).hexdigest()[:16]}"
        return (self.root / f"{stem}.part", self.root / f"{stem}.state", self.root / f"{stem}.lock")

    def progress(self, sha256: str, owner: str, held: bool) -> Progress | None:
        """The durable progress of the owner's upload of a file; complete if `held` (the owner already
        holds the stored file); None if it never started."""
        size = self.blobs.size(sha256) if held else None
        if size is not None:
            return Progress(size, size, complete=True)
        part, state, _lock = self._paths(sha256, owner)
        try:
            data = json.loads(state.read_text())
        except (OSError, ValueError):
            return None
        offset, length = int(data["offset"]), int(data["length"])
        if offset and _size(part) < offset:  # the part is gone (placed by a finish a kill cut short before
            return Progress(0, length)  # the claim was recorded) or short: never an offset for missing bytes
        return Progress(offset, length)

    def discard(self, sha256: str, owner: str) -> None:
        """Forget the owner's partial upload (termination); a stored file is not touched. The state goes
        first: a kill part-way leaves a part without a state (read as never started), never the reverse."""
        part, state, lock = self._paths(sha256, owner)
        for path in (state, part, lock):
            path.unlink(missing_ok=True)

    def _record(self, sha256: str, owner: str, progress: Progress) -> None:
        _part, state, _lock = self._paths(sha256, owner)
        tmp = state.with_suffix(".state-tmp")
        with open(tmp, "w") as out:
            json.dump({"offset": progress.offset, "length": progress.length}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, state)
        fsync_dir(self.root)

    async def append(self, sha256: str, owner: str, held: bool, length: int, offset: int,
                     chunks: AsyncIterator[bytes], checksum: bytes | None = None,
                     stored: Callable[[Progress], None] | None = None) -> Progress:
        """Append the chunk at `offset` of the owner's `length`-byte file; returns the durable progress.
        Once the body is in, one worker-thread call makes it durable, and if it completed the file, hashes,
        sniffs and places it and calls `stored` (which records it): one hop, not one per step."""
        part, _state, lock_path = self._paths(sha256, owner)
        lock = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)  # held across awaits, closed below
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ProblemError(Code.UPLOAD_IN_PROGRESS, sha256[:12]) from None
            if not _still_there(lock, lock_path):  # swept (or finished) while we waited to open it
                raise ProblemError(Code.UPLOAD_IN_PROGRESS, sha256[:12])
            current = self.progress(sha256, owner, held) or Progress(0, length)
            if current.complete:
                return current
            if current.length != length:
                raise ProblemError(Code.VALIDATION, f"文件长度应为 {current.length} 字节", length=current.length)
            if offset != current.offset:
                raise ProblemError(Code.UPLOAD_OFFSET_MISMATCH, f"服务器已有 {current.offset} 字节",
                                   offset=current.offset)

            def settle(fd: int, received: int, digest: str) -> Progress:
                os.fsync(fd)
                progress = Progress(current.offset + received, length)
                if progress.offset == length:  # no offset to record: the file is hashed and placed (or a
                    # crash before that leaves the recorded offset, and the last chunk is simply sent again)
                    whole = digest if current.offset == 0 else None  # one chunk carried it all: hashed already
                    progress = self._finish(sha256, owner, part, length, whole, stored)
                elif received:
                    self._record(sha256, owner, progress)
                return progress
            return await self._write(part, current, chunks, checksum, settle)
        finally:
            os.close(lock)

    async def _write(self, part: Path, current: Progress, chunks: AsyncIterator[bytes], checksum: bytes | None,
                     settle: Callable[[int, int, str], Progress]) -> Progress:
        """Write the body after the durable offset, then `settle` it in a worker thread (with the open file,
        the bytes kept and their SHA-256): it fsyncs them and records or finishes the upload."""
        room = current.length - current.offset
        hasher = hashlib.sha256()
        received = 0
        cut = False
        with os.fdopen(os.open(part, os.O_CREAT | os.O_RDWR, 0o600), "r+b") as out:
            out.truncate(current.offset)
            out.seek(current.offset)
            try:
                async for chunk in chunks:
                    received += len(chunk)
                    if received > room:
                        out.truncate(current.offset)
                        raise ProblemError(Code.VALIDATION, f"数据超出文件长度 {current.length} 字节")
                    hasher.update(chunk)
                    out.write(chunk)
            except ClientDisconnect:
                cut = True
            if cut and checksum is not None:
                received = 0  # a checked chunk is kept whole or not at all
            elif checksum is not None and hasher.digest() != checksum:
                out.truncate(current.offset)
                raise ProblemError(Code.UPLOAD_CHECKSUM_MISMATCH, f"位置 {current.offset}")
            out.truncate(current.offset + received)
            out.flush()
            if cut and received == 0:
                raise ClientDisconnect()  # nothing new to keep (bytes past the recorded offset never count)
            return await anyio.to_thread.run_sync(settle, out.fileno(), received, hasher.hexdigest())

    def _finish(self, sha256: str, owner: str, part: Path, length: int, whole: str | None = None,
                stored: Callable[[Progress], None] | None = None) -> Progress:
        """Hash the whole file (unless `whole`: the hash of all of it, taken as one chunk wrote it); sniff
        what its bytes are while they are local; store it under its hash (kept as it is if already stored:
        the bytes are the same), or discard it on a mismatch. Then `stored` records the owner's claim, and
        only after that is the state dropped (see the module note: every step is safe to be killed at)."""
        actual = whole or _hash_file(part)
        if actual != sha256:
            self.discard(sha256, owner)
            raise ProblemError(Code.EVIDENCE_HASH_MISMATCH, "已丢弃，请重新上传整个文件",
                               expected=sha256, actual=actual)
        media = sniff_file(part)
        kill_points.reached("finish-sniffed")
        if not self.blobs.has(sha256):
            self.blobs.place(part, sha256)
        kill_points.reached("finish-placed")
        done = Progress(length, length, complete=True, media=media)
        if stored is not None:
            stored(done)
        kill_points.reached("finish-recorded")
        self.discard(sha256, owner)  # the state and lock (and the part, if the file was stored already)
        kill_points.reached("finish-discarded")
        return done

    def sweep(self, max_age_s: float, now: float | None = None) -> list[str]:
        """Remove every partial upload untouched for more than `max_age_s` seconds (its part, state and
        lock); one being appended (locked) is left alone. Returns the removed uploads' `<sha>.<owner tag>`."""
        cutoff = (time.time() if now is None else now) - max_age_s
        stems = sorted({".".join(p.name.split(".")[:2]) for p in self.root.iterdir()})
        return [stem for stem in stems if self._sweep_one(stem, cutoff)]

    def _sweep_one(self, stem: str, cutoff: float) -> bool:
        lock_path = self.root / f"{stem}.lock"
        try:
            lock = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        except OSError:
            return False
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # a chunk is being appended right now: the upload is alive
            if not _still_there(lock, lock_path):
                return False
            files = sorted((p for p in self.root.glob(f"{stem}.*") if p != lock_path),
                           key=lambda p: p.suffix != ".state")  # the state first, as in `discard`
            times = [_mtime(p) for p in [*files, lock_path]]
            if max(times) > cutoff:
                return False
            held = sum(_size(p) for p in files)
            for path in files:
                path.unlink(missing_ok=True)
            lock_path.unlink(missing_ok=True)  # still held: a waiting appender sees it replaced
            fsync_dir(self.root)
            log.warning("swept abandoned partial upload %s: %d bytes, untouched since %s", stem, held,
                     time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(max(times))))
            return True
        finally:
            os.close(lock)


def _still_there(lock: int, lock_path: Path) -> bool:
    """Whether the locked descriptor is still the file at `lock_path` (not one unlinked meanwhile)."""
    try:
        return os.fstat(lock).st_ino == os.stat(lock_path).st_ino
    except FileNotFoundError:
        return False


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _hash_file(path: Path) -> str:
    with open(path, "rb") as source:
        return hashlib.file_digest(source, "sha256").hexdigest()
