"""Sweeping abandoned partial uploads (chunked_uploads.py): at server start, then every
`Settings.upload_sweep_interval_s` in the app's lifespan, and by `python -m sync_server sweep-uploads`.
Only the local partial directory holds partials (an S3 store receives finished files only)."""
from __future__ import annotations

import asyncio
import logging

import anyio

from sync_server.evidence.chunked_uploads import PartialUploads
from sync_server.settings import Settings

log = logging.getLogger("sync_server.evidence.staff_uploads")
DAY_S = 86400.0


def sweep_uploads(uploads: PartialUploads, settings: Settings, now: float | None = None) -> list[str]:
    """Remove the partial uploads untouched for `abandoned_upload_days`; returns what was removed."""
    return uploads.sweep(settings.abandoned_upload_days * DAY_S, now)  # each removal is logged


async def sweep_periodically(uploads: PartialUploads, settings: Settings) -> None:
    """Sweep now and then every interval, in a worker thread (cheap: one directory listing); a failed
    sweep is logged and tried again next time. Runs until cancelled."""
    while True:
        try:
            await anyio.to_thread.run_sync(sweep_uploads, uploads, settings)
        except Exception:  # a sweep must never take the server down
            log.exception("sweeping abandoned partial uploads failed")
        await asyncio.sleep(max(1.0, settings.upload_sweep_interval_s))
