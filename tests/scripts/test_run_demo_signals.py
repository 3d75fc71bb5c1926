"""`make run` (scripts/run_demo.py) stops on SIGINT and SIGTERM alike, and takes its children with it.

The demo is started the way a shell starts a background job: with SIGINT ignored (POSIX shells do that for
`cmd &` without job control, and Python then keeps SIG_IGN instead of raising KeyboardInterrupt). Before
run_demo installed its own handlers, the SIGINT case hung here until the test's own timeout."""
from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_for(condition, what: str, timeout: float):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes whose process group is `pgid`: a child and whatever it started."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state ppid pgrp ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as `make run &` gets it from a non-interactive shell


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_run_demo_stops_with_its_children_on(signum: int, tmp_path: Path) -> None:
    server_port, app_port = _free_port(), _free_port()
    log = tmp_path / "run_demo.log"
    env = os.environ | {"SERVER_PORT": str(server_port), "APP_PORT": str(app_port),
                        "DEMO_DATA_DIR": str(tmp_path / "data")}
    with open(log, "wb") as out:
        demo = subprocess.Popen([sys.executable, "-u", "-m", "scripts.run_demo"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, preexec_fn=_ignore_sigint,
                                start_new_session=True)
    groups = [demo.pid]
    try:
        text = _wait_for(lambda: "press Ctrl-C" in log.read_text(errors="replace") and log.read_text(),
                         "run_demo to print where to open it", 180)
        app_pid = int(re.search(r"field app \(tablet, web mode\):.*PID (\d+)", text).group(1))  # type: ignore[union-attr]
        server_pid = int(re.search(r"/console\s+PID (\d+)", text).group(1))  # type: ignore[union-attr]
        groups += [server_pid, app_pid]
        assert _group_members(server_pid) and _group_members(app_pid)
        assert _listening(server_port) and _listening(app_port)

        os.kill(demo.pid, signum)  # the script alone, as `kill` or Ctrl-C on a foreground `make run` would
        code = demo.wait(timeout=60)

        assert code == 0, log.read_text(errors="replace")
        assert "已停止 / stopped" in log.read_text(errors="replace")
        assert _group_members(server_pid) == [], "the server (or a process it started) outlived run_demo"
        assert _group_members(app_pid) == [], "the tablet app (or a process it started) outlived run_demo"
        assert not _listening(server_port) and not _listening(app_port)
    finally:
        for pgid in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            demo.wait(timeout=10)
