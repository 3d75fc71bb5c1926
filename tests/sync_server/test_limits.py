"""Limits and back-pressure on a real server process (issue 9): bodies counted before parsing,
anonymous callers held to a small budget before anything else, slow headers and bodies dropped
while others are served, and saturation answered `server.busy` (503 + Retry-After), never 500.
R10: nothing is lost — a refused upload is simply sent again."""
from __future__ import annotations

import contextlib
import hashlib
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas.protocol import DEVICE_HEADER
from sync_server.settings import Settings
from tests.sync_server.server_process import Server, read_response_head

SLOW = {"SYNC_HEADER_TIMEOUT_S": "2", "SYNC_BODY_GRACE_S": "2", "SYNC_BODY_MIN_RATE": "256",
        "SYNC_BODY_IDLE_S": "3", "SYNC_MAX_UPLOADS": "4"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("limits")
    process = Server(root / "data", root / "server.log", env=SLOW).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def token(server: Server) -> str:
    return server.login()


def _head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "X-Protocol-Version: 1",
             *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_an_anonymous_300_mb_post_is_refused_before_its_body_is_read_r10(server: Server):
    before = server.rss_kib()
    with server.connect() as sock:
        sock.sendall(_head("POST", "/api/v1/records", {"Content-Type": "application/json",
                                                         "Content-Length": str(300 * 1024 * 1024)}))
        status, text = read_response_head(sock)
    assert status == 413 and '"request.too_large"' in text and "connection: close" in text.lower()
    with server.connect() as sock:  # without Content-Length: counted as it comes, cut at the budget
        sock.sendall(_head("POST", "/api/v1/auth/device-login", {"Transfer-Encoding": "chunked"}))
        chunk = b" " * 65536
        # the server hung up before the whole MiB was taken: that is the point
        with contextlib.suppress(OSError):
            sock.sendall(b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(16)))
        status, text = read_response_head(sock)
    assert status == 413 and '"request.too_large"' in text
    assert server.rss_kib() - before < 30 * 1024  # flat: the bodies were never held


def test_a_signed_in_json_body_over_its_limit_is_refused_from_content_length_alone(server: Server, token: str):
    limit = Settings(data_dir=Path(".")).max_json_bytes
    with server.connect() as sock:
        sock.sendall(_head("POST", "/api/v1/records", {"Authorization": f"Bearer {token}",
                                                         "Content-Type": "application/json",
                                                         "Content-Length": str(limit + 1)}))
        status, text = read_response_head(sock)
    assert status == 413 and str(limit) in text


def test_headers_over_their_bound_are_answered_400_and_the_next_request_is_served(server: Server, token: str):
    """32 KiB of request line and headers at most: a 40 KiB header (or a 40 KiB target) is refused with 400
    and the connection closed; a request just under the bound is served."""
    for head in (_head("GET", "/api/v1/cases", {"Authorization": f"Bearer {token}", "X-Pad": "x" * 40_000}),
                 _head("GET", "/api/v1/cases?pad=" + "x" * 40_000, {"Authorization": f"Bearer {token}"})):
        with server.connect() as sock:
            sock.sendall(head)
            status, text = read_response_head(sock)
        assert status == 400, text
    with server.connect() as sock:
        sock.sendall(_head("GET", "/api/v1/cases", {"Authorization": f"Bearer {token}", "X-Pad": "x" * 30_000,
                                                    DEVICE_HEADER: "tablet-zhangwei", "Connection": "close"}))
        status, text = read_response_head(sock)
    assert status == 200, text


def test_a_pipelined_request_is_not_cut_by_the_header_clock_while_its_body_streams(server: Server, token: str):
    """Two requests in one write: the second's headers are parsed while the first is served, so no header
    clock may start for it when the first answer is sent. Its body then streams for longer than the header
    deadline (2 s here), at a rate the body guard accepts, and it is stored."""
    body = os.urandom(6000)
    sha = hashlib.sha256(body).hexdigest()
    auth = {"Authorization": f"Bearer {token}", DEVICE_HEADER: "tablet-zhangwei"}
    first = _head("GET", "/api/v1/cases", auth)
    second = _head("PUT", f"/api/v1/evidence/{sha}", {**auth, "Content-Type": "application/octet-stream",
                                                       "Content-Length": str(len(body)), "Connection": "close"})
    with server.connect() as sock:
        sock.settimeout(30)
        sock.sendall(first + second + body[:1000])
        for start in range(1000, len(body), 1000):
            time.sleep(0.6)  # the client's pace (3 s in all, past the 2 s header deadline), not a wait
            sock.sendall(body[start:start + 1000])
        answers = b""
        while chunk := sock.recv(65536):
            answers += chunk
    text = answers.decode("utf-8", "replace")
    assert text.count("HTTP/1.1 200") == 2 and f'"sha256":"{sha}"' in text, text[-400:]


