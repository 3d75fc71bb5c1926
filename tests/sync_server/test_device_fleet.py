"""Issue 18, the device fleet (R40, R21): enrolment codes are single-use, expire and are logged; a tablet
enrolled for one organisation refuses another's surveyors; the fleet list shows what each tablet reported;
"设备丢失" makes the tablet's tokens and the keys enrolled on it refused, with problem codes."""
from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from schemas.devices import parse_payload
from schemas.protocol import API_PREFIX
from sync_server.ops.seed import DEMO_AGENCY, DEMO_TEAM_ID, DEMO_TOWNSHIP
from sync_server.tables import AuditEntry
from tests.sync_server.helpers import (
    CREDENTIALS,
    Clock,
    FieldTeam,
    device_login,
    home_visit,
    password_login,
    problem_of,
)

pytestmark = pytest.mark.both_databases
AGENCY, TOWNSHIP = DEMO_AGENCY, DEMO_TOWNSHIP


def kinds(app: FastAPI, subject: str | None = None) -> list[str]:
    with app.state.services.session() as session:
        query = select(AuditEntry).order_by(col(AuditEntry.position))
        if subject is not None:
            query = query.where(AuditEntry.subject == subject)
        return [e.kind for e in session.exec(query)]


def new_enrolment(team: FieldTeam, org_id: str = AGENCY, team_id: str = DEMO_TEAM_ID) -> dict:
    admin = password_login(team.client, "admin")
    reply = team.client.post(f"{API_PREFIX}/admin/enrolments", json={"org_id": org_id, "team_id": team_id},
                             headers=admin)
    assert reply.status_code == 201, reply.text
    return reply.json()


def enrol(team: FieldTeam, code: str, device_id: str):
    return team.client.post(f"{API_PREFIX}/devices/enrol", json={"code": code, "device_id": device_id,
                                                                 "app_version": "0.1.0"})


def test_an_enrolment_code_works_once_and_every_use_is_logged(app: FastAPI, team: FieldTeam):
    created = new_enrolment(team)
    payload = parse_payload(created["payload_text"])  # what the QR code holds, read back as the tablet does
    assert payload.code == created["payload"]["code"] and payload.url.startswith("http")
    first = enrol(team, payload.code.lower(), "tablet-new-01")  # typed in lower case: still the code
    assert first.status_code == 200, first.text
    assert first.json()["office_name"] == "渝北区救助家庭经济状况核查认定中心"
    assert first.json()["team_id"] == DEMO_TEAM_ID
    again = problem_of(enrol(team, payload.code, "tablet-new-02"))
    assert (again["status"], again["code"], again["data"]["reason"]) == (403, "device.enrolment_invalid", "used")
    unknown = problem_of(enrol(team, "ABCDEFGHJKMN", "tablet-new-03"))
    assert unknown["data"]["reason"] == "unknown"
    assert kinds(app, created["enrolment_id"]) == ["device.enrolment_created"]
    assert "device.enrolled" in kinds(app, "tablet-new-01")
    assert kinds(app, "tablet-new-02") == kinds(app, "tablet-new-03") == ["device.enrolment_refused"]
    with app.state.services.session() as session:  # only the code's hash is stored
        dump = " ".join(str(e.entry) for e in session.exec(select(AuditEntry)))
    assert payload.code not in dump


def test_an_enrolment_code_expires_and_its_expiry_is_logged(app: FastAPI, team: FieldTeam, clock: Clock):
    created = new_enrolment(team)
    clock.advance(hours=24, seconds=1)
    refused = problem_of(enrol(team, created["payload"]["code"], "tablet-late"))
    assert (refused["code"], refused["data"]["reason"]) == ("device.enrolment_invalid", "expired")
    assert kinds(app, created["enrolment_id"]) == ["device.enrolment_created", "device.enrolment_expired"]


def test_enrolments_only_by_an_administrator_for_a_known_organisation(team: FieldTeam):
    reviewer = team.client.post(f"{API_PREFIX}/admin/enrolments", json={"org_id": AGENCY},
                                headers=password_login(team.client, "wangfang"))
    assert problem_of(reviewer)["code"] == "auth.forbidden"
    surveyor = team.client.post(f"{API_PREFIX}/admin/enrolments", json={"org_id": AGENCY},
                                headers=team.headers["zhangwei"])
    assert problem_of(surveyor)["status"] == 403
    unknown = team.client.post(f"{API_PREFIX}/admin/enrolments", json={"org_id": "org-nowhere"},
                               headers=password_login(team.client, "admin"))
    assert problem_of(unknown)["code"] == "request.not_found"


def test_a_tablet_of_another_organisation_refuses_a_surveyor(team: FieldTeam):
    created = new_enrolment(team, org_id=TOWNSHIP, team_id="")
    assert enrol(team, created["payload"]["code"], "tablet-township").status_code == 200
    body = {"username": "zhangwei", "pin": CREDENTIALS["zhangwei"].pin, "device_id": "tablet-township"}
    refused = problem_of(team.client.post(f"{API_PREFIX}/auth/device-login", json=body))
    assert (refused["status"], refused["code"], refused["data"]["device_org"]) == (403, "auth.forbidden", TOWNSHIP)


