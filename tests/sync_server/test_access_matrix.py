"""Object-level access on every /api/v1 route (R6, R21): a table of route × who is asking → allowed or denied.

Denied means 401, 403 or 404 (a case one may not see is not shown); allowed means anything else below 500
(a 409 or 422 on an allowed route is the service speaking, not the gate). A route added later fails
`test_every_api_route_is_in_the_matrix` until someone decides who may call it: that is intended.

"other_agency" is a reviewer of another verification agency (cases carry their agency, R21). Posts bind like
roles (§4.3.1, R33): "no_post" is a reviewer of the case's own agency who holds no post, "reviewer" (王芳) holds
受理岗, 核证岗, 核查报告岗 and 机要岗 but not 信息交换岗, "admin" holds 机要岗 only. Each post on its own is
checked in test_post_rules.py.
"""
from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlmodel import select

from schemas.protocol import EVIDENCE_BATCH, AccountRole, batch_header
from schemas.staffing import NewOrganisation, OrgKind
from sync_server.accounts.auth import create_account
from sync_server.office import staff
from sync_server.office.id_numbers import make_id_number
from sync_server.ops.seed import DEMO_AGENCY, DEMO_CASE_ID
from sync_server.tables import Account, CaseDocument
from tests.sync_server.helpers import FieldTeam, home_visit, password_login
from tests.sync_server.test_review_api import PDF, entrust

ACTORS = ("own_team", "other_team", "township", "other_township", "reviewer", "other_agency", "admin", "closed",
          "no_post")
PUBLIC = "public"
C = f"/api/v1/cases/{DEMO_CASE_ID}"

