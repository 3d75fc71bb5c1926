"""The walking skeleton, end to end: a home visit and a refusal from the tablet to the verification case.

Drives the real Flet web client in Chromium (offline: every non-local request is aborted) against the
real sync server, with the server stopped while the team works, the app restarted, then synced.
Screenshots of every screen go to test-artifacts/screens/.
"""
from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from schemas.forms import form_for
from schemas.records import Role, SealedRecord, VisitKind
from schemas.signed import seal_verifies
from tests.end_to_end.flet_browser import (
    fill_field,
    new_tablet_page,
    open_flet,
    tap,
    unexpected_requests,
    wait_text,
)
from tests.end_to_end.tablet import SURVEYORS, Tablet
from tests.media import PHOTOS

MEDIA = PHOTOS
PHOTOS = [MEDIA / "Canon_40D.jpg", MEDIA / "gps" / "DSCN0010.jpg", MEDIA / "orientation" / "portrait_6.jpg",
          MEDIA / "heic" / "samplefilehub.heif"]
CASE = "case-yb-2026-0001"
NEAR_HOUSEHOLD = {"latitude": 29.5900, "longitude": 106.5318, "accuracy": 12}  # the demo case: 29.5893, 106.5318
HOME = form_for(VisitKind.HOME_VISIT)
REVIEWER = ("wangfang", "Review!Case2026")


def fill_home_visit(tablet: Tablet, broken_photo: Path) -> None:
    """R8–R11: notification, respondent, every section, photos (a broken one refused), three signatures."""
    tap(tablet.page, f"start-home_visit-{CASE}")
    wait_text(tablet.page, "请向调查对象出示工作证明")
    assert tablet.wait_start_fix() == "距登记住址"  # the browser's GPS: about 80 m from the household
    tablet.notify([n.id for n in HOME.notification])
    tablet.shot("notification")
    tablet.next_step()
    tap(tablet.page, "王建国（户主）")  # one of the case's subjects (R2)
    tablet.next_step()
    for section in HOME.sections:
        tablet.answer_section(HOME, section.id)
        tablet.shot(f"section-{section.id}")
        tablet.next_step()
    tablet.add_photos("add-scene-photo", [broken_photo])
    wait_text(tablet.page, f"{broken_photo.name}：照片文件已损坏或不完整")
    tablet.shot("photo-refused")
    tablet.add_photos("add-scene-photo", PHOTOS)
    wait_text(tablet.page, f"已添加 {len(PHOTOS)} 张照片", timeout=20_000)
    tablet.shot("photos")
    tablet.next_step()
    wait_text(tablet.page, "请核对以下记录内容")  # R29: read back before the respondent signs
    wait_text(tablet.page, f"{len(PHOTOS)} 张")
    tablet.shot("readback")
    tablet.next_step()
    tablet.sign("respondent-pad")
    tablet.shot("respondent-signed")
    tablet.next_step()
    tablet.sign_team()
    tablet.shot("team-signed")
    tablet.next_step()
    wait_text(tablet.page, "记录完整，可以封存")
    tablet.shot("ready-to-seal")


def record_refusal(tablet: Tablet) -> None:
    """R13: the family refuses; the team records what happened and both sign."""
    tablet.refuse_at_door(f"start-home_visit-{CASE}")
    fill_field(tablet.page, HOME.refusal_label, "户主隔门表示不需要救助，拒绝开门，经两次说明仍拒绝。")
    tablet.shot("refusal-note")
    tablet.next_step()
    tablet.sign_team()
    tablet.next_step()
    tablet.seal()


