"""The reviewer reads the device audit trail of each record on the console case page and in the record PDF:
in Chinese (the form's labels, no raw ids such as `home_visit` or `scene`), in Beijing time, and each
step credited to the surveyor who did it, not to whoever signed in first on the tablet (R10, R11, R16)."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from schemas.device_audit import sealed_event, with_trail
from schemas.records import Role
from sync_server.documents.bundle import record_pdfs
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import Case
from tests.sync_server import console_client
from tests.sync_server.helpers import T0, FieldTeam, home_visit
from tests.sync_server.pdf_checks import text_of

RAW = ("home_visit", "scene", "surveyor_signature", "respondent_signature", "housing_type", "work_id_shown")


def visit_with_trail():
    """A home visit whose trail is written by the real trail code, on a tablet where 张伟 signed in first
    (the operator all along): 李娜's photo and signature are still hers, the seal is both of theirs."""
    visit = home_visit()
    full = visit.record
    bare = full.model_copy(update={"evidence": [], "answers": {}, "notification": {}})
    record = with_trail(None, bare, "zhangwei", T0)
    with_answers = full.model_copy(update={"evidence": [], "audit": record.audit})
    record = with_trail(record, with_answers, "zhangwei", T0 + timedelta(minutes=5))
    record = with_trail(record, full.model_copy(update={"audit": record.audit}), "zhangwei", T0 + timedelta(minutes=20))
    visit.record = full.model_copy(update={"audit": [*record.audit, sealed_event("zhangwei,lina", full.sealed_at)]})
    return visit


def audit_section(page: str) -> str:
    return page[page.index("平板操作记录"):].split("</ol>")[0]


def test_the_case_page_shows_who_did_what_in_chinese_and_beijing_time(team: FieldTeam):
    visit = visit_with_trail()
    lina_photo = next(e for e in visit.record.evidence if e.role == Role.SCENE and e.captured_by == "lina")
    assert team.submit(visit).json()["status"] == "merged"
    console_client.console_login(team.client, "wangfang")
    page = team.client.get(f"/console/cases/{DEMO_CASE_ID}").text
    trail = audit_section(page)
    for line in ["2026-11-17 09:30 · 张伟：创建记录：入户调查记录表（第 1 版）",
                 "2026-11-17 09:35 · 张伟：告知事项：已出示工作证明（已确认）",
                 "2026-11-17 09:35 · 张伟：修改答案：住房类型",
                 f"2026-11-17 09:50 · 李娜：添加留证：现场照片“卧室” （校验值 {lina_photo.sha256[:8]}）",
                 "2026-11-17 09:50 · 李娜：签名：调查人员签名",
                 "2026-11-17 09:50 · 张伟：签名：调查人员签名",
                 "2026-11-17 10:10 · 张伟、李娜：封存"]:
        assert line.replace(" （", "（") in trail.replace(" （", "（"), line
    for raw in RAW:
        assert raw not in trail, raw
    assert not re.search(r"2026-11-17 0[12]:\d\d", page)  # the record's times (01:30–02:10 UTC) only in Beijing time
    assert "UTC" not in page


def test_a_record_without_a_trail_shows_no_empty_section(team: FieldTeam):
    """Records sealed before the trail existed still merge and show as before."""
    assert team.submit(home_visit()).json()["status"] == "merged"
    console_client.console_login(team.client, "wangfang")
    assert "平板操作记录" not in team.client.get(f"/console/cases/{DEMO_CASE_ID}").text


def test_the_record_pdf_carries_the_trail_with_real_actors_in_beijing_time(team: FieldTeam, app, tmp_path: Path):
    visit = visit_with_trail()
    assert team.submit(visit).json()["status"] == "merged"
    services = app.state.services
    with services.session() as session:
        [(_name, data)] = record_pdfs(session, session.get(Case, DEMO_CASE_ID), services)
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(data)
    text = text_of(pdf)
    flat = text.replace(" ", "").replace("\n", "")
    assert "平板操作记录（北京时间）" in flat
    rows = [re.sub(r"\s{2,}", "|", line.strip()) for line in text.splitlines() if "2026-11-17" in line]
    assert any(r.startswith("2026-11-17 09:30|张伟|创建记录：入户调查记录表") for r in rows), rows
    assert any(r.startswith("2026-11-17 09:50|李娜|添加留证：现场照片“卧室”") for r in rows), rows
    assert any(r.startswith("2026-11-17 10:10|张伟、李娜|封存") for r in rows), rows
    assert not any(re.search(r"2026-11-17 0[12]:\d\d", r) for r in rows)  # no UTC time anywhere
    for raw in RAW:
        assert raw not in flat, raw
