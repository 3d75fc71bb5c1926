"""Issue 20's client certificates through the shipped nginx site (deploy/nginx/field-evidence.conf: the units'
port with `ssl_verify_client optional` against the agency CA) in front of a real server process, the
certificate issued as a county would: the unit's system makes its key and CSR with openssl
(scripts/exchange_client.make_key_and_csr), the administrator signs it where the CA key is kept
(`python -m sync_server tls sign-unit`) and registers it on the console. Then: the unit's system submits an
entrustment with its certificate alone; a certificate from another CA, an expired one and a revoked one are
refused with their problem codes; no certificate and no key is 401; headers forged by a client through nginx
authenticate nobody, on either port; the API key still works on both ports."""
from __future__ import annotations

import hashlib
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509

from scripts.exchange_client import ExchangeClient, ExchangeError, make_key_and_csr
from sync_server.edge import client_certs
from sync_server.edge.tls import TlsFiles, init_tls
from tests.deploy.nginx_proxy import REPO, Nginx
from tests.media import TEST_MEDIA
from tests.sync_server.console_client import csrf_of
from tests.sync_server.exchange_helpers import UNIT_NAME, X, register_unit, submission, unit_headers
from tests.sync_server.helpers import CREDENTIALS
from tests.sync_server.server_process import Server
from tests.sync_server.unit_cert_helpers import csr_pem, ec_key, escaped, fingerprint, key_pem


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Nginx, TlsFiles, str]]:
    root = tmp_path_factory.mktemp("nginx-units")
    tls = init_tls(root / "agency", ("127.0.0.1",))  # on the offline CA machine, in a county
    server = Server(root / "data", root / "server.log", env={
        "SYNC_SECURE_COOKIES": "true", "SYNC_EXCHANGE_CERT_PROXIES": "127.0.0.1",
        "SYNC_AGENCY_CA_FILE": str(tls.ca_cert)}).start()  # the CA certificate only: its key is not here
    proxy = Nginx(root / "nginx", tls.directory, server.port)
    try:
        proxy.start()
        with httpx.Client(base_url=server.url, timeout=30) as direct:
            key = register_unit(direct)["key"]
        yield server, proxy, tls, key
    finally:
        proxy.stop()
        server.stop()


@contextmanager
def _console(proxy: Nginx, tls: TlsFiles) -> Iterator[httpx.Client]:
    """The administrator's browser on the console, through nginx's main port."""
    context = ssl.create_default_context(cafile=str(tls.ca_cert))
    with httpx.Client(base_url=proxy.url, verify=context, timeout=60) as browser:
        page = browser.get("/console/login")
        admin = CREDENTIALS["admin"]
        signed_in = browser.post("/console/login", data={"username": admin.username, "password": admin.password,
                                                         "csrf": csrf_of(page.text)}, follow_redirects=False)
        assert signed_in.status_code == 303, signed_in.text
        yield browser


