"""The tablet talks to its server over HTTPS trusting only the agency's CA (issue 5 §6, R21): a server
certificate from any other CA, or for another address, is refused before a PIN is sent; plain HTTP is
refused except to this machine (development)."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from field_app.__main__ import parse
from field_app.settings import Settings
from field_app.sync.client import ServerUntrusted, SyncClient
from field_app.sync.tls import InsecureServerUrl, check_server_url
from sync_server.edge.tls import TlsFiles, issue_server_cert
from sync_server.tables import SessionToken
from tests.field_app.live_server import PINS, LiveServer


def serve(tmp_path: Path, clock, files: TlsFiles):
    live = LiveServer(tmp_path / "server", clock, tls=(files.server_cert, files.server_key))
    live.start()
    return live


def tokens_issued(live: LiveServer) -> int:
    with live.app.state.services.session() as session:
        return len(list(session.exec(select(SessionToken))))


def test_the_tablet_signs_in_over_https_trusting_the_agency_ca(tmp_path, clock, agency: TlsFiles):
    live = serve(tmp_path, clock, agency)
    client = SyncClient(live.url, ca_file=agency.ca_cert, device_id="tablet-yb-01")
    try:
        assert live.url.startswith("https://127.0.0.1:")
        session = client.device_login("zhangwei", PINS["zhangwei"], "tablet-yb-01")
        assert "case-yb-2026-0001" in {c.id for c in client.list_cases(session.token)}
    finally:
        client.close()
        live.close()


@pytest.mark.parametrize("which", ["impostor CA", "agency CA, another host"])
def test_a_server_certificate_not_from_the_agency_for_this_address_is_refused(
        tmp_path, clock, agency: TlsFiles, impostor: TlsFiles, which: str):
    """A man in the middle with a certificate of another CA (or a stolen agency certificate for another
    host) gets nothing: the handshake fails, no PIN is sent, no token is issued."""
    served = impostor
    if which != "impostor CA":
        served = TlsFiles(tmp_path / "other-host")
        served.directory.mkdir()
        shutil.copy(agency.ca_key, served.ca_key)
        shutil.copy(agency.ca_cert, served.ca_cert)
        issue_server_cert(served, ("sync.other.example",), datetime.now(UTC))
    live = serve(tmp_path, clock, served)
    client = SyncClient(live.url, ca_file=agency.ca_cert)
    try:
        with pytest.raises(ServerUntrusted):
            client.device_login("zhangwei", PINS["zhangwei"], "tablet-yb-01")
        assert tokens_issued(live) == 0
    finally:
        client.close()
        live.close()


@pytest.mark.parametrize("url", ["http://192.168.1.20:8000", "http://sync.yubei.example", "http://10.0.0.1",
                                 "ftp://127.0.0.1/", "https://sync.yubei.example"])
def test_plain_http_to_another_machine_or_https_without_the_ca_is_refused(url: str):
    with pytest.raises(InsecureServerUrl):
        SyncClient(url)


def test_plain_http_is_allowed_only_to_this_machine(agency: TlsFiles):
    for url in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        check_server_url(url, None)
    check_server_url("https://sync.yubei.example", agency.ca_cert)
    with pytest.raises(InsecureServerUrl):
        check_server_url("https://sync.yubei.example", Path("/nonexistent/ca.crt"))


def test_the_app_command_line_and_environment_take_the_ca_and_refuse_plain_http(agency: TlsFiles, monkeypatch,
                                                                               capsys):
    monkeypatch.delenv("FIELD_CA_FILE", raising=False)
    with pytest.raises(SystemExit):
        parse(["--server", "http://10.0.0.8:8000"])
    assert "https" in capsys.readouterr().err
    settings = parse(["--server", "https://127.0.0.1:8443/", "--ca-file", str(agency.ca_cert)])
    assert settings.server_url == "https://127.0.0.1:8443" and settings.ca_file == agency.ca_cert.resolve()
    from_env = Settings.from_env({"FIELD_CA_FILE": str(agency.ca_cert), "FIELD_SERVER_URL": "https://x"})
    assert from_env.ca_file == agency.ca_cert
