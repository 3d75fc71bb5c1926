"""The agency's Ed25519 server key: signs log checkpoints, dossier manifests and electronic report seals.

Generated once into the data dir (`agency_key.pem`, mode 0600, PKCS#8, passphrase-encrypted when one is
set) or held in a PKCS#11 token (transparency/key_store.py), with its public key exported beside it
(`agency_key.pub`: 32 raw bytes in base64, its key id and its signed-note verifier key). Give the public key or its
key id to anyone who must verify a dossier: that, not the copy inside a dossier, is the trust anchor.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from schemas import checkpoint as note
from schemas.seal import key_id, public_key_bytes
from sync_server.settings import Settings
from sync_server.transparency.key_store import AgencyKeyLocked, file_key, pkcs11_signer

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


def load_or_create(data_dir: Path, passphrase: str = "") -> AgencyKey:
    """The data dir's agency key file (transparency/key_store.py: generated on first use, encrypted at rest
    with the passphrase when one is given, a plain one migrated)."""
    private = file_key(data_dir / PRIVATE_FILE, passphrase)
    return _published(AgencyKey(private, public_key_bytes(private.public_key()), data_dir))


def load_agency_key(settings: Settings) -> AgencyKey:
    """The agency key of a server with these settings: the passphrase-protected file, or a PKCS#11 token."""
    if settings.agency_key_store == "pkcs11":
        signer = pkcs11_signer(settings.pkcs11_module, settings.pkcs11_token, settings.pkcs11_pin,
                               settings.pkcs11_key_label)
        return _published(AgencyKey(signer, signer.public_raw, settings.data_dir))
    if settings.agency_key_store != "file":
        raise AgencyKeyLocked(f"unknown agency_key_store {settings.agency_key_store!r} (file or pkcs11)")
    return load_or_create(settings.data_dir, settings.agency_key_passphrase)


def _published(key: AgencyKey) -> AgencyKey:
    """Write the public half beside the data (base64, key id, signed-note verifier key) if it changed."""
    assert key.data_dir is not None
    path, text = key.data_dir / PUBLIC_FILE, f"{key.public_b64}\nkey_id {key.key_id}\nvkey {key.vkey}\n"
    if not path.exists() or path.read_text(encoding="ascii") != text:
        path.write_text(text, encoding="ascii")
    return key
