"""What the server's TLS accepts (issue 17): TLS 1.3 first, TLS 1.2 with AEAD suites only, nothing older.

uvicorn's default cipher string ("TLSv1") lets TLS 1.2 clients pick CBC suites such as
ECDHE-ECDSA-AES256-SHA384 (MAC-then-encrypt, the Lucky 13 family of attacks). TLS 1.3's suites are all
AEAD and OpenSSL negotiates it whenever the client offers it; for TLS 1.2 only ECDHE with AES-GCM or
ChaCha20-Poly1305 remains (forward secrecy and authenticated encryption), and TLS 1.0/1.1 are refused.
`HardenedConfig` applies this to every context uvicorn builds, in each worker process too.

Plain HTTP is served only on a loopback address (a reverse proxy on the same machine, tests) unless the
operator says `--insecure-http`: `plain_http_refusal` gives the message a start refuses with.
"""
from __future__ import annotations

import ipaddress
import ssl

import uvicorn

from sync_server.edge.peer import RecordPeer

# Named one by one (a pattern such as "ECDHE+AESGCM" depends on OpenSSL's aliases); checked in `harden`.
TLS12_SUITES = ("ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305",
                "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256")
CIPHERS = ":".join(TLS12_SUITES)


def harden(context: ssl.SSLContext) -> ssl.SSLContext:
    """TLS 1.2 at least, AEAD suites only for 1.2, the server's order, no compression or renegotiation."""
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers(CIPHERS)
    context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE | ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION
    weak = [c["name"] for c in context.get_ciphers()
            if c["protocol"] != "TLSv1.3" and not c.get("aead", False)]
    if weak:  # an OpenSSL that mapped a name differently: refuse to start rather than serve it
        raise RuntimeError(f"non-AEAD TLS 1.2 suites would be offered: {weak}")
    return context


class HardenedConfig(uvicorn.Config):
    """uvicorn's configuration with `harden` applied to its TLS context once it is built, and the connection's
    peer address kept before uvicorn's proxy headers replace it (edge/peer.py)."""

    def load(self) -> None:
        """Build as uvicorn does, then restrict the context."""
        super().load()
        if self.ssl is not None:
            harden(self.ssl)
        self.loaded_app = RecordPeer(self.loaded_app)


def is_loopback(host: str) -> bool:
    """Whether binding `host` serves this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_refusal(host: str, tls: bool, insecure_http: bool) -> str | None:
    """Why a start must refuse (None: it may serve): plain HTTP off loopback without --insecure-http."""
    if tls or insecure_http or is_loopback(host):
        return None
    return (f"拒绝以明文 HTTP 在 {host} 上提供服务：请先运行 python -m sync_server tls init --data-dir 数据目录 "
            f"--host 主机名，或给出 --tls-cert/--tls-key；确需明文（例如其前有终止 TLS 的反向代理）时加 "
            f"--insecure-http。 / refusing plain HTTP on {host}: make a certificate (tls init) or pass "
            f"--tls-cert/--tls-key; add --insecure-http only if something in front terminates TLS.")
