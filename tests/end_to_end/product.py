"""The real product for end-to-end tests: the sync server and the field app as processes on 127.0.0.1."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.end_to_end.flet_browser import free_port, start_process, stop_process


@dataclass
class Product:
    """The server (seeded with the demo) and one tablet, each restartable on the same data dir."""

    root: Path
    server_port: int = field(default_factory=free_port)
    app_port: int = field(default_factory=free_port)
    server: object | None = None
    app: object | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def server_url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    def start_server(self) -> None:
        cmd = [sys.executable, "-m", "sync_server", "--host", "127.0.0.1", "--port", str(self.server_port),
               "--data-dir", str(self.root / "server"), "--seed-demo"]
        self.server = start_process(cmd, ready_url=f"{self.server_url}/openapi.json", timeout=60,
                                    log_path=self.root / "server.log")
        self.timings.setdefault("server_start_s", self.server.ready_seconds)

    def stop_server(self) -> None:
        if self.server is not None:
            stop_process(self.server)
            self.server = None

    def start_app(self) -> None:
        cmd = [sys.executable, "-m", "field_app", "--port", str(self.app_port), "--server", self.server_url,
               "--data-dir", str(self.root / "tablet"), "--key-dir", str(self.root / "tablet-keys")]
        self.app = start_process(cmd, ready_url=self.app_url, timeout=60, log_path=self.root / "field_app.log")
        self.timings.setdefault("app_start_s", self.app.ready_seconds)

    def stop_app(self) -> None:
        if self.app is not None:
            stop_process(self.app)
            self.app = None

    def stop(self) -> None:
        self.stop_app()
        self.stop_server()

    def api(self, username: str, password: str) -> httpx.Client:
        """An HTTP client signed in to the server API as console staff."""
        client = httpx.Client(base_url=f"{self.server_url}/api/v1", timeout=30)
        reply = client.post("/auth/login", json={"username": username, "password": password})
        reply.raise_for_status()
        client.headers["Authorization"] = f"Bearer {reply.json()['token']}"
        return client
