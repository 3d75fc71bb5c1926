"""The reviewer console: Chinese HTML pages behind a password login, showing each record as merged."""
from __future__ import annotations

import html
import io

import pytest
from PIL import Image

from schemas.records import EvidenceKind, Role
from tests.sync_server import console_client
from tests.sync_server.console_client import console_post
from tests.sync_server.helpers import PHOTOS, FieldTeam, home_visit

pytestmark = pytest.mark.both_databases  # each test also runs on PostgreSQL, id [postgres]


def console_login(team: FieldTeam, username: str, password: str | None = None):
    return console_client.console_login(team.client, username, password)


def test_a_reviewer_signs_in_with_an_httponly_strict_cookie(team: FieldTeam):
    response = console_login(team, "wangfang")
    assert (response.status_code, response.headers["location"]) == (303, "/console/cases")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    page = team.client.get("/console/cases")
    assert page.status_code == 200 and "王建国家庭经济状况核查" in page.text and "2026-11-30" in page.text


def test_the_case_page_shows_subjects_answers_photos_and_verified_signatures(team: FieldTeam):
    """R10, R11, R18: what the field team recorded is shown as they sealed it, with who signed."""
    visit = home_visit()
    visit.record.answers["identity_note"] = "<script>alert(1)</script>"
    assert team.submit(visit).json()["status"] == "merged"
    console_login(team, "wangfang")
    page = team.client.get("/console/cases/case-yb-2026-0001").text
    for text in ["王建国", "刘秀英", "王小明", "渝北区龙溪街道办事处", "入户调查记录表", "居住环境",
                 "住房面积（平方米）", "62.5", "砖混结构两室一厅", "家庭生活困难情况属实", "已出示工作证明",
                 "调查对象签名：王建国", "调查人员签名：张伟（工作证号 YB-2026-017）",
                 "调查人员签名：李娜（工作证号 YB-2026-023）", "✓ 已验证", "齐全"]:
        assert text in page, text
    assert "500112196803153112" not in page and "500112********3112" in page  # R21: ID numbers masked
    assert "<script>alert(1)</script>" not in page and html.escape("<script>alert(1)</script>") in page
    photo = visit.record.evidence[0]
    assert f'<img loading="lazy" src="/console/evidence/{photo.sha256}/thumb?record={visit.record.id}"' in page
    assert f'<a href="/console/evidence/{photo.sha256}">查看原件</a>' in page
    served = team.client.get(f"/console/evidence/{photo.sha256}")
    assert served.content == visit.files[photo.sha256] and served.headers["content-type"] == "image/jpeg"


def test_a_signature_image_repeated_byte_for_byte_is_flagged_to_the_reviewer_r11(team: FieldTeam):
    """Real handwriting never repeats byte for byte: the same images in a second record are pointed out."""
    assert team.submit(home_visit("rec-sign-once")).json()["status"] == "merged"
    console_login(team, "wangfang")
    warning = "与本案其他签名的图像完全相同"
    assert warning not in team.client.get("/console/cases/case-yb-2026-0001").text  # one record: nothing repeats
    assert team.submit(home_visit("rec-sign-again")).json()["status"] == "merged"  # same images reused
    assert team.client.get("/console/cases/case-yb-2026-0001").text.count(warning) == 6  # 3 images × 2 records


def test_a_case_without_records_says_so_and_is_not_complete(team: FieldTeam):
    console_login(team, "chenjing")
    page = team.client.get("/console/cases/case-yb-2026-0002").text
    assert "尚未收到调查记录" in page and "未齐全" in page and "赵桂兰" in page


def test_surveyors_cannot_sign_in_to_the_console(team: FieldTeam):
    """R6: duties are split; surveyors work on the tablet."""
    response = console_login(team, "zhangwei")
    assert response.status_code == 403 and "调查人员请使用平板应用" in response.text
    assert "set-cookie" not in response.headers


def test_a_wrong_password_shows_the_login_form_again(team: FieldTeam):
    response = console_login(team, "wangfang", "Wrong#Pass2026")
    assert response.status_code == 401 and "用户名或密码不正确" in response.text


def test_pages_and_files_need_a_console_session(team: FieldTeam):
    visit = home_visit()
    team.submit(visit)
    assert team.client.get("/console/cases", follow_redirects=False).headers["location"] == "/console/login"
    assert team.client.get(f"/console/evidence/{visit.record.evidence[0].sha256}").status_code == 401
    bearer = team.headers["wangfang"]["Authorization"].removeprefix("Bearer ")
    team.client.cookies.set("console_token", "forged" + bearer, path="/console")
    assert team.client.get("/console/cases", follow_redirects=False).status_code == 303


def test_logging_out_ends_the_console_session_on_the_server(team: FieldTeam):
    console_login(team, "wangfang")
    token = team.client.cookies.get("console_token")
    console_post(team.client, "/console/logout", {})
    team.client.cookies.set("console_token", token, path="/console")  # a copied cookie is worth nothing now
    assert team.client.get("/console/cases", follow_redirects=False).status_code == 303


def test_photos_are_previewed_upright_as_jpeg_even_when_shot_as_heic(team: FieldTeam):
    """R10: a reviewer sees every photo; the stored evidence stays byte for byte as captured."""
    visit = home_visit()
    heic = (PHOTOS / "heic" / "samplefilehub.heif").read_bytes()
    rotated = (PHOTOS / "orientation" / "portrait_6.jpg").read_bytes()
    visit.add(heic, EvidenceKind.PHOTO, Role.SCENE, "zhangwei", "image/heif")
    visit.add(rotated, EvidenceKind.PHOTO, Role.SCENE, "lina", "image/jpeg")
    assert team.submit(visit).json()["status"] == "merged"
    console_login(team, "wangfang")
    shas = [ref.sha256 for ref in visit.record.evidence[-2:]]
    for sha in shas:
        preview = team.client.get(f"/console/evidence/{sha}/preview")
        assert preview.status_code == 200 and preview.headers["content-type"] == "image/jpeg"
        image = Image.open(io.BytesIO(preview.content))
        assert image.format == "JPEG" and max(image.size) <= 1280
    upright = Image.open(io.BytesIO(team.client.get(f"/console/evidence/{shas[1]}/preview").content))
    assert upright.height > upright.width  # EXIF orientation 6 turned the landscape pixels upright
    assert team.client.get(f"/console/evidence/{shas[0]}").content == heic
