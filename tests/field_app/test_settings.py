"""Settings and the tablet's device id."""
from __future__ import annotations

import uuid
from pathlib import Path

from field_app.settings import Settings, device_id


def test_the_device_id_is_minted_once_and_kept(tmp_path):
    first = device_id(tmp_path)
    assert uuid.UUID(first) and device_id(tmp_path) == first
    assert device_id(tmp_path / "other tablet") != first


def test_a_damaged_device_id_file_is_replaced_by_a_new_id(tmp_path):
    (tmp_path / "device_id").write_text("garbage")
    assert uuid.UUID(device_id(tmp_path))


def test_settings_come_from_the_environment_with_defaults(tmp_path):
    s = Settings.from_env({"FIELD_SERVER_URL": "http://10.0.0.2:8000", "FIELD_DATA_DIR": str(tmp_path),
                           "FIELD_PORT": "9000"})
    assert s == Settings("http://10.0.0.2:8000", Path(tmp_path), 9000)
    assert Settings.from_env({}).port == 8550
