"""The launcher `flet build apk` runs (main.py): native mode on a device, web mode here, and it starts."""
from __future__ import annotations

import sys
import tomllib
import urllib.request
from pathlib import Path

import main as launcher
from tests.end_to_end.flet_browser import free_port, start_process, stop_process

ROOT = Path(__file__).resolve().parents[2]


def test_flet_build_points_at_a_launcher_file_that_exists():
    """`flet build` runs <path>/<module>.py; the permissions for camera, microphone and location are asked."""
    flet = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["flet"]
    app = flet["app"]
    assert (ROOT / app["path"] / f"{app['module']}.py").is_file()
    assert {"camera", "microphone", "location"} <= set(flet["permissions"])
    android = flet["android"]["permission"]
    assert android["android.permission.CAMERA"] and android["android.permission.RECORD_AUDIO"]
    assert android["android.permission.ACCESS_FINE_LOCATION"]


def test_the_launcher_runs_natively_only_on_a_phone_or_tablet():
    assert launcher.on_device({"FLET_PLATFORM": "android"})
    assert launcher.on_device({"FLET_PLATFORM": "ios"})
    assert not launcher.on_device({"FLET_PLATFORM": "linux"})
    assert not launcher.on_device({})


def test_on_a_device_the_data_lives_in_the_apps_private_storage():
    env = launcher.device_environ({"FLET_APP_STORAGE_DATA": "/data/user/0/app/files"})
    assert env["FIELD_DATA_DIR"] == str(Path("/data/user/0/app/files") / "field_app")
    kept = launcher.device_environ({"FLET_APP_STORAGE_DATA": "/x", "FIELD_DATA_DIR": "/chosen"})
    assert kept["FIELD_DATA_DIR"] == "/chosen"


def test_the_launcher_starts_the_app_in_web_mode(tmp_path):
    """python main.py serves the tablet app on 127.0.0.1 (HTTP 200 with the Flet page)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = start_process([sys.executable, str(ROOT / "main.py"), "--port", str(port), "--server",
                          "http://127.0.0.1:9", "--data-dir", str(tmp_path / "tablet"), "--key-dir",
                          str(tmp_path / "keys")], cwd=ROOT, ready_url=url, timeout=90,
                         env={"FLET_PLATFORM": ""}, log_path=tmp_path / "launcher.log")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
            assert b"flutter" in response.read().lower()
        assert (tmp_path / "tablet" / "device_id").is_file()  # the app itself opened its data folder
    finally:
        stop_process(proc)
