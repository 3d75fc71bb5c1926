"""The console's office side: review forms (R11), rounds (R19, R28), letters (R17), the filtered case list,
a case page in sections with collapsed records and paged photos, and the bundled web font."""
from __future__ import annotations

import re

from fastapi import FastAPI

from sync_server.ops.seed import DEMO_CASE_ID
from tests.sync_server.console_client import console_login, console_post
from tests.sync_server.helpers import FieldTeam, home_visit, password_login
from tests.sync_server.test_review_api import entrust

PAGE = f"/console/cases/{DEMO_CASE_ID}"


def test_a_reviewer_returns_a_record_in_the_console_and_the_decision_is_kept(team: FieldTeam, app: FastAPI):
    """R11: return with a reason, through the same service as the API; shown in the kept history."""
    entrust(app, "home_visit")
    assert team.submit(home_visit()).status_code == 200
    console_login(team.client, "wangfang")
    empty = console_post(team.client, f"{PAGE}/review", {"action": "return", "target": "rec-hv-000001", "reason": ""})
    assert empty.status_code == 422 and "退回须指明记录或核查项，并写明理由" in empty.text
    sent = console_post(team.client, f"{PAGE}/review", {"action": "return", "target": "rec-hv-000001",
                                                         "reason": "卧室照片模糊"}, follow_redirects=False)
    assert (sent.status_code, sent.headers["location"]) == (303, f"{PAGE}#review")
    page = team.client.get(PAGE).text
    assert "已退回补充" in page and "卧室照片模糊" in page and "王芳" in page
    assert team.client.get("/api/v1/cases", headers=team.headers["zhangwei"]).json()[0]["returns"][0]["reason"] \
        == "卧室照片模糊"


def test_only_reviewers_get_the_review_forms_and_township_posts_are_refused(team: FieldTeam):
    """R6: a township clerk reads the case but cannot decide."""
    console_login(team.client, "chenjing")
    page = team.client.get(PAGE).text
    assert "外勤留证审核通过" not in page and 'action="/console/cases/' not in page
    refused = console_post(team.client, f"{PAGE}/review", {"action": "comment", "reason": "x"})
    assert refused.status_code == 403 and "仅审核人员可以审核" in refused.text


def test_an_objection_opens_a_round_from_the_console(team: FieldTeam):
    """R28 then R19: the round shows its grounds, methods and the 10 more working days."""
    console_login(team.client, "wangfang")
    response = console_post(team.client, f"{PAGE}/rounds", {
        "objected_by": "unit", "objector_name": "陈静", "grounds": "家庭人口有变化", "objected_on": "2026-11-17"},
        follow_redirects=False)
    assert response.status_code == 303, response.text
    page = team.client.get(PAGE).text
    assert "第 2 轮（复核）" in page and "家庭人口有变化" in page and "2026-12-01" in page


def test_the_case_page_is_in_sections_with_records_collapsed(team: FieldTeam):
    """Issue 6: a case with several records is not one long page: sections, records folded, photos paged."""
    for n in range(1, 4):
        assert team.submit(home_visit(f"rec-hv-00000{n}")).status_code == 200
    console_login(team.client, "wangfang")
    page = team.client.get(PAGE).text
    for anchor in ("facts", "subjects", "checklist", "review", "records", "rounds", "letters"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    assert len(re.findall(r'<details class="card record" id="record-[^"]+" >', page)) == 3
    opened = team.client.get(f"{PAGE}?record=rec-hv-000002").text
    assert '<details class="card record" id="record-rec-hv-000002" open>' in opened


def test_the_case_list_filters_searches_and_masks(team: FieldTeam):
    """Search by name or ID number; administrators see ID numbers masked (R21)."""
    console_login(team.client, "wangfang")
    found = team.client.get("/console/cases", params={"q": "刘秀英"}).text
    assert "王建国家庭经济状况核查" in found and "赵桂兰" not in found
    assert "500112197007224223" in found or "共 1 件" in found
    none = team.client.get("/console/cases", params={"q": "不存在的人"}).text
    assert "共 0 件" in none
    overdue = team.client.get("/console/cases", params={"due": "overdue"}).text
    assert "共 0 件" in overdue
    console_login(team.client, "admin")
    masked = team.client.get("/console/cases", params={"q": "3112"}).text
    assert "500112********3112" in masked and "500112196803153112" not in masked


def test_the_api_case_list_pages_and_marks_deadlines(team: FieldTeam, clock):
    """Overdue and due-soon marks; pages; the same filters as the console."""
    headers = team.headers["wangfang"]
    page = team.client.get("/api/v1/review/cases", headers=headers).json()
    assert page["total"] == 2 and page["pages"] == 1 and not page["rows"][0]["overdue"]
    clock.advance(days=15)  # the deadline is 2026-11-30
    headers = password_login(team.client, "wangfang")  # console sessions last 12 hours
    rows = team.client.get("/api/v1/review/cases", params={"due": "overdue"}, headers=headers).json()["rows"]
    assert [r["id"] for r in rows] == [DEMO_CASE_ID, "case-yb-2026-0002"]
    rows = team.client.get("/api/v1/review/cases", params={"status": "refused_return"}, headers=headers).json()
    assert rows["total"] == 0


def test_the_console_serves_the_bundled_cjk_font(team: FieldTeam):
    """Chinese renders on any machine: the CSS names a local web font that the server serves."""
    css = team.client.get("/console/console.css").text
    assert '@font-face' in css and 'url("/console/fonts/cjk.ttf")' in css
    font = team.client.get("/console/fonts/cjk.ttf")
    assert font.status_code == 200 and font.headers["content-type"] == "font/ttf"
    assert font.content[:4] == b"\x00\x01\x00\x00" and len(font.content) > 1_000_000
