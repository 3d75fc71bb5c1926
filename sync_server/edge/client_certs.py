"""Client certificates for the entrusting units' systems (issue 20), the X.509 part only (no database).

The unit keeps its private key: its system makes a key and a CSR (docs/EXCHANGE.md gives the openssl line),
the agency checks the CSR (its self-signature; EC P-256/P-384 or RSA of at least 2048 bits) and signs it with
the agency CA (edge/tls.py keeps the CA) as a client certificate: clientAuth only, no CA bit, one year,
subject naming the unit (O = the agency, OU = 委托单位接口, CN = the unit's name, UID = its registered id).
The CA key normally stays offline: `python -m sync_server tls sign-unit` signs there and the administrator
registers the result on the console, which checks it with `check_issued` as strictly as its own signing.

nginx verifies a presented certificate against the agency CA and forwards it URL-escaped
(`$ssl_client_escaped_cert`); `from_header` reads it back. Fingerprints are SHA-256 of the DER bytes."""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from schemas.problems import Code, ProblemError
from sync_server.edge.tls import AGENCY, TlsFiles

UNIT_CERT_DAYS = 365
UNIT_OU = "委托单位接口"
MAX_PEM_BYTES = 16 * 1024
_CURVES = (ec.SECP256R1, ec.SECP384R1)
MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class CertFacts:
    """What the server records of a unit's certificate."""

    fingerprint: str  # lower-case hex SHA-256 of the DER bytes
    serial: str  # upper-case hex
    subject: str
    unit_id: str  # the UID in the subject
    not_before: datetime
    not_after: datetime
    pem: str


def _bad(detail: str) -> ProblemError:
    return ProblemError(Code.VALIDATION, detail)


def _check_key(key: object) -> None:
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, _CURVES):
            raise _bad(f"证书请求的椭圆曲线 {key.curve.name} 不受支持：请使用 P-256 或 P-384")
        return
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise _bad(f"证书请求的 RSA 密钥只有 {key.key_size} 位：至少需要 {MIN_RSA_BITS} 位")
        return
    raise _bad("证书请求的密钥类型不受支持：请使用 EC P-256、P-384 或 RSA（至少 2048 位）")


def load_csr(data: bytes | str) -> x509.CertificateSigningRequest:
    """A CSR in PEM (or DER) with a valid self-signature and an accepted key, or request.invalid in Chinese."""
    raw = data.encode() if isinstance(data, str) else data
    if not raw.strip():
        raise _bad("请选择证书请求文件（CSR，PEM 格式，openssl req -new 生成）")
    if len(raw) > MAX_PEM_BYTES:
        raise _bad("证书请求文件过大：不是 CSR")
    try:
        csr = (x509.load_pem_x509_csr(raw) if b"-----BEGIN" in raw else x509.load_der_x509_csr(raw))
    except ValueError:
        raise _bad("无法读取证书请求：请上传 openssl req -new 生成的 CSR（PEM 格式，"
                   "以 -----BEGIN CERTIFICATE REQUEST----- 开头）") from None
    try:
        valid = csr.is_signature_valid
    except (ValueError, TypeError, InvalidSignature):
        valid = False
    if not valid:
        raise _bad("证书请求的签名无效：文件可能被改动，或不是用对应私钥生成的")
    try:
        key = csr.public_key()
    except (ValueError, TypeError):
        raise _bad("证书请求的公钥无法读取") from None
    _check_key(key)
    return csr


def unit_subject(unit_id: str, unit_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, AGENCY),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, UNIT_OU),
                      x509.NameAttribute(NameOID.COMMON_NAME, unit_name[:64]),
                      x509.NameAttribute(NameOID.USER_ID, unit_id)])


def sign_csr(csr: x509.CertificateSigningRequest, ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate,
             unit_id: str, unit_name: str, now: datetime, days: int = UNIT_CERT_DAYS) -> x509.Certificate:
    """The unit's client certificate: the CSR's key under a subject the agency sets (whatever the CSR asked)."""
    key = csr.public_key()
    _check_key(key)
    return (x509.CertificateBuilder().subject_name(unit_subject(unit_id, unit_name)).issuer_name(ca_cert.subject)
            .public_key(key).serial_number(x509.random_serial_number())  # type: ignore[arg-type]
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=isinstance(key, rsa.RSAPublicKey),
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)  # type: ignore[arg-type]
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))


def load_ca_key(ca_key_pem: bytes) -> ec.EllipticCurvePrivateKey:
    """The agency CA key as `tls init` writes it (EC, PKCS#8, unencrypted: kept on an offline machine)."""
    key = serialization.load_pem_private_key(ca_key_pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError("the agency CA key is not an EC key")
    return key


def facts_of(cert: x509.Certificate) -> CertFacts:
    uid = cert.subject.get_attributes_for_oid(NameOID.USER_ID)
    return CertFacts(fingerprint=cert.fingerprint(hashes.SHA256()).hex(), serial=f"{cert.serial_number:X}",
                     subject=cert.subject.rfc4514_string(), unit_id=str(uid[0].value) if uid else "",
                     not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
                     pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))


def check_issued(data: bytes | str, ca_cert: x509.Certificate, unit_id: str, now: datetime) -> CertFacts:
    """A certificate signed offline (`tls sign-unit`), checked before it is bound to `unit_id`: issued by the
    agency CA, a client certificate (clientAuth, no CA bit), for this unit, within its validity, key accepted."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        cert = x509.load_pem_x509_certificate(raw) if b"-----BEGIN" in raw else x509.load_der_x509_certificate(raw)
    except ValueError:
        raise _bad("无法读取证书：请上传 tls sign-unit 签发的证书（PEM 格式）") from None
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        raise _bad("该证书不是本机构 CA 签发的") from None
    try:
        ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        raise _bad("该证书不是客户端证书（缺少基本约束或扩展密钥用法）") from None
    if ca or ExtendedKeyUsageOID.CLIENT_AUTH not in usages:
        raise _bad("该证书不是客户端证书（须有 clientAuth 用途且不是 CA）")
    _check_key(cert.public_key())
    facts = facts_of(cert)
    if facts.unit_id != unit_id:
        raise _bad(f"该证书签发给委托单位接口「{facts.unit_id or '未注明'}」，不是「{unit_id}」")
    if not facts.not_before <= now < facts.not_after:
        raise _bad("该证书不在有效期内")
    return facts


def from_header(value: str) -> x509.Certificate | None:
    """The certificate nginx forwarded (`$ssl_client_escaped_cert`: URL-escaped PEM), or None if unreadable."""
    try:
        return x509.load_pem_x509_certificate(urllib.parse.unquote(value).encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None



def sign_unit_files(ca_dir: Path, csr_path: Path, unit_id: str, unit_name: str, out: Path,
                    now: datetime | None = None, days: int = UNIT_CERT_DAYS) -> CertFacts:
    """`python -m sync_server tls sign-unit`: on the machine holding the agency CA (`tls init`'s DIR/tls/),
    check the unit's CSR and write its client certificate to `out` (then registered on the console)."""
    files = TlsFiles.of(ca_dir)
    ca_key = load_ca_key(files.ca_key.read_bytes())
    ca_cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    cert = sign_csr(load_csr(csr_path.read_bytes()), ca_key, ca_cert, unit_id, unit_name,
                    now or datetime.now(UTC), days)
    facts = facts_of(cert)
    out.write_text(facts.pem, encoding="ascii")
    return facts
