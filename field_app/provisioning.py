"""Provisioning the tablet from the console's enrolment QR code (issue 18), and where it is kept.

The payload (schemas/devices.py) names the server, the SHA-256 fingerprint of the agency CA and a one-time
code. The tablet fetches the CA certificate from the server over a connection it does not yet trust, and
accepts it only if its fingerprint is the one in the QR code (which came from the office, by sight); it
then registers over HTTPS pinned to that CA (field_app/sync/tls.py), so a server presenting a certificate
of another CA is refused too. The result is kept in the data folder (`provisioning.json` and
`agency-ca.pem`): a wipe removes it with everything else, and the tablet is a fresh one again.

A tablet configured by environment (FIELD_SERVER_URL, FIELD_CA_FILE: the tests, `make run`) counts as
provisioned without any of this.
"""
from __future__ import annotations

import io
import json
import os
import ssl
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from field_app.sync.client import ServerProblem, ServerUnreachable, ServerUntrusted, SyncClient
from field_app.sync.tls import InsecureServerUrl, check_server_url
from schemas.devices import DeviceEnrolled, ProvisioningPayload, ca_fingerprint
from schemas.problems import chinese_message
from schemas.protocol import API_PREFIX

PROVISIONING_FILE = "provisioning.json"
CA_FILE = "agency-ca.pem"
APP_VERSION = "0.1.0"


class ProvisioningRefused(Exception):
    """Provisioning did not happen; the message is Chinese, for the screen. Nothing was kept."""


@dataclass(frozen=True)
class Provisioning:
    """What the tablet keeps of its enrolment."""

    server_url: str
    ca_sha256: str  # "" only for a loopback http server (development)
    device_id: str
    office_name: str
    org_id: str
    team_id: str
    enrolled_at: str  # ISO 8601, UTC

    def ca_file(self, data_dir: Path) -> Path | None:
        return Path(data_dir) / CA_FILE if self.ca_sha256 else None


def load(data_dir: Path) -> Provisioning | None:
    """The tablet's provisioning, or None if it was never provisioned (or was wiped)."""
    path = Path(data_dir) / PROVISIONING_FILE
    if not path.is_file():
        return None
    try:
        return Provisioning(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None  # a damaged file: provision again rather than trust it


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def fetch_ca(url: str, expected_sha256: str, timeout: float = 15.0) -> bytes:
    """The agency CA certificate (PEM) the server hands out, if its SHA-256 is the one expected."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # checked by fingerprint below
    try:
        reply = httpx.get(f"{url.rstrip('/')}{API_PREFIX}/enrolment/ca", verify=context, timeout=timeout)
    except httpx.TransportError as exc:
        raise ProvisioningRefused(f"无法连接服务器 {url}，请检查网络后重试") from exc
    if reply.status_code != 200:
        raise ProvisioningRefused(f"服务器未提供机构 CA 证书（HTTP {reply.status_code}）")
    try:
        cert = x509.load_pem_x509_certificate(reply.content)
    except ValueError as exc:
        raise ProvisioningRefused("服务器提供的机构 CA 证书无法识别，已拒绝登记") from exc
    if ca_fingerprint(cert.public_bytes(serialization.Encoding.DER)) != expected_sha256:
        raise ProvisioningRefused("服务器出示的机构 CA 证书与二维码中的指纹不符，可能不是本机构的服务器，已拒绝登记")
    return cert.public_bytes(serialization.Encoding.PEM)


def provision(payload: ProvisioningPayload, data_dir: Path, client: SyncClient,
              now: datetime | None = None) -> Provisioning:
    """Pin the payload's CA, register this tablet with its code, keep the result; `client` (this tablet's
    sync client) talks to the new server from then on. Refused (nothing kept) with a Chinese message."""
    now = now or datetime.now(UTC)
    if payload.exp <= now:
        raise ProvisioningRefused("登记二维码已过期，请管理员在控制台重新生成")
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    ca_path = data_dir / CA_FILE
    pending = ca_path.with_name(f".{CA_FILE}.pending")
    try:
        if payload.ca:
            _write(pending, fetch_ca(payload.url, payload.ca))
        enrolled = _register(payload, pending if payload.ca else None, client.device_id)
    except BaseException:
        pending.unlink(missing_ok=True)
        raise
    if payload.ca:
        os.replace(pending, ca_path)
    kept = Provisioning(server_url=payload.url, ca_sha256=payload.ca, device_id=enrolled.device_id,
                        office_name=enrolled.office_name, org_id=enrolled.org_id, team_id=enrolled.team_id,
                        enrolled_at=now.isoformat())
    _write(data_dir / PROVISIONING_FILE, json.dumps(asdict(kept), ensure_ascii=False).encode("utf-8"))
    client.retarget(payload.url, kept.ca_file(data_dir))
    return kept


def _register(payload: ProvisioningPayload, ca_file: Path | None, device_id: str) -> DeviceEnrolled:
    """Register with the code over HTTPS pinned to `ca_file`; refusals as `ProvisioningRefused`."""
    try:
        check_server_url(payload.url, ca_file)
        trial = SyncClient(payload.url, ca_file=ca_file, device_id=device_id)
        try:
            return trial.enrol_device(payload.code, APP_VERSION)
        finally:
            trial.close()
    except InsecureServerUrl as refused:
        raise ProvisioningRefused(str(refused)) from None
    except ServerUntrusted:
        raise ProvisioningRefused("服务器的证书不是二维码所指的机构 CA 签发的，已拒绝登记") from None
    except ServerUnreachable as exc:
        raise ProvisioningRefused(f"无法连接服务器 {payload.url}，请检查网络后重试") from exc
    except ServerProblem as problem:
        raise ProvisioningRefused(chinese_message(problem.code, problem.detail)) from None


def decode_qr(image_bytes: bytes) -> str | None:
    """The text of the first QR code in a camera frame (JPEG/PNG bytes), or None (zxing-cpp). Where
    zxing-cpp has no build (a platform without its wheel) this refuses, and the payload is typed instead."""
    try:
        import zxingcpp
    except ImportError:
        raise ProvisioningRefused("本机无法识别二维码图像，请粘贴或输入二维码下方的登记内容") from None
    from PIL import Image

    with Image.open(io.BytesIO(image_bytes)) as image:
        found = [b for b in zxingcpp.read_barcodes(image.convert("L")) if b.format == zxingcpp.BarcodeFormat.QRCode]
    return found[0].text if found else None
