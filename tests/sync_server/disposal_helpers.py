"""A demo case with every kind of material (records with evidence, intake scans, a township upload, a
letter answer, a dossier zip and display copies), an appraisal a second person approves, and the
disposal a year later (R35, issue 17)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import FastAPI
from sqlmodel import select

from sync_server.ops.seed import DEMO_CASE_ID, scan_png
from sync_server.tables import CaseDocument
from tests.sync_server.dossier_helpers import submit_both_versions
from tests.sync_server.helpers import FieldTeam, password_login, problem_of
from tests.sync_server.staff_gate_helpers import renew_credentials
from tests.sync_server.test_review_api import PDF, entrust

API = f"/api/v1/cases/{DEMO_CASE_ID}"
LETTER = {"addressee_unit": "渝北区社保局", "documents": "缴费记录", "channel": "fax",
          "sent_at": "2026-11-17T02:00:00Z", "receiver_name": "周红", "receiver_phone": "023-67801234"}


def build_case(team: FieldTeam, app: FastAPI) -> dict[str, str]:
    """Every stored file of the demo case, by hash, with what it is; a dossier exported (a zip in exports/,
    display copies made for its PDFs)."""
    entrust(app, "home_visit", "letter_request")
    submit_both_versions(team)
    reviewer, clerk = team.headers["wangfang"], password_login(team.client, "chenjing")
    township = team.client.post(f"/api/v1/intake/cases/{DEMO_CASE_ID}/documents", content=scan_png("township-x"),
                                params={"kind": "township_evidence"},
                                headers={**clerk, "content-type": "application/octet-stream"})
    assert township.status_code == 201, township.text
    letter = team.client.post(f"{API}/letters", json=LETTER, headers=reviewer)
    assert letter.status_code == 200, letter.text
    answer = PDF + b"% answer of the social security office\n"
    answered = team.client.put(f"{API}/letters/{letter.json()['id']}/answer", content=answer, headers=reviewer)
    assert answered.status_code == 200, answered.text
    files: dict[str, str] = {hashlib.sha256(answer).hexdigest(): "letter answer"}
    for record in team.client.get(API, headers=reviewer).json()["records"]:
        files |= {f["sha256"]: f"evidence of {record['sealed']['record']['id']}"
                  for f in record["sealed"]["record"]["evidence"]}
    with app.state.services.session() as session:
        files |= {d.sha256: f"document {d.kind}" for d in session.exec(
            select(CaseDocument).where(CaseDocument.case_id == DEMO_CASE_ID))}
    assert {"document township_evidence", "document entrustment", "document authorization",
            "document id_proof"} <= set(files.values())
    exported = team.client.post(f"{API}/dossier", headers=reviewer)
    assert exported.status_code == 200, exported.text
    return files


def appraise(team: FieldTeam) -> str:
    """wangfang proposes; she may not approve it herself; the administrator approves, with the reason."""
    reviewer, admin = team.headers["wangfang"], password_login(team.client, "admin")
    early = team.client.post(f"{API}/disposal", json={"note": "到期销毁"}, headers=reviewer)
    assert problem_of(early)["code"] in {"retention.not_due", "disposal.not_approved"}
    proposed = team.client.post(f"{API}/disposal/appraisals", json={"reason": "保管期满，无继续保存价值"},
                                headers=reviewer)
    assert proposed.status_code == 200, proposed.text
    appraisal = proposed.json()["id"]
    url = f"{API}/disposal/appraisals/{appraisal}/decision"
    own = team.client.post(url, json={"approve": True, "note": "同意"}, headers=reviewer)
    assert problem_of(own)["code"] == "disposal.second_person_required"
    approved = team.client.post(url, json={"approve": True, "note": "经鉴定同意销毁"}, headers=admin)
    assert approved.status_code == 200 and approved.json()["decided_by"] == "admin", approved.text
    return str(appraisal)


def dispose_a_year_later(team: FieldTeam, clock) -> dict:  # type: ignore[no-untyped-def]
    """Retention set to one year, the year passes, wangfang (with a renewed password) disposes."""
    reviewer = team.headers["wangfang"]
    assert team.client.put(f"{API}/retention", json={"retention_years": 1}, headers=reviewer).status_code == 200
    clock.advance(days=366)
    renew_credentials(team.client, "wangfang", "admin")  # and their pledges, as their passwords (R41)
    renewed = team.client.post("/api/v1/auth/password", json={
        "username": "wangfang", "old_password": "Review!Case2026", "new_password": "Archive#Kept2027"})
    assert renewed.status_code == 204, renewed.text
    team.headers["wangfang"] = password_login(team.client, "wangfang", "Archive#Kept2027")
    done = team.client.post(f"{API}/disposal", json={"note": "保管期满，经鉴定销毁"}, headers=team.headers["wangfang"])
    assert done.status_code == 200, done.text
    return dict(done.json())


def files_holding(root: Path, hashes: set[str]) -> list[Path]:
    """Every file under `root` named after one of the hashes or whose bytes hash to one of them."""
    found = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        if any(h in path.name for h in hashes) or hashlib.sha256(path.read_bytes()).hexdigest() in hashes:
            found.append(path)
    return found
