"""`python -m sync_server` as a real process on 127.0.0.1 with settings from `SYNC_*` variables, and
raw-socket helpers for clients that misbehave on purpose (slow, huge, cut)."""
from __future__ import annotations

import atexit
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from schemas.protocol import API_PREFIX, DEVICE_HEADER, PROTOCOL_HEADER
from sync_server.ops.seed import DEMO_ACCOUNTS, seed_demo
from sync_server.settings import Settings
from tests.field_app.helpers import closed_port
from tests.sync_server.helpers import ACCEPTED_ON, RELEASED

REPO = Path(__file__).resolve().parents[2]
PINS = {a.username: a.pin for a in DEMO_ACCOUNTS}


_SEEDED: list[Path] = []


def _seeded() -> Path:
    """A data dir seeded as `python -m sync_server --seed-demo` seeds one, made once per run; its cases
    received on ACCEPTED_ON and released at RELEASED, before the helpers' visits start (R1: a record sealed before the release is refused)."""
    if not _SEEDED:
        template = Path(tempfile.mkdtemp(prefix="server-process-seed-"))
        atexit.register(shutil.rmtree, template, ignore_errors=True)
        seed_demo(Settings(template), ACCEPTED_ON, clock=lambda: RELEASED)  # received and released at RELEASED
        _SEEDED.append(template)
    return _SEEDED[0]


def _copy_missing(source: Path, target: Path) -> None:
    """Copy the tree, keeping what the target already holds (e.g. its TLS files from `tls init`)."""
    def copy(src: str, dst: str) -> str:
        return dst if os.path.exists(dst) else shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=copy, dirs_exist_ok=True)


class Server:
    """A seeded server process; `env` sets `SYNC_<FIELD>` settings (and DATABASE_URL if wanted)."""

    def __init__(self, data_dir: Path, log: Path, env: dict[str, str] | None = None,
                 args: tuple[str, ...] = (), ca_file: Path | None = None) -> None:
        """`ca_file`: the agency CA of a data dir made with `tls init` (the server then serves HTTPS)."""
        self.args, self.ca_file = args, ca_file
        self.data_dir, self.log, self.port = data_dir, log, closed_port()
        self.url = f"{'https' if ca_file else 'http'}://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | (env or {})
        self.proc: subprocess.Popen | None = None

    def start(self, seed: bool = True) -> Server:
        """Start and wait until it answers HTTP (a readiness wait, not a timing assertion). A server on its
        data dir's SQLite file starts from a copy of a data dir seeded once per run, as `--seed-demo` seeds
        it (seeding hashes every demo secret with scrypt: seconds for each server otherwise)."""
        if seed and "DATABASE_URL" not in self.env and not (self.data_dir / "server.db").exists():
            _copy_missing(_seeded(), self.data_dir)
            seed = False
        elif seed and "DATABASE_URL" in self.env:  # seeded here, received and released at RELEASED (R1, R3)
            seed_demo(Settings.from_env(self.data_dir, self.env), ACCEPTED_ON, clock=lambda: RELEASED)
            seed = False
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "sync_server", "--host", "127.0.0.1", "--port",
                                          str(self.port), "--data-dir", str(self.data_dir),
                                          *(["--seed-demo"] if seed else []), *self.args],
                                         cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        return self._wait()

    def _wait(self) -> Server:
        assert self.proc is not None
        deadline = time.monotonic() + 90
        while True:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                httpx.get(self.url + "/", timeout=1, verify=self._verify())
                return self
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)

    def _verify(self) -> ssl.SSLContext | bool:
        return ssl.create_default_context(cafile=str(self.ca_file)) if self.ca_file else True

    def rss_kib(self) -> int:
        """The server process's resident memory now."""
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no shutdown handlers."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """End it if it still runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def api(self, token: str | None = None, timeout: float = 30, device: str = "tablet-zhangwei") -> httpx.Client:
        """An httpx client for /api/v1, signed in if a token is given (a device token with its device's id)."""
        headers = {PROTOCOL_HEADER: "1",
                   **({"Authorization": f"Bearer {token}", DEVICE_HEADER: device} if token else {})}
        return httpx.Client(base_url=self.url + API_PREFIX, headers=headers, timeout=timeout, verify=self._verify())

    def login(self, username: str = "zhangwei") -> str:
        """A device token for a demo surveyor."""
        with self.api() as http:
            response = http.post("/auth/device-login", json={"username": username, "pin": PINS[username],
                                                             "device_id": f"tablet-{username}"})
            assert response.status_code == 200, response.text
            return response.json()["token"]

    def connect(self) -> socket.socket:
        """A raw TCP connection to the server."""
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)


def read_response_head(sock: socket.socket) -> tuple[int, str]:
    """The status code and the raw head+body received until the server closes or 64 KiB arrive."""
    data = b""
    while len(data) < 65536:
        try:
            piece = sock.recv(65536)
        except ConnectionResetError:
            break
        if not piece:
            break
        data += piece
        if b"\r\n\r\n" in data and b'"code"' in data and data.rstrip().endswith(b"}"):
            break
    text = data.decode("utf-8", "replace")
    status = int(text.split(" ", 2)[1]) if text.startswith("HTTP/1.1 ") else 0
    return status, text


def wait_until(condition, timeout: float, what: str, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll until `condition()` is truthy; fail with `what` after `timeout` seconds (a generous bound)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for: {what}"
        time.sleep(interval)
