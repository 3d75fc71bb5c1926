"""The app for uvicorn's worker processes (`python -m sync_server --workers N`): each worker builds
its own app from the environment (SYNC_DATA_DIR, DATABASE_URL, SYNC_* settings)."""
from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from sync_server.app import create_app
from sync_server.settings import Settings


def app_from_env() -> FastAPI:
    """One worker's app."""
    return create_app(Settings.from_env(Path(os.environ["SYNC_DATA_DIR"]), os.environ))
