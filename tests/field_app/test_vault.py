"""The key vault (R21, MASVS-CRYPTO-2, MASVS-STORAGE-1): the data key and the device secret live in
the platform's secure storage, or in web mode in a separate 0700 key directory, never in the data
folder; both are made once and then kept."""
from __future__ import annotations

import asyncio
import base64
import os
import stat
import threading

import pytest

from field_app.__main__ import parse
from field_app.settings import Settings
from field_app.store.secure_storage_vault import PREFIX, SecureStorageVault
from field_app.store.vault import DirectoryVault, default_key_dir, subkey


def test_the_directory_vault_makes_each_secret_once_in_a_private_folder(tmp_path):
    vault = DirectoryVault(tmp_path / "keys", tmp_path / "data")
    key, secret = vault.data_key(), vault.device_secret()
    assert len(key) == len(secret) == 32 and key != secret
    again = DirectoryVault(tmp_path / "keys")
    assert (again.data_key(), again.device_secret()) == (key, secret)
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "keys").iterdir()} == {0o600}
    assert len({subkey(vault, p) for p in ("sqlcipher", "evidence", "evidence-names")}) == 3


def test_keys_are_never_kept_inside_the_data_folder_r21(tmp_path):
    with pytest.raises(ValueError, match="密钥目录不能位于数据目录之内"):
        DirectoryVault(tmp_path / "data" / "keys", tmp_path / "data")


def test_web_mode_takes_the_key_dir_from_the_command_line_or_the_os_users_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert default_key_dir() == tmp_path / "config" / "field_app" / "keys"
    settings = parse(["--data-dir", str(tmp_path / "d"), "--key-dir", str(tmp_path / "k")])
    assert settings.key_dir == tmp_path / "k"
    assert Settings.from_env({"FIELD_KEY_DIR": str(tmp_path / "k2")}).key_dir == tmp_path / "k2"


class KeystoreStandIn:
    """The two async calls of flet_secure_storage.SecureStorage the vault makes, over a dict
    (the real service needs a Flutter client with the Android Keystore, which is not here)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.broken = False

    async def get(self, key: str, **options) -> str | None:
        return self.values.get(key)

    async def set(self, key: str, value, **options) -> None:
        self.values[key] = value

    async def remove(self, key: str, **options) -> None:
        if self.broken:
            raise RuntimeError("keystore unavailable")
        self.values.pop(key, None)


def test_the_keystore_vault_creates_both_secrets_once_and_reads_them_back():
    keystore = KeystoreStandIn()
    first = asyncio.run(SecureStorageVault.open(keystore))
    assert set(keystore.values) == {PREFIX + "data.key", PREFIX + "device.secret"}
    second = asyncio.run(SecureStorageVault.open(keystore))
    assert (first.data_key(), first.device_secret()) == (second.data_key(), second.device_secret())
    assert base64.b64decode(keystore.values[PREFIX + "data.key"]) == first.data_key()
    keystore.values[PREFIX + "data.key"] = base64.b64encode(os.urandom(7)).decode()
    with pytest.raises(ValueError, match="损坏"):
        asyncio.run(SecureStorageVault.open(keystore))


def test_a_wipe_removes_both_keys_from_the_keystore_from_the_wipe_thread():
    """The wipe runs on its own thread (viewmodels/device.py); the keystore is the page's loop's to call."""
    keystore, loop = KeystoreStandIn(), asyncio.new_event_loop()
    page_loop = threading.Thread(target=loop.run_forever, daemon=True)
    page_loop.start()
    try:
        vault = asyncio.run_coroutine_threadsafe(SecureStorageVault.open(keystore), loop).result(10)
        old = vault.data_key()
        assert len(keystore.values) == 2
        wipe = threading.Thread(target=vault.destroy)
        wipe.start()
        wipe.join(30)
        assert keystore.values == {}  # gone from the keystore, not only from memory
        with pytest.raises(KeyError):
            vault.data_key()
        again = asyncio.run_coroutine_threadsafe(SecureStorageVault.open(keystore), loop).result(10)
        assert again.data_key() != old  # a restarted app is a new tablet
        keystore.broken = True
        again.destroy()  # a keystore error does not stop the wipe
        with pytest.raises(KeyError):
            again.data_key()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        page_loop.join(10)
        loop.close()
