"""A case with records of both seal versions, exported as a dossier through the API."""
from __future__ import annotations

from schemas.signed import seal_v2
from sync_server.ops.seed import DEMO_CASE_ID
from tests.sync_server.finding_helpers import acknowledge_all
from tests.sync_server.helpers import FieldTeam, home_visit, refused_visit


def submit_both_versions(team: FieldTeam) -> list[str]:
    """A v1 record (old tablet), a v2 record and a refused v2 record merged into the demo case."""
    old, new, refused = home_visit("rec-dossier-v1"), home_visit("rec-dossier-v2"), refused_visit("rec-dossier-r2")
    new.record.answers["survey_conclusion"] = "情况属实（第二次记录）"
    assert team.submit(old).status_code == 200
    for visit in (new, refused):
        team.upload(visit.files)
        sealed = seal_v2(visit.record, {s: team.keys[s] for s in visit.record.surveyors})
        response = team.post(sealed)
        assert response.status_code == 200, response.text
    return [old.record.id, new.record.id, refused.record.id]


def accept_review(team: FieldTeam, case_id: str = DEMO_CASE_ID, reviewer: str = "wangfang") -> None:
    """The reviewer (核证岗) acknowledges the evidence findings (issue 16), then accepts the case's field
    evidence: a report may be issued only after (R42)."""
    acknowledge_all(team, case_id, as_user=reviewer)
    response = team.client.post(f"/api/v1/cases/{case_id}/review", json={"action": "accept", "reason": "留证齐全"},
                                headers=team.headers[reviewer])
    assert response.status_code == 200, response.text


def export(team: FieldTeam, case_id: str) -> bytes:
    """The dossier zip as the reviewer downloads it."""
    response = team.client.post(f"/api/v1/cases/{case_id}/dossier", headers=team.headers["wangfang"])
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return response.content


def agency_key_id(team: FieldTeam) -> str:
    """The agency key id as the server publishes it (the verifier's trust anchor)."""
    response = team.client.get("/api/v1/agency-key", headers=team.headers["wangfang"])
    assert response.status_code == 200, response.text
    return response.text.split("key_id ")[1].strip()
