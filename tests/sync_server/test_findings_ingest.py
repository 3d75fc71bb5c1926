"""The server judges the evidence itself at ingest and keeps the findings with the record (issue 16; R10, R30,
R42); reviewers acknowledge them with a reason (kept, logged); a record sealed before the release is refused
(R1); the household's place, once confirmed, re-judges the records."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from schemas.records import Location, LocationFix
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import AuditEntry, Case, RecordFindings
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.finding_helpers import acknowledge_all, findings_of
from tests.sync_server.helpers import RELEASED, T0, FieldTeam, home_visit, password_login, problem_of

API = f"/api/v1/cases/{DEMO_CASE_ID}"
TUSCANY = Location(lat=43.4675, lon=11.8852, accuracy_m=12)  # where the Coolpix GPS photos were taken


def audit_kinds(app: FastAPI, kind: str) -> list[AuditEntry]:
    with app.state.services.session() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.kind == kind).order_by(col(AuditEntry.position))))


@pytest.mark.both_databases
def test_ingest_keeps_what_the_bytes_say_not_what_the_tablet_says(team: FieldTeam, app: FastAPI):
    """The tablet flagged nothing on its 2008 photos taken in Tuscany, and flagged a photo small that is not:
    the server reads the EXIF of the stored originals and keeps its own findings with the record."""
    visit = home_visit()
    photos = [e for e in visit.record.evidence if e.media_type == "image/jpeg"]
    photos[0].flags = ["small_image"]  # the tablet's opinion, not believed
    assert team.submit(visit).status_code == 200
    with app.state.services.session() as session:
        row = session.get(RecordFindings, visit.record.id)
        assert row is not None and row.case_id == DEMO_CASE_ID
        facts = json.loads(row.facts_json)
    assert {p["sha256"] for p in facts["photos"]} == {p.sha256 for p in photos}
    assert all(p["taken_at"].startswith("2008-10-22") and p["gps"]["lat"] > 43 for p in facts["photos"])
    found = findings_of(team)
    keys = {(f["code"], f["target"]) for f in found}
    assert keys == {("no_fix", "")} | {(c, p.sha256) for p in photos
                                        for c in ("outside_visit_window", "far_from_household")}
    texts = " ".join(f"{f['label']} {f['detail']}" for f in found)
    assert "拍摄于 2008-10-22 16:28" in texts and "公里" in texts and "未取得定位" in texts
    assert not any(f["acknowledged"] for f in found)
    ingested = audit_kinds(app, "record.ingested")[-1]
    assert sorted(map(tuple, json.loads(ingested.entry)["data"]["findings"])) == sorted(keys)


def test_acknowledging_needs_a_reviewer_and_a_reason_and_is_kept_and_logged(team: FieldTeam, app: FastAPI):
    visit = home_visit()
    assert team.submit(visit).status_code == 200
    far = next(f for f in findings_of(team) if f["code"] == "far_from_household")
    body = {"record_id": visit.record.id, "code": far["code"], "target": far["target"], "reason": "  "}
    ack = f"{API}/findings/acks"
    assert problem_of(team.client.post(ack, json=body, headers=team.headers["wangfang"]))["code"] == "review.invalid"
    body["reason"] = "系户主外出务工时所拍旧照，已电话核实"
    for other in (team.headers["zhangwei"], password_login(team.client, "admin")):
        assert team.client.post(ack, json=body, headers=other).status_code == 403
    wrong = {**body, "target": "0" * 64}
    assert problem_of(team.client.post(ack, json=wrong, headers=team.headers["wangfang"]))["code"] == "review.invalid"
    done = team.client.post(ack, json=body, headers=team.headers["wangfang"])
    assert done.status_code == 200, done.text
    mine = next(f for f in done.json() if (f["code"], f["target"]) == (far["code"], far["target"]))
    assert mine["acknowledged"] and mine["ack_reason"] == body["reason"] and mine["ack_by"] == "王芳"
    again = team.client.post(ack, json=body, headers=team.headers["wangfang"])
    assert problem_of(again)["code"] == "review.invalid"  # once is enough, and the first reason stays
    [logged] = audit_kinds(app, "finding.acknowledged")
    assert (logged.actor, logged.subject, json.loads(logged.entry)["data"]["reason"]) == \
        ("wangfang", visit.record.id, body["reason"])


@pytest.mark.both_databases
def test_a_record_sealed_before_the_case_was_released_is_refused(team: FieldTeam):
    """R1 (先授权、后核对): sealed an hour before the release: refused with its own code, in Chinese."""
    visit = home_visit()
    visit.record.started_at = RELEASED - timedelta(hours=2)
    visit.record.sealed_at = RELEASED - timedelta(hours=1)
    problem = problem_of(team.submit(visit))
    assert (problem["status"], problem["code"]) == (409, "case.not_released_at_visit")
    assert "案件下达之前" in problem["title"] and problem["data"]["released_at"].startswith("2026-11-16T01:00")
    assert team.merged_ids() == []


def test_a_visit_started_before_the_release_but_sealed_after_is_flagged(team: FieldTeam):
    visit = home_visit()
    visit.record.started_at = RELEASED - timedelta(days=19)
    assert team.submit(visit).status_code == 200
    [early] = [f for f in findings_of(team) if f["code"] == "started_before_release"]
    assert early["target"] == "" and "案件下达于 2026-11-16 09:00" in early["detail"]


def test_no_household_place_is_amber_until_the_first_fix_is_confirmed(team: FieldTeam, app: FastAPI):
    """Issue 16: without the household's place no distance is judged (never "passed"); the reviewer confirms
    the first visit's start fix, the records are judged again, and the photos taken there are near."""
    with app.state.services.session() as session:
        case = session.get(Case, DEMO_CASE_ID)
        assert case is not None
        case.lat = case.lon = None
        session.add(case)
        session.commit()
    visit = home_visit()
    visit.record.start_fix = LocationFix(at=T0, location=TUSCANY)
    visit.record.seal_fix = LocationFix(at=T0 + timedelta(minutes=40), location=TUSCANY)
    assert team.submit(visit).status_code == 200
    codes = {f["code"] for f in findings_of(team)}
    assert "no_household_place" in codes and "far_from_household" not in codes
    console_login(team.client, "wangfang")
    page = team.client.get(f"/console/cases/{DEMO_CASE_ID}").text
    assert "未登记家庭位置：照片和定位的距离无法核验" in page and "采用首次调查的开始定位（43.46750, 11.88520" in page
    moved = console_post(team.client, f"/console/cases/{DEMO_CASE_ID}/place", {"source": "first_fix"},
                         follow_redirects=False)
    assert moved.status_code == 303, moved.text
    codes = {f["code"] for f in findings_of(team)}
    assert "no_household_place" not in codes and "far_from_household" not in codes  # within 500 m of the fix
    assert "outside_visit_window" in codes  # 2008 is still 2008
    [logged] = audit_kinds(app, "case.place_set")
    assert json.loads(logged.entry)["data"]["source"] == f"first_fix:{visit.record.id}"


