"""The tablet witnesses the agency's audit log (issue 17), against the REAL sync server on 127.0.0.1.

Each sync asks for the latest signed checkpoint with the consistency proof from the one the tablet holds.
Someone with write access to the server's database (and its data folder, so the server's own memory of
what it signed is gone too) deletes the newest log entries; the log grows again. The tablet holding the
older checkpoint stops the sync before sending anything, shows the alarm in Chinese, keeps its record and
its checkpoint, and reports to the server, whose console then shows the alarm too."""
from __future__ import annotations

import base64

from sqlalchemy import delete
from sqlmodel import col

from field_app.store import OutboxStatus
from field_app.store import queries as q
from field_app.store.tables import HeldCheckpoint
from field_app.sync.outbox import UploadStatus
from field_app.sync.witness import ALARM, SERVER_ALARM
from schemas import checkpoint
from sync_server.tables import AuditCheckpoint, AuditEntry, AuditNode
from sync_server.transparency import audit, memory
from tests.field_app.test_sync_live import _seal_home_visit, _sign_in_team


def _held(store) -> HeldCheckpoint | None:
    with store.reading() as s:
        return s.get(HeldCheckpoint, 1)


def _shorten(app, count: int) -> None:
    """Delete the newest `count` entries, their subtrees and checkpoints above; forget the server's memory."""
    with app.state.services.session() as session:
        keep = audit.tree_size(session) - count
        session.execute(delete(AuditEntry).where(col(AuditEntry.position) >= keep))
        for level in range(1, 40):
            session.execute(delete(AuditNode).where(AuditNode.level == level,
                                                    (col(AuditNode.number) + 1) * (1 << level) > keep))
        session.execute(delete(AuditCheckpoint).where(col(AuditCheckpoint.tree_size) > keep))
        session.commit()
    (app.state.services.settings.data_dir / memory.MEMORY_FILE).unlink()


def _grow(server, times: int) -> None:
    for _ in range(times):
        server.staff_token()  # a sign-in: an ordinary log entry


def test_a_tablet_keeps_the_newest_checkpoint_and_stops_and_reports_when_the_log_was_shortened(
        tablet, server, store, clock):
    _sign_in_team(tablet)
    panel = tablet["sync"]
    assert panel.sync() == [] and panel.log_alarm == ""
    first = _held(store)
    assert first is not None and first.size > 0
    signed = checkpoint.parse(first.note, base64.b64decode(first.public_key))
    assert (signed.size, signed.root.hex()) == (first.size, first.root)
    _seal_home_visit(tablet)
    clock.advance(seconds=120)  # past the server's checkpoint interval: a new checkpoint is signed
    [outcome] = panel.sync()
    assert outcome.status == UploadStatus.SYNCED
    held = _held(store)
    assert held.size > first.size  # the log now holds the record: the newer checkpoint, proven, is kept
    clock.advance(seconds=120)
    _shorten(server.app, 4)
    _grow(server, 8)
    _seal_home_visit(tablet, seed=10)
    assert panel.sync() == []
    assert panel.notice == ALARM and panel.log_alarm == ALARM and "审计日志告警" in panel.notice
    assert _held(store).note == held.note  # the evidence of the fork stays on the tablet
    with store.reading() as s:
        assert len(q.outbox_items(s, [OutboxStatus.QUEUED])) == 1  # nothing was sent, nothing lost
    [alarm] = memory.alarms(server.app.state.services.settings.data_dir)
    assert alarm["reason"] == "witness" and alarm["detail"]["held"] == held.note
    assert alarm["detail"]["reporter"] in ("zhangwei", "lina")


def test_a_server_that_finds_its_own_log_shortened_stops_the_tablet_too(tablet, server, store, clock):
    _sign_in_team(tablet)
    panel = tablet["sync"]
    panel.sync()
    _seal_home_visit(tablet)
    panel.sync()
    clock.advance(seconds=120)
    with server.app.state.services.session() as session:  # the server's memory stays: it refuses
        keep = audit.tree_size(session) - 3
        session.execute(delete(AuditEntry).where(col(AuditEntry.position) >= keep))
        session.execute(delete(AuditCheckpoint).where(col(AuditCheckpoint.tree_size) > keep))
        session.commit()
    assert panel.sync() == [] and panel.notice == SERVER_ALARM
