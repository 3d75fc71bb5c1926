"""Dossier zips expire (issue 17, R21): an export in `exports/` holds every photo and signature of a case,
so it is removed `Settings.export_days` (default 7) after it was written: at start, then every
`upload_sweep_interval_s` in the app's lifespan. The reviewer downloads the zip when it is made; the
export itself stays in the log, and a new one can be made at any time until the case is disposed."""
from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import anyio

from sync_server.settings import Settings

log = logging.getLogger("sync_server.exports")
DAY_S = 86400.0


def sweep_exports(exports: Path, max_age_days: float, now: float | None = None) -> list[str]:
    """Remove the dossier zips (and abandoned partial ones) older than `max_age_days`; their names."""
    if not exports.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - max_age_days * DAY_S
    removed = []
    for path in sorted(exports.iterdir()):
        if path.is_file() and (path.suffix in (".zip", ".tmp")) and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path.name)
            log.info("expired dossier export removed: %s", path.name)
    return removed


async def sweep_exports_periodically(settings: Settings) -> None:
    """Sweep now and then every interval (one directory listing); a failure is logged and retried."""
    while True:
        try:
            await anyio.to_thread.run_sync(sweep_exports, settings.data_dir / "exports", settings.export_days)
        except Exception:  # a sweep must never take the server down
            log.exception("sweeping expired dossier exports failed")
        await asyncio.sleep(max(1.0, settings.upload_sweep_interval_s))
