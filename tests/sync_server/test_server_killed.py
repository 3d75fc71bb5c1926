"""The real server process (`python -m sync_server`) killed with SIGKILL in the middle of an upload:
the half-received file is never taken for evidence and is cleaned away at the next start (R10)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from schemas.protocol import API_PREFIX, PROTOCOL_HEADER
from sync_server.ops.seed import DEMO_ACCOUNTS
from tests.field_app.helpers import closed_port

REPO = Path(__file__).resolve().parents[2]
CHUNK = 256 * 1024
BODY = os.urandom(12 * CHUNK)  # 3 MiB
SHA = hashlib.sha256(BODY).hexdigest()
PIN = {a.username: a.pin for a in DEMO_ACCOUNTS}["zhangwei"]


class ServerProcess:
    """`python -m sync_server` on 127.0.0.1 in its own process, output in a log file."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.data_dir, self.log, self.port = data_dir, log, closed_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        """Start and wait until it answers HTTP (a readiness wait, not a timing assertion)."""
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # its own SQLite file
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "sync_server", "--host", "127.0.0.1", "--port",
                                          str(self.port), "--data-dir", str(self.data_dir), "--seed-demo"],
                                         cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                httpx.get(self.url + "/", timeout=1)
                return
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no cleanup, no shutdown handlers."""
        assert self.proc is not None
        self.proc.kill()
        assert self.proc.wait(timeout=10) == -9

    def stop(self) -> None:
        """End it if it still runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path / "data", tmp_path / "server.log")
    process.start()
    yield process
    process.stop()


def _api(server: ServerProcess, token: str | None = None) -> httpx.Client:
    headers = {PROTOCOL_HEADER: "1", "X-Device-Id": "tablet-k",
               **({"Authorization": f"Bearer {token}"} if token else {})}
    return httpx.Client(base_url=server.url + API_PREFIX, headers=headers, timeout=30)


def _wait_for_partial_upload(tmp_dir: Path) -> Path:
    deadline = time.monotonic() + 30
    while True:  # readiness: the server has written part of the body to its temporary file
        partial = [p for p in tmp_dir.iterdir() if p.stat().st_size >= CHUNK]
        if partial:
            return partial[0]
        assert time.monotonic() < deadline, "the upload never reached the server's disk"
        time.sleep(0.02)


def test_a_server_killed_mid_upload_stores_nothing_and_cleans_up_at_the_next_start_r10(server):
    with _api(server) as http:
        token = http.post("/auth/device-login",
                          json={"username": "zhangwei", "pin": PIN, "device_id": "tablet-k"}).json()["token"]
    release = threading.Event()

    def slow_body() -> Iterator[bytes]:
        yield BODY[:CHUNK]
        yield BODY[CHUNK:2 * CHUNK]
        release.wait(30)  # the surveyor's tablet stalls mid-file; the server is killed meanwhile
        yield BODY[2 * CHUNK:]

    failure: list[BaseException] = []

    def upload() -> None:
        try:
            with _api(server, token) as http:
                http.put(f"/evidence/{SHA}", content=slow_body(), headers={"Content-Length": str(len(BODY))})
        except httpx.TransportError as error:
            failure.append(error)

    uploader = threading.Thread(target=upload)
    uploader.start()
    evidence = server.data_dir / "evidence"
    partial = _wait_for_partial_upload(evidence / "tmp")
    server.kill()
    release.set()
    uploader.join(30)
    assert failure, "the upload cannot have succeeded"
    assert partial.exists() and partial.stat().st_size < len(BODY)  # what a SIGKILL leaves behind
    assert not (evidence / SHA[:2] / SHA).exists()

    server.start()
    assert list((evidence / "tmp").iterdir()) == []
    assert "removed 1 unfinished upload(s)" in server.log.read_text()
    with _api(server, token) as http:
        assert http.head(f"/evidence/{SHA}").status_code == 404
        again = http.put(f"/evidence/{SHA}", content=BODY)
        assert again.status_code == 200 and again.json() == {"sha256": SHA, "size": len(BODY), "created": True}
        assert http.get(f"/evidence/{SHA}").content == BODY


def test_a_starting_server_keeps_the_temporary_file_of_an_upload_still_running(tmp_path: Path):
    from sync_server.evidence.disk_store import BlobStore

    first = BlobStore(tmp_path / "evidence")
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    dead = first.tmp / f"upload-{finished.pid}-abc"
    running = first.tmp / f"upload-{os.getpid()}-def"  # this process is receiving it right now
    for leftover in (dead, running):
        leftover.write_bytes(b"part of a body")

    BlobStore(tmp_path / "evidence")
    assert not dead.exists() and running.exists()
