"""Abandoned partial uploads are swept (issue 9): a partial untouched for longer than
`abandoned_upload_days` loses its part, state and lock files at server start, periodically, and by
`python -m sync_server sweep-uploads`; a fresh one stays; a sweep racing an append never cuts into it.
Real files in a real evidence directory; the command runs as a real process."""
from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from schemas.problems import Code, ProblemError
from sync_server.app import create_app
from sync_server.evidence.chunked_uploads import PartialUploads, Progress
from sync_server.evidence.disk_store import BlobStore
from sync_server.settings import Settings
from tests.sync_server.helpers import api_client
from tests.sync_server.test_cli import run_cli

DAY = 86400.0
OWNER = "team:team-yb-01"


def _file(n: int, size: int = 300_000) -> tuple[str, bytes]:
    data = hashlib.sha256(str(n).encode()).digest() * (size // 32)
    return hashlib.sha256(data).hexdigest(), data


async def _chunks(*pieces: bytes) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


def _start(uploads: PartialUploads, n: int, age_days: float) -> str:
    """A partial upload of file n, half sent, last touched `age_days` ago."""
    sha, data = _file(n)
    progress = anyio.run(lambda: uploads.append(sha, OWNER, False, len(data), 0, _chunks(data[: len(data) // 2])))
    assert progress == Progress(len(data) // 2, len(data))
    then = time.time() - age_days * DAY
    for path in _files(uploads, sha):
        os.utime(path, (then, then))
    return sha


def _files(uploads: PartialUploads, sha: str) -> list[Path]:
    return sorted(uploads.root.glob(f"{sha}.*"))


def _uploads(data_dir: Path) -> PartialUploads:
    return PartialUploads(BlobStore(Settings(data_dir).evidence_dir))


def test_the_command_sweeps_an_abandoned_partial_and_keeps_a_fresh_one(tmp_path):
    uploads = _uploads(tmp_path)
    old, fresh = _start(uploads, 1, age_days=8), _start(uploads, 2, age_days=6)
    assert len(_files(uploads, old)) == 3 and uploads.progress(old, OWNER, False) is not None

    result = run_cli("sweep-uploads", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert old in result.stdout and fresh not in result.stdout and "swept abandoned partial upload" in result.stderr
    assert _files(uploads, old) == [] and uploads.progress(old, OWNER, False) is None  # part, state, lock gone
    assert len(_files(uploads, fresh)) == 3 and uploads.progress(fresh, OWNER, False) == Progress(150_000, 300_000)


def test_a_shorter_setting_sweeps_sooner_and_the_server_sweeps_at_start(tmp_path):
    uploads = _uploads(tmp_path)
    old, fresh = _start(uploads, 3, age_days=2), _start(uploads, 4, age_days=0)
    app = create_app(Settings(tmp_path, abandoned_upload_days=1))
    assert len(_files(uploads, old)) == 3  # nothing happens before the server starts
    with api_client(app):
        deadline = time.monotonic() + 30
        while _files(uploads, old):  # the lifespan's first sweep runs in a worker thread
            assert time.monotonic() < deadline, "the server did not sweep at start"
            time.sleep(0.02)
    app.state.services.engine.dispose()
    assert len(_files(uploads, fresh)) == 3


def test_a_sweep_racing_an_append_leaves_the_append_whole(tmp_path):
    """The tablet comes back after eight days and resumes exactly while the sweep runs."""
    uploads = _uploads(tmp_path)
    sha = _start(uploads, 5, age_days=8)
    _, data = _file(5)
    half = len(data) // 2
    writing, release = threading.Event(), threading.Event()
    result: list[object] = []

    async def slow_rest() -> AsyncIterator[bytes]:
        yield data[half: half + 1000]
        writing.set()  # the append holds the lock and has written part of its chunk
        await anyio.to_thread.run_sync(release.wait)
        yield data[half + 1000:]

    def append() -> None:
        try:
            result.append(anyio.run(lambda: uploads.append(sha, OWNER, False, len(data), half, slow_rest())))
        except BaseException as error:  # noqa: BLE001 (checked below)
            result.append(error)

    appender = threading.Thread(target=append)
    appender.start()
    assert writing.wait(30)
    assert uploads.sweep(7 * DAY) == []  # locked by the append: left alone, old as its files look
    release.set()
    appender.join(30)

    assert result == [Progress(len(data), len(data), complete=True)]
    assert uploads.blobs.has(sha) and uploads.blobs.local_path(sha).read_bytes() == data
    assert _files(uploads, sha) == [] and uploads.sweep(0) == []


def test_an_appender_that_opened_the_lock_before_the_sweep_removed_it_is_told_to_retry(tmp_path, monkeypatch):
    """The other order: the sweep removed the upload while an appender held the old lock file open (between
    its open and its flock); that appender must not write into the removed upload: it hears
    `upload.in_progress`, asks for the offset again and starts from 0."""
    uploads = _uploads(tmp_path)
    sha = _start(uploads, 6, age_days=8)
    lock_path = uploads.root / f"{sha}.{hashlib.sha256(OWNER.encode()).hexdigest()[:16]}.lock"
    stale = os.open(lock_path, os.O_RDWR)  # the appender's descriptor, opened before the sweep
    assert uploads.sweep(7 * DAY) != []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **k: stale if path == lock_path else real_open(path, *a, **k))
    _, data = _file(6)
    with pytest.raises(ProblemError) as refused:
        anyio.run(lambda: uploads.append(sha, OWNER, False, len(data), len(data) // 2, _chunks(b"x")))
    monkeypatch.undo()
    assert refused.value.code == Code.UPLOAD_IN_PROGRESS
    assert _files(uploads, sha) == []
    assert uploads.progress(sha, OWNER, False) is None
