"""Keys, CSRs and certificates for the client-certificate tests (issue 20): made as a unit's system makes them
(its own key, a CSR signed by it), plus the agency CA from `tls init` and a second, foreign CA."""
from __future__ import annotations

import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from sync_server.edge.tls import TlsFiles, init_tls

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def ec_key(curve: ec.EllipticCurve | None = None) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(curve or ec.SECP256R1())


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def csr_pem(key: PrivateKey, common_name: str = "longxi-system") -> bytes:
    """What `openssl req -new -key unit.key -subj /CN=…` writes."""
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
           .sign(key, hashes.SHA256()))
    return csr.public_bytes(serialization.Encoding.PEM)


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def agency_ca(root: Path, now: datetime | None = None) -> TlsFiles:
    """The agency CA and a server certificate, as `python -m sync_server tls init` makes them."""
    return init_tls(root, ("127.0.0.1",), now or datetime.now(UTC))


def escaped(pem: str | bytes) -> str:
    """A certificate as nginx forwards it ($ssl_client_escaped_cert)."""
    return urllib.parse.quote(pem if isinstance(pem, str) else pem.decode("ascii"), safe="")


def fingerprint(pem: str | bytes) -> str:
    raw = pem.encode() if isinstance(pem, str) else pem
    return x509.load_pem_x509_certificate(raw).fingerprint(hashes.SHA256()).hex()