# route -> one letter per actor, in ACTORS order: A allowed, D denied
MATRIX: dict[str, str] = {
    "POST /api/v1/auth/device-login": PUBLIC,
    "POST /api/v1/auth/login": PUBLIC,
    "POST /api/v1/auth/password": PUBLIC,  # username and old password in the body (R33 forced change)
    "PUT /api/v1/keys": "AADDDDDDD",
    "GET /api/v1/accounts/{username}/keys": "DDAAAAADA",  # surveyor tokens: tablet routes only (issue 5)
    "GET /api/v1/cases": "AAAAAAADA",
    "GET /api/v1/cases/{case_id}": "ADADADADA",
    "HEAD /api/v1/evidence/{sha256}": "ADDDADDDA",  # the owner team and the case's reviewers (issue 5 §3)
    "PUT /api/v1/evidence/{sha256}": "AADDDDDDD",
    "GET /api/v1/evidence/{sha256}": "ADDDADDDA",  # no household photos for clerks or admins (issue 6)
    "POST /api/v1/records": "ADDDDDDDD",
    "GET /api/v1/review/cases": "DDAAAAADA",
    "GET /api/v1/cases/{case_id}/review": "DDADADADA",  # the tablet gets returns in the case
    "POST /api/v1/cases/{case_id}/review": "DDDDADDDD",
    "GET /api/v1/cases/{case_id}/findings": "DDADADADA",  # issue 16: what the server found in the evidence
    "POST /api/v1/cases/{case_id}/findings/acks": "DDDDADDDD",  # a reviewer holding 核证岗 acknowledges
    "GET /api/v1/cases/{case_id}/rounds": "DDADADADA",
    "POST /api/v1/cases/{case_id}/rounds": "DDDDADDDD",
    "POST /api/v1/cases/{case_id}/rounds/{number}/result": "DDDDADDDD",
    "GET /api/v1/cases/{case_id}/letters": "DDADADADA",
    "POST /api/v1/cases/{case_id}/letters": "DDDDADDDD",
    "POST /api/v1/cases/{case_id}/letters/{letter_id}/follow-ups": "DDDDADDDD",
    "PUT /api/v1/cases/{case_id}/letters/{letter_id}/answer": "DDDDADDDD",
    # intake and staff (helper w6-intake's routes, classified here)
    "POST /api/v1/intake/cases": "DDADAAADA",  # the clerk for their own unit; agency reviewers and admins
    "GET /api/v1/intake/cases/{case_id}": "DDADADADA",
    "POST /api/v1/intake/cases/{case_id}/subjects": "DDADADADA",
    "POST /api/v1/intake/cases/{case_id}/subjects/import": "DDADADADA",
    "POST /api/v1/intake/cases/{case_id}/documents": "DDADADDDA",  # scans come from the unit or the agency
    "GET /api/v1/intake/documents/{document_id}": "ADADADADA",  # w6-intake to confirm: the team may read scans
    "POST /api/v1/intake/cases/{case_id}/submit": "DDADADADA",
    "POST /api/v1/intake/cases/{case_id}/conformity": "DDDDADDDD",  # R26: agency reviewers only
    "PUT /api/v1/intake/cases/{case_id}/accepted-on": "DDDDADDDD",  # R3: 受理岗 corrects, with a reason
    "PUT /api/v1/intake/cases/{case_id}/team": "DDDDADADA",
    "POST /api/v1/organisations": "DDDDDDADD",
    "GET /api/v1/organisations": "DDDDDDADD",
    "POST /api/v1/teams": "DDDDDDADD",
    "POST /api/v1/accounts": "DDDDDDADD",
    "GET /api/v1/accounts": "DDDDDDADD",
    "PUT /api/v1/accounts/{username}/team": "DDDDDDADD",
    "POST /api/v1/accounts/{username}/credentials": "DDDDDDADD",
    "GET /api/v1/accounts/{username}/credentials": "DDDDDDADD",  # admins (no tablet screen for it)
    "POST /api/v1/accounts/{username}/close": "DDDDDDADD",
    "POST /api/v1/handovers/{handover_id}/confirm": "ADDDDDDDD",  # the two people of the hand-over (R4)
    "POST /api/v1/accounts/password-recheck": "DDDDDDADD",
    "GET /api/v1/teams": "DDDDDDADD",
    # sign-out, keys and sign-in delays (issue 5)
    "POST /api/v1/auth/logout": "AAAAAAADA",  # every live token may end itself
    "GET /api/v1/admin/keys": "DDDDDDADD",
    "POST /api/v1/admin/keys/{key_id}/revoke": "DDDDDDADD",
    "POST /api/v1/admin/accounts/{username}/unlock": "DDDDDDADD",
    # resumable uploads (issue 9): a surveyor's own uploads only; HEAD is 404 for a file the team does not hold
    "POST /api/v1/evidence/missing": "AADDDDDDD",
    "HEAD /api/v1/uploads/{sha256}": "ADDDDDDDD",
    "PATCH /api/v1/uploads/{sha256}": "AADDDDDDD",
    "DELETE /api/v1/uploads/{sha256}": "AADDDDDDD",
    "POST /api/v1/evidence/batch": "AADDDDDDD",  # small files: any surveyor's own uploads (bytes hashed)
    # report, dossier, retention (issue 8)
    "GET /api/v1/agency-key": "DDAAAAADA",
    "GET /api/v1/log/checkpoint": "AAAAAAADA",  # every tablet and staff member may witness the log (issue 17)
    "GET /api/v1/forms": "AAAAAAADA",  # the office's own form versions: every tablet and staff member (issue 20)
    "POST /api/v1/log/alarm": "AAAAAAADA",  # and report that it contradicts a checkpoint they hold
    "POST /api/v1/cases/{case_id}/report/preview": "DDDDADADA",
    "GET /api/v1/cases/{case_id}/reports": "DDDDADADA",  # the agency's reviewers and admins
    "POST /api/v1/cases/{case_id}/reports": "DDDDADDDD",
    "GET /api/v1/cases/{case_id}/reports/{report_version}.pdf": "DDDDADADA",
    "POST /api/v1/cases/{case_id}/matching-results": "DDDDDDDDD",  # 信息交换岗: no actor here holds it
    # (test_post_rules.py lets its holder in)
    "POST /api/v1/cases/{case_id}/dossier": "DDDDADADD",
    "GET /api/v1/cases/{case_id}/retention": "DDDDADADA",
    "PUT /api/v1/cases/{case_id}/retention": "DDDDADADD",
    "POST /api/v1/cases/{case_id}/disposal": "DDDDADADD",  # a reviewer too: refused until due
    # the disposal appraisal and certificate (issue 17, R35): the agency's 机要岗 proposes and decides
    "GET /api/v1/cases/{case_id}/disposal/appraisals": "DDDDADADA",
    "POST /api/v1/cases/{case_id}/disposal/appraisals": "DDDDADADD",
    "POST /api/v1/cases/{case_id}/disposal/appraisals/{appraisal_id}/decision": "DDDDADADD",
    "GET /api/v1/cases/{case_id}/disposal/certificate": "DDDDADADA",  # case.not_disposed until disposed
    # issue 20: the units' systems, administrators only; cross-province checks (R36): 信息交换岗, none here
    "GET /api/v1/admin/exchange-units": "DDDDDDADD",
    "POST /api/v1/admin/exchange-units": "DDDDDDADD",
    "POST /api/v1/admin/exchange-units/{unit_id}/key": "DDDDDDADD",
    "PUT /api/v1/admin/exchange-units/{unit_id}/webhook": "DDDDDDADD",
    "GET /api/v1/admin/exchange-units/{unit_id}/messages": "DDDDDDADD",
    "POST /api/v1/admin/exchange-units/{unit_id}/messages/{message_id}/resend": "DDDDDDADD",
    "PUT /api/v1/admin/exchange-peers/{org_id}": "DDDDDDADD",
    "PUT /api/v1/organisations/{org_id}/parent": "DDDDDDADD",
    "GET /api/v1/cross-province": "DDDDAAADA",  # agency staff; each sees its own agency's checks
    "POST /api/v1/cases/{case_id}/cross-province": "DDDDDDDDD",
    "GET /api/v1/cases/{case_id}/cross-province": "DDDDADADA",  # the case's checks: its agency's staff
    "POST /api/v1/cross-province/{check_id}/submit": "DDDDDDDDD",
    "POST /api/v1/cross-province/{check_id}/confirm": "DDDDDDDDD",
    "POST /api/v1/cross-province/{check_id}/answer": "DDDDDDDDD",
    "POST /api/v1/cross-province/{check_id}/feed-back": "DDDDDDDDD",
    "POST /api/v1/cross-province/{check_id}/resend": "DDDDDDADD",  # administrators (409: nothing sent yet)
    # the device fleet (issue 18): a tablet enrols with a one-time code and reports its state; admins manage
    "GET /api/v1/enrolment/ca": PUBLIC,
    "POST /api/v1/devices/enrol": PUBLIC,
    "POST /api/v1/devices/report": "AADDDDDDD",  # a surveyor's tablet token only
    "POST /api/v1/admin/enrolments": "DDDDDDADD",
    "GET /api/v1/admin/devices": "DDDDDDADD",
    "POST /api/v1/admin/devices/{tablet_id}/lost": "DDDDDDADD",  # a tablet no actor here uses
}

