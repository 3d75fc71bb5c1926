"""The dossier (R20): one action exports the case; the standalone verifier accepts it untouched, offline."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from dossier_verify.dossier import verify
from schemas.protocol import API_PREFIX
from sync_server.ops.seed import DEMO_CASE_ID
from tests.sync_server.dossier_helpers import accept_review, agency_key_id, export, submit_both_versions
from tests.sync_server.helpers import problem_of

REPO = Path(__file__).parents[2]


def test_an_exported_dossier_holds_everything_and_verifies(team, tmp_path):
    ids = submit_both_versions(team)
    data = export(team, DEMO_CASE_ID)
    key_id = agency_key_id(team)
    report = verify(io.BytesIO(data), trusted_key_id=key_id)
    assert report.ok, [str(f) for f in report.findings]
    assert (report.records_checked, report.seals_checked) == (3, 6)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names[:2] == ["manifest.json", "manifest.sig"]
    for rid in ids:
        assert f"records/{rid}/record.json" in names and f"records/{rid}/seals.json" in names
    assert sum(n.startswith("keys/") for n in names) == 2
    assert any(n.endswith(".jpg") for n in names) and any(n.endswith(".png") for n in names)
    assert {"log/checkpoint.txt", "log/previous_checkpoint.txt", "log/proofs.json"} <= set(names)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    assert sorted(r["seal_version"] for r in manifest["records"]) == [1, 2, 2]


def test_verify_dossier_runs_offline_from_the_command_line_with_exit_codes(team, tmp_path):
    submit_both_versions(team)
    path = tmp_path / "case.zip"
    path.write_bytes(export(team, DEMO_CASE_ID))
    key_id = agency_key_id(team)
    argv = [sys.executable, "-m", "sync_server", "verify-dossier", str(path), "--agency-key-id", key_id]
    ok = subprocess.run(argv,
                        check=False, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "核验通过" in ok.stdout
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        for name, content in entries:
            z.writestr(name, content + b" " if name.startswith("records/") and name.endswith("record.json")
                       else content)
    failed = subprocess.run([sys.executable, "-m", "dossier_verify", str(bad), "--agency-key-id", key_id],
                            check=False, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 4 | 16 | 32, failed.stdout
    assert "altered" in failed.stdout and "record.json" in failed.stdout
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    assert subprocess.run([sys.executable, "-m", "dossier_verify", str(junk)], check=False, cwd=REPO,
                          capture_output=True, timeout=120).returncode == 2


def test_only_reviewers_export_and_every_export_is_logged(team, client, app):
    submit_both_versions(team)
    refused = client.post(f"{API_PREFIX}/cases/{DEMO_CASE_ID}/dossier", headers=team.headers["zhangwei"])
    assert problem_of(refused)["code"] == "auth.forbidden"
    export(team, DEMO_CASE_ID)
    second = export(team, DEMO_CASE_ID)
    from sqlmodel import select

    from sync_server.tables import AuditEntry
    with app.state.services.session() as session:
        kinds = [e.kind for e in session.exec(select(AuditEntry).order_by(AuditEntry.position))]
    assert kinds.count("dossier.exported") == 2 and kinds.count("record.ingested") == 3
    assert verify(io.BytesIO(second), trusted_key_id=agency_key_id(team)).ok


def test_the_reports_electronic_seal_is_checked_offline(team):
    submit_both_versions(team)
    accept_review(team)
    assert team.client.post(f"{API_PREFIX}/cases/{DEMO_CASE_ID}/reports", json={"summary": "概述"},
                            headers=team.headers["wangfang"]).status_code == 200
    data = export(team, DEMO_CASE_ID)
    key_id = agency_key_id(team)
    assert verify(io.BytesIO(data), trusted_key_id=key_id).ok
    entries = [(i.filename, zipfile.ZipFile(io.BytesIO(data)).read(i.filename))
               for i in zipfile.ZipFile(io.BytesIO(data)).infolist()]
    forged = io.BytesIO()
    with zipfile.ZipFile(forged, "w") as z:
        for name, content in entries:
            z.writestr(name, content.replace("概述".encode(), "伪造".encode()) if name.endswith("content.json")
                       else content)
    forged.seek(0)
    report = verify(forged, trusted_key_id=key_id)
    assert "reports/v1" in [f.where for f in report.findings if f.what.startswith("the report's electronic seal")]
