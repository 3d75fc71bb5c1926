"""deploy/nginx/field-evidence.conf in front of a real server (issue 18): Debian's nginx terminates TLS with a
certificate of the agency CA, the server is `python -m sync_server` on plain HTTP on loopback. Through nginx:
a tablet syncs (the tablet's own client, pinned to the agency CA, one resumable chunk as large as the server
allows), the console's login cookie is Secure, a client that dribbles its headers is cut by nginx while a
normal request goes through, every answer carries a request id, plain HTTP is redirected."""
from __future__ import annotations

import hashlib
import re
import select
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from field_app.sync.client import SyncClient
from field_app.sync.resumable import ResumableUploader
from schemas.protocol import PROTOCOL_HEADER, RecordStatus
from schemas.records import EvidenceKind, Role
from sync_server.edge.tls import TlsFiles, init_tls
from sync_server.settings import Settings
from tests.deploy.nginx_proxy import SITE, Nginx
from tests.sync_server.console_client import csrf_of
from tests.sync_server.helpers import CREDENTIALS, FieldTeam, home_visit, mp4_video
from tests.sync_server.server_process import Server

HEADER_TIMEOUT_S = float(re.search(r"client_header_timeout (\d+)s;", SITE.read_text()).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Nginx, TlsFiles]]:
    root = tmp_path_factory.mktemp("nginx-site")
    tls = init_tls(root / "agency", ("127.0.0.1",))  # the agency CA and a server certificate it issued
    server = Server(root / "data", root / "server.log", env={"SYNC_SECURE_COOKIES": "true"}).start()
    proxy = Nginx(root / "nginx", tls.directory, server.port)
    try:
        proxy.start()
        yield server, proxy, tls
    finally:
        proxy.stop()
        server.stop()


def _https(proxy: Nginx, tls: TlsFiles, **kwargs: object) -> httpx.Client:
    return httpx.Client(base_url=proxy.url, verify=ssl.create_default_context(cafile=str(tls.ca_cert)),
                        timeout=60, **kwargs)  # type: ignore[arg-type]


def test_a_tablet_syncs_through_nginx_with_a_chunk_as_large_as_the_server_takes(stack) -> None:
    server, proxy, tls = stack
    chunk = Settings(Path("unused")).max_chunk_bytes  # 16 MiB: nginx must let a whole one through
    visit = home_visit("rec-nginx-1")
    visit.add(mp4_video(chunk + 512 * 1024), EvidenceKind.VIDEO, Role.SCENE, "zhangwei", "video/mp4", "视频")
    with _https(proxy, tls, headers={PROTOCOL_HEADER: "1"}) as http:
        team = FieldTeam.sign_in(http)  # type: ignore[arg-type]
        token = team.headers["zhangwei"]["Authorization"][7:]
        sizes = {sha: len(data) for sha, data in visit.files.items()}
        client = SyncClient(proxy.url, ca_file=tls.ca_cert, device_id="tablet-yb-01")
        uploader = ResumableUploader(client, token, lambda sha, off, n: visit.files[sha][off:off + n],
                                     chunk_bytes=chunk)
        try:
            for state in client.missing_evidence(token, list(sizes)):
                uploader.upload(state.sha256, sizes[state.sha256], state.offset)
            assert client.post_record(token, team.seal(visit.record)).status == RecordStatus.MERGED
        finally:
            client.close()
        assert team.merged_ids() == ["rec-nginx-1"]
        for sha in visit.files:
            got = http.get(f"/api/v1/evidence/{sha}", headers=team.headers["zhangwei"]).content
            assert hashlib.sha256(got).hexdigest() == sha
    assert server.proc is not None and server.proc.poll() is None


def test_the_console_login_cookie_is_secure_behind_the_proxy(stack) -> None:
    _, proxy, tls = stack
    reviewer = CREDENTIALS["wangfang"]
    with _https(proxy, tls) as browser:
        page = browser.get("/console/login")
        assert page.status_code == 200
        answer = browser.post("/console/login", follow_redirects=False, data={
            "username": reviewer.username, "password": reviewer.password, "csrf": csrf_of(page.text)})
        assert answer.status_code in (302, 303), answer.text
        cookies = [v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith("console_token=")]
        assert cookies, answer.headers
        attributes = {part.strip().split("=")[0].lower() for part in cookies[0].split(";")[1:]}
        assert {"secure", "httponly"} <= attributes, cookies[0]
        assert browser.get(answer.headers["location"]).status_code == 200


def test_a_client_dribbling_its_headers_is_cut_by_nginx_while_others_are_served(stack) -> None:
    _, proxy, tls = stack
    context = ssl.create_default_context(cafile=str(tls.ca_cert))
    raw = socket.create_connection(("127.0.0.1", proxy.https_port), timeout=30)
    slow = context.wrap_socket(raw, server_hostname="127.0.0.1")
    slow.sendall(b"GET /console/login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    started, cut, answer = time.monotonic(), None, b""
    dribble = b"X-Dribble: " + b"a" * 200
    with _https(proxy, tls) as other:
        for byte in dribble:  # one byte a second: the whole header would take 200 s
            readable, _, _ = select.select([slow], [], [], 1.0)
            if readable:
                try:
                    answer = slow.recv(4096)
                except (ConnectionResetError, ssl.SSLError):
                    answer = b""
                cut = time.monotonic() - started
                break
            try:
                slow.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                cut = time.monotonic() - started
                break
            assert other.get("/console/login").status_code == 200  # meanwhile a normal request goes through
    slow.close()
    assert cut is not None, "nginx let a client dribble its headers for 200 s"
    assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert HEADER_TIMEOUT_S - 1 <= cut <= HEADER_TIMEOUT_S + 10, f"cut after {cut:.1f} s"
    with _https(proxy, tls) as after:
        assert after.get("/console/login").status_code == 200


def test_each_answer_carries_a_request_id_and_plain_http_is_redirected(stack) -> None:
    _, proxy, tls = stack
    with _https(proxy, tls) as http:
        generated = http.get("/console/login").headers.get_list("x-request-id")
        given = http.get("/console/login", headers={"X-Request-ID": "tablet-req-0001"}).headers.get_list("x-request-id")
        hostile = http.get("/console/login", headers={"X-Request-ID": "a b\"<c>"}).headers.get_list("x-request-id")
    assert len(generated) == 1 and re.fullmatch(r"[0-9a-f]{32}", generated[0]), generated
    assert given == ["tablet-req-0001"]
    assert len(hostile) == 1 and re.fullmatch(r"[0-9a-f]{32}", hostile[0]), hostile
    assert "rid=tablet-req-0001" in (proxy.prefix / "logs" / "field-evidence.access.log").read_text()
    redirect = httpx.get(f"http://127.0.0.1:{proxy.http_port}/console/login", follow_redirects=False)
    assert redirect.status_code == 301 and redirect.headers["location"].startswith("https://")


def test_health_answers_through_the_proxy_and_metrics_never_leave_the_machine(stack) -> None:
    _, proxy, tls = stack
    with _https(proxy, tls) as http:
        assert http.get("/healthz").status_code == 200
        ready = http.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert http.get("/metrics").status_code == 404
