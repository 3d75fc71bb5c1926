"""The key vault of a real tablet: flet-secure-storage's `SecureStorage` service, which keeps values
in the Android Keystore-backed encrypted preferences (the Keychain on iOS).

The service is asynchronous and needs a page, so the secrets are read (or created) once when the
app's first page connects (`await SecureStorageVault.open(storage)`) and held in memory after that;
the synchronous `KeyVault` methods then answer from memory. A wipe (issue 18, viewmodels/device.py) runs on
a thread of its own: `destroy()` forgets the keys in memory and removes them from the keystore on the loop
the vault was opened on, so a restarted app starts as a new tablet and nothing it left can be decrypted.
"""
from __future__ import annotations

import asyncio
import base64
import logging
import secrets
from typing import Any, Protocol

from field_app.store.vault import DATA_KEY, DEVICE_SECRET, KEY_BYTES

PREFIX = "field_app."
FORGET_TIMEOUT_S = 20.0
log = logging.getLogger(__name__)


class AsyncSecureStorage(Protocol):
    """The part of `flet_secure_storage.SecureStorage` the vault uses."""

    async def get(self, key: str, **options: Any) -> str | None: ...

    async def set(self, key: str, value: Any, **options: Any) -> None: ...

    async def remove(self, key: str, **options: Any) -> None: ...


class SecureStorageVault:
    """Data key and device secret in the platform keystore (base64 values under `field_app.*`)."""

    def __init__(self, values: dict[str, bytes], storage: AsyncSecureStorage | None = None,
                 loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._values, self._storage, self._loop = values, storage, loop

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
        return cls(values, storage, asyncio.get_running_loop())

    def data_key(self) -> bytes:
        """The data key read from the keystore."""
        return self._values[DATA_KEY]

    def device_secret(self) -> bytes:
        """The device secret read from the keystore."""
        return self._values[DEVICE_SECRET]

    def destroy(self) -> None:
        """Forget both keys in memory and remove them from the keystore (a wipe, issue 18), from a thread
        other than the page's loop. If the keystore cannot be reached the wipe goes on: the data the keys
        protected is shredded all the same."""
        self._values.clear()
        if self._storage is None or self._loop is None or self._loop.is_closed():
            return
        try:
            asyncio.run_coroutine_threadsafe(self.forget(self._storage), self._loop).result(FORGET_TIMEOUT_S)
        except Exception:  # noqa: BLE001 - a keystore error must not stop the wipe
            log.exception("removing the keys from the keystore failed; the data folder is shredded anyway")

    @staticmethod
    async def forget(storage: AsyncSecureStorage) -> None:
        """Remove both keys from the keystore (so a restarted app starts as a new tablet)."""
        for name in (DATA_KEY, DEVICE_SECRET):
            await storage.remove(PREFIX + name)
