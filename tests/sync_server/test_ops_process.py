"""`python -m sync_server` as a real process: its logs are JSON lines (uvicorn's included) carrying the
request id the client got; `SYNC_SECURE_COOKIES=true` (behind a TLS-terminating proxy) makes the console's
cookies Secure over plain HTTP; a misspelt `SYNC_*` variable stops the start naming it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.sync_server.console_client import csrf_of
from tests.sync_server.helpers import CREDENTIALS
from tests.sync_server.server_process import REPO, Server


def _json_lines(log: Path) -> list[dict]:
    lines = []
    for raw in log.read_text(encoding="utf-8").splitlines():
        if raw.startswith("同步服务已就绪"):  # the one line printed for the operator on stdout
            continue
        lines.append(json.loads(raw))  # anything else that is not JSON fails here
    return lines


def test_logs_are_json_with_the_request_id_and_secure_cookies_parse_from_the_environment(tmp_path: Path):
    server = Server(tmp_path / "data", tmp_path / "server.log",
                    env={"SYNC_SECURE_COOKIES": "true", "SYNC_LOG_LEVEL": "INFO"}).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            assert http.get("/healthz").status_code == 200
            page = http.get("/console/login", headers={"X-Request-ID": "proxy-req-000000000042"})
            assert page.headers["X-Request-ID"] == "proxy-req-000000000042"
            signed_in = http.post("/console/login", follow_redirects=False, data={
                "username": "wangfang", "password": CREDENTIALS["wangfang"].password, "csrf": csrf_of(page.text)})
            assert signed_in.status_code == 303, signed_in.text
            cookie = next(v for k, v in signed_in.headers.multi_items()
                          if k == "set-cookie" and v.startswith("console_token="))
            assert "secure" in cookie.lower()  # plain HTTP here: Secure only because the setting says so
            missing = http.get("/api/v1/cases/none", headers={"X-Request-ID": "proxy-req-000000000043"})
            assert missing.json()["incident"] == "proxy-req-000000000043"
            assert http.get("/readyz").json()["status"] == "ready"
    finally:
        server.stop()
    lines = _json_lines(tmp_path / "server.log")
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any(line["request_id"] == "proxy-req-000000000042" and line["path"] == "/console/login" and
               line["status"] == 200 for line in access), access
    assert any(line["request_id"] == "proxy-req-000000000043" and line["status"] == 401 for line in access)
    assert any(line["logger"] == "uvicorn.error" and line["level"] == "INFO" for line in lines)  # startup lines
    assert all({"time", "level", "logger", "message", "request_id"} <= set(line) for line in lines)


def test_a_misspelt_variable_stops_the_start_with_its_name(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"SYNC_SECURE_COOKIE": "true"}
    started = subprocess.run([sys.executable, "-m", "sync_server", "--data-dir", str(tmp_path / "data"),
                              "--port", "9"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert started.returncode == 2
    assert "SYNC_SECURE_COOKIE" in started.stderr and "SYNC_SECURE_COOKIES" in started.stderr
    assert "Traceback" not in started.stderr