LETTER = {"addressee_unit": "渝北区社保局", "documents": "缴费记录", "channel": "fax", "sent_at": "2026-11-17T02:00:00Z",
          "receiver_name": "周红", "receiver_phone": "023-67801234"}
OBJECTION = {"objected_by": "unit", "objector_name": "陈静", "grounds": "人口有变", "objected_on": "2026-11-17",
             "methods": ["home_visit"]}


NO_POST, NO_POST_PASSWORD = "sunhao", "NoPost#Review26"


def issue_unchecked(app: FastAPI) -> None:
    """Version 1 of the demo case's report, frozen without the issuing checks (documents/reports.freeze)."""
    from sync_server.documents import reports
    from sync_server.tables import Case

    with app.state.services.session() as session:
        case = session.get(Case, DEMO_CASE_ID)
        assert case is not None
        reports.freeze(session, case, app.state.services, "wangfang", "矩阵")
        session.commit()


NEW_CASE = {"title": "矩阵测试案件", "entrusting_unit": "渝北区龙溪街道办事处", "contact": "陈静", "phone": "023-67800000",
            "entrusted_on": "2026-11-16", "methods": ["home_visit"],
            "team_id": "team-yb-01"}
OFFICE_REQUESTS: dict[str, dict] = {
    "POST /api/v1/intake/cases": {"json": NEW_CASE},
    "POST /api/v1/intake/cases/{case_id}/subjects": {"json": []},
    "POST /api/v1/intake/cases/{case_id}/subjects/import": {"content": (
        "序号,姓名,身份证号码,户籍地址,备注\n"
        f"9,周红,{make_id_number('500112', date(1980, 1, 2), 15, True)},重庆市渝北区,\n").encode("utf-8-sig")},
    "POST /api/v1/intake/cases/{case_id}/documents": {"params": {"kind": "township_evidence"}, "content": PDF},
    "POST /api/v1/intake/cases/{case_id}/conformity": {"json": {"passed": True}},
    "PUT /api/v1/intake/cases/{case_id}/team": {"json": {"team_id": "team-yb-01"}},
    "PUT /api/v1/intake/cases/{case_id}/accepted-on": {"json": {"accepted_on": "2026-11-16", "reason": "矩阵测试"}},
    "POST /api/v1/organisations": {"json": {"id": "cq-test", "name": "测试机构", "kind": "agency"}},
    "POST /api/v1/teams": {"json": {"id": "team-test", "name": "测试小组"}},
    "POST /api/v1/accounts": {"json": {"username": "newbie", "name": "新人", "work_id": "T-1", "role": "surveyor",
                                       "org_id": "yb-hdzx", "password": "Newbie#Pass2026", "pin": "615243"}},
    "PUT /api/v1/accounts/{username}/team": {"json": {"team_id": "team-yb-01"}},
    "POST /api/v1/accounts/{username}/credentials": {
        "params": {"kind": "pledge", "valid_from": "2026-01-01", "valid_until": "2026-12-31"}, "content": PDF},
    "POST /api/v1/accounts/{username}/close": {"json": {"successor": "zhangwei"}},
    "POST /api/v1/admin/exchange-units": {"json": {"id": "matrix-unit", "name": "矩阵单位", "team_id": "team-yb-01"}},
    "PUT /api/v1/admin/exchange-units/{unit_id}/webhook": {"json": {"webhook_url": ""}},
    "PUT /api/v1/admin/exchange-peers/{org_id}": {"json": {"base_url": "http://127.0.0.1:9",
                                                            "public_key": "A" * 43 + "="}},
    "PUT /api/v1/organisations/{org_id}/parent": {"json": {"parent_id": None}},
    "POST /api/v1/cases/{case_id}/cross-province": {"json": {"subject_ids": [f"{DEMO_CASE_ID}-s1"],
                                                             "question": "矩阵测试"}},
    "POST /api/v1/cross-province/{check_id}/answer": {"json": {"answer": "矩阵测试"}},
}


