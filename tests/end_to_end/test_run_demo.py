"""`make run` (scripts/run_demo.py) with real processes: a stopped server leaves the tablet app serving,
and the message names the child that exited."""
from __future__ import annotations

import os
import re
import signal
import socket
import sys
import time
import urllib.request
from pathlib import Path

from tests.end_to_end.flet_browser import free_port, start_process, stop_process

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition, what: str, timeout: float = 120.0):
    """Poll `condition` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def listening(port: int) -> bool:
    """Something accepts connections on 127.0.0.1:port (the server speaks HTTPS with the demo CA)."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_stopping_the_server_leaves_the_tablet_app_running_and_names_the_server(tmp_path):
    server_port, app_port = free_port(), free_port()
    log = tmp_path / "run_demo.log"
    demo = start_process([sys.executable, "-u", str(ROOT / "scripts" / "run_demo.py")], cwd=ROOT, log_path=log,
                         env={"SERVER_PORT": str(server_port), "APP_PORT": str(app_port),
                              "DEMO_DATA_DIR": str(tmp_path / "data")})
    try:
        text = wait_for(lambda: "press Ctrl-C" in log.read_text(errors="replace") and log.read_text(),
                        "run_demo to start both children")
        server_pid = int(re.search(r"/console\s+PID (\d+)", text).group(1))
        app_url = f"http://127.0.0.1:{app_port}/"
        assert answers(app_url) and listening(server_port)

        os.kill(server_pid, signal.SIGTERM)  # the server stopped on purpose
        message = wait_for(lambda: re.search(r".*已退出.*", log.read_text(errors="replace")), "the exit message")
        assert "同步服务器 sync server" in message.group(0) and f"PID {server_pid}" in message.group(0)
        assert "平板应用 field app" in message.group(0).split("still running")[1]
        wait_for(lambda: not listening(server_port), "the server to stop listening", 30)
        assert answers(app_url), "the tablet app went down with the server"
        assert demo.poll() is None
    finally:
        stop_process(demo, timeout=20)
    wait_for(lambda: not answers(f"http://127.0.0.1:{app_port}/"), "run_demo to stop the app it started", 30)
