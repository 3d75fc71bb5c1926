"""Dossier exports expire (issue 17): a zip older than `export_days` (default 7) is removed from exports/,
at the server's start and on its sweep interval; a younger one stays."""
from __future__ import annotations

import os
import time
from pathlib import Path

from sync_server.app import create_app
from sync_server.dossier.expiry import DAY_S, sweep_exports
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.settings import Settings
from tests.sync_server.helpers import FieldTeam, api_client


def _age(path: Path, days: float) -> None:
    then = time.time() - days * DAY_S
    os.utime(path, (then, then))


def test_a_dossier_zip_is_removed_after_the_export_days_and_a_fresh_one_stays(team: FieldTeam, settings: Settings):
    assert Settings(data_dir=settings.data_dir).export_days == 7.0
    made = team.client.post(f"/api/v1/cases/{DEMO_CASE_ID}/dossier", headers=team.headers["wangfang"])
    assert made.status_code == 200
    [zipped] = (settings.data_dir / "exports").glob("*.zip")
    assert sweep_exports(zipped.parent, 7.0) == [] and zipped.exists()
    _age(zipped, 6.9)
    assert sweep_exports(zipped.parent, 7.0) == [] and zipped.exists()
    _age(zipped, 7.1)
    assert sweep_exports(zipped.parent, 7.0) == [zipped.name] and not zipped.exists()


def test_a_starting_server_sweeps_expired_exports(settings: Settings, clock):
    exports = settings.data_dir / "exports"
    exports.mkdir(exist_ok=True)
    old, fresh = exports / f"{DEMO_CASE_ID}-20261101T000000Z-0123abcd.zip", exports / "fresh.zip"
    old.write_bytes(b"PK old")
    fresh.write_bytes(b"PK fresh")
    _age(old, 8)
    app = create_app(settings.replace(export_days=7.0), clock=clock)
    try:
        with api_client(app):  # the lifespan runs: its first sweep is at start
            deadline = time.monotonic() + 30
            while old.exists():  # a condition, not a fixed wait
                assert time.monotonic() < deadline, "the expired export was not swept"
                time.sleep(0.02)
        assert fresh.exists()
    finally:
        app.state.services.engine.dispose()
