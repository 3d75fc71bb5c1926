"""Debian's nginx running deploy/nginx/field-evidence.conf for a test: the site file as shipped, with only its
ports, certificate paths and log paths substituted, inside a throwaway prefix, bound to 127.0.0.1. nginx runs
as a foreground master (`daemon off`), stopped by its PID."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "deploy" / "nginx" / "field-evidence.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_site(text: str, *, https_port: int, http_port: int, upstream_port: int, tls_dir: Path,
                log_dir: Path, units_port: int = 8443) -> str:
    """The site with this machine's ports and paths; each substitution must find what it replaces, so a
    changed site fails here instead of being tested half-substituted."""
    swaps = [
        ("    listen [::]:80;\n", ""),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("    listen [::]:8443 ssl http2;\n", ""),
        ("listen 8443 ssl http2;", f"listen 127.0.0.1:{units_port} ssl http2;"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
        ("/etc/field-evidence/tls/", f"{tls_dir}/"),
        ("/var/log/nginx/", f"{log_dir}/"),
    ]
    for old, new in swaps:
        assert old in text, f"deploy/nginx/field-evidence.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


class Nginx:
    """nginx with the site in front of `upstream_port`; `url` is its HTTPS address, `units_url` the port where
    the entrusting units' systems present their client certificates."""

    def __init__(self, prefix: Path, tls_dir: Path, upstream_port: int) -> None:
        self.prefix, self.https_port, self.http_port, self.units_port = prefix, _port(), _port(), _port()
        self.url = f"https://127.0.0.1:{self.https_port}"
        self.units_url = f"https://127.0.0.1:{self.units_port}"
        (prefix / "logs").mkdir(parents=True, exist_ok=True)
        (prefix / "tmp").mkdir(exist_ok=True)
        site = render_site(SITE.read_text(encoding="utf-8"), https_port=self.https_port, http_port=self.http_port,
                           upstream_port=upstream_port, tls_dir=tls_dir, log_dir=prefix / "logs",
                           units_port=self.units_port)
        (prefix / "site.conf").write_text(site, encoding="utf-8")
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's private temp dirs
        (prefix / "nginx.conf").write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log info;\n"
            f"events {{ worker_connections 256; }}\n"
            f"http {{\n  client_body_temp_path {prefix}/tmp/body;\n  proxy_temp_path {prefix}/tmp/proxy;\n"
            f"  access_log {prefix}/logs/access.log;\n  include {prefix}/site.conf;\n}}\n", encoding="utf-8")
        self.proc: subprocess.Popen | None = None

    def start(self) -> Nginx:
        """Check the configuration (`nginx -t`), start, wait until every port accepts connections."""
        args = [NGINX, "-p", f"{self.prefix}/", "-e", f"{self.prefix}/logs/error.log", "-c", f"{self.prefix}/nginx.conf"]
        check = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=60, check=False)
        assert check.returncode == 0, check.stderr
        self.out = open(self.prefix / "logs" / "stderr.log", "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(args, stdout=self.out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not all(self._accepts(port) for port in (self.https_port, self.http_port, self.units_port)):
            assert self.proc.poll() is None, self.log()
            assert time.monotonic() < deadline, "nginx did not start listening\n" + self.log()
            time.sleep(0.05)
        return self

    @staticmethod
    def _accepts(port: int) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    def log(self) -> str:
        """nginx's error log and output so far."""
        logs = self.prefix / "logs"
        return "".join(p.read_text(errors="replace") for p in (logs / "error.log", logs / "stderr.log") if p.exists())

    def stop(self) -> None:
        """SIGQUIT (graceful), then SIGKILL: the master by its PID; its workers leave with it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc is not None:
            self.out.close()
