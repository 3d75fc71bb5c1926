"""Test helpers for evidence findings (issue 16): read a case's findings, acknowledge them as a reviewer."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from schemas.protocol import API_PREFIX
from sync_server.ops.seed import DEMO_CASE_ID
from tests.sync_server.helpers import FieldTeam, Visit


def findings_of(team: FieldTeam, case_id: str = DEMO_CASE_ID, as_user: str = "wangfang") -> list[dict[str, Any]]:
    response = team.client.get(f"{API_PREFIX}/cases/{case_id}/findings", headers=team.headers[as_user])
    assert response.status_code == 200, response.text
    return list(response.json())


def acknowledge_all(team: FieldTeam, case_id: str = DEMO_CASE_ID, reason: str = "已核实：测试照片为相机样张",
                    as_user: str = "wangfang") -> int:
    """Acknowledge every open finding of the case; how many were open."""
    open_ones = [f for f in findings_of(team, case_id, as_user) if not f["acknowledged"]]
    for f in open_ones:
        body = {"record_id": f["record_id"], "code": f["code"], "target": f["target"], "reason": reason}
        response = team.client.post(f"{API_PREFIX}/cases/{case_id}/findings/acks", json=body,
                                    headers=team.headers[as_user])
        assert response.status_code == 200, response.text
    return len(open_ones)


def visit_at(visit: Visit, start: datetime) -> Visit:
    """The helper's visit moved to start at `start` (a real server released its demo case at its start)."""
    shift = start - visit.record.started_at
    record = visit.record
    record.started_at = start
    record.sealed_at = (record.sealed_at or start) + shift
    for ref in record.evidence:
        ref.captured_at += shift
    return visit