def test_the_case_page_shows_each_finding_beside_its_photo_and_in_the_checklist(team: FieldTeam):
    visit = home_visit()
    assert team.submit(visit).status_code == 200
    console_login(team.client, "wangfang")
    page = team.client.get(f"/console/cases/{DEMO_CASE_ID}").text
    assert "证据提示待审核确认：入户调查（王建国）" in page and "未齐全" in page
    assert page.count("⚠ 拍摄时间不在本次调查时间内（拍摄于 2008-10-22") == 2  # beside each photo
    assert page.count('data-code="outside_visit_window"') == 2  # and in the record's list of findings
    assert page.count('class="inline-form ack-form"') == 5
    for f in findings_of(team):
        made = console_post(team.client, f"/console/cases/{DEMO_CASE_ID}/findings/ack", follow_redirects=False,
                            data={"record_id": visit.record.id, "code": f["code"], "target": f["target"],
                                  "reason": "相机样张，已核实"})
        assert made.status_code == 303, made.text
    page = team.client.get(f"/console/cases/{DEMO_CASE_ID}").text
    assert "证据提示待审核确认" not in page and "已全部确认" in page and "已确认：相机样张，已核实（王芳" in page
    assert acknowledge_all(team) == 0


def test_intake_records_where_the_household_is_or_leaves_it_unknown(team: FieldTeam, app: FastAPI):
    """The clerk may type the household's coordinates at intake; left blank, the place stays unknown."""
    from sync_server.ops.seed import DEMO_TEAM_ID, DEMO_UNIT

    console_login(team.client, "chenjing")
    common = {"entrusting_unit": DEMO_UNIT, "contact": "陈静", "phone": "023-67801234", "entrusted_on": "2026-11-16",
              "accepted_on": "2026-11-16", "methods": ["home_visit"], "address": "重庆市渝北区龙溪街道",
              "team_id": DEMO_TEAM_ID}
    places = {}
    for title, lat, lon in (("钱芳家庭经济状况核查", "29.5893", "106.5318"), ("孙强家庭经济状况核查", "", " ")):
        created = console_post(team.client, "/console/intake/new", follow_redirects=False,
                               data={**common, "title": title, "lat": lat, "lon": lon})
        assert created.status_code == 303, created.text
        case_id = created.headers["location"].rstrip("/").rsplit("/", 1)[-1]
        with app.state.services.session() as session:
            case = session.get(Case, case_id)
            assert case is not None
            places[title] = (case.lat, case.lon)
    assert places == {"钱芳家庭经济状况核查": (29.5893, 106.5318), "孙强家庭经济状况核查": (None, None)}


HOME = Location(lat=29.5895, lon=106.5320, accuracy_m=8)  # about 30 m from the demo household


def test_a_clean_record_clears_at_once_and_a_returned_one_names_its_findings(team: FieldTeam, app: FastAPI):
    """A neighbour interview with good fixes at the household and distinct signatures: no finding, 齐全 on
    arrival. A home visit with 2008 photos, returned: the return the tablet downloads names the findings."""
    from tests.sync_server.test_review_api import entrust, neighbour

    entrust(app, "neighbour_interview")
    clean = neighbour("rec-nb-clean1", "邻居甲")
    clean.record.start_fix = LocationFix(at=T0, location=HOME)
    clean.record.seal_fix = LocationFix(at=T0 + timedelta(minutes=40), location=HOME)
    answer = team.submit(clean)
    assert answer.status_code == 200 and answer.json()["completeness"]["complete"] is True, answer.text
    assert findings_of(team) == []
    entrust(app, "home_visit", "neighbour_interview")
    visit = home_visit("rec-hv-returned")
    assert team.submit(visit).status_code == 200
    returned = team.client.post(f"{API}/review", headers=team.headers["wangfang"],
                                json={"action": "return", "target": visit.record.id, "reason": "请补拍现场照片"})
    assert returned.status_code == 200, returned.text
    [case] = [c for c in team.client.get("/api/v1/cases", headers=team.headers["zhangwei"]).json()
              if c["id"] == DEMO_CASE_ID]
    [item] = case["returns"]
    assert item["reason"] == "请补拍现场照片"
    assert item["findings"] == ["未取得定位", "拍摄时间不在本次调查时间内", "拍摄地点距登记住址较远",
                                "签名图片与其他签名完全相同（手写签名不会逐字节重复）"]  # as the neighbour record's