def _exchange(world: dict) -> str:
    """A unit's system with one result message owed on the demo case, and a cross-province check (made once)."""
    if "unit" not in world:
        from datetime import UTC, datetime

        from schemas.exchange import NewCrossCheck
        from sync_server.office import cross_province, exchange_units
        from sync_server.tables import Case, ExchangeMessage, Organisation

        services, now = world["app"].state.services, datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
        with services.session() as session:
            admin = session.get(Account, "admin")
            exchange_units.register(session, admin, unit_id="longxi", name="渝北区龙溪街道办事处",
                                    team_id="team-yb-01", webhook_url="", now=now)
            session.add(ExchangeMessage(id="xm-matrix", unit_id="longxi", seq=1, case_id=DEMO_CASE_ID, event="test",
                                        body="{}", created_at=now, next_attempt_at=now))
            session.add(Organisation(id="cq-sheng", name="省中心", kind="agency"))
            session.flush()
            cross_province.set_parent(session, admin, DEMO_AGENCY, "cq-sheng", now)
            exchanger = session.get(Account, "zhoumin")  # 信息交换岗
            check = cross_province.request_check(session, exchanger, session.get(Case, DEMO_CASE_ID),
                                                 NewCrossCheck(subject_ids=[f"{DEMO_CASE_ID}-s1"], question="矩阵"),
                                                 now, services.holidays(session))
            world["check"] = check.id
            session.commit()
        world["unit"] = "longxi"
    return str(world["unit"])


def api_routes(app: FastAPI) -> set[str]:
    """Every (method, full path) under /api/v1, whether FastAPI keeps included routers flat or nested."""
    found: set[str] = set()
    for route in app.routes:
        if isinstance(route, APIRoute):
            contexts = [(route.path, route.methods)]
        elif hasattr(route, "effective_route_contexts"):  # FastAPI ≥ 0.165 nests included routers
            contexts = [(c.path, c.methods) for c in route.effective_route_contexts()]
        else:
            continue
        found |= {f"{m} {path}" for path, methods in contexts if path.startswith("/api/v1") for m in methods or ()}
    return found


def test_every_api_route_is_in_the_matrix(app: FastAPI):
    """A new route must be classified here before it ships."""
    assert api_routes(app) == set(MATRIX)


