"""TLS (issue 5 §6): `tls init` makes the agency CA and a server certificate; the real server process
serves HTTPS with it and its console cookies are Secure; clients trusting only that CA get through."""
from __future__ import annotations

import ipaddress
import os
import signal
import ssl
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from sync_server.edge.tls import TlsFiles, fingerprint
from tests.sync_server.console_client import csrf_of
from tests.sync_server.helpers import CREDENTIALS
from tests.sync_server.test_cli import READY, REPO, free_port, run_cli, wait_for_line


def pinned(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


def test_tls_init_makes_an_agency_ca_and_a_loopback_server_certificate(tmp_path: Path):
    data = tmp_path / "data"
    made = run_cli("tls", "init", "--data-dir", str(data), "--host", "sync.yubei.example")
    assert made.returncode == 0, made.stderr
    files = TlsFiles.of(data)
    assert fingerprint(files.ca_cert) in made.stdout and str(files.ca_cert) in made.stdout
    for key in (files.ca_key, files.server_key):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    server = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    server.verify_directly_issued_by(ca)
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert set(names.get_values_for_type(x509.DNSName)) == {"localhost", "sync.yubei.example"}
    assert isinstance(server.public_key(), ec.EllipticCurvePublicKey)
    again = run_cli("tls", "init", "--data-dir", str(data))
    assert again.returncode == 0 and fingerprint(files.ca_cert) in again.stdout  # the CA is kept
    renewed = x509.load_pem_x509_certificate(files.server_cert.read_bytes())
    assert renewed.serial_number != server.serial_number
    renewed.verify_directly_issued_by(ca)


@contextmanager
def https_server(tmp_path: Path) -> Iterator[tuple[str, TlsFiles]]:
    """`tls init`, then `python -m sync_server --seed-demo` on the same data dir: HTTPS found there."""
    data = tmp_path / "data"
    assert run_cli("tls", "init", "--data-dir", str(data)).returncode == 0
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "sync_server", "--port", str(port), "--data-dir", str(data), "--seed-demo"]
    with open(tmp_path / "server.err", "w") as errors, subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=errors, text=True) as process:
        try:
            line = wait_for_line(process, READY, timeout=60)
            assert f"https://127.0.0.1:{port}" in line
            yield f"https://127.0.0.1:{port}", TlsFiles.of(data)
        finally:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(timeout=15)


def test_the_server_serves_https_with_its_certificate_and_secure_console_cookies(tmp_path: Path):
    with https_server(tmp_path) as (base, files):
        with httpx.Client(base_url=base, verify=pinned(files.ca_cert), timeout=10) as client:
            login_page = client.get("/console/login")
            assert login_page.status_code == 200 and "secure" in login_page.headers["set-cookie"].lower()
            assert login_page.headers["strict-transport-security"].startswith("max-age=")
            signed_in = client.post("/console/login", follow_redirects=False, headers={"Origin": base}, data={
                "username": "wangfang", "password": CREDENTIALS["wangfang"].password,
                "csrf": csrf_of(login_page.text)})
            assert signed_in.status_code == 303
            cookie = signed_in.headers["set-cookie"].lower()
            assert "console_token=" in cookie and "; secure" in cookie
        with httpx.Client(base_url=base, timeout=10) as system_roots, \
                pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            system_roots.get("/openapi.json")  # not a publicly trusted certificate
        with pytest.raises(httpx.RemoteProtocolError):  # nothing is served in plain HTTP on that port
            httpx.get(base.replace("https://", "http://") + "/openapi.json", timeout=10)
