"""A case taken through its whole life over the real API (issue 17's proof): intake from the 委托书 with every
subject's 授权书 and ID proof, a township upload, a failed and two passing conformity checks, a letter with a
follow-up and its answer, a refusal and a home visit (with audio and video), a return and a redo, acceptance,
a first report, a re-verification round with its objection and result, and a second report."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from schemas.records import EvidenceKind, Outcome, Role
from sync_server.office.id_numbers import make_id_number
from sync_server.ops.seed import DEMO_TEAM_ID, DEMO_UNIT, scan_png
from tests.sync_server.finding_helpers import acknowledge_all, visit_at
from tests.sync_server.helpers import (
    SURVEYORS,
    FieldTeam,
    Visit,
    home_visit,
    m4a_audio,
    mp4_video,
    password_login,
    signature_png,
)

INTAKE = "/api/v1/intake"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HEAD = make_id_number("500112", date(1975, 4, 1), 12, False)
CHILD = make_id_number("500112", date(2015, 6, 1), 13, True)


@dataclass
class WholeCase:
    case_id: str
    subjects: list[dict]
    records: list[str] = field(default_factory=list)


def _ok(response, status: int = 200) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json()


def _upload(team: FieldTeam, headers: dict[str, str], case_id: str, data: bytes, **params: str) -> dict:
    return _ok(team.client.post(f"{INTAKE}/cases/{case_id}/documents", params=params, content=data,
                                headers={**headers, "content-type": "application/octet-stream"}), 201)


def intake(team: FieldTeam, clock) -> WholeCase:  # type: ignore[no-untyped-def]
    """The case from the 委托书, returned once for a missing seal, then released by two reviewers (R22–R26)."""
    clerk, first, second = password_login(team.client, "chenjing"), team.headers["wangfang"], \
        password_login(team.client, "zhoumin")
    body = {"title": "孙立家庭经济状况核查", "entrusting_unit": DEMO_UNIT, "contact": "陈静", "phone": "023-67801234",
            "entrusted_on": "2026-11-16", "accepted_on": "2026-11-16", "team_id": DEMO_TEAM_ID,
            "methods": ["home_visit", "letter_request"], "address": "重庆市渝北区龙溪街道金山路 9 号",
            "subjects": [{"position": 1, "name": "孙立", "id_number": HEAD, "relation": "户主"},
                         {"position": 2, "name": "孙小雨", "id_number": CHILD, "relation": "子女"}]}
    case = _ok(team.client.post(f"{INTAKE}/cases", json=body, headers=clerk), 201)
    case_id = case["case_id"]
    _upload(team, clerk, case_id, scan_png("委托书（未盖章）"), kind="entrustment")
    for s in case["subjects"]:
        guardian = {} if s["adult"] else {"guardian_name": "孙立", "guardian_relation": "父亲"}
        _upload(team, clerk, case_id, scan_png(f"授权书 {s['name']}"), kind="authorization", subject_id=s["id"],
                form="paper", **guardian)
        _upload(team, clerk, case_id, scan_png(f"身份证明 {s['name']}"), kind="id_proof", subject_id=s["id"])
    _ok(team.client.post(f"{INTAKE}/cases/{case_id}/submit", headers=clerk))
    check = f"{INTAKE}/cases/{case_id}/conformity"
    clock.advance(minutes=10)
    _ok(team.client.post(check, json={"passed": False, "reasons": "委托书未加盖公章"}, headers=first))
    _upload(team, clerk, case_id, scan_png("委托书（已盖章）"), kind="entrustment")
    _ok(team.client.post(f"{INTAKE}/cases/{case_id}/submit", headers=clerk))
    clock.advance(minutes=10)
    _ok(team.client.post(check, json={"passed": True}, headers=second))
    released = _ok(team.client.post(check, json={"passed": True}, headers=first))
    assert released["status"] == "released"
    _upload(team, clerk, case_id, PDF, kind="township_evidence", note="低保申请表")
    return WholeCase(case_id, case["subjects"])


def _visit(case: WholeCase, record_id: str, start: datetime, refused: bool = False, media: bool = False) -> Visit:
    visit = visit_at(home_visit(record_id, case_id=case.case_id, subject_id=case.subjects[0]["id"]), start)
    if refused:
        record = visit.record
        record.outcome, record.answers, record.evidence = Outcome.REFUSED, {}, []
        record.notification = {"work_id_shown": True, "purpose_explained": True}
        record.refusal_note = "户主孙立在门口表示不同意入户"
        visit.files = {}
        for surveyor in SURVEYORS:
            visit.add(signature_png(surveyor), EvidenceKind.SIGNATURE, Role.SURVEYOR_SIGNATURE, surveyor, "image/png")
    if media:
        visit.add(m4a_audio(6000), EvidenceKind.AUDIO, Role.INTERVIEW, SURVEYORS[0], "audio/mp4", "访谈录音")
        visit.add(mp4_video(9000), EvidenceKind.VIDEO, Role.SCENE, SURVEYORS[-1], "video/mp4", "居住环境")
    return visit


def field_work_and_review(team: FieldTeam, clock, case: WholeCase) -> None:  # type: ignore[no-untyped-def]
    """Letter, refusal, home visit, return, redo, acceptance, report 1, round 2 and its result, report 2."""
    reviewer = team.headers["wangfang"]
    api = f"/api/v1/cases/{case.case_id}"
    letter = _ok(team.client.post(f"{api}/letters", headers=reviewer, json={
        "addressee_unit": "渝北区社保局", "documents": "孙立 2025 年养老保险缴费记录（加盖公章）", "channel": "ems",
        "sent_at": "2026-11-17T02:00:00Z", "receiver_name": "周红", "receiver_phone": "023-67801234",
        "tracking_number": "EA123456789CN", "stamp_requested": True}))
    _ok(team.client.post(f"{api}/letters/{letter['id']}/follow-ups", headers=reviewer,
                         json={"at": "2026-11-19T03:00:00Z", "note": "电话催办，对方称已寄出"}))
    _ok(team.client.put(f"{api}/letters/{letter['id']}/answer", content=PDF, headers=reviewer))
    for visit in (_visit(case, "rec-whole-refused", clock(), refused=True), _visit(case, "rec-whole-visit-1", clock())):
        clock.advance(minutes=5)
        _ok(team.submit(visit))
        case.records.append(visit.record.id)
    clock.advance(minutes=5)
    _ok(team.client.post(f"{api}/review", headers=reviewer,
                         json={"action": "return", "target": "rec-whole-visit-1", "reason": "卧室照片模糊"}))
    clock.advance(minutes=5)
    redo = _visit(case, "rec-whole-visit-2", clock(), media=True)
    _ok(team.submit(redo))
    case.records.append(redo.record.id)
    clock.advance(minutes=5)
    acknowledge_all(team, case.case_id)
    _ok(team.client.post(f"{api}/review", json={"action": "accept", "reason": "留证齐全"}, headers=reviewer))
    _ok(team.client.post(f"{api}/reports", json={"summary": "第一次核查"}, headers=reviewer))
    clock.advance(minutes=5)
    _ok(team.client.post(f"{api}/rounds", headers=reviewer, json={
        "objected_by": "family", "objector_name": "孙立", "grounds": "收入认定有误，本人已失业",
        "objected_on": "2026-11-17", "methods": ["home_visit"]}))
    clock.advance(minutes=5)
    again = _visit(case, "rec-whole-round-2", clock())
    _ok(team.submit(again))
    case.records.append(again.record.id)
    clock.advance(minutes=5)
    acknowledge_all(team, case.case_id)
    _ok(team.client.post(f"{api}/review", json={"action": "accept", "reason": "复核留证齐全"}, headers=reviewer))
    _ok(team.client.post(f"{api}/rounds/2/result", headers=reviewer, json={
        "result": "复核维持原结论", "fed_back_to": "陈静（龙溪街道）", "fed_back_on": "2026-11-20"}))
    _ok(team.client.post(f"{api}/reports", json={"summary": "复核后的报告"}, headers=reviewer))


def whole_case(team: FieldTeam, clock) -> WholeCase:  # type: ignore[no-untyped-def]
    """The case through all of it."""
    case = intake(team, clock)
    field_work_and_review(team, clock, case)
    return case
