"""The real sync server (sync_server.app.create_app) seeded with demo data, served by uvicorn on
127.0.0.1 in a thread, stoppable and restartable on the same port (the tablet 'going offline')."""
from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import time
from datetime import date, datetime
from pathlib import Path

import httpx
import uvicorn

from schemas.protocol import API_PREFIX, DEVICE_HEADER, MAX_BATCH_FILES, PROTOCOL_HEADER
from sync_server.app import create_app
from sync_server.ops.seed import DEMO_ACCOUNTS, seed_demo
from sync_server.settings import Settings
from tests.field_app.helpers import closed_port

ACCEPTED_ON = date(2026, 11, 16)
PINS = {a.username: a.pin for a in DEMO_ACCOUNTS if a.pin}


class RecordingTransport(httpx.HTTPTransport):
    """The real HTTP transport, noting each request's method, path and headers (to observe the wire)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return super().handle_request(request)

    def calls(self, method: str, path_part: str = "") -> list[httpx.Request]:
        """Requests of one method whose path contains `path_part`."""
        return [r for r in self.requests if r.method == method and path_part in r.url.path]


_SEEDED: dict[datetime, Path] = {}


def _seeded(now: datetime) -> Path:
    """A data dir seeded with the demo data at `now`, made once per run and copied for each server (seeding
    goes through the API and hashes every demo secret with scrypt: seconds per server otherwise)."""
    if now not in _SEEDED:
        template = Path(tempfile.mkdtemp(prefix="live-server-seed-"))
        atexit.register(shutil.rmtree, template, ignore_errors=True)
        seed_demo(Settings(template), ACCEPTED_ON, clock=lambda: now)
        _SEEDED[now] = template
    return _SEEDED[now]


class LiveServer:
    """A seeded server on a fixed local port; `stop()` and `start()` as often as a test needs."""

    def __init__(self, data_dir: Path, clock, tls: tuple[Path, Path] | None = None, batches: bool = True) -> None:
        """`tls`: (certificate, key) to serve HTTPS with (see sync_server.edge.tls); `batches=False`: a server
        without batch uploads (answers 404, like a server from before them)."""
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copytree(_seeded(clock()), data_dir, dirs_exist_ok=True)
        self.app = create_app(Settings(data_dir, secure_cookies=tls is not None,
                                       max_batch_files=MAX_BATCH_FILES if batches else 0), clock=clock)
        self.port = closed_port()
        self.tls = tls
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Serve until stopped; returns once the socket accepts connections."""
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="off", ws="none", ssl_certfile=str(self.tls[0]) if self.tls else None,
                                ssl_keyfile=str(self.tls[1]) if self.tls else None)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:  # readiness wait, not a timing assertion
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the sync server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        """Shut the server down (connections are refused afterwards)."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=15)
            self._server = self._thread = None

    def close(self) -> None:
        """Stop and release the database."""
        self.stop()
        self.app.state.services.engine.dispose()

    def api(self, method: str, path: str, token: str, device_id: str = "tablet-yb-01",
            **kwargs: object) -> httpx.Response:
        """A direct call to the server's API (to look at what it holds), as from the tablet `device_id`."""
        headers = {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: "1", DEVICE_HEADER: device_id}
        headers.update(kwargs.pop("headers", None) or {})  # type: ignore[arg-type]
        with httpx.Client(base_url=self.url + API_PREFIX, timeout=10) as http:
            return http.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]

    def staff_token(self, username: str = "wangfang") -> str:
        """A console staff member's API token (password sign-in), to look at what the server holds."""
        account = next(a for a in DEMO_ACCOUNTS if a.username == username)
        with httpx.Client(base_url=self.url + API_PREFIX, timeout=10, headers={PROTOCOL_HEADER: "1"}) as http:
            response = http.post("/auth/login", json={"username": username, "password": account.password})
        response.raise_for_status()
        return str(response.json()["token"])
