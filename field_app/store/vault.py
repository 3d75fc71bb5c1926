"""Where the tablet's secrets live: a `KeyVault` holds the data key (from which the database,
evidence and file-name keys are derived) and a device secret (mixed into every PIN-wrapped
signing key), never in clear beside the data (R21, MASVS-STORAGE-1, MASVS-CRYPTO-2).

Two vaults:
- `SecureStorageVault` (field_app/store/secure_storage_vault.py): the platform keystore through
  flet-secure-storage (Android Keystore on a tablet).
- `DirectoryVault`: for web mode on a PC, where the browser is not the tablet. The keys sit in a
  separate directory (0700, files 0600) outside the data folder, by default under the OS user's
  config dir. It is a stand-in for the keystore: whoever can read that directory as that OS user
  has the keys (see ARCHITECTURE.md).
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
DATA_KEY = "data.key"
DEVICE_SECRET = "device.secret"


class KeyVault(Protocol):
    """The platform's secure storage, as the tablet's store needs it."""

    def data_key(self) -> bytes:
        """The 32-byte data key, created on first use."""
        ...

    def device_secret(self) -> bytes:
        """A 32-byte secret of this device (never on the data disk), created on first use."""
        ...


def subkey(vault: KeyVault, purpose: str) -> bytes:
    """A 32-byte key for one purpose ("sqlcipher", "evidence", "evidence-names"), from the data key."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                info=f"field_app/{purpose}".encode()).derive(vault.data_key())


def default_key_dir() -> Path:
    """`$XDG_CONFIG_HOME/field_app/keys` (or ~/.config/field_app/keys): the web-mode vault."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "field_app" / "keys"


class DirectoryVault:
    """Keys in files of their own directory (0700), outside the data folder; web mode's stand-in."""

    def __init__(self, key_dir: Path, data_dir: Path | None = None) -> None:
        self.key_dir = Path(key_dir).expanduser().resolve()
        if data_dir is not None and self.key_dir.is_relative_to(Path(data_dir).expanduser().resolve()):
            raise ValueError("密钥目录不能位于数据目录之内（密钥不能与数据放在一起）")
        self._cache: dict[str, bytes] = {}

    def _secret(self, name: str) -> bytes:
        if name in self._cache:
            return self._cache[name]
        self.key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.key_dir, 0o700)
        path = self.key_dir / name
        if not path.is_file():
            _write_new(path, secrets.token_bytes(KEY_BYTES))
        value = path.read_bytes()
        if len(value) != KEY_BYTES:
            raise ValueError(f"密钥文件已损坏：{path}")
        self._cache[name] = value
        return value

    def data_key(self) -> bytes:
        """The data key from `key_dir/data.key`."""
        return self._secret(DATA_KEY)

    def device_secret(self) -> bytes:
        """The device secret from `key_dir/device.secret`."""
        return self._secret(DEVICE_SECRET)

    def destroy(self) -> None:
        """Destroy both keys (a wipe, issue 18): every file of the key directory is shredded."""
        from field_app.store.wipe import shred_tree

        self._cache.clear()
        shred_tree(self.key_dir)


def _write_new(path: Path, value: bytes) -> None:
    """Create a 0600 file once (O_EXCL on a temp, fsync, link): two processes never mint two keys."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, value)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # fails if another process made the key first: theirs wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
