"""Backups that survive damage (issue 17, R21): with one evidence file deleted and another's bytes changed,
`backup` names each by hash, case and record, copies everything else, and finishes with a manifest that
lists what is missing (and says so again the next night instead of stopping); a restore brings back the
rest. The dossier of a case with a missing file is refused with a clear problem, not signed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlmodel import select

from sync_server.ops.backup import backup, restore
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.settings import Settings
from sync_server.tables import AuditEntry
from tests.sync_server.helpers import FieldTeam, home_visit, problem_of
from tests.sync_server.server_process import REPO


def damage(team: FieldTeam, settings: Settings) -> tuple[str, str, str]:
    """A merged home visit, one of its files deleted and another rewritten; (record, deleted, altered)."""
    visit = home_visit("rec-damaged-1")
    assert team.submit(visit).status_code == 200
    deleted, altered = sorted(visit.files)[:2]
    (settings.evidence_dir / deleted[:2] / deleted).unlink()
    target = settings.evidence_dir / altered[:2] / altered
    target.write_bytes(target.read_bytes()[:-10] + b"0123456789")
    return visit.record.id, deleted, altered


@pytest.mark.both_databases
def test_a_backup_goes_on_past_a_deleted_and_a_corrupted_file_and_lists_them(
        team: FieldTeam, app: FastAPI, settings: Settings, tmp_path: Path, backend: str, request):
    record_id, deleted, altered = damage(team, settings)
    snapshot, damaged = backup(settings, tmp_path / "backups")
    found = {d.sha256: d for d in damaged}
    assert set(found) == {deleted, altered}
    assert found[deleted].problem == "missing" and found[altered].problem == "altered"
    for d in damaged:
        assert any(c.case_id == DEMO_CASE_ID and c.item == f"record {record_id}" for c in d.cited), d
        assert DEMO_CASE_ID in d.line() and record_id in d.line()
    manifest = json.loads((snapshot / "manifest.json").read_text())
    assert manifest["complete"] is False and {m["sha256"] for m in manifest["missing"]} == {deleted, altered}
    kept = {p.name for p in (tmp_path / "backups" / "evidence").rglob("*") if p.is_file()}
    assert kept == set(manifest["evidence"]) - {deleted, altered}  # every other file copied
    _, again = backup(settings, tmp_path / "backups")  # the next night: reported again, not a stop
    assert {d.sha256 for d in again} == {deleted, altered}

    if backend == "sqlite":
        restored = Settings(data_dir=tmp_path / "restored")
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        restored = Settings(data_dir=tmp_path / "restored",
                            database_url=cluster.url(cluster.create_database(prefix="restored")))
    restore(snapshot, restored)
    back = {p.name for p in restored.evidence_dir.rglob("*") if p.is_file()}
    assert back == kept


def test_the_command_reports_missing_files_on_stderr_and_exits_1(team: FieldTeam, settings: Settings,
                                                                  tmp_path: Path):
    record_id, deleted, altered = damage(team, settings)
    result = subprocess.run([sys.executable, "-m", "sync_server", "backup", "--data-dir", str(settings.data_dir),
                             "--to", str(tmp_path / "b")], cwd=REPO, capture_output=True, text=True, timeout=300,
                            check=False, env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "manifest.json" in result.stderr
    for sha in (deleted, altered):
        assert any(sha in line and record_id in line and DEMO_CASE_ID in line for line in result.stderr.splitlines())


@pytest.mark.both_databases
def test_a_dossier_with_a_missing_file_is_refused_and_not_signed(team: FieldTeam, app: FastAPI, settings: Settings):
    _, deleted, _ = damage(team, settings)
    with app.state.services.session() as session:
        before = len(list(session.exec(select(AuditEntry.position))))
    refused = team.client.post(f"/api/v1/cases/{DEMO_CASE_ID}/dossier", headers=team.headers["wangfang"])
    problem = problem_of(refused)
    assert refused.status_code == 409 and problem["code"] == "dossier.files_missing"
    assert deleted in {m["sha256"] for m in problem["data"]["missing"]}
    with app.state.services.session() as session:
        assert len(list(session.exec(select(AuditEntry.position)))) == before  # nothing logged or signed
    assert not list((settings.data_dir / "exports").glob("*.zip"))
