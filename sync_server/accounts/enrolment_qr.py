"""What an enrolment shows (issue 18): the QR payload (server URL, agency CA fingerprint, code, expiry;
schemas/devices.py) and the QR code itself, drawn on the server as inline SVG with segno (pure Python),
so the console page needs no script and no image request."""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from schemas.devices import ProvisioningPayload
from sync_server.edge.tls import TlsFiles
from sync_server.settings import Settings


def agency_ca_path(settings: Settings) -> Path | None:
    """The agency CA certificate tablets pin: `agency_ca_file`, or data_dir/tls/ca.crt; None without one."""
    path = Path(settings.agency_ca_file) if settings.agency_ca_file else TlsFiles.of(settings.data_dir).ca_cert
    return path if path.is_file() else None


def agency_ca_pem(settings: Settings) -> bytes | None:
    """The agency CA certificate as PEM (public: a tablet checks it against the QR's fingerprint)."""
    path = agency_ca_path(settings)
    if path is None:
        return None
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return cert.public_bytes(serialization.Encoding.PEM)


def ca_fingerprint(settings: Settings) -> str:
    """The SHA-256 fingerprint of the agency CA (lowercase hex), "" without one (loopback HTTP only)."""
    path = agency_ca_path(settings)
    return x509.load_pem_x509_certificate(path.read_bytes()).fingerprint(hashes.SHA256()).hex() if path else ""


def payload_for(settings: Settings, reached_at: str, code: str, expires_at: datetime) -> ProvisioningPayload:
    """The QR payload of one enrolment; the URL is `public_url`, else the one the console was reached at."""
    url = (settings.public_url or reached_at).rstrip("/")
    return ProvisioningPayload(url=url, ca=ca_fingerprint(settings), code=code, exp=expires_at)


def qr_svg(text: str) -> str:
    """The QR code of `text` as an inline SVG element (error correction M, a quiet zone of 4 modules)."""
    import segno  # at the first QR drawn, not at the server's start

    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", scale=6, border=4, dark="#000", light="#fff",
                                                  xmldecl=False, svgns=True, title="设备登记二维码", nl=False)
    return out.getvalue().decode("utf-8")
