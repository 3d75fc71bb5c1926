"""The entrusting units' client certificates (issue 20): issued, registered, revoked, and matched to a unit.

Two ways to issue, one record: when this server holds the agency CA key (`unit_ca_key_file`) the administrator
uploads the unit's CSR and the server signs it at once; otherwise (the deployment default: deploy/README.md
keeps ca.key offline) the administrator signs on the CA machine with `python -m sync_server tls sign-unit` and
uploads the certificate, which is checked against the agency CA before it is bound. Either way the unit's
SHA-256 fingerprint, serial and expiry are recorded, the event is in the audit log (as key rotation is), and
a unit may hold several at once (rotation). Revoking takes effect on the next request: every request looks
its certificate up here.

Authentication (`authenticate`): nginx has already verified the certificate against the agency CA; this
looks its fingerprint up and refuses unknown (exchange.cert_invalid), revoked and expired ones, or a unit
that is stopped. The headers are believed only from a trusted proxy (`trusted_proxy`)."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from sqlmodel import Session, col, select

from schemas.problems import Code, ProblemError
from sync_server.accounts.enrolment_qr import agency_ca_path
from sync_server.edge import client_certs
from sync_server.office.exchange_units import _require_admin, unit_of
from sync_server.settings import Settings
from sync_server.tables import Account, ExchangeUnit, UnitCertificate
from sync_server.transparency import audit

VERIFY_HEADER = "x-client-verify"  # nginx's $ssl_client_verify: SUCCESS, NONE or FAILED:<reason>
CERT_HEADER = "x-client-cert"  # nginx's $ssl_client_escaped_cert (URL-escaped PEM)
SIGN_COMMAND = ("python -m sync_server tls sign-unit --data-dir <机构 CA 目录> --unit-id {unit_id} "
                "--unit-name '{unit_name}' --csr <单位的 CSR 文件> --out {unit_id}.crt")


@dataclass(frozen=True)
class AgencyCa:
    """The agency CA certificate this server knows, and its key if the server may sign with it."""

    cert: x509.Certificate
    key_pem: bytes | None

    @classmethod
    def of(cls, settings: Settings) -> AgencyCa:
        path = agency_ca_path(settings)
        if path is None:
            raise ProblemError(Code.VALIDATION,
                               "本服务器未配置机构 CA 证书（SYNC_AGENCY_CA_FILE），无法签发或登记客户端证书")
        key = Path(settings.unit_ca_key_file) if settings.unit_ca_key_file else None
        if key is not None and not key.is_file():
            raise ProblemError(Code.VALIDATION, f"SYNC_UNIT_CA_KEY_FILE 指向的机构 CA 私钥 {key} 不存在或不可读")
        return cls(x509.load_pem_x509_certificate(path.read_bytes()), key.read_bytes() if key is not None else None)


def _record(session: Session, actor: Account, unit: ExchangeUnit, facts: client_certs.CertFacts, now: datetime,
            how: str) -> UnitCertificate:
    if session.get(UnitCertificate, facts.fingerprint) is not None:
        raise ProblemError(Code.ALREADY_EXISTS, "该证书已登记")
    row = UnitCertificate(fingerprint=facts.fingerprint, unit_id=unit.id, serial=facts.serial, subject=facts.subject,
                          not_before=facts.not_before, not_after=facts.not_after, pem=facts.pem, issued_at=now,
                          issued_by=actor.username)
    session.add(row)
    session.flush()
    audit.log(session, "exchange.cert_issued", now, actor.username, None, subject=unit.id, how=how,
              fingerprint=facts.fingerprint, serial=facts.serial, not_after=facts.not_after.isoformat())
    return row


def issue(session: Session, actor: Account, unit_id: str, csr_pem: bytes | str, ca: AgencyCa,
          now: datetime) -> UnitCertificate:
    """Sign the unit's CSR with the agency CA held by this server (administrators only); without the key, a
    request.invalid that tells the administrator the offline command."""
    _require_admin(actor)
    unit = unit_of(session, unit_id)
    csr = client_certs.load_csr(csr_pem)
    if ca.key_pem is None:
        raise ProblemError(Code.VALIDATION, "证书请求有效，但本服务器不保存机构 CA 私钥：请在 CA 所在计算机上执行 "
                           + SIGN_COMMAND.format(unit_id=unit.id, unit_name=unit.name)
                           + "，再在此「登记已签发的证书」")
    try:
        ca_key = client_certs.load_ca_key(ca.key_pem)
    except (TypeError, ValueError):
        raise ProblemError(Code.VALIDATION,
                           "SYNC_UNIT_CA_KEY_FILE 不是 tls init 生成的机构 CA 私钥（未加密的 EC 密钥）") from None
    cert = client_certs.sign_csr(csr, ca_key, ca.cert, unit.id, unit.name, now)
    return _record(session, actor, unit, client_certs.facts_of(cert), now, "signed")


def register(session: Session, actor: Account, unit_id: str, cert_pem: bytes | str, ca: AgencyCa,
             now: datetime) -> UnitCertificate:
    """Bind a certificate signed offline (`tls sign-unit`) to the unit, after checking it (administrators only)."""
    _require_admin(actor)
    unit = unit_of(session, unit_id)
    return _record(session, actor, unit, client_certs.check_issued(cert_pem, ca.cert, unit.id, now), now, "registered")


def revoke(session: Session, actor: Account, fingerprint: str, now: datetime) -> UnitCertificate:
    """Stop a certificate at once (administrators only); revoking again changes nothing."""
    _require_admin(actor)
    row = session.get(UnitCertificate, fingerprint)
    if row is None:
        raise ProblemError(Code.NOT_FOUND, "该证书未登记")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = now, actor.username
        session.add(row)
        audit.log(session, "exchange.cert_revoked", now, actor.username, None, subject=row.unit_id,
                  fingerprint=row.fingerprint, serial=row.serial)
    return row


def certificates(session: Session, unit_id: str | None = None) -> list[UnitCertificate]:
    """A unit's certificates (or every unit's), newest first."""
    query = select(UnitCertificate).order_by(col(UnitCertificate.issued_at).desc())
    if unit_id is not None:
        query = query.where(UnitCertificate.unit_id == unit_id)
    return list(session.exec(query))


@cache
def _networks(setting: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    out = []
    for part in setting.split(","):
        try:
            out.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            continue  # not an address: trusts nothing (the refusal names the setting)
    return tuple(out)


def trusted_proxy(settings: Settings, host: str) -> bool:
    """Whether a request from `host` came from a proxy whose certificate headers are believed."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in _networks(settings.exchange_cert_proxies))


