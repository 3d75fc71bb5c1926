"""Where the agency's signing key lives, protected at rest (issue 17), chosen by the settings:

- `agency_key_store = "file"` (default): `agency_key.pem` in the data folder, PKCS#8, encrypted with
  `agency_key_passphrase` (environment `SYNC_AGENCY_KEY_PASSPHRASE`) whenever one is set: a new key is
  written encrypted, and an existing plain key is re-written encrypted the first time a passphrase is set.
  Without a passphrase the key stays plain and every load says so in the server log.
- `agency_key_store = "pkcs11"`: the key never leaves a PKCS#11 token (an HSM, a smart card; SoftHSM2 in
  the tests): `pkcs11_module` (the token's library), `pkcs11_token` (its label), `pkcs11_pin`
  (`SYNC_PKCS11_PIN`), `pkcs11_key_label`. An Ed25519 key pair of that label is made on the token the
  first time (CKM_EC_EDWARDS_KEY_PAIR_GEN); signing is CKM_EDDSA.

Loading decrypts once per process (PBKDF2/scrypt would cost every request otherwise); a token session is
kept open and used by one thread at a time.
"""
from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

logger = logging.getLogger("sync_server.agency_key")
ED25519_OID = "1.3.101.112"


class AgencyKeyLocked(RuntimeError):
    """The agency key cannot be opened: no passphrase or PIN, a wrong one, or no such token or key."""


def _write(path: Path, key: Ed25519PrivateKey, passphrase: str) -> None:
    encryption = BestAvailableEncryption(passphrase.encode("utf-8")) if passphrase else NoEncryption()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, encryption)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def is_encrypted(path: Path) -> bool:
    """Whether the PEM file holds an encrypted PKCS#8 key."""
    return path.read_bytes().lstrip().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")


def file_key(path: Path, passphrase: str) -> Ed25519PrivateKey:
    """The key in `path` (made on first use), encrypted at rest when a passphrase is given."""
    return _file_key(path, passphrase, path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=8)
def _file_key(path: Path, passphrase: str, _mtime: int) -> Ed25519PrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        _write(path, key, passphrase)
        if not passphrase:
            logger.warning("agency key created UNENCRYPTED in %s: set SYNC_AGENCY_KEY_PASSPHRASE", path)
        return key
    encrypted = is_encrypted(path)
    if encrypted and not passphrase:
        raise AgencyKeyLocked(f"机构签名密钥 {path} 已加密，请设置口令（环境变量 SYNC_AGENCY_KEY_PASSPHRASE）/ "
                              "the agency key is encrypted: set SYNC_AGENCY_KEY_PASSPHRASE")
    try:
        loaded = load_pem_private_key(path.read_bytes(), password=passphrase.encode("utf-8") if encrypted else None)
    except (ValueError, TypeError) as error:
        raise AgencyKeyLocked(f"机构签名密钥 {path} 无法打开：口令不正确或文件已损坏 / "
                              f"cannot open the agency key (wrong passphrase or damaged file): {error}") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise AgencyKeyLocked(f"{path} is not an Ed25519 key")
    if not encrypted and passphrase:
        _write(path, loaded, passphrase)
        logger.warning("agency key in %s was plain: now encrypted with the configured passphrase", path)
    elif not encrypted:
        logger.warning("agency key in %s is stored UNENCRYPTED: set SYNC_AGENCY_KEY_PASSPHRASE", path)
    return loaded


class Pkcs11Signer:
    """An Ed25519 key held in a PKCS#11 token: signs there, gives its public key."""

    def __init__(self, module: str, token_label: str, pin: str, key_label: str) -> None:
        try:
            import pkcs11
            from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
            from pkcs11.util.ec import encode_named_curve_parameters
        except ImportError as error:  # declared in pyproject.toml; a trimmed install may lack it
            raise AgencyKeyLocked(f"PKCS#11 needs python-pkcs11: {error}") from None
        self._mechanism, self._lock = Mechanism.EDDSA, threading.Lock()
        try:
            token = pkcs11.lib(module).get_token(token_label=token_label)
            self._session: Any = token.open(user_pin=pin, rw=True)
        except (pkcs11.PKCS11Error, RuntimeError, OSError) as error:
            raise AgencyKeyLocked(f"无法打开 PKCS#11 令牌 {token_label!r}（{module}）/ cannot open the token: "
                                  f"{type(error).__name__} {error}") from None
        found = list(self._session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                                Attribute.LABEL: key_label}))
        self._private: Any
        if found:
            self._private = found[0]
            public = next(self._session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY,
                                                     Attribute.LABEL: key_label}))
        else:
            params = self._session.create_domain_parameters(KeyType.EC_EDWARDS, {
                Attribute.EC_PARAMS: encode_named_curve_parameters(ED25519_OID)}, local=True)
            public, self._private = params.generate_keypair(store=True, label=key_label,
                                                            mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN)
            logger.warning("agency key %r generated in PKCS#11 token %r", key_label, token_label)
        point = bytes(public[Attribute.EC_POINT])
        self.public_raw = point[-32:] if len(point) == 34 and point[:2] == b"\x04\x20" else point

    def sign(self, data: bytes) -> bytes:
        """The token's Ed25519 signature over data."""
        with self._lock:
            return bytes(self._private.sign(data, mechanism=self._mechanism))


@lru_cache(maxsize=4)
def pkcs11_signer(module: str, token_label: str, pin: str, key_label: str) -> Pkcs11Signer:
    """One open signer per token and key, for the life of the process."""
    return Pkcs11Signer(module, token_label, pin, key_label)