def test_the_fleet_list_shows_what_each_tablet_reported(team: FieldTeam):
    report = {"app_version": "0.1.0", "form_versions": ["home_visit/2", "neighbour_interview/1"],
              "outbox_backlog": 3, "free_bytes": 5_000_000_000}
    orders = team.client.post(f"{API_PREFIX}/devices/report", json=report, headers=team.headers["lina"])
    assert orders.json() == {"wipe": False, "upload_first": False}
    rows = team.client.get(f"{API_PREFIX}/admin/devices", headers=password_login(team.client, "admin")).json()
    row = next(r for r in rows if r["device_id"] == "tablet-yb-01")
    assert (row["org_id"], row["team_id"], row["status"]) == (AGENCY, DEMO_TEAM_ID, "active")
    assert row["last_user"] in {"zhangwei", "lina"} and row["last_sync_at"] and row["last_sign_in_at"]
    assert (row["outbox_backlog"], row["free_bytes"], row["form_versions"]) == (3, 5_000_000_000,
                                                                                report["form_versions"])
    assert team.client.get(f"{API_PREFIX}/admin/devices", headers=team.headers["lina"]).status_code == 403


def test_a_lost_tablet_s_tokens_and_keys_are_refused(app: FastAPI, team: FieldTeam, clock: Clock):
    admin = password_login(team.client, "admin")
    lost = team.client.post(f"{API_PREFIX}/admin/devices/tablet-yb-01/lost", json={}, headers=admin)
    assert lost.status_code == 200 and lost.json()["status"] == "lost"
    for username in ("zhangwei", "lina"):  # its tokens: the tablet is told to wipe
        refused = problem_of(team.client.get(f"{API_PREFIX}/cases", headers=team.headers[username]))
        assert (refused["status"], refused["code"]) == (403, "device.lost")
    stolen = {"Authorization": team.headers["lina"]["Authorization"]}  # the token alone, elsewhere
    assert problem_of(team.client.get(f"{API_PREFIX}/cases", headers=stolen))["code"] == "auth.invalid"
    body = {"username": "lina", "pin": CREDENTIALS["lina"].pin, "device_id": "tablet-yb-01"}
    assert problem_of(team.client.post(f"{API_PREFIX}/auth/device-login", json=body))["code"] == "device.lost"
    keys = team.client.get(f"{API_PREFIX}/accounts/lina/keys", headers=team.headers["wangfang"]).json()
    assert all(k["revoked_at"] and "设备丢失" in k["revoke_reason"] for k in keys)
    clock.advance(minutes=1)  # the keys enrolled on it: a record sealed with them is refused, from any tablet
    elsewhere = FieldTeam(team.client, {u: device_login(team.client, u, "tablet-yb-09") for u in ("zhangwei", "lina")},
                          team.keys)
    problem = problem_of(elsewhere.submit(home_visit("rec-after-lost")))
    assert (problem["status"], problem["code"]) == (422, "key.revoked")
    assert "device.lost" in kinds(app, "tablet-yb-01")


def test_a_lost_tablet_told_to_upload_first_uploads_then_is_shut_out(app: FastAPI, team: FieldTeam):
    admin = password_login(team.client, "admin")
    lost = team.client.post(f"{API_PREFIX}/admin/devices/tablet-yb-01/lost", json={"upload_first": True},
                            headers=admin)
    assert lost.json()["status"] == "lost_upload_first"
    narrowed = problem_of(team.client.get(f"{API_PREFIX}/cases", headers=team.headers["zhangwei"]))
    assert (narrowed["status"], narrowed["code"]) == (403, "device.upload_only")
    assert team.submit(home_visit("rec-sealed-before-loss")).status_code == 200  # what it sealed still arrives
    orders = team.client.post(f"{API_PREFIX}/devices/report", json={"outbox_backlog": 0},
                              headers=team.headers["zhangwei"]).json()
    assert orders == {"wipe": True, "upload_first": True}
    done = team.client.post(f"{API_PREFIX}/devices/report", json={"wiped": True}, headers=team.headers["zhangwei"])
    assert done.json()["wipe"] is True
    refused = problem_of(team.client.post(f"{API_PREFIX}/devices/report", json={}, headers=team.headers["lina"]))
    assert refused["status"] == 401  # the device reported its wipe: its tokens are gone
    keys = team.client.get(f"{API_PREFIX}/accounts/zhangwei/keys", headers=team.headers["wangfang"]).json()
    assert all(k["revoked_at"] for k in keys)
    assert "rec-sealed-before-loss" in team.merged_ids()
    assert kinds(app, "tablet-yb-01")[-2:] == ["device.lost", "device.wiped"]


def test_r40_the_hand_over_of_a_leaving_surveyor_lists_their_tablets(team: FieldTeam):
    admin = password_login(team.client, "admin")
    device_login(team.client, "lina", "tablet-yb-05")  # she also used a second tablet
    started = team.client.post(f"{API_PREFIX}/accounts/lina/close", json={"successor": "zhangwei"}, headers=admin)
    assert started.status_code == 201, started.text
    assert started.json()["device_ids"] == ["tablet-yb-01", "tablet-yb-05"]