@pytest.fixture
def world(app: FastAPI, team: FieldTeam, outsider):
    """Every actor signed in; a merged record with its files, a letter and an open round on the demo case."""
    entrust(app, "home_visit", "letter_request")
    visit = home_visit()
    assert team.submit(visit).status_code == 200
    with app.state.services.session() as session:
        create_account(session, username="sunli", name="孙丽", role=AccountRole.TOWNSHIP, password="Shuang#Long2026",
                       unit="渝北区双龙湖街道办事处")
        create_account(session, username="zhoujie", name="周杰", role=AccountRole.REVIEWER,
                       password="Gone#Reviewer26", org_id=DEMO_AGENCY)
        admin = session.get(Account, "admin")
        staff.add_organisation(session, admin, NewOrganisation(id="jb-hdzx", name="江北区核查中心",
                                                               kind=OrgKind.AGENCY))
        session.flush()
        create_account(session, username="wulei", name="吴磊", role=AccountRole.REVIEWER,
                       password="Jiangbei#Rev2026", org_id="jb-hdzx")
        create_account(session, username=NO_POST, name="孙浩", role=AccountRole.REVIEWER, work_id="HC-2026-009",
                       password=NO_POST_PASSWORD, org_id=DEMO_AGENCY)  # §4.3.1: a reviewer given no post
        session.commit()
        document = session.exec(select(CaseDocument).where(CaseDocument.case_id == DEMO_CASE_ID)).first()
        assert document is not None
    headers = {"own_team": team.headers["zhangwei"], "other_team": outsider[0],
               "township": password_login(team.client, "chenjing"),
               "other_township": password_login(team.client, "sunli", "Shuang#Long2026"),
               "reviewer": team.headers["wangfang"],
               "other_agency": password_login(team.client, "wulei", "Jiangbei#Rev2026"),
               "admin": password_login(team.client, "admin"),
               "closed": password_login(team.client, "zhoujie", "Gone#Reviewer26"),
               "no_post": password_login(team.client, NO_POST, NO_POST_PASSWORD)}
    with app.state.services.session() as session:
        closed = session.get(Account, "zhoujie")
        closed.active = False  # the holder left (R4): their live token no longer opens anything
        session.add(closed)
        session.commit()
    letter = team.client.post(f"{C}/letters", json=LETTER, headers=headers["reviewer"]).json()["id"]
    assert team.client.post(f"{C}/rounds", json=OBJECTION, headers=headers["reviewer"]).status_code == 200
    closing = team.client.post("/api/v1/accounts/lina/close", json={"successor": "zhangwei"},
                               headers=headers["admin"])
    assert closing.status_code == 201, closing.text
    key_id = team.client.get("/api/v1/accounts/zhangwei/keys", headers=headers["reviewer"]).json()[0]["key_id"]
    return {"app": app, "headers": headers, "visit": visit, "team": team, "letter": letter, "key_id": key_id,
            "sha": visit.record.evidence[0].sha256, "document": document.id, "handover": closing.json()["id"]}


def _appraisal(world: dict) -> str:
    """An open disposal appraisal of the demo case, proposed by the administrator (made once)."""
    if "appraisal" not in world:
        proposed = world["team"].client.post(f"{C}/disposal/appraisals", json={"reason": "矩阵测试"},
                                             headers=world["headers"]["admin"])
        assert proposed.status_code == 200, proposed.text
        world["appraisal"] = proposed.json()["id"]
    return str(world["appraisal"])


def _spare_tablet(world: dict) -> str:
    """A registered tablet none of the actors signs in on (marking it lost shuts nobody out here)."""
    if "tablet" not in world:
        from sync_server.tables import Device
        with world["app"].state.services.session() as session:
            session.add(Device(id="tablet-matrix", org_id=DEMO_AGENCY))
            session.commit()
        world["tablet"] = "tablet-matrix"
    return str(world["tablet"])


