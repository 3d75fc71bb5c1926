"""The agency's own certificate authority and the server's certificate (issue 5 §6).

`python -m sync_server tls init --data-dir DIR` makes, under DIR/tls/, the agency CA (ca.key, ca.crt;
kept if present) and a server certificate for 127.0.0.1 and localhost (plus any --host) signed by it
(server.key, server.crt). Tablets are given ca.crt and trust nothing else. Keys are EC P-256, written
owner-only. Built with `cryptography`'s X.509 API (pyOpenSSL's certificate API is deprecated by its authors).
"""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sync_server.ops.privacy import make_private_dir

DEFAULT_HOSTS = ("127.0.0.1", "localhost")
CA_DAYS, SERVER_DAYS = 3650, 397  # browsers cap server certificates at 398 days
AGENCY = "核查外勤 社会救助家庭经济状况核查机构"


@dataclass(frozen=True)
class TlsFiles:
    """Where a data dir keeps its CA and server certificate."""

    directory: Path

    @classmethod
    def of(cls, data_dir: Path) -> TlsFiles:
        """The TLS files of a server data dir (DIR/tls/)."""
        return cls(Path(data_dir) / "tls")

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def server_key(self) -> Path:
        return self.directory / "server.key"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.crt"

    def ready(self) -> bool:
        """Whether a server certificate and key are in place."""
        return self.server_cert.is_file() and self.server_key.is_file()


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, 0o600)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, AGENCY),
                      x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _make_ca(files: TlsFiles, now: datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("核查外勤 机构根证书 / field evidence agency CA")
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=True, crl_sign=True, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    _write_key(files.ca_key, key)
    files.ca_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def _load_ca(files: TlsFiles) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError(f"{files.ca_key} is not an EC key")
    return key, x509.load_pem_x509_certificate(files.ca_cert.read_bytes())


def _alt_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def issue_server_cert(files: TlsFiles, hosts: tuple[str, ...], now: datetime) -> x509.Certificate:
    """A fresh server key and certificate for these host names/addresses, signed by the CA."""
    ca_key, ca_cert = _load_ca(files)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(hosts[0])).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=SERVER_DAYS))
            .add_extension(x509.SubjectAlternativeName([_alt_name(h) for h in hosts]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=True,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    _write_key(files.server_key, key)
    files.server_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert


def init_tls(data_dir: Path, hosts: tuple[str, ...] = DEFAULT_HOSTS, now: datetime | None = None) -> TlsFiles:
    """Make the CA if missing, and a new server certificate for `hosts` (127.0.0.1 and localhost always)."""
    files = TlsFiles.of(data_dir)
    make_private_dir(files.directory)  # the data folder too, if this makes it (privacy.py)
    os.chmod(files.directory, 0o700)
    now = now or datetime.now(UTC)
    if not (files.ca_key.is_file() and files.ca_cert.is_file()):
        _make_ca(files, now)
    issue_server_cert(files, tuple(dict.fromkeys((*DEFAULT_HOSTS, *hosts))), now)
    return files


def fingerprint(cert_path: Path) -> str:
    """SHA-256 fingerprint of a PEM certificate, as colon-separated hex (to compare by phone or on paper)."""
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()
