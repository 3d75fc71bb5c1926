"""Issue 20's console page of a unit's client certificates (administrators): upload the unit's CSR and get the
certificate signed (when the server holds the agency CA key), download it, revoke it (refused at once);
without the key on the server the page gives the offline `tls sign-unit` command and registers the certificate
signed there; a bad CSR or a foreign certificate is refused in Chinese, nothing recorded; others see nothing."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from fastapi import FastAPI

from schemas.protocol import PROTOCOL_HEADER
from sync_server.edge import client_certs
from sync_server.edge.tls import TlsFiles
from sync_server.settings import Settings
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.exchange_helpers import X, register_unit
from tests.sync_server.helpers import Clock, problem_of
from tests.sync_server.testclient import TestClient
from tests.sync_server.unit_cert_helpers import agency_ca, csr_pem, ec_key, escaped, fingerprint, rsa_key

PAGE = "/console/exchange/units/longxi/certificates"


@pytest.fixture
def ca(tmp_path: Path) -> TlsFiles:
    return agency_ca(tmp_path / "agency")


@pytest.fixture
def settings(settings: Settings, ca: TlsFiles, request: pytest.FixtureRequest) -> Settings:
    key = "" if "offline" in request.node.name else str(ca.ca_key)
    return settings.replace(agency_ca_file=str(ca.ca_cert), unit_ca_key_file=key, exchange_cert_proxies="127.0.0.1")


def _upload(client: TestClient, action: str, data: bytes):
    return console_post(client, f"{PAGE}/{action}", {}, page=PAGE, files={"file": ("unit.pem", data)})


def _entered(app: FastAPI, pem: str) -> int:
    with TestClient(app, headers={PROTOCOL_HEADER: "1"}, client=("127.0.0.1", 40000)) as proxied:
        answer = proxied.get(f"{X}/none", headers={"X-Client-Verify": "SUCCESS", "X-Client-Cert": escaped(pem)})
        return answer.status_code if answer.status_code != 401 else int(problem_of(answer)["status"])


def test_upload_a_csr_download_the_certificate_and_revoke_it(client: TestClient, app: FastAPI) -> None:
    register_unit(client)
    assert console_login(client, "admin").status_code == 303
    assert 'href="/console/exchange/units/longxi/certificates"' in client.get("/console/exchange").text
    weak = _upload(client, "csr", csr_pem(rsa_key(1024)))
    assert weak.status_code == 422 and "至少需要 2048 位" in weak.text and "尚无客户端证书" in weak.text
    unit_key = ec_key()
    made = _upload(client, "csr", csr_pem(unit_key))
    assert made.status_code == 200 and "已签发证书" in made.text, made.text
    link = made.text.split('href="/console/exchange/certificates/')[1].split('"')[0]
    downloaded = client.get(f"/console/exchange/certificates/{link}")
    assert downloaded.status_code == 200 and "attachment" in downloaded.headers["content-disposition"]
    cert = x509.load_pem_x509_certificate(downloaded.content)
    assert cert.public_key() == unit_key.public_key()  # the unit's own key: it never left the unit
    assert fingerprint(downloaded.content) + ".pem" == link and "有效" in made.text
    assert _entered(app, downloaded.text) == 404  # authenticated (no such reference)
    revoked = console_post(client, f"{PAGE}/revoke", {"fingerprint": fingerprint(downloaded.content)}, page=PAGE)
    assert revoked.status_code == 200 and "已吊销" in revoked.text
    assert _entered(app, downloaded.text) == 401


def test_offline_the_page_gives_the_command_and_registers_what_was_signed(client: TestClient, ca: TlsFiles,
                                                                          clock: Clock, tmp_path: Path) -> None:
    register_unit(client)
    assert console_login(client, "admin").status_code == 303
    assert "tls sign-unit --data-dir" in client.get(PAGE).text
    checked = _upload(client, "csr", csr_pem(ec_key()))
    assert checked.status_code == 200 and "证书请求有效" in checked.text and "--unit-id longxi" in checked.text
    bad = _upload(client, "csr", b"-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----\n")
    assert bad.status_code == 422 and "无法读取证书请求" in bad.text
    ca_cert = x509.load_pem_x509_certificate(ca.ca_cert.read_bytes())
    signed = client_certs.sign_csr(client_certs.load_csr(csr_pem(ec_key())),  # signed 351 days ago
                                   client_certs.load_ca_key(ca.ca_key.read_bytes()), ca_cert, "longxi", "龙溪",
                                   clock() - timedelta(days=351))
    pem = client_certs.facts_of(signed).pem.encode()
    foreign = agency_ca(tmp_path / "foreign")
    stranger = client_certs.sign_csr(client_certs.load_csr(csr_pem(ec_key())),
                                     client_certs.load_ca_key(foreign.ca_key.read_bytes()),
                                     x509.load_pem_x509_certificate(foreign.ca_cert.read_bytes()), "longxi", "龙溪",
                                     clock())
    refused = _upload(client, "register", client_certs.facts_of(stranger).pem.encode())
    assert refused.status_code == 422 and "不是本机构 CA 签发" in refused.text and "尚无客户端证书" in refused.text
    registered = _upload(client, "register", pem)
    assert registered.status_code == 200 and "已登记证书" in registered.text and fingerprint(pem) in registered.text
    assert "14 天后到期，请更换" in registered.text  # time to rotate: a second one may be issued beside it
    again = _upload(client, "register", pem)
    assert again.status_code == 409 and "该证书已登记" in again.text


def test_only_administrators_manage_certificates(client: TestClient) -> None:
    register_unit(client)
    assert console_login(client, "wangfang").status_code == 303
    assert client.get(PAGE).status_code == 403
    assert console_post(client, f"{PAGE}/csr", {}, files={"file": ("u.csr", csr_pem(ec_key()))}).status_code == 403
    assert console_login(client, "admin").status_code == 303
    assert client.get("/console/exchange/units/nobody/certificates").status_code == 404
