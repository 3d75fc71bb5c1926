"""`make run`: the sync server on SQLite with the demo case, and the field app in web mode.

Prints both addresses and the demo logins, keeps running until Ctrl-C, then stops what it started.
Ports and the data folder come from SERVER_PORT, APP_PORT and DEMO_DATA_DIR (defaults 8000, 8550, ./data).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _start(args: list[str], log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def _wait(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"启动失败 / failed to start ({url}); see {log}:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).read(1)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} not ready after {timeout}s; see {log}")


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    from sync_server.seed import DEMO_ACCOUNTS

    signal.signal(signal.SIGTERM, _interrupt)  # a plain `kill` also stops the children

    server_port, app_port = int(os.environ.get("SERVER_PORT", "8000")), int(os.environ.get("APP_PORT", "8550"))
    data = Path(os.environ.get("DEMO_DATA_DIR") or ROOT / "data").resolve()
    for port in (server_port, app_port):
        if not _port_free(port):
            sys.exit(f"端口 {port} 已被占用 / port {port} is in use: set SERVER_PORT / APP_PORT")
    server_url, app_url = f"http://127.0.0.1:{server_port}", f"http://127.0.0.1:{app_port}"
    logs = data / "logs"
    procs: list[subprocess.Popen] = []
    try:
        server = _start(["-m", "sync_server", "--host", "127.0.0.1", "--port", str(server_port),
                         "--data-dir", str(data / "server"), "--seed-demo"], logs / "server.log")
        procs.append(server)
        _wait(f"{server_url}/openapi.json", server, logs / "server.log")
        app = _start(["-m", "field_app", "--port", str(app_port), "--server", server_url,
                      "--data-dir", str(data / "tablet"), "--key-dir", str(data / "tablet-keys")],
                     logs / "field_app.log")
        procs.append(app)
        _wait(app_url, app, logs / "field_app.log")
        print(f"\n平板应用 field app (tablet, web mode):  {app_url}")
        print(f"核查审核台 reviewer console:            {server_url}/console")
        print(f"接口文档 API description:               {server_url}/openapi.json")
        print(f"数据 data: {data}    日志 logs: {logs}\n")
        print("演示账号 demo logins:")
        for a in DEMO_ACCOUNTS:
            secret = f"PIN {a.pin}（平板 tablet）" if a.pin else f"密码 password {a.password}（审核台 console）"
            print(f"  {a.role.value:9} {a.username:9} {a.name}  {secret}")
        print("\n按 Ctrl-C 停止 / press Ctrl-C to stop", flush=True)
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        print("a process exited; see the logs", file=sys.stderr)
    except KeyboardInterrupt:
        print("\n正在停止 / stopping…")
    finally:
        _stop(procs)


if __name__ == "__main__":
    main()
