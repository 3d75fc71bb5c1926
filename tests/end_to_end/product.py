"""The real product for end-to-end tests: the sync server and the field app as processes on 127.0.0.1.

The server speaks HTTPS only, with a certificate of the agency CA (issue 5 §6): the tablet is given that
CA (--ca-file) and trusts nothing else; Chromium accepts exactly that server key (`chromium_tls_args`)."""
from __future__ import annotations

import base64
import hashlib
import json
import shutil
import ssl
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from sync_server.edge.tls import TlsFiles
from tests.end_to_end.flet_browser import free_port, start_process, stop_process


def chromium_tls_args(agency: TlsFiles) -> list[str]:
    """Chromium flag trusting exactly the server key of the agency certificate (its SPKI SHA-256)."""
    cert = x509.load_pem_x509_certificate(agency.server_cert.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return [f"--ignore-certificate-errors-spki-list={base64.b64encode(hashlib.sha256(spki).digest()).decode()}"]


@dataclass
class Product:
    """The server (seeded with the demo) and one tablet, each restartable on the same data dir."""

    root: Path
    agency: TlsFiles  # the CA and server certificate (made once per test session, copied in)
    server_port: int = field(default_factory=free_port)
    app_port: int = field(default_factory=free_port)
    server: object | None = None
    app: object | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def server_url(self) -> str:
        return f"https://127.0.0.1:{self.server_port}"

    @property
    def ca_file(self) -> Path:
        return self.agency.ca_cert

    def tls_context(self) -> ssl.SSLContext:
        """A client context trusting only the agency CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    def start_server(self) -> None:
        served = TlsFiles.of(self.root / "server")
        if not served.ready():  # the server finds tls/server.crt and server.key in its data dir
            (self.root / "server").mkdir(mode=0o700, parents=True, exist_ok=True)  # a start refuses a readable one
            served.directory.mkdir(mode=0o700, exist_ok=True)
            for name in ("ca_cert", "server_cert", "server_key"):
                shutil.copy(getattr(self.agency, name), getattr(served, name))
        cmd = [sys.executable, "-m", "sync_server", "--host", "127.0.0.1", "--port", str(self.server_port),
               "--data-dir", str(self.root / "server"), "--seed-demo"]
        self.server = start_process(cmd, ready_url=f"{self.server_url}/openapi.json", timeout=60,
                                    log_path=self.root / "server.log", ready_context=self.tls_context())
        self.timings.setdefault("server_start_s", self.server.ready_seconds)

    def stop_server(self) -> None:
        if self.server is not None:
            stop_process(self.server)
            self.server = None

    def start_app(self) -> None:
        cmd = [sys.executable, "-m", "field_app", "--port", str(self.app_port), "--server", self.server_url,
               "--data-dir", str(self.root / "tablet"), "--key-dir", str(self.root / "tablet-keys"),
               "--ca-file", str(self.ca_file)]
        self.app = start_process(cmd, ready_url=self.app_url, timeout=60, log_path=self.root / "field_app.log")
        self.timings.setdefault("app_start_s", self.app.ready_seconds)

    def stop_app(self) -> None:
        if self.app is not None:
            stop_process(self.app)
            self.app = None

    def stop(self) -> None:
        self.stop_app()
        self.stop_server()

    def entrust(self, case_id: str, methods: list[str]) -> None:
        """Change the methods a case entrusts, in the running server's database (until the intake API
        creates cases, R23); the tablet sees it at its next download."""
        import sqlite3
        with sqlite3.connect(self.root / "server" / "server.db") as db:
            db.execute("UPDATE cases SET required_checks = ? WHERE id = ?", (json.dumps(methods), case_id))

    def api(self, username: str, password: str) -> httpx.Client:
        """An HTTP client signed in to the server API as console staff."""
        client = httpx.Client(base_url=f"{self.server_url}/api/v1", timeout=30, verify=self.tls_context())
        reply = client.post("/auth/login", json={"username": username, "password": password})
        reply.raise_for_status()
        client.headers["Authorization"] = f"Bearer {reply.json()['token']}"
        return client
