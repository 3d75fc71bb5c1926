"""A second survey team with a case of its own: the other side of every evidence-ownership attack."""
from __future__ import annotations

from datetime import date

from fastapi import FastAPI

from schemas.protocol import AccountRole
from sync_server.auth import create_account
from sync_server.seed import demo_subjects
from sync_server.tables import Case, Team
from tests.sync_server.helpers import FieldTeam, Visit, home_visit, register_key
from tests.sync_server.testclient import TestClient

RIVAL_TEAM = "team-yb-03"
RIVAL_CASE = "case-yb-2026-0301"
RIVAL_UNIT = "渝北区回兴街道办事处"  # entrusts the rival case; the demo case is 龙溪街道's
RIVALS = {"zhaolei": ("赵磊", "YB-2026-031", "731946"), "sunli": ("孙丽", "YB-2026-032", "864205")}


def rival_team(app: FastAPI, client: TestClient) -> FieldTeam:
    """Team 3 (zhaolei, sunli), signed in on their own tablet with registered keys, and its own case."""
    with app.state.services.session() as session:
        session.add(Team(id=RIVAL_TEAM, name="渝北区第三调查小组"))
        session.flush()
        for username, (name, work_id, pin) in RIVALS.items():
            create_account(session, username=username, name=name, role=AccountRole.SURVEYOR, work_id=work_id,
                           password="Rival#Team2026", team_id=RIVAL_TEAM, pin=pin)
        session.add(Case(id=RIVAL_CASE, title="钱多多家庭经济状况核查（最低生活保障）", entrusting_unit=RIVAL_UNIT,
                         address="重庆市渝北区回兴街道金龙路 9 号", authorization_recorded=True,
                         entrustment_recorded=True, accepted_on=date(2026, 11, 16),
                         required_checks=["home_visit"], team_id=RIVAL_TEAM))
        session.flush()
        session.add_all(demo_subjects(RIVAL_CASE))
        session.commit()
    team = FieldTeam(client, {}, {})
    for username, (_name, _work_id, pin) in RIVALS.items():
        response = client.post("/api/v1/auth/device-login",
                               json={"username": username, "pin": pin, "device_id": "tablet-yb-03"})
        assert response.status_code == 200, response.text
        team.headers[username] = {"Authorization": f"Bearer {response.json()['token']}"}
        team.keys[username] = register_key(client, team.headers[username])
    return team


def rival_visit(record_id: str = "rec-rival-0001") -> Visit:
    """A complete home visit of the rival team's own case."""
    return home_visit(record_id, case_id=RIVAL_CASE, surveyors=tuple(RIVALS), subject_id=f"{RIVAL_CASE}-s1")
