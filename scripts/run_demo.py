"""`make run`: the sync server on SQLite with the demo case, and the field app in web mode.

Prints both addresses and the demo logins, keeps running until Ctrl-C (SIGINT), SIGTERM or SIGHUP, then stops
what it started, each child by its process group (started as its own session, so a terminal's Ctrl-C reaches
only this script, which ends them in order).

Why handlers are installed for every one of those signals: a shell starts a background job (`make run &`, a
script, nohup) with SIGINT ignored, and Python keeps an inherited SIG_IGN instead of raising
KeyboardInterrupt, so such a `make run` used to ignore Ctrl-C and `kill -INT` alike.
Ports and the data folder come from SERVER_PORT, APP_PORT and DEMO_DATA_DIR (defaults 8000, 8550, ./data).
The server speaks HTTPS with a certificate of the demo agency CA made in DATA/server/tls on first run
(`python -m sync_server tls init`); the tablet trusts only that CA.
"""
from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _private(folder: Path) -> None:
    """The demo's own server folder, made by an earlier run before folders were private: the server now
    refuses one others may read (sync_server/privacy.py), so the demo tightens its own, as the refusal says."""
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & 0o700)


def _start(args: list[str], log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def _wait(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60,
          context: ssl.SSLContext | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"启动失败 / failed to start ({url}); see {log}:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2, context=context).read(1)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} not ready after {timeout}s; see {log}")


def _stop(procs: list[subprocess.Popen]) -> None:
    for signum in STOP_SIGNALS:  # a second Ctrl-C must not cut the stopping short and leave children behind
        signal.signal(signum, signal.SIG_IGN)
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


CHILDREN = {"server": "同步服务器 sync server", "app": "平板应用 field app"}


def watch(children: dict[str, tuple[subprocess.Popen, Path]], poll: float = 0.5) -> None:
    """Wait while any child runs; when one exits say which (name, PID, exit code, log) and keep the
    others running: a server stopped on purpose does not take the tablet app down with it."""
    running = dict(children)
    while running:
        for name, (proc, log) in list(running.items()):
            if proc.poll() is not None:
                del running[name]
                rest = "、".join(running) or "无 none"
                print(f"{name} 已退出 / exited (PID {proc.pid}, 退出码 exit code {proc.returncode}); "
                      f"日志 log: {log}; 仍在运行 still running: {rest}", file=sys.stderr, flush=True)
        time.sleep(poll)
    print("所有进程均已退出 / every process has exited", file=sys.stderr, flush=True)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """Ctrl-C, `kill` and a closed terminal all stop the demo, even when started with SIGINT ignored."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _interrupt)


def main() -> None:
    from sync_server.edge.tls import TlsFiles, fingerprint, init_tls
    from sync_server.ops.seed import DEMO_ACCOUNTS

    stop_on_signals()

    server_port, app_port = int(os.environ.get("SERVER_PORT", "8000")), int(os.environ.get("APP_PORT", "8550"))
    data = Path(os.environ.get("DEMO_DATA_DIR") or ROOT / "data").resolve()
    for port in (server_port, app_port):
        if not _port_free(port):
            sys.exit(f"端口 {port} 已被占用 / port {port} is in use: set SERVER_PORT / APP_PORT")
    server_url, app_url = f"https://127.0.0.1:{server_port}", f"http://127.0.0.1:{app_port}"
    tls = TlsFiles.of(data / "server")
    if not tls.ready():
        init_tls(data / "server")  # makes the demo's server folder owner-only (0700) if it is new
    _private(data / "server")
    logs = data / "logs"
    procs: list[subprocess.Popen] = []
    try:
        server = _start(["-m", "sync_server", "--host", "127.0.0.1", "--port", str(server_port),
                         "--data-dir", str(data / "server"), "--seed-demo"], logs / "server.log")
        procs.append(server)
        _wait(f"{server_url}/openapi.json", server, logs / "server.log",
              context=ssl.create_default_context(cafile=str(tls.ca_cert)))
        app = _start(["-m", "field_app", "--port", str(app_port), "--server", server_url,
                      "--data-dir", str(data / "tablet"), "--key-dir", str(data / "tablet-keys"),
                      "--ca-file", str(tls.ca_cert)], logs / "field_app.log")
        procs.append(app)
        _wait(app_url, app, logs / "field_app.log")
        print(f"\n平板应用 field app (tablet, web mode):  {app_url}    PID {app.pid}")
        print(f"核查审核台 reviewer console:            {server_url}/console    PID {server.pid}")
        print(f"接口文档 API description:               {server_url}/openapi.json")
        print(f"机构 CA 证书 agency CA: {tls.ca_cert}\n  SHA-256 {fingerprint(tls.ca_cert)}")
        print("  浏览器访问审核台前请导入此 CA 证书 / import this CA into the browser to open the console")
        print(f"数据 data: {data}    日志 logs: {logs}\n")
        print("演示账号 demo logins:")
        for a in DEMO_ACCOUNTS:
            secret = f"PIN {a.pin}（平板 tablet）" if a.pin else f"密码 password {a.password}（审核台 console）"
            print(f"  {a.role.value:9} {a.username:9} {a.name}  {secret}")
        print("\n按 Ctrl-C 停止 / press Ctrl-C to stop", flush=True)
        watch({CHILDREN["server"]: (server, logs / "server.log"), CHILDREN["app"]: (app, logs / "field_app.log")})
    except KeyboardInterrupt:
        print("\n正在停止 / stopping…", flush=True)
    finally:
        _stop(procs)
        print("已停止 / stopped", flush=True)


if __name__ == "__main__":
    main()