def authenticate(session: Session, verify: str, escaped_cert: str, now: datetime) -> ExchangeUnit | None:
    """The unit whose certificate nginx verified, None when none was presented (verify NONE), else a problem."""
    if verify in ("", "NONE") and not escaped_cert:
        return None
    if verify != "SUCCESS":
        raise ProblemError(Code.EXCHANGE_CERT_INVALID, f"代理未能验证客户端证书（{verify[:120] or '无结果'}）")
    cert = client_certs.from_header(escaped_cert)
    if cert is None:
        raise ProblemError(Code.EXCHANGE_CERT_INVALID, "代理转发的客户端证书无法读取")
    row = session.get(UnitCertificate, cert.fingerprint(hashes.SHA256()).hex())
    if row is None:
        raise ProblemError(Code.EXCHANGE_CERT_INVALID, "该证书未在本机构登记")
    if row.revoked_at is not None:
        raise ProblemError(Code.EXCHANGE_CERT_REVOKED, f"证书序列号 {row.serial} 已于 {row.revoked_at:%Y-%m-%d} 吊销")
    if not row.not_before <= now < row.not_after:
        raise ProblemError(Code.EXCHANGE_CERT_EXPIRED, f"证书序列号 {row.serial} 有效期至 {row.not_after:%Y-%m-%d}")
    unit = session.get(ExchangeUnit, row.unit_id)
    if unit is None or not unit.active:
        raise ProblemError(Code.EXCHANGE_KEY_INVALID, "该委托单位接口已停用")
    return unit