def call(world: dict, route: str, actor: str):
    client, headers = world["team"].client, world["headers"][actor]
    method, path = route.split(" ", 1)
    sha, visit = world["sha"], world["visit"]
    url = (path.replace("{case_id}", DEMO_CASE_ID).replace("{sha256}", sha).replace("{username}", "zhangwei")
           .replace("{letter_id}", world["letter"]).replace("{number}", "2")
           .replace("{document_id}", world["document"]).replace("{handover_id}", world["handover"])
           .replace("{key_id}", world["key_id"]).replace("{report_version}", "1")
           .replace("{appraisal_id}", _appraisal(world)).replace("{unit_id}", _exchange(world))
           .replace("{message_id}", "xm-matrix").replace("{org_id}", DEMO_AGENCY)
           .replace("{check_id}", world["check"]).replace("{tablet_id}", _spare_tablet(world)))
    kwargs: dict = {"headers": headers}
    if route == "PUT /api/v1/keys":
        kwargs["json"] = {"key_id": "k", "public_key": "AAAA"}  # refused by the service (422), not the gate
    elif route == "PUT /api/v1/evidence/{sha256}":
        kwargs["content"] = visit.files[sha]
    elif route == "POST /api/v1/records":
        kwargs.update(content=world["team"].seal(visit.record).model_dump_json(),
                      headers={**headers, "content-type": "application/json"})
    elif route.endswith("/review") and method == "POST":
        kwargs["json"] = {"action": "comment", "reason": "矩阵测试"}
    elif route.endswith("/findings/acks"):
        kwargs["json"] = {"record_id": visit.record.id, "code": "no_fix", "target": "", "reason": "矩阵测试"}
    elif route.endswith("/rounds"):
        kwargs["json"] = OBJECTION
    elif route.endswith("/result"):
        kwargs["json"] = {"result": "维持", "fed_back_to": "陈静", "fed_back_on": "2026-11-18"}
    elif route.endswith("/letters") and method == "POST":
        kwargs["json"] = LETTER
    elif route.endswith("/follow-ups"):
        kwargs["json"] = {"at": "2026-11-18T02:00:00Z", "note": "催办"}
    elif route.endswith("/answer") and "/letters/" in route:
        kwargs["content"] = PDF
    elif route == "POST /api/v1/evidence/missing":
        kwargs["json"] = {"sha256": [sha]}
    elif route == "POST /api/v1/evidence/batch":
        data = visit.files[sha]
        kwargs.update(content=data, headers={**headers, EVIDENCE_BATCH: batch_header([(sha, len(data))])})
    elif route == "PATCH /api/v1/uploads/{sha256}":
        data = visit.files[sha]
        kwargs.update(content=data, headers={**headers, "Upload-Offset": "0", "Upload-Length": str(len(data))})
    elif route == "POST /api/v1/admin/enrolments":
        kwargs["json"] = {"org_id": DEMO_AGENCY}
    elif route in ("POST /api/v1/devices/report", "POST /api/v1/admin/devices/{tablet_id}/lost"):
        kwargs["json"] = {}
    elif route.endswith("/revoke"):
        kwargs["json"] = {"reason": "矩阵测试"}
    elif route.endswith("/report/preview") or route == "POST /api/v1/cases/{case_id}/reports":
        kwargs["json"] = {"summary": "矩阵测试"}
    elif route.endswith("/matching-results"):
        kwargs["json"] = [{"section": 1, "department": "民政", "item": "低保", "summary": "无"}]
    elif route == "PUT /api/v1/cases/{case_id}/retention":
        kwargs["json"] = {"retention_years": 10}
    elif route.endswith("/disposal"):
        kwargs["json"] = {"note": "矩阵测试"}
    elif route.endswith("/appraisals") and method == "POST":
        kwargs["json"] = {"reason": "矩阵测试"}
    elif route.endswith("/decision"):
        kwargs["json"] = {"approve": False, "note": "矩阵测试"}
    elif route.endswith(".pdf") and not world.get("issued"):
        issue_unchecked(world["app"])  # this row is about reading an issued report, not about issuing one
        world["issued"] = True
    else:
        kwargs.update(OFFICE_REQUESTS.get(route, {}))
    return client.request(method, url, **kwargs)


@pytest.mark.parametrize("route", [r for r, e in MATRIX.items() if e != PUBLIC])
def test_each_route_lets_in_exactly_who_may_call_it(world, route):
    """R6 (duties split), R21 (object-level access), R4 (closed accounts): the whole row must match."""
    got = ""
    for actor in ACTORS:
        status = call(world, route, actor).status_code
        assert status < 500, (route, actor, status)
        got += "D" if status in (401, 403, 404) else "A"
    assert got == MATRIX[route], f"{route}: expected {MATRIX[route]}, got {got} for {ACTORS}"


def test_a_township_clerk_of_another_township_sees_nothing(world):
    """Issue 6: the other township's clerk lists no case and finds none by search."""
    client, headers = world["team"].client, world["headers"]["other_township"]
    assert client.get("/api/v1/cases", headers=headers).json() == []
    assert client.get("/api/v1/review/cases", params={"q": "王建国"}, headers=headers).json()["total"] == 0
    assert [c["id"] for c in client.get("/api/v1/cases", headers=world["headers"]["other_team"]).json()] == []
