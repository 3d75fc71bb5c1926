"""Launcher for `flet build apk` ([tool.flet.app] module = "main"): the field app, native on a tablet,
web mode (127.0.0.1, offline client) everywhere else.

On a device Flet sets FLET_APP_STORAGE_DATA (the app's private storage): the SQLite store and the
evidence files live there, never in a cache or temp folder. The sync server's address comes from
FIELD_SERVER_URL (set at build time or by the device's management profile).
"""
from __future__ import annotations

import os
from pathlib import Path

from field_app.settings import Settings


def settings_for_here(environ: dict[str, str] | None = None) -> tuple[Settings, bool]:
    """The app's settings, and whether it runs natively on a device (FLET_APP_STORAGE_DATA is set)."""
    env = dict(os.environ if environ is None else environ)
    storage = env.get("FLET_APP_STORAGE_DATA")
    if storage:
        env["FIELD_DATA_DIR"] = str(Path(storage) / "field_app")
    return Settings.from_env(env), bool(storage)


def launch() -> None:
    """Start the app: the native Flet client on a device, web mode otherwise."""
    settings, native = settings_for_here()
    if not native:
        os.environ.setdefault("FLET_WEB_NO_CDN", "1")
        os.environ.setdefault("BROWSER", "true")  # never try to open a browser window
        from field_app.app import run

        run(settings)
        return
    import flet as ft

    from field_app.app import ASSETS_DIR, build_model, make_main

    ft.run(make_main(build_model(settings)), assets_dir=str(ASSETS_DIR))


if __name__ == "__main__":
    launch()
