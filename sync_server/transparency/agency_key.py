"""The agency's Ed25519 server key: signs log checkpoints, dossier manifests and electronic report seals.

Generated once into the data dir (`agency_key.pem`, mode 0600, PKCS#8) with its public key exported beside
it (`agency_key.pub`: 32 raw bytes in base64, and its key id). Give the public key or its key id to
anyone who must verify a dossier: that, not the copy inside a dossier, is the trust anchor.
"""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from schemas.seal import key_id, public_key_bytes

PRIVATE_FILE = "agency_key.pem"
PUBLIC_FILE = "agency_key.pub"


@dataclass(frozen=True)
class AgencyKey:
    """The private key, its raw public bytes and its key id."""

    private: Ed25519PrivateKey
    public_raw: bytes

    @property
    def key_id(self) -> str:
        """First 16 hex digits of SHA-256 of the raw public key (as for surveyors' keys)."""
        return key_id(self.public_raw)

    @property
    def public_b64(self) -> str:
        """The raw public key in base64."""
        return base64.b64encode(self.public_raw).decode("ascii")

    def sign(self, message: bytes) -> str:
        """An Ed25519 signature over message, in base64."""
        return base64.b64encode(self.private.sign(message)).decode("ascii")


def load_or_create(data_dir: Path) -> AgencyKey:
    """The data dir's agency key, generated on first use."""
    path = data_dir / PRIVATE_FILE
    if path.exists():
        loaded = load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 key")
        private = loaded
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        tmp = path.with_name(f".{PRIVATE_FILE}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        os.replace(tmp, path)
    key = AgencyKey(private, public_key_bytes(private.public_key()))
    (data_dir / PUBLIC_FILE).write_text(f"{key.public_b64}\nkey_id {key.key_id}\n", encoding="ascii")
    return key
