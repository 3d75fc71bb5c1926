"""The launcher `flet build apk` uses ([tool.flet.app] module): it exists, and it starts the app."""
from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from tests.end_to_end.flet_browser import free_port, start_process, stop_process

ROOT = Path(__file__).resolve().parents[2]


def test_the_module_named_for_flet_build_exists_at_the_configured_path():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["flet"]["app"]
    launcher = ROOT / config["path"] / f"{config['module']}.py"
    assert launcher.is_file() and "def launch" in launcher.read_text(encoding="utf-8")


def test_on_a_device_the_data_lives_in_the_apps_private_storage(tmp_path):
    sys.path.insert(0, str(ROOT))
    try:
        from main import settings_for_here
    finally:
        sys.path.remove(str(ROOT))
    settings, native = settings_for_here({"FLET_APP_STORAGE_DATA": str(tmp_path)})
    assert native and settings.data_dir == tmp_path / "field_app"
    settings, native = settings_for_here({"FIELD_DATA_DIR": str(tmp_path / "web")})
    assert not native and settings.data_dir == tmp_path / "web"


def test_the_launcher_starts_the_app_in_web_mode_here(tmp_path):
    port = free_port()
    proc = start_process([sys.executable, str(ROOT / "main.py")], cwd=ROOT, timeout=60,
                         env={"FIELD_PORT": str(port), "FIELD_DATA_DIR": str(tmp_path / "tablet"),
                              "FIELD_SERVER_URL": "http://127.0.0.1:9"},
                         ready_url=f"http://127.0.0.1:{port}/", log_path=tmp_path / "launcher.log")
    try:
        assert (tmp_path / "tablet" / "device_id").is_file()  # the app built its store in the given place
    finally:
        stop_process(proc)
