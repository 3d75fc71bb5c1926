"""The reviewer sees the device audit trail of each record on the console case page."""
from __future__ import annotations

from datetime import timedelta

from schemas.audit_events import AuditAction, AuditEvent
from tests.sync_server import console_client
from tests.sync_server.helpers import T0, FieldTeam, home_visit


def test_the_case_page_shows_who_changed_what_and_when_on_the_tablet(team: FieldTeam):
    visit = home_visit()
    photo = visit.record.evidence[0].sha256
    visit.record.audit = [
        AuditEvent(at=T0, by="zhangwei", action=AuditAction.CREATED, subject="home_visit", detail="第 1 版"),
        AuditEvent(at=T0 + timedelta(minutes=7), by="lina", action=AuditAction.EVIDENCE_REMOVED, subject=photo),
        AuditEvent(at=T0 + timedelta(minutes=40), by="zhangwei,lina", action=AuditAction.SEALED)]
    assert team.submit(visit).json()["status"] == "merged"
    console_client.console_login(team.client, "wangfang")
    page = team.client.get("/console/cases/case-yb-2026-0001").text
    assert "平板操作记录" in page
    for line in ["2026-11-17 09:30 · 张伟：创建记录 home_visit 第 1 版",
                 f"2026-11-17 09:37 · 李娜：移除留证 {photo[:16]}",
                 "2026-11-17 10:10 · 张伟、李娜：封存"]:
        assert line in page, line


def test_a_record_without_a_trail_shows_no_empty_section(team: FieldTeam):
    """Records sealed before the trail existed still merge and show as before."""
    assert team.submit(home_visit()).json()["status"] == "merged"
    console_client.console_login(team.client, "wangfang")
    assert "平板操作记录" not in team.client.get("/console/cases/case-yb-2026-0001").text