def _issue_like_a_county(proxy: Nginx, tls: TlsFiles, folder: Path) -> tuple[Path, Path]:
    """The unit's key and CSR (openssl), signed where the CA key is (`tls sign-unit`), registered on the console."""
    key, csr = make_key_and_csr("longxi", folder)  # the unit's system; the key never leaves it
    crt = folder / "longxi.crt"
    signed = subprocess.run([sys.executable, "-m", "sync_server", "tls", "sign-unit", "--data-dir",
                             str(tls.directory.parent), "--unit-id", "longxi", "--unit-name", UNIT_NAME, "--csr",
                             str(csr), "--out", str(crt)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert signed.returncode == 0, signed.stderr
    with _console(proxy, tls) as browser:
        page = browser.get("/console/exchange/units/longxi/certificates")
        registered = browser.post("/console/exchange/units/longxi/certificates/register",
                                  data={"csrf": csrf_of(page.text)}, files={"file": ("longxi.crt", crt.read_bytes())})
        assert registered.status_code == 200 and "已登记证书" in registered.text, registered.text
    return crt, key


def _revoke(proxy: Nginx, tls: TlsFiles, crt: Path) -> None:
    with _console(proxy, tls) as browser:
        page = browser.get("/console/exchange/units/longxi/certificates")
        revoked = browser.post("/console/exchange/units/longxi/certificates/revoke",
                               data={"csrf": csrf_of(page.text), "fingerprint": fingerprint(crt.read_bytes())})
        assert revoked.status_code == 200 and "已吊销" in revoked.text, revoked.text


def _refusal(client: ExchangeClient, reference: str) -> tuple[int, str]:
    with pytest.raises(ExchangeError) as refused:
        client.result(reference)
    return refused.value.status, refused.value.code


def _foreign_and_expired(tls: TlsFiles, folder: Path) -> tuple[tuple[Path, Path], tuple[Path, Path]]:
    """A client certificate from another CA, and one from the agency CA that expired a year ago."""
    foreign = init_tls(folder / "other-ca", ("127.0.0.1",))
    made: list[tuple[Path, Path]] = []
    for ca, when in ((foreign, datetime.now(UTC)), (tls, datetime.now(UTC) - timedelta(days=730))):
        key = ec_key()
        cert = client_certs.sign_csr(client_certs.load_csr(csr_pem(key)),
                                     client_certs.load_ca_key(ca.ca_key.read_bytes()),
                                     x509.load_pem_x509_certificate(ca.ca_cert.read_bytes()),
                                     "longxi", UNIT_NAME, when)
        crt, pem = folder / f"{len(made)}.crt", folder / f"{len(made)}.key"
        crt.write_text(client_certs.facts_of(cert).pem)
        pem.write_bytes(key_pem(key))
        made.append((crt, pem))
    return made[0], made[1]


def test_a_units_system_enters_with_its_certificate_and_bad_ones_are_refused(stack, tmp_path: Path) -> None:
    _server, proxy, tls, key = stack
    crt, unit_key = _issue_like_a_county(proxy, tls, tmp_path / "unit")
    with ExchangeClient(proxy.units_url, cert=(crt, unit_key), verify=tls.ca_cert) as unit:
        # as behind the unit's own proxy: uvicorn then sees 203.0.113.9 as the client, yet nginx sent the request
        unit.http.headers["X-Forwarded-For"] = "203.0.113.9"
        view = unit.submit(submission("LX-TLS-1"))
        assert view["created"] and unit.result("LX-TLS-1")["status"] == "draft"
        scan = (TEST_MEDIA / "photos" / "mobile" / "jolla.jpg").read_bytes()  # 0.8 MB: a full budget, not 16 KiB
        assert unit.upload("LX-TLS-1", "entrustment", scan)["sha256"] == hashlib.sha256(scan).hexdigest()
    foreign, expired = _foreign_and_expired(tls, tmp_path / "bad")
    with ExchangeClient(proxy.units_url, cert=foreign, verify=tls.ca_cert) as stranger:
        assert _refusal(stranger, "LX-TLS-1") == (401, "exchange.cert_invalid")
    with ExchangeClient(proxy.units_url, cert=expired, verify=tls.ca_cert) as late:
        with pytest.raises(ExchangeError) as refused:
            late.result("LX-TLS-1")
        assert (refused.value.status, refused.value.code) == (401, "exchange.cert_invalid")
        assert "expired" in refused.value.problem["detail"]
    with ExchangeClient(proxy.units_url, verify=tls.ca_cert) as nobody:
        assert _refusal(nobody, "LX-TLS-1") == (401, "auth.required")
    for url in (proxy.units_url, proxy.url):  # the key works on the units' port and on the main one
        with ExchangeClient(url, key, verify=tls.ca_cert) as by_key:
            assert by_key.result("LX-TLS-1")["status"] == "draft"
    _revoke(proxy, tls, crt)
    with ExchangeClient(proxy.units_url, cert=(crt, unit_key), verify=tls.ca_cert) as unit:
        assert _refusal(unit, "LX-TLS-1") == (401, "exchange.cert_revoked")


def test_certificate_headers_forged_through_nginx_authenticate_nobody(stack, tmp_path: Path) -> None:
    _server, proxy, tls, key = stack
    crt, _ = _issue_like_a_county(proxy, tls, tmp_path)  # a registered certificate's PEM is public: the forger has it
    forged = {"X-Client-Verify": "SUCCESS", "X-Client-Cert": escaped(crt.read_bytes())}
    context = ssl.create_default_context(cafile=str(tls.ca_cert))
    for url in (proxy.units_url, proxy.url):
        with httpx.Client(base_url=url, verify=context, timeout=30) as forger:
            answer = forger.get(f"{X}/LX-TLS-1", headers=forged)
            assert answer.status_code == 401 and answer.json()["code"] == "auth.required", (url, answer.text)
            with_key = forger.get(f"{X}/LX-TLS-1", headers={**forged, **unit_headers(key)})
            assert with_key.status_code in (200, 404), (url, with_key.text)  # the key decides, not the headers
    with httpx.Client(base_url=proxy.units_url, verify=context, timeout=30) as other:
        assert other.get("/console/login").status_code == 404  # nothing but the units' API on their port
