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
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from schemas import checkpoint as note
from schemas.seal import key_id, public_key_bytes
from sync_server.settings import Settings

PRIVATE_FILE = "agency_key.pem"
PUBLIC_FILE = "agency_key.pub"


class Signer(Protocol):
    """What signs for the agency: an Ed25519 private key in memory, or one held in a PKCS#11 token."""

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True)
class AgencyKey:
    """The private key (or the token holding it), its raw public bytes and its key id; `data_dir`, when
    set, is where it remembers the checkpoints it signed (transparency/memory.py): a key loaded for a
    server always has one, so it never signs a checkpoint unchecked."""

    private: Signer
    public_raw: bytes
    data_dir: Path | None = None

    @property
    def origin(self) -> str:
        """The origin line (and signer name) of the log's checkpoints."""
        return note.origin_of(self.key_id)

    @property
    def vkey(self) -> str:
        """The signed-note verifier key of the log's checkpoints (for standard witness tooling)."""
        return note.vkey(self.origin, self.public_raw)

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

    def sign_raw(self, message: bytes) -> bytes:
        """The raw 64-byte Ed25519 signature over message."""
        return self.private.sign(message)


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
    key = AgencyKey(private, public_key_bytes(private.public_key()), data_dir)
    (data_dir / PUBLIC_FILE).write_text(f"{key.public_b64}\nkey_id {key.key_id}\nvkey {key.vkey}\n", encoding="ascii")
    return key


def load_agency_key(settings: Settings) -> AgencyKey:
    """The agency key of a server with these settings."""
    return load_or_create(settings.data_dir)
