"""The display-copy cache: made once per (photo, record, variant version), then served from disk.

Layout: `<evidence>/derived/v<VERSION>/<variant>/ab/<sha256>-<record key>.jpg`, written atomically
(temporary file, rename). With an object store the same key lives under `derived/` in the bucket, so
every server shares one copy and a server's disk is only a cache. One maker at a time per photo and
record: a thread lock within the process and an flock on one of 256 lock files across processes; whoever waits
finds the copy made and reads it. The watermark names the record's case, team and time, so a photo
cited by two records gets a copy per record (the record key is a hash of the record id).
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

from sync_server.display.maker import Made, make
from sync_server.display.watermark import WatermarkFacts
from sync_server.evidence.disk_store import BlobStore

log = logging.getLogger(__name__)
VERSION = 1  # raise when the look changes: old copies are then simply not found and made again
WARM_BACKLOG = 1000


class Variant(str, Enum):
    DISPLAY = "display"  # ≤ 1280 px with the watermark band: the console's photo, the record PDF's picture
    THUMB = "thumb"  # ≤ 320 px, the stamped copy shrunk: the case page's thumbnails


def record_key(record_id: str | None) -> str:
    """A path-safe key for the record whose facts the watermark carries ("none": no record cites it)."""
    return hashlib.sha256(record_id.encode()).hexdigest()[:16] if record_id else "none"


class DisplayCopies:
    """Display copies of the evidence in one BlobStore."""

    def __init__(self, blobs: BlobStore, warm_workers: int = 0) -> None:
        self.blobs = blobs
        self.root = blobs.root / "derived"
        self.made = 0  # originals decoded by this process (a test and the bench read it)
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._warm: queue.Queue[Callable[[], None]] = queue.Queue(WARM_BACKLOG)
        self.warm_workers = warm_workers
        for _ in range(warm_workers):
            threading.Thread(target=self._warm_loop, name="display-copies", daemon=True).start()

    @staticmethod
    def key(sha256: str, record_id: str | None, variant: Variant) -> str:
        return f"v{VERSION}/{variant.value}/{sha256[:2]}/{sha256}-{record_key(record_id)}.jpg"

    def path(self, sha256: str, record_id: str | None, variant: Variant) -> Path:
        if not self.blobs.is_address(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / self.key(sha256, record_id, variant)

    def cached(self, sha256: str, record_id: str | None, variant: Variant) -> Path | None:
        """The copy's local file if it was made (here, or by another server into the object store)."""
        path = self.path(sha256, record_id, variant)
        if path.is_file():
            return path
        remote = self.blobs.remote
        if remote is None:
            return None
        with self._temporary() as tmp:
            if not remote.get_derived(self.key(sha256, record_id, variant), tmp):
                return None
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
        return path

    def get(self, sha256: str, record_id: str | None, variant: Variant,
            facts: Callable[[], WatermarkFacts]) -> Path:
        """The copy's file, made first if needed (`facts` is asked only then). The original must be stored."""
        if (hit := self.cached(sha256, record_id, variant)) is not None:
            return hit
        with self._one_maker(f"{sha256}-{record_key(record_id)}"):
            if (hit := self.cached(sha256, record_id, variant)) is not None:
                return hit  # made while we waited
            made = make(self.blobs.local_path(sha256), facts())
            with self._guard:
                self.made += 1
            self._keep(sha256, record_id, made)
        return self.path(sha256, record_id, variant)

    def _keep(self, sha256: str, record_id: str | None, made: Made) -> None:
        """Write both variants (thumbnail first: the display copy's presence means both are there)."""
        for variant, data in ((Variant.THUMB, made.thumb), (Variant.DISPLAY, made.display)):
            final = self.path(sha256, record_id, variant)
            final.parent.mkdir(parents=True, exist_ok=True)
            with self._temporary() as tmp:
                tmp.write_bytes(data)
                if self.blobs.remote is not None:
                    self.blobs.remote.put_derived(self.key(sha256, record_id, variant), tmp)
                os.replace(tmp, final)

    def forget(self, sha256: str, record_id: str | None) -> int:
        """Delete a record's copies of a photo (both variants, disk and object store); how many files went."""
        removed = 0
        for variant in Variant:
            path = self.path(sha256, record_id, variant)
            if path.is_file():
                path.unlink()
                removed += 1
            if self.blobs.remote is not None:
                self.blobs.remote.delete_derived(self.key(sha256, record_id, variant))
        return removed

    @contextmanager
    def _temporary(self) -> Iterator[Path]:
        """A temporary file from `BlobStore.temporary` (its sweep knows the writer), removed after use."""
        fd, path = self.blobs.temporary()
        os.close(fd)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    @contextmanager
    def _one_maker(self, name: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        locks = self.root / "locks"
        locks.mkdir(parents=True, exist_ok=True)
        # 256 lock files shared by every photo (by the first two hex digits of its hash), never one per copy:
        # a county's photos would leave hundreds of thousands of empty files. Two photos of one stripe wait
        # for each other across processes, as one photo's makers do.
        with lock, open(locks / f"{name[:2]}.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # other server processes on this disk
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        with self._guard:
            self._locks.pop(name, None)

    def warm(self, job: Callable[[], None]) -> bool:
        """Queue a job for the background makers (a record just merged); False if none run or the
        backlog is full: the copies are then made on first view."""
        if not self.warm_workers:
            return False
        try:
            self._warm.put_nowait(job)
        except queue.Full:
            return False
        return True

    def backlog(self) -> int:
        """Jobs queued for the background makers and not yet taken (GET /metrics)."""
        return self._warm.qsize()

    def drain(self, timeout: float = 30.0) -> None:
        """Wait until every queued job is done (tests, benches, shutdown)."""
        waiter = threading.Thread(target=self._warm.join, daemon=True)
        waiter.start()
        waiter.join(timeout)

    def _warm_loop(self) -> None:
        while True:
            job = self._warm.get()
            try:
                job()
            except Exception:
                log.exception("display copy in the background failed")
            finally:
                self._warm.task_done()

