"""TLS settings against `openssl s_client` (issue 17): TLS 1.3 is negotiated when offered; TLS 1.2 is
accepted with an AEAD suite only: the CBC suite ECDHE-ECDSA-AES256-SHA384 that uvicorn's default cipher
string allowed is refused, as are TLS 1.2 clients offering only CBC suites."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.sync_server.test_tls import https_server

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"  # `make system-deps` installs it


def s_client(base: str, ca: Path, *options: str) -> subprocess.CompletedProcess[str]:
    host_port = base.removeprefix("https://")
    return subprocess.run([OPENSSL, "s_client", "-connect", host_port, "-brief", "-CAfile", str(ca),
                           "-verify_return_error", "-verify_ip", "127.0.0.1", *options],
                          input="", capture_output=True, text=True, timeout=30, check=False)


def test_tls13_preferred_tls12_aead_only_and_the_cbc_suite_refused(tmp_path: Path):
    with https_server(tmp_path) as (base, files):
        preferred = s_client(base, files.ca_cert)
        assert preferred.returncode == 0, preferred.stderr
        assert "Protocol version: TLSv1.3" in preferred.stderr
        for suite in ("ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA",
                      "AES128-SHA:AES256-SHA:ECDHE-ECDSA-AES128-SHA"):
            cbc = s_client(base, files.ca_cert, "-tls1_2", "-cipher", suite)
            assert cbc.returncode != 0, (suite, cbc.stderr)  # an alert or the connection closed: no session
            assert "Ciphersuite" not in cbc.stderr and "Protocol version" not in cbc.stderr, (suite, cbc.stderr)
        for suite in ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                      "ECDHE-ECDSA-CHACHA20-POLY1305"):
            aead = s_client(base, files.ca_cert, "-tls1_2", "-cipher", suite)
            assert aead.returncode == 0, aead.stderr
            assert "Protocol version: TLSv1.2" in aead.stderr and f"Ciphersuite: {suite}" in aead.stderr
