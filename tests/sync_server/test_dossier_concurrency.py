"""A dossier export among a county's syncs (issue 9): it holds the end of the audit log (which every sync,
review and sign-in appends to) only while it logs, never while it copies evidence into the zip; two exports
signing checkpoints at once both succeed; a zip that cannot be written leaves nothing behind. Real server
database: SQLite file and PostgreSQL."""
from __future__ import annotations

import errno
import io
import threading
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from schemas.protocol import API_PREFIX
from sync_server.db import make_engine, open_session
from sync_server.dossier import export as dossier_export
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.settings import Settings
from sync_server.tables import AuditCheckpoint, AuditEntry
from sync_server.transparency import audit
from sync_server.transparency.agency_key import load_or_create
from tests.sync_server.dossier_helpers import export, submit_both_versions
from tests.sync_server.helpers import problem_of

AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _append_within(engine, seconds: int) -> None:  # type: ignore[no-untyped-def]
    """Append one entry as a sync would, giving up after `seconds` if another transaction holds the log."""
    with open_session(engine) as session:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SET LOCAL lock_timeout = '{seconds}s'"))
        else:
            connection.execute(text(f"PRAGMA busy_timeout = {seconds * 1000}"))
        audit.log(session, "record.ingested", AT, actor="another-tablet", subject="rec-meanwhile")
        session.commit()


@pytest.mark.both_databases
def test_a_sync_appends_to_the_log_while_a_dossier_zip_is_being_written(team, app, monkeypatch):
    submit_both_versions(team)
    engine = app.state.services.engine
    meanwhile: list[BaseException | None] = []
    write = dossier_export._write_zip

    def write_while_another_tablet_syncs(*args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            _append_within(engine, 3)
            meanwhile.append(None)
        except Exception as error:  # noqa: BLE001 (the assertion below names it)
            meanwhile.append(error)
        return write(*args, **kwargs)

    monkeypatch.setattr(dossier_export, "_write_zip", write_while_another_tablet_syncs)
    export(team, DEMO_CASE_ID)
    assert meanwhile == [None]
    with open_session(engine) as session:
        kinds = [e.kind for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.position)))]
    assert kinds[-2:] == ["dossier.exported", "record.ingested"]  # the export's entry committed first


@pytest.mark.both_databases
def test_checkpoints_signed_at_once_at_one_size_all_succeed(settings: Settings):
    signers = 8
    engine = make_engine(settings.db_url, pool_size=signers, max_overflow=0, pool_timeout=30)
    key = load_or_create(settings.data_dir)
    with open_session(engine) as session:
        audit.log(session, "auth.login", AT, actor="zhangwei")
        session.commit()
    start = threading.Barrier(signers)
    signed: list[int] = []
    errors: list[BaseException] = []

    def signer() -> None:
        try:
            with open_session(engine) as session:
                start.wait(timeout=30)
                signed.append(audit.checkpoint(session, key, AT).tree_size)
                session.commit()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=signer) for _ in range(signers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(set(signed)) == 1 and len(signed) == signers
    with open_session(engine) as session:
        assert [c.tree_size for c in session.exec(select(AuditCheckpoint))].count(signed[0]) == 1
    engine.dispose()


def test_a_zip_that_cannot_be_written_leaves_no_file_and_says_storage_is_full(team, client, app, settings,
                                                                           monkeypatch):
    submit_both_versions(team)

    def disk_full(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipfile.ZipFile, "write", disk_full)  # copying the first evidence file fails
    response = client.post(f"{API_PREFIX}/cases/{DEMO_CASE_ID}/dossier", headers=team.headers["wangfang"])
    assert response.status_code == 507 and problem_of(response)["code"] == "storage.full"
    assert list((settings.data_dir / "exports").iterdir()) == []
    with open_session(app.state.services.engine) as session:
        kinds = [e.kind for e in session.exec(select(AuditEntry).order_by(col(AuditEntry.position)))]
    assert kinds[-2:] == ["dossier.exported", "dossier.export_failed"]  # the log says it came to nothing
    monkeypatch.undo()
    assert zipfile.ZipFile(io.BytesIO(export(team, DEMO_CASE_ID))).namelist()[0] == "manifest.json"