def _slow_client(server: Server, head: bytes, body: bytes, outcome: list[str]) -> None:
    """Send the head (or, when there is a body, only the body) one byte every 0.4 s until the server
    hangs up."""
    with server.connect() as sock:
        sock.settimeout(60)
        data = body or head
        if body:
            sock.sendall(head)
        try:
            for i in range(len(data)):
                sock.sendall(data[i:i + 1])
                time.sleep(0.4)  # the misbehaving client's pace, not a wait for the server
            outcome.append("finished sending")
        except OSError:
            pass
        try:
            rest = sock.recv(65536)
            while rest and b"}" not in rest:
                more = sock.recv(65536)
                if not more:
                    break
                rest += more
        except OSError:
            rest = b""
        outcome.append(rest.decode("utf-8", "replace") or "closed")


def test_slow_headers_and_bodies_are_dropped_while_case_lists_stay_fast(server: Server, token: str):
    outcomes: list[list[str]] = [[] for _ in range(20)]
    body_head = _head("POST", "/api/v1/records", {"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json", "Content-Length": "800"})
    threads = [threading.Thread(target=_slow_client, daemon=True,
                                args=(server, _head("GET", "/api/v1/cases", {"X-Pad": "x" * 400}), b"", out))
               for out in outcomes[:15]]
    sock_body = [(body_head, b"{" * 800)] * 5
    threads += [threading.Thread(target=_slow_client, daemon=True, args=(server, *hb, out))
                for hb, out in zip(sock_body, outcomes[15:], strict=True)]
    for thread in threads:
        thread.start()
    served = 0
    with server.api(token, timeout=10) as http:
        while any(t.is_alive() for t in threads):  # meanwhile a tablet lists its cases, many times
            assert http.get("/cases").status_code == 200
            served += 1
            threads[-1].join(0.2)  # pace: about five lists a second
            assert served < 400, "slow clients were never dropped"
    assert served >= 3
    assert all(out and "finished sending" not in out for out in outcomes), outcomes
    assert all('"request.timeout"' in out[-1] for out in outcomes[15:]), outcomes[15:]


def _put_with_retries(server: Server, token: str, body: bytes, statuses: Counter) -> None:
    sha = hashlib.sha256(body).hexdigest()
    rng = random.Random(sha)
    with server.api(token, timeout=60) as http:
        for _ in range(200):
            response = http.put(f"/evidence/{sha}", content=body)
            statuses[response.status_code] += 1
            if response.status_code != 503:
                assert response.status_code == 200, response.text
                return
            assert response.headers["retry-after"].isdigit() and response.json()["code"] == "server.busy"
            time.sleep(rng.uniform(0.05, 0.5))  # the test's client backs off like a tablet would
    raise AssertionError("never admitted")


def test_sixty_concurrent_uploads_get_no_5xx_but_busy_and_then_all_complete(server: Server, token: str):
    bodies = [os.urandom(300_000) for _ in range(60)]
    statuses: Counter[int] = Counter()
    threads = [threading.Thread(target=_put_with_retries, args=(server, token, b, statuses)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert statuses[200] == 60 and set(statuses) <= {200, 503}, statuses
    with server.api(token) as http:
        for body in bodies:
            assert http.get(f"/evidence/{hashlib.sha256(body).hexdigest()}").content == body


@pytest.mark.both_databases
def test_a_drained_connection_pool_is_server_busy_with_retry_after_not_500(settings: Settings, clock, team):
    """Every pooled connection held elsewhere: the request waits `db_pool_timeout_s`, then 503."""
    from sync_server.app import create_app
    from tests.sync_server.helpers import api_client

    tight = settings.replace(db_pool_size=1, db_max_overflow=0, db_pool_timeout_s=0.2, retry_after_s=7)
    app = create_app(tight, clock=clock)
    try:
        with app.state.services.engine.connect(), api_client(app) as client:
            response = client.get("/api/v1/cases", headers=team.headers["zhangwei"])
        assert response.status_code == 503 and response.json()["code"] == "server.busy"
        assert response.headers["retry-after"] == "7"  # the setting, as the admission limits say it
        with api_client(app) as client:  # the connection is back: served again
            assert client.get("/api/v1/cases", headers=team.headers["zhangwei"]).status_code == 200
    finally:
        app.state.services.engine.dispose()


def test_each_route_kind_gets_its_own_body_budget_and_anonymous_callers_the_smallest():
    from sync_server.edge.limits import body_budget
    from sync_server.evidence.staff_uploads import MAX_UPLOAD_BYTES

    s = Settings(data_dir=Path("."))
    signed = [(b"authorization", b"Bearer t")]
    sha = "a" * 64
    cases = {("PUT", f"/api/v1/evidence/{sha}"): s.max_evidence_bytes,
             ("PATCH", f"/api/v1/uploads/{sha}"): s.max_chunk_bytes,
             ("POST", "/api/v1/intake/cases/c-1/documents"): MAX_UPLOAD_BYTES,
             ("POST", "/api/v1/accounts/lina/credentials"): MAX_UPLOAD_BYTES,
             ("POST", "/api/v1/records"): s.max_json_bytes}
    for (method, path), budget in cases.items():
        assert body_budget(s, {"method": method, "path": path, "headers": signed})[0] == budget
        assert body_budget(s, {"method": method, "path": path, "headers": []})[0] == s.max_anonymous_bytes
    cookie = [(b"cookie", b"console_token=abc")]
    assert body_budget(s, {"method": "POST", "path": "/console/x", "headers": cookie})[0] == s.max_json_bytes
