"""Intake in the console (R22–R26): the clerk's pages call the same service functions as the API."""
from __future__ import annotations

import pytest

from sync_server.office.id_numbers import make_id_number
from sync_server.ops.seed import DEMO_CASE_ID, DEMO_TEAM_ID, DEMO_UNIT, scan_png
from tests.sync_server.console_client import console_post
from tests.sync_server.helpers import FieldTeam, home_visit
from tests.sync_server.test_console import console_login

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]


def test_a_clerk_enters_a_case_imports_the_roster_and_uploads_scans_r23_r25(team: FieldTeam):
    from datetime import date

    console_login(team, "chenjing")
    created = console_post(team.client, "/console/intake/new", follow_redirects=False, data={
        "title": "钱芳家庭经济状况核查", "entrusting_unit": DEMO_UNIT, "contact": "陈静", "phone": "023-67801234",
        "entrusted_on": "2026-11-16", "methods": ["home_visit"],
        "address": "重庆市渝北区龙溪街道", "team_id": DEMO_TEAM_ID})
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    number = make_id_number("500112", date(1960, 5, 5), 7, True)
    bad = "序号,姓名,身份证号码,户籍地址\n1,钱芳,500112196005050000,重庆市渝北区\n".encode()
    refused = console_post(team.client, f"{url}/roster", data={}, files={"file": ("名单.csv", bad, "text/csv")})
    assert refused.status_code == 422 and "第 2 行" in refused.text and "校验码" in refused.text
    good = f"序号,姓名,身份证号码,户籍地址\n1,钱芳,{number},重庆市渝北区\n".encode()
    page = console_post(team.client, f"{url}/roster", data={}, files={"file": ("名单.csv", good, "text/csv")}).text
    assert "已导入委托名单 1 人" in page and "钱芳" in page and number not in page  # masked (R21)
    fake = console_post(team.client, f"{url}/document", data={"kind": "entrustment"},
                            files={"file": ("委托书.pdf", b"<html>not a pdf</html>", "application/pdf")})
    assert fake.status_code == 415 and "仅接受 PDF、JPEG、PNG" in fake.text
    ok = console_post(team.client, f"{url}/document", data={"kind": "entrustment"},
                          files={"file": ("x.png", scan_png("委托书"), "image/png")})
    assert "已上传委托书" in ok.text and "缺少加盖公章的委托书扫描件" not in ok.text


def test_a_township_clerk_sees_no_household_photos_but_the_reviewer_sees_their_uploads(team: FieldTeam):
    """Township staff see what their duty needs; their uploads reach the reviewer as evidence."""
    visit = home_visit()
    assert team.submit(visit).json()["status"] == "merged"
    console_login(team, "chenjing")
    uploaded = console_post(team.client, f"/console/intake/{DEMO_CASE_ID}/document",
                                data={"kind": "township_evidence", "note": "低保申请表"},
                                files={"file": ("申请表.png", scan_png("申请表"), "image/png")})
    assert "已上传乡镇上传材料" in uploaded.text
    page = team.client.get(f"/console/cases/{DEMO_CASE_ID}").text
    photo = visit.record.evidence[0].sha256
    assert photo not in page and "入户照片和签名仅供核查机构审核人员查看" in page
    assert team.client.get(f"/console/evidence/{photo}").status_code == 404
    console_login(team, "wangfang")
    reviewer_page = team.client.get(f"/console/cases/{DEMO_CASE_ID}").text
    assert "乡镇上传材料" in reviewer_page and "低保申请表" in reviewer_page and photo in reviewer_page


def test_the_console_refuses_a_session_until_an_old_password_is_changed_r33(team: FieldTeam, clock):
    clock.advance(days=200)
    response = console_login(team, "wangfang")
    assert response.status_code == 403 and "密码已过期或强度不足" in response.text
    assert "set-cookie" not in response.headers


def test_an_administrator_manages_accounts_pledges_and_a_handover_in_the_console_r4_r5_r27(team: FieldTeam):
    console_login(team, "admin")
    page = team.client.get("/console/accounts").text
    assert "账号管理" in page and "张伟（YB-2026-017）" in page and "✓ 有效" in page
    weak = console_post(team.client, "/console/accounts/create", data={
        "username": "sunli", "name": "孙丽", "work_id": "YB-40", "role": "surveyor", "org_id": "yb-hdzx",
        "team_id": "team-yb-01", "password": "weak", "pin": "275318"})
    assert weak.status_code == 422 and "密码至少" in weak.text
    created = console_post(team.client, "/console/accounts/create", data={
        "username": "sunli", "name": "孙丽", "work_id": "YB-40", "role": "surveyor", "org_id": "yb-hdzx",
        "posts": ["verification"], "team_id": "team-yb-01", "password": "Fresh#Start2026", "pin": "275318"})
    assert "已创建账号 sunli" in created.text and "保密承诺书缺失或已过期" in created.text
    pledged = console_post(team.client, "/console/accounts/credential", data={
        "username": "sunli", "kind": "pledge", "valid_from": "2026-11-01", "valid_until": "2027-10-31"},
        files={"file": ("承诺书.png", scan_png("pledge sunli"), "image/png")})
    assert "已登记 sunli 的保密承诺书" in pledged.text
    closing = console_post(team.client, "/console/accounts/close", data={"username": "lina", "successor": "sunli"})
    assert "待 lina 与 sunli 双方确认" in closing.text
    console_login(team, "wangfang")
    assert team.client.get("/console/accounts").status_code == 403


def test_a_same_origin_form_post_with_origin_null_passes_but_a_cross_site_one_does_not(team: FieldTeam):
    """Chromium sends `Origin: null` on a page's own form post under Referrer-Policy no-referrer; the
    Sec-Fetch-Site header then vouches for it; without it (or cross-site) the post is refused."""
    from tests.sync_server.console_client import form_token

    token = form_token(team.client, "/console/login")
    body = {"username": "wangfang", "password": "Review!Case2026", "csrf": token}
    foreign = team.client.post("/console/login", data=body, follow_redirects=False,
                               headers={"origin": "null", "sec-fetch-site": "cross-site"})
    assert foreign.status_code == 403
    bare = team.client.post("/console/login", data=body, follow_redirects=False, headers={"origin": "null"})
    assert bare.status_code == 403
    own = team.client.post("/console/login", data=body, follow_redirects=False,
                           headers={"origin": "null", "sec-fetch-site": "same-origin"})
    assert own.status_code == 303
