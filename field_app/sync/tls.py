"""How the tablet reaches its server: HTTPS trusting only the agency's CA (pinned), never plain HTTP
except to this machine itself (127.0.0.1 / localhost, for development). Issue 5 §6, R21."""
from __future__ import annotations

import ssl
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class InsecureServerUrl(ValueError):
    """A server address the tablet refuses to talk to; the message is Chinese, for the screen."""


def check_server_url(url: str, ca_file: Path | None) -> None:
    """Refuse plain HTTP to another machine, and HTTPS without the agency's CA certificate."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "http" and host in LOOPBACK:
        return
    if parts.scheme == "http":
        raise InsecureServerUrl(f"服务器地址必须使用 https：{url}（仅本机 127.0.0.1 开发调试可用 http）")
    if parts.scheme != "https" or not host:
        raise InsecureServerUrl(f"无法识别的服务器地址：{url}")
    if ca_file is None:
        raise InsecureServerUrl("使用 https 需要机构 CA 证书（--ca-file 或 FIELD_CA_FILE）")
    if not Path(ca_file).is_file():
        raise InsecureServerUrl(f"找不到机构 CA 证书：{ca_file}")


def pinned_context(ca_file: Path) -> ssl.SSLContext:
    """A client TLS context that trusts the agency CA and nothing else (no system roots), TLS 1.2+,
    with the host name checked against the server certificate."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca_file))  # no default roots
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context