def test_home_visit_and_refusal_reach_the_case_through_an_outage_and_a_restart(product, browser, tmp_path):
    """R1, R7–R13, R10 (hashes), R11 (Ed25519 seals): the whole story of the walking skeleton."""
    broken = tmp_path / "truncated.jpg"  # a phone photo cut off mid-transfer
    whole = (MEDIA / "mobile" / "jolla.jpg").read_bytes()
    broken.write_bytes(whole[: len(whole) * 2 // 5])
    context, page = new_tablet_page(browser, permissions=["geolocation"], geolocation=NEAR_HOUSEHOLD)
    product.timings["first_frame_s"] = open_flet(page, product.app_url)
    tablet = Tablet(page, "home-visit")
    tablet.shot("sign-in")
    tablet.sign_in_team()
    tablet.shot("team-signed-in")
    tap(page, "go-cases")
    tap(page, "download-cases")
    wait_text(page, "缺少家庭授权书")  # R1: the second demo case may not be surveyed
    tablet.shot("cases")

    product.stop_server()  # the team works at the door with no network
    fill_home_visit(tablet, broken)
    tablet.seal(wrong_pin_first=True)
    tablet.shot("sealed")
    record_refusal(tablet)
    tablet.shot("cases-with-two-sealed")
    tap(page, "nav-outbox")
    tap(page, "sync-button")
    wait_text(page, "无法连接服务器", timeout=30_000)
    tablet.shot("outbox-offline")
    context.close()

    product.stop_app()  # the queue survives a restart of the app
    product.start_app()
    context, page = new_tablet_page(browser)
    open_flet(page, product.app_url)
    tablet.page = page
    tablet.sign_in_team()  # offline sign-in: each PIN opens that surveyor's key
    tap(page, "nav-outbox")
    wait_text(page, "待上传 2 份")
    tablet.shot("outbox-after-restart")

    product.start_server()
    tap(page, "sync-button")
    wait_text(page, "已上传 2 份", timeout=60_000)
    tablet.shot("outbox-synced")
    assert unexpected_requests(page.blocked_requests) == []
    context.close()

    check_case_on_server(product)
    look_at_console(product, browser)


def check_case_on_server(product) -> None:
    """The case holds both records; photo bytes equal the originals; both surveyor seals verify."""
    api = product.api(*REVIEWER)
    try:
        detail = api.get(f"/cases/{CASE}").json()
        assert detail["completeness"]["complete"] is False  # issue 16: not before the findings are seen
        found = api.get(f"/cases/{CASE}/findings").json()
        assert any(f["code"] == "outside_visit_window" for f in found)  # imported camera samples from 2008 …
        for f in found:
            body = {"record_id": f["record_id"], "code": f["code"], "target": f["target"], "reason": "已核实"}
            assert api.post(f"/cases/{CASE}/findings/acks", json=body).status_code == 200
        detail = api.get(f"/cases/{CASE}").json()
        assert detail["completeness"]["complete"] is True
        records = [SealedRecord.model_validate(r["sealed"]) for r in detail["records"]]
        assert sorted(r.record.outcome.value for r in records) == ["completed", "refused"]
        keys = {u: [base64.b64decode(k["public_key"]) for k in api.get(f"/accounts/{u}/keys").json()]
                for u in SURVEYORS}
        for sealed in records:
            assert {s.surveyor for s in sealed.seals} == set(SURVEYORS)
            for seal in sealed.seals:
                assert any(seal_verifies(sealed, seal, key) for key in keys[seal.surveyor])
        visit = next(r.record for r in records if r.record.outcome.value == "completed")
        photos = visit.evidence_with(Role.SCENE)
        originals = {hashlib.sha256(p.read_bytes()).hexdigest(): p.read_bytes() for p in PHOTOS}
        assert {p.sha256 for p in photos} == set(originals)
        for photo in photos:
            assert api.get(f"/evidence/{photo.sha256}").content == originals[photo.sha256]
        assert len(visit.evidence_with(Role.SURVEYOR_SIGNATURE)) == 2
        assert visit.start_fix and visit.start_fix.distance_m is not None and visit.start_fix.distance_m < 100
        assert visit.seal_fix and visit.seal_fix.location and visit.seal_fix.flags == []
        assert visit.readback_digest  # the respondent signed over the read-back (R29)
        assert len(visit.evidence_with(Role.RESPONDENT_SIGNATURE)) == 1
    finally:
        api.close()


def look_at_console(product, browser) -> None:
    """A reviewer signs in to the console and sees the case, its records and the verified seals."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{product.server_url}/console/login")
    page.fill('input[name="username"]', REVIEWER[0])
    page.fill('input[name="password"]', REVIEWER[1])
    page.click('button[type="submit"]')
    page.goto(f"{product.server_url}/console/cases/{CASE}")
    for summary in page.locator("details.record > summary").all():  # records are folded by default
        summary.click()
    text = page.inner_text("body")
    for needed in ["王建国", "拒绝", "张伟", "李娜", "已验证"]:
        assert needed in text
    Path("test-artifacts/screens").mkdir(parents=True, exist_ok=True)
    page.screenshot(path="test-artifacts/screens/console-case.png", full_page=True)
    context.close()
