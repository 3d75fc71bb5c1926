"""How /exchange/v1 maps a client certificate to its unit (issue 20, office/unit_certs.py, api/unit_cert_auth.py),
in process: the proxy's headers (X-Client-Verify, X-Client-Cert, as nginx sets them) are believed only from
SYNC_EXCHANGE_CERT_PROXIES; a registered certificate authenticates as its unit, two at once during a rotation;
revoked, expired, unknown and proxy-failed certificates are refused with their own codes; the API key keeps
working; neither → 401; both schemes are in the OpenAPI document; issue and revocation are in the audit log."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography import x509
from fastapi import FastAPI
from sqlmodel import Session, col, select

from schemas.protocol import PROTOCOL_HEADER
from sync_server.edge import client_certs
from sync_server.edge.tls import TlsFiles
from sync_server.office import exchange_units, unit_certs
from sync_server.settings import Settings
from sync_server.tables import Account, AuditEntry
from tests.media import PHOTOS
from tests.sync_server.exchange_helpers import X, register_unit, submission, unit_headers
from tests.sync_server.helpers import Clock, problem_of
from tests.sync_server.testclient import TestClient
from tests.sync_server.unit_cert_helpers import agency_ca, csr_pem, ec_key, escaped

PROXY = ("127.0.0.1", 41000)  # where nginx connects from


@pytest.fixture
def ca(tmp_path: Path) -> TlsFiles:
    return agency_ca(tmp_path / "agency")


@pytest.fixture
def settings(settings: Settings, ca: TlsFiles) -> Settings:
    return settings.replace(agency_ca_file=str(ca.ca_cert), unit_ca_key_file=str(ca.ca_key),
                            exchange_cert_proxies="10.9.0.0/16, 127.0.0.1")


@pytest.fixture
def proxied(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={PROTOCOL_HEADER: "1"}, client=PROXY) as client:
        yield client


def _issue(app: FastAPI, clock: Clock, unit_id: str = "longxi") -> str:
    services = app.state.services
    with services.session() as session:
        admin = session.get(Account, "admin")
        assert admin is not None
        row = unit_certs.issue(session, admin, unit_id, csr_pem(ec_key()), unit_certs.AgencyCa.of(services.settings),
                               clock())
        session.commit()
        return row.pem


def _as(pem: str, verify: str = "SUCCESS") -> dict[str, str]:
    return {"X-Client-Verify": verify, "X-Client-Cert": escaped(pem)}


def _code(response) -> tuple[int, str]:
    return response.status_code, problem_of(response)["code"]


def test_a_registered_certificate_authenticates_as_its_unit_and_the_key_still_works(
        client: TestClient, proxied: TestClient, app: FastAPI, clock: Clock) -> None:
    key = register_unit(client)["key"]
    old, new = _issue(app, clock), _issue(app, clock)  # a rotation: both valid for a while
    made = proxied.post(X, json=submission("LX-C-1"), headers=_as(old))
    assert made.status_code == 201, made.text
    assert proxied.get(f"{X}/LX-C-1", headers=_as(new)).status_code == 200
    scan = (PHOTOS / "mobile" / "jolla.jpg").read_bytes()  # far above the 16 KiB of a caller without credentials
    uploaded = proxied.post(f"{X}/LX-C-1/documents", params={"kind": "entrustment"}, content=scan, headers=_as(new))
    assert uploaded.status_code == 201 and uploaded.json()["size"] == len(scan), uploaded.text
    assert proxied.get(f"{X}/LX-C-1", headers=unit_headers(key)).status_code == 200  # the key path, via the proxy
    assert client.get(f"{X}/LX-C-1", headers=unit_headers(key)).status_code == 200  # and directly
    none = proxied.get(f"{X}/LX-C-1", headers={"X-Client-Verify": "NONE", "X-Client-Cert": ""})
    assert _code(none) == (401, "auth.required")
    with_key = proxied.get(f"{X}/LX-C-1", headers={"X-Client-Verify": "NONE", **unit_headers(key)})
    assert with_key.status_code == 200
    with app.state.services.session() as session:
        admin = session.get(Account, "admin")
        unit_certs.revoke(session, admin, client_certs.facts_of(x509.load_pem_x509_certificate(old.encode()))
                          .fingerprint, clock())
        session.commit()
    assert _code(proxied.get(f"{X}/LX-C-1", headers=_as(old))) == (401, "exchange.cert_revoked")
    assert proxied.get(f"{X}/LX-C-1", headers=_as(new)).status_code == 200  # the other one is untouched
    both = proxied.get(f"{X}/LX-C-1", headers={**_as(old), **unit_headers(key)})
    assert _code(both) == (401, "exchange.cert_revoked")  # a presented certificate decides: no fallback
    with app.state.services.session() as session:
        kinds = [e.kind for e in session.exec(select(AuditEntry).where(col(AuditEntry.kind).like("exchange.cert%")))]
    assert kinds == ["exchange.cert_issued", "exchange.cert_issued", "exchange.cert_revoked"]


def test_unknown_failed_expired_and_stopped_are_refused(client: TestClient, proxied: TestClient, app: FastAPI,
                                                        clock: Clock, tmp_path: Path) -> None:
    register_unit(client)
    pem = _issue(app, clock)
    foreign = agency_ca(tmp_path / "foreign")
    other = client_certs.sign_csr(client_certs.load_csr(csr_pem(ec_key())),
                                  client_certs.load_ca_key(foreign.ca_key.read_bytes()),
                                  x509.load_pem_x509_certificate(foreign.ca_cert.read_bytes()), "longxi", "x", clock())
    unknown = client_certs.facts_of(other).pem
    assert _code(proxied.get(f"{X}/R", headers=_as(unknown))) == (401, "exchange.cert_invalid")
    failed = proxied.get(f"{X}/R", headers=_as(pem, "FAILED:certificate has expired"))
    assert _code(failed) == (401, "exchange.cert_invalid") and "certificate has expired" in problem_of(failed)["detail"]
    garbled = proxied.get(f"{X}/R", headers={"X-Client-Verify": "SUCCESS", "X-Client-Cert": "%2Dnot-a-cert"})
    assert _code(garbled) == (401, "exchange.cert_invalid")
    with app.state.services.session() as session:
        exchange_units.set_active(session, session.get(Account, "admin"), "longxi", False, clock())
        session.commit()
    assert _code(proxied.get(f"{X}/R", headers=_as(pem))) == (401, "exchange.key_invalid")
    with app.state.services.session() as session:
        exchange_units.set_active(session, session.get(Account, "admin"), "longxi", True, clock())
        session.commit()
    assert proxied.get(f"{X}/R", headers=_as(pem)).status_code == 404  # in again (no such reference)
    clock.advance(days=366)
    assert _code(proxied.get(f"{X}/R", headers=_as(pem))) == (401, "exchange.cert_expired")


def test_certificate_headers_from_anyone_but_the_proxy_are_refused(client: TestClient, app: FastAPI,
                                                                  clock: Clock) -> None:
    key = register_unit(client)["key"]
    pem = _issue(app, clock)
    forged = client.get(f"{X}/R", headers=_as(pem))  # the TestClient's own address is not a proxy
    assert _code(forged) == (403, "exchange.cert_untrusted")
    assert "SYNC_EXCHANGE_CERT_PROXIES" in problem_of(forged)["detail"]
    assert _code(client.get(f"{X}/R", headers={"X-Client-Verify": "SUCCESS", **unit_headers(key)})) == (
        403, "exchange.cert_untrusted")
    nothing_claimed = client.get(f"{X}/R", headers={"X-Client-Verify": "NONE", **unit_headers(key)})
    assert _code(nothing_claimed) == (404, "request.not_found")  # the key decided
    with TestClient(app, client=("10.9.3.4", 5000)) as inside, TestClient(app, client=("10.8.0.1", 5000)) as outside:
        assert inside.get(f"{X}/R", headers=_as(pem)).status_code == 404  # a listed network: believed
        assert _code(outside.get(f"{X}/R", headers=_as(pem))) == (403, "exchange.cert_untrusted")


def test_without_the_setting_no_proxy_is_believed(settings: Settings) -> None:
    assert unit_certs.trusted_proxy(settings, "127.0.0.1")
    assert not unit_certs.trusted_proxy(settings.replace(exchange_cert_proxies=""), "127.0.0.1")
    assert not unit_certs.trusted_proxy(settings.replace(exchange_cert_proxies="nginx.local"), "127.0.0.1")
    assert not unit_certs.trusted_proxy(settings, "testclient")


def test_the_openapi_document_shows_both_ways_in(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["UnitClientCertificate"]["type"] == "mutualTLS"
    assert schemes["HTTPBearer"]["type"] == "http"
    operation = document["paths"][X]["post"]
    assert {name for requirement in operation["security"] for name in requirement} == {
        "HTTPBearer", "UnitClientCertificate"}


def test_issuing_needs_a_valid_csr_and_an_administrator(client: TestClient, app: FastAPI, clock: Clock) -> None:
    register_unit(client)
    services = app.state.services
    with services.session() as session:
        ca = unit_certs.AgencyCa.of(services.settings)
        clerk = session.get(Account, "chenjing")
        with pytest.raises(Exception, match="仅管理员"):
            unit_certs.issue(session, clerk, "longxi", csr_pem(ec_key()), ca, clock())
        admin = session.get(Account, "admin")
        with pytest.raises(Exception, match="至少需要 2048 位"):
            from tests.sync_server.unit_cert_helpers import rsa_key
            unit_certs.issue(session, admin, "longxi", csr_pem(rsa_key(1024)), ca, clock())
        offline = unit_certs.AgencyCa(ca.cert, None)
        with pytest.raises(Exception, match="tls sign-unit --data-dir"):
            unit_certs.issue(session, admin, "longxi", csr_pem(ec_key()), offline, clock())
        with pytest.raises(Exception, match="不是 tls init 生成的机构 CA 私钥"):
            unit_certs.issue(session, admin, "longxi", csr_pem(ec_key()), unit_certs.AgencyCa(ca.cert, b"junk"), clock())
        with pytest.raises(Exception, match="不存在或不可读"):
            unit_certs.AgencyCa.of(services.settings.replace(unit_ca_key_file="/nonexistent/ca.key"))
        row = unit_certs.issue(session, admin, "longxi", csr_pem(ec_key()), ca, clock())
        assert row.not_after - clock() == timedelta(days=365) and row.unit_id == "longxi"
        assert isinstance(session, Session)
