"""A second survey team with a case of its own: the other side of every evidence-ownership attack."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import anyio
from fastapi import FastAPI

from schemas.office import IntakeStatus
from schemas.protocol import DEVICE_HEADER, AccountRole
from schemas.staffing import CredentialKind
from sync_server.accounts.auth import create_account
from sync_server.evidence.staff_uploads import store_upload
from sync_server.office import staff
from sync_server.office.id_numbers import make_id_number
from sync_server.ops.seed import ADMIN, DEMO_AGENCY, YUBEI, scan_png
from sync_server.tables import Account, Case, Entrustment, Subject, Team
from tests.sync_server.helpers import FieldTeam, Visit, home_visit, register_key
from tests.sync_server.testclient import TestClient

RIVAL_TEAM = "team-yb-03"
RIVAL_CASE = "case-yb-2026-0301"
RIVAL_UNIT = "渝北区回兴街道办事处"  # entrusts the rival case; the demo case is 龙溪街道's
RIVALS = {"zhaolei": ("赵磊", "YB-2026-031", "731946"), "sunli": ("孙丽", "YB-2026-032", "864205")}


def rival_team(app: FastAPI, client: TestClient) -> FieldTeam:
    """Team 3 (zhaolei, sunli), signed in on their own tablet with registered keys, and its own case."""
    services = app.state.services
    now = datetime(2026, 11, 16, 1, tzinfo=UTC)
    with services.session() as session:
        session.add(Team(id=RIVAL_TEAM, name="渝北区第三调查小组"))
        session.flush()
        admin = session.get(Account, ADMIN.username)
        assert admin is not None
        for username, (name, work_id, pin) in RIVALS.items():
            create_account(session, username=username, name=name, role=AccountRole.SURVEYOR, work_id=work_id,
                           password="Rival#Team2026", team_id=RIVAL_TEAM, pin=pin)
            session.flush()
            for kind in CredentialKind:  # R5, R34: cleared for field work
                staff.record_credential(session, admin, username, kind, date(2026, 9, 1), date(2027, 8, 31),
                                        anyio.run(store_upload, services.blobs, scan_png(f"{kind.value}:{username}")), now)
        session.add(Case(id=RIVAL_CASE, title="钱多多家庭经济状况核查（最低生活保障）", entrusting_unit=RIVAL_UNIT,
                         address="重庆市渝北区回兴街道金龙路 9 号", authorization_recorded=True,
                         entrustment_recorded=True, accepted_on=date(2026, 11, 16),
                         required_checks=["home_visit"], team_id=RIVAL_TEAM, agency_id=DEMO_AGENCY))
        session.flush()
        session.add(Subject(id=f"{RIVAL_CASE}-s1", case_id=RIVAL_CASE, position=1, name="钱多多", relation="户主",
                            id_number=make_id_number(YUBEI, date(1975, 5, 5), 17, False)))
        session.add(Entrustment(case_id=RIVAL_CASE, contact="刘洋", phone="023-67809999",
                                entrusted_on=date(2026, 11, 16), status=IntakeStatus.RELEASED.value,
                                created_by=ADMIN.username, created_at=now, released_at=now - timedelta(minutes=1)))
        session.commit()
    team = FieldTeam(client, {}, {})
    for username, (_name, _work_id, pin) in RIVALS.items():
        response = client.post("/api/v1/auth/device-login",
                               json={"username": username, "pin": pin, "device_id": "tablet-yb-03"})
        assert response.status_code == 200, response.text
        team.headers[username] = {"Authorization": f"Bearer {response.json()['token']}",
                                  DEVICE_HEADER: "tablet-yb-03"}
        team.keys[username] = register_key(client, team.headers[username], pin)
    return team


def rival_visit(record_id: str = "rec-rival-0001") -> Visit:
    """A complete home visit of the rival team's own case."""
    return home_visit(record_id, case_id=RIVAL_CASE, surveyors=tuple(RIVALS), subject_id=f"{RIVAL_CASE}-s1")
