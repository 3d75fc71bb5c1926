"""The launcher `flet build apk` runs (`[tool.flet.app] module = "main"`), and the same app here in web mode.

On a device (Flet sets FLET_PLATFORM to android or ios) the app runs natively: data under the app's own
storage folder (FLET_APP_STORAGE_DATA), keys in the Android Keystore (`make_device_main`). Anywhere else
`python main.py --port ... --server ... --data-dir ...` is `python -m field_app` (web mode, 127.0.0.1).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DEVICE_PLATFORMS = {"android", "ios"}


def on_device(environ: Mapping[str, str] = os.environ) -> bool:
    """True inside an app built by `flet build` for a phone or tablet."""
    return environ.get("FLET_PLATFORM", "").lower() in DEVICE_PLATFORMS


def device_environ(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """FIELD_* settings for a device: the tablet's data in the app's private storage unless set."""
    env = dict(environ)
    storage = env.get("FLET_APP_STORAGE_DATA")
    if storage and not env.get("FIELD_DATA_DIR"):
        env["FIELD_DATA_DIR"] = str(Path(storage) / "field_app")
    return env


def main() -> None:
    """Native on a device, web mode elsewhere."""
    if not on_device():
        from field_app.__main__ import main as web_main

        web_main()
        return
    import flet as ft

    from field_app.app import ASSETS_DIR, make_device_main
    from field_app.settings import Settings

    settings = Settings.from_env(device_environ())
    ft.run(make_device_main(settings), assets_dir=os.environ.get("FLET_ASSETS_DIR") or str(ASSETS_DIR))


if __name__ == "__main__":
    main()
