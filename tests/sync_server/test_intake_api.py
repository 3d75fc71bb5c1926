"""Intake through the API (R1, R22–R26): a case from the 委托书, its subjects, scans typed by their
content, the two-person conformity review, and field work refused until the case is released."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from sync_server.office.id_numbers import make_id_number
from sync_server.ops.seed import DEMO_TEAM_ID, DEMO_UNIT, scan_png
from tests.sync_server.helpers import FieldTeam, home_visit, password_login, problem_of

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]
API = "/api/v1/intake"
ADULT = make_id_number("500112", date(1975, 4, 1), 12, False)
CHILD = make_id_number("500112", date(2015, 6, 1), 13, True)


def new_case(**overrides: object) -> dict:
    body = {"title": "孙立家庭经济状况核查", "entrusting_unit": DEMO_UNIT, "contact": "陈静",
            "phone": "023-67801234", "entrusted_on": "2026-11-16",
            "methods": ["home_visit", "neighbour_interview"], "address": "重庆市渝北区龙溪街道金山路 9 号",
            "team_id": DEMO_TEAM_ID,
            "subjects": [{"position": 1, "name": "孙立", "id_number": ADULT, "relation": "户主",
                          "household_address": "重庆市渝北区龙溪街道"},
                         {"position": 2, "name": "孙小雨", "id_number": CHILD, "relation": "子女",
                          "household_address": "重庆市渝北区龙溪街道"}]}
    return body | overrides


def create(team: FieldTeam, headers: dict[str, str], **overrides: object) -> dict:
    response = team.client.post(f"{API}/cases", json=new_case(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def upload(team: FieldTeam, headers: dict[str, str], case_id: str, data: bytes, **params: str):
    return team.client.post(f"{API}/cases/{case_id}/documents", params=params, content=data,
                            headers={**headers, "content-type": "application/octet-stream"})


def complete(team: FieldTeam, clerk: dict[str, str], case: dict) -> None:
    """Upload the 委托书, each subject's 授权书 (the child's by a guardian) and ID proof."""
    case_id = case["case_id"]
    assert upload(team, clerk, case_id, scan_png(f"e{case_id}"), kind="entrustment").status_code == 201
    for s in case["subjects"]:
        guardian = {} if s["adult"] else {"guardian_name": "孙立", "guardian_relation": "父亲"}
        ok = upload(team, clerk, case_id, scan_png(f"a{s['id']}"), kind="authorization", subject_id=s["id"],
                    form="paper", **guardian)
        assert ok.status_code == 201, ok.text
        assert upload(team, clerk, case_id, scan_png(f"p{s['id']}"), kind="id_proof",
                      subject_id=s["id"]).status_code == 201


def test_a_township_clerk_enters_a_case_from_the_entrustment_r23_r25(team: FieldTeam):
    clerk = password_login(team.client, "chenjing")
    case = create(team, clerk)
    assert case["status"] == "draft" and case["methods"] == ["home_visit", "neighbour_interview"]
    assert [(s["name"], s["sex"], s["adult"]) for s in case["subjects"]] == [("孙立", "男", True),
                                                                             ("孙小雨", "女", False)]
    # R3: ten working days from the server's date (2026-11-17 in Beijing), re-dated when the materials are handed in
    assert (case["accepted_on"], case["deadline"]) == ("2026-11-17", "2026-12-01")
    assert "缺少加盖公章的委托书扫描件" in case["missing"] and "孙立：缺少授权书" in case["missing"]


def test_a_wrong_check_digit_or_another_unit_is_refused_r23(team: FieldTeam):
    clerk = password_login(team.client, "chenjing")
    bad = ADULT[:17] + ("0" if ADULT[17] != "0" else "1")
    subjects = [{"position": 1, "name": "孙立", "id_number": bad, "household_address": "渝北"}]
    response = team.client.post(f"{API}/cases", json=new_case(subjects=subjects), headers=clerk)
    assert problem_of(response)["code"] == "request.invalid" and "校验码" in response.json()["detail"]
    other = team.client.post(f"{API}/cases", json=new_case(entrusting_unit="渝北区双凤桥街道办事处"), headers=clerk)
    assert problem_of(other)["code"] == "auth.forbidden"


def test_a_roster_with_one_bad_row_imports_nothing_and_names_the_row_r23(team: FieldTeam):
    clerk = password_login(team.client, "chenjing")
    case = create(team, clerk, subjects=[])
    good = make_id_number("500112", date(1980, 1, 2), 5, True)
    csv = ("序号,姓名,身份证号码,户籍地址,备注\n"
           f"1,周红,{good},重庆市渝北区,\n"
           "2,周军,500112198001020000,重庆市渝北区,\n").encode("utf-8-sig")
    url = f"{API}/cases/{case['case_id']}/subjects/import"
    refused = team.client.post(url, content=csv, headers=clerk)
    problem = problem_of(refused)
    assert problem["code"] == "import.invalid" and problem["data"]["errors"][0]["row"] == 3
    assert "第 3 行" in problem["detail"]
    assert team.client.get(f"{API}/cases/{case['case_id']}", headers=clerk).json()["subjects"] == []
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "姓名", "身份证号码", "户籍地址", "备注"])
    sheet.append([1, "周红", good, "重庆市渝北区", "户主"])
    out = io.BytesIO()
    book.save(out)
    imported = team.client.post(url, content=out.getvalue(), headers=clerk)
    assert imported.status_code == 200, imported.text
    assert imported.json()["imported"] == 1
    assert imported.json()["intake"]["subjects"][0]["sex"] == "女"


def test_uploads_are_typed_by_their_bytes_and_credited_r25_r31(team: FieldTeam):
    clerk = password_login(team.client, "chenjing")
    case_id = create(team, clerk)["case_id"]
    fake = upload(team, clerk, case_id, b"MZ\x90\x00 not a pdf at all", kind="entrustment")
    assert problem_of(fake)["code"] == "upload.type"
    big = upload(team, clerk, case_id, b"%PDF-1.7\n" + b"0" * (21 * 1024 * 1024), kind="entrustment")
    assert problem_of(big)["code"] == "evidence.too_large"
    pdf = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
    stored = upload(team, clerk, case_id, pdf, kind="entrustment", note="../../etc/passwd")
    assert stored.status_code == 201, stored.text
    document = stored.json()
    assert (document["media_type"], document["uploaded_by"], document["size"]) == ("application/pdf",
                                                                                   "chenjing", len(pdf))
    back = team.client.get(f"{API}/documents/{document['id']}", headers=clerk)
    assert back.content == pdf and back.headers["content-type"] == "application/pdf"
    reviewer = team.client.get(f"{API}/documents/{document['id']}", headers=team.headers["wangfang"])
    assert reviewer.status_code == 200
    own_team = team.client.get(f"{API}/documents/{document['id']}", headers=team.headers["zhangwei"])
    assert own_team.status_code == 200  # the case's own team; another team's surveyor gets 403 (below)


def test_a_minors_authorization_needs_a_guardian_r22(team: FieldTeam):
    clerk = password_login(team.client, "chenjing")
    case = create(team, clerk)
    child = case["subjects"][1]
    response = upload(team, clerk, case["case_id"], scan_png("child"), kind="authorization",
                      subject_id=child["id"], form="paper")
    assert problem_of(response)["code"] == "request.invalid" and "监护人" in response.json()["detail"]
    no_form = upload(team, clerk, case["case_id"], scan_png("adult"), kind="authorization",
                     subject_id=case["subjects"][0]["id"])
    assert "授权方式" in problem_of(no_form)["detail"]


def test_two_different_reviewers_release_a_case_and_a_failure_returns_it_r26_r1(team: FieldTeam):
    clerk, first = password_login(team.client, "chenjing"), team.headers["wangfang"]
    second = password_login(team.client, "zhoumin")
    case = create(team, clerk)
    case_id = case["case_id"]
    early = team.client.post(f"{API}/cases/{case_id}/submit", headers=clerk)
    assert problem_of(early)["code"] == "request.invalid" and "材料不全" in early.json()["detail"]
    complete(team, clerk, case)
    assert team.client.post(f"{API}/cases/{case_id}/submit", headers=clerk).json()["status"] == "submitted"
    check = f"{API}/cases/{case_id}/conformity"
    assert problem_of(team.client.post(check, json={"passed": True}, headers=clerk))["code"] == "auth.forbidden"
    assert team.client.post(check, json={"passed": True}, headers=first).json()["status"] == "submitted"
    again = team.client.post(check, json={"passed": True}, headers=first)
    assert problem_of(again)["code"] == "intake.same_checker"
    no_reason = team.client.post(check, json={"passed": False}, headers=second)
    assert problem_of(no_reason)["code"] == "request.invalid"
    returned = team.client.post(check, json={"passed": False, "reasons": "委托书未加盖公章"}, headers=second).json()
    assert (returned["status"], returned["returned_reasons"]) == ("returned", "委托书未加盖公章")
    assert upload(team, clerk, case_id, scan_png("sealed again"), kind="entrustment").status_code == 201
    assert team.client.post(f"{API}/cases/{case_id}/submit", headers=clerk).json()["round"] == 2
    team.client.post(check, json={"passed": True}, headers=second)
    released = team.client.post(check, json={"passed": True}, headers=first).json()
    assert released["status"] == "released" and released["released_at"]
    assert sorted((c["round"], c["checker"], c["passed"]) for c in released["checks"]) == [
        (1, "wangfang", True), (1, "zhoumin", False), (2, "wangfang", True), (2, "zhoumin", True)]
    listed = {c["id"]: c for c in team.client.get("/api/v1/cases", headers=team.headers["zhangwei"]).json()}
    assert listed[case_id]["released"] and listed[case_id]["authorization_recorded"]
    late = upload(team, clerk, case_id, scan_png("late"), kind="entrustment")
    assert problem_of(late)["code"] == "intake.state"


def test_records_on_a_case_not_yet_released_are_refused_r1(team: FieldTeam):
    clerk = password_login(team.client, "chenjing")
    case = create(team, clerk)
    complete(team, clerk, case)
    team.client.post(f"{API}/cases/{case['case_id']}/submit", headers=clerk)
    team.client.post(f"{API}/cases/{case['case_id']}/conformity", json={"passed": True},
                     headers=team.headers["wangfang"])
    visit = home_visit("rec-unreleased-1", case_id=case["case_id"], subject_id=case["subjects"][0]["id"])
    problem = problem_of(team.submit(visit))
    assert problem["code"] == "case.not_released"


def test_another_teams_surveyor_and_another_agency_see_nothing(team: FieldTeam, outsider):
    clerk = password_login(team.client, "chenjing")
    case = create(team, clerk)
    headers, _key = outsider
    assert team.client.get(f"{API}/cases/{case['case_id']}", headers=headers).status_code == 403
    admin = password_login(team.client, "admin")
    team.client.post("/api/v1/organisations", headers=admin,
                     json={"id": "jb-center", "name": "江北区核查认定中心", "kind": "agency"})
    created = team.client.post("/api/v1/accounts", headers=admin, json={
        "username": "qianyu", "name": "钱雨", "work_id": "JB-01", "role": "reviewer", "org_id": "jb-center",
        "password": "Jiangbei#Check26"})
    assert created.status_code == 201, created.text
    other_agency = password_login(team.client, "qianyu", "Jiangbei#Check26")
    assert team.client.get("/api/v1/cases", headers=other_agency).json() == []
    assert team.client.get(f"{API}/cases/{case['case_id']}", headers=other_agency).status_code == 403
