"""A log that cannot be shortened unseen (issue 17): someone with write access to the database deletes the
newest log entries (and the stored subtrees and checkpoints above them), or rewrites one, and the log grows
again with ordinary events. The server refuses the next checkpoint (no dossier is signed), writes an error
to the server log and raises the alarm the console shows; and a dossier signed over the shortened log by a
server that lost its memory of what it signed fails `dossier_verify --checkpoint` with the checkpoint kept
from an earlier dossier (exit 64)."""
from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlmodel import col

from dossier_verify.__main__ import run as verify_cli
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import AuditCheckpoint, AuditEntry, AuditNode
from sync_server.transparency import audit, memory, merkle
from tests.sync_server.console_client import console_login
from tests.sync_server.dossier_helpers import agency_key_id, export, submit_both_versions
from tests.sync_server.helpers import api_client, device_login, problem_of

pytestmark = pytest.mark.both_databases


def checkpoint_of(dossier: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(dossier)) as z:
        return z.read("log/checkpoint.txt")


def delete_newest(app, count: int) -> int:
    """The attacker: delete the newest `count` entries, their subtrees and the checkpoints above them."""
    with app.state.services.session() as session:
        size = audit.tree_size(session)
        keep = size - count
        session.execute(delete(AuditEntry).where(col(AuditEntry.position) >= keep))
        for level in range(1, size.bit_length() + 1):
            session.execute(delete(AuditNode).where(AuditNode.level == level,
                                                    (col(AuditNode.number) + 1) * (1 << level) > keep))
        session.execute(delete(AuditCheckpoint).where(col(AuditCheckpoint.tree_size) > keep))
        session.commit()
    return keep


def rewrite(app, position: int) -> None:
    """The thorough attacker: rewrite one entry, its leaf hash and every stored subtree above it."""
    with app.state.services.session() as session:
        row = session.get(AuditEntry, position)
        entry = row.entry.replace(b'"actor":"', b'"actor":"x', 1)
        assert entry != row.entry
        session.execute(update(AuditEntry).where(AuditEntry.position == position).values(
            entry=entry, leaf_hash=merkle.leaf_hash(entry).hex()))
        for level in range(1, 40):
            session.execute(delete(AuditNode).where(AuditNode.level == level,
                                                    AuditNode.number == position >> level))
        audit.fill_nodes(session)
        session.commit()


def grow(team, times: int) -> None:
    for _ in range(times):
        device_login(team.client, "zhangwei")


def test_deleted_entries_stop_the_next_checkpoint_with_an_alarm_and_a_kept_checkpoint_fails_the_verifier(
        team, app, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    submit_both_versions(team)
    first = export(team, DEMO_CASE_ID)
    data_dir = app.state.services.settings.data_dir
    remembered = memory.newest_signed(data_dir)
    assert remembered is not None and remembered.note.encode() == checkpoint_of(first)
    delete_newest(app, 7)  # the export's own entry and checkpoints among them
    grow(team, 12)
    with caplog.at_level(logging.ERROR, logger="sync_server.transparency.audit"):
        refused = team.client.post(f"/api/v1/cases/{DEMO_CASE_ID}/dossier", headers=team.headers["wangfang"])
    assert refused.status_code == 500 and problem_of(refused)["code"] == "log.inconsistent"
    assert "AUDIT LOG ALARM" in caplog.text
    [alarm] = memory.alarms(data_dir)
    assert alarm["reason"] == "inconsistent" and alarm["detail"]["signed_size"] == remembered.size
    with api_client(app) as console:
        assert console_login(console, "wangfang").status_code == 303
        page = console.get("/console/cases").text
    assert "审计日志告警" in page and "可能已被删除" in page
    # A server that lost its memory (the attacker also removed the file) signs the shortened log: its dossier
    # verifies alone, but not against the checkpoint kept from the first dossier.
    (data_dir / memory.MEMORY_FILE).unlink()
    second = export(team, DEMO_CASE_ID)
    (tmp_path / "second.zip").write_bytes(second)
    (tmp_path / "first.zip").write_bytes(first)
    (tmp_path / "kept.txt").write_bytes(checkpoint_of(first))
    pinned = ["--agency-key-id", agency_key_id(team)]
    assert verify_cli([str(tmp_path / "second.zip"), *pinned]) == 0
    assert verify_cli([str(tmp_path / "second.zip"), *pinned, "--checkpoint", str(tmp_path / "kept.txt")]) == 64
    assert verify_cli([str(tmp_path / "first.zip"), *pinned, "--checkpoint", str(tmp_path / "kept.txt")]) == 0


def test_an_honest_log_passes_a_kept_checkpoint_and_a_later_dossier_carries_its_proof(team, app, tmp_path: Path):
    submit_both_versions(team)
    first = export(team, DEMO_CASE_ID)
    grow(team, 5)
    second = export(team, DEMO_CASE_ID)
    (tmp_path / "second.zip").write_bytes(second)
    (tmp_path / "kept.txt").write_bytes(checkpoint_of(first))
    assert verify_cli([str(tmp_path / "second.zip"), "--agency-key-id", agency_key_id(team),
                       "--checkpoint", str(tmp_path / "kept.txt")]) == 0
    assert memory.alarms(app.state.services.settings.data_dir) == []


def test_a_rewritten_entry_with_its_subtrees_recomputed_stops_the_next_checkpoint(team, app):
    submit_both_versions(team)
    export(team, DEMO_CASE_ID)
    rewrite(app, 3)
    refused = team.client.post(f"/api/v1/cases/{DEMO_CASE_ID}/dossier", headers=team.headers["wangfang"])
    assert problem_of(refused)["code"] == "log.inconsistent"
    assert memory.alarms(app.state.services.settings.data_dir)[-1]["reason"] == "inconsistent"


def test_a_log_shorter_than_the_last_signed_checkpoint_is_refused(team, app):
    submit_both_versions(team)
    export(team, DEMO_CASE_ID)
    delete_newest(app, 2)
    refused = team.client.post(f"/api/v1/cases/{DEMO_CASE_ID}/dossier", headers=team.headers["wangfang"])
    assert problem_of(refused)["code"] == "log.inconsistent" and "更短" in problem_of(refused)["detail"]
    assert memory.alarms(app.state.services.settings.data_dir)[-1]["reason"] == "shorter"
