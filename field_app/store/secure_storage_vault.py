"""The key vault of a real tablet: flet-secure-storage's `SecureStorage` service, which keeps values
in the Android Keystore-backed encrypted preferences (the Keychain on iOS).

The service is asynchronous and needs a page, so the secrets are read (or created) once when the
app's first page connects (`await SecureStorageVault.open(storage)`) and held in memory after that;
the synchronous `KeyVault` methods then answer from memory.
"""
from __future__ import annotations

import base64
import secrets
from typing import Any, Protocol

from field_app.store.vault import DATA_KEY, DEVICE_SECRET, KEY_BYTES

PREFIX = "field_app."


class AsyncSecureStorage(Protocol):
    """The part of `flet_secure_storage.SecureStorage` the vault uses."""

    async def get(self, key: str, **options: Any) -> str | None: ...

    async def set(self, key: str, value: Any, **options: Any) -> None: ...


class SecureStorageVault:
    """Data key and device secret in the platform keystore (base64 values under `field_app.*`)."""

    def __init__(self, values: dict[str, bytes]) -> None:
        self._values = values

    @classmethod
    async def open(cls, storage: AsyncSecureStorage, options: dict[str, Any] | None = None) -> SecureStorageVault:
        """Read both secrets from the keystore, creating any that is missing (first start)."""
        values = {}
        for name in (DATA_KEY, DEVICE_SECRET):
            stored = await storage.get(PREFIX + name, **(options or {}))
            if not stored:  # never made, or forgotten by a wipe
                await storage.set(PREFIX + name, base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode(),
                                  **(options or {}))
                stored = await storage.get(PREFIX + name, **(options or {}))
                if stored is None:
                    raise RuntimeError("安全存储不可用：无法保存数据密钥")
            value = base64.b64decode(stored)
            if len(value) != KEY_BYTES:
                raise ValueError("安全存储中的密钥已损坏")
            values[name] = value
        return cls(values)

    def data_key(self) -> bytes:
        """The data key read from the keystore."""
        return self._values[DATA_KEY]

    def device_secret(self) -> bytes:
        """The device secret read from the keystore."""
        return self._values[DEVICE_SECRET]

    def destroy(self) -> None:
        """Forget both keys in memory (a wipe, issue 18). Deleting them from the keystore needs the page's
        event loop: `await forget(storage)` does it; the data they protected is shredded by the wipe."""
        self._values.clear()

    @staticmethod
    async def forget(storage: AsyncSecureStorage) -> None:
        """Remove both keys from the keystore (so a restarted app starts as a new tablet)."""
        for name in (DATA_KEY, DEVICE_SECRET):
            await storage.set(PREFIX + name, "")
