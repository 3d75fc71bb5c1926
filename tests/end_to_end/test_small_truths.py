"""Small truths on the real tablet UI in Chromium (issue 16): a case not released offers no way to start
a visit (R1); starting a visit again resumes its draft (one visit, one record); what the member holding
the tablet (当前操作人) does is credited to them in the audit trail; the in-app camera's
preview and its photo show the scene the right way round, not mirrored (R10).

Chromium's fake camera plays a known picture here (tests/mirror_pattern.py: a red band down the left
quarter); its track names no facing mode, which is what makes Flutter's web camera mirror it."""
from __future__ import annotations

import io
import time

import pytest
from PIL import Image
from playwright.sync_api import sync_playwright

from field_app.store import queries as q
from schemas.device_audit import AuditAction
from sync_server.ops.seed import DEMO_CASE_ID, UNAUTHORIZED_CASE_ID
from tests.end_to_end.flet_browser import WAIT_MS, launch_browser, new_tablet_page, open_flet, tap, wait_text
from tests.end_to_end.flows import tablet_store as open_tablet_store
from tests.end_to_end.tablet import Tablet
from tests.mirror_pattern import band_shown, red_on_left, write_y4m

NEAR_HOUSEHOLD = {"latitude": 29.5896, "longitude": 106.5318, "accuracy": 10}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Chromium whose fake camera shows the known pattern; media prompts answered yes."""
    clip = write_y4m(tmp_path_factory.mktemp("camera") / "pattern.y4m")
    with sync_playwright() as pw:
        chromium = launch_browser(pw, ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                                       f"--use-file-for-fake-video-capture={clip}"])
        yield chromium
        chromium.close()


def _drafts(product, case_id: str):
    store, _evidence = open_tablet_store(product.root)
    try:
        with store.reading() as s:
            return q.drafts(s, case_id)
    finally:
        store.close()


def _draft_when(page, product, ready):
    """The demo case's one draft once `ready(draft)` holds (the tick shows before the save lands)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        drafts = _drafts(product, DEMO_CASE_ID)
        if len(drafts) == 1 and ready(drafts[0]):
            return drafts[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"the draft never got there: {drafts}")
        page.wait_for_timeout(200)


def _preview(page, identifier: str = "camera-preview") -> Image.Image:
    """The camera preview as drawn on screen, once it shows a picture (black until the camera runs)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        box = page.locator(f'[flt-semantics-identifier="{identifier}"]').first.bounding_box(timeout=WAIT_MS)
        if box and box["width"] > 100:
            image = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB")
            if band_shown(image):  # a frame of the pattern is drawn (not the page behind, not black)
                return image
        if time.monotonic() > deadline:
            raise AssertionError("the camera preview never showed a picture")
        page.wait_for_timeout(200)


def _present(page, identifier: str) -> bool:
    return page.locator(f'[flt-semantics-identifier="{identifier}"]').count() > 0


def test_a_case_not_released_offers_no_start_and_starting_again_resumes_the_draft_r1(product, browser):
    context, page = new_tablet_page(browser, permissions=["geolocation"], geolocation=NEAR_HOUSEHOLD)
    open_flet(page, product.app_url)
    tablet = Tablet(page, "truths-start")
    tablet.download_cases()  # waits for the unreleased case's reason (缺少家庭授权书)
    wait_text(page, "开始入户调查")
    assert _present(page, f"case-{UNAUTHORIZED_CASE_ID}")  # shown, with why it cannot be worked on
    for kind in ("home_visit", "neighbour_interview"):
        assert not _present(page, f"start-{kind}-{UNAUTHORIZED_CASE_ID}")  # and nothing to start
    assert _present(page, f"start-home_visit-{DEMO_CASE_ID}")
    tablet.shot("cases")

    tablet.start_visit(f"start-home_visit-{DEMO_CASE_ID}")
    tablet.wait_start_fix()
    tap(page, "operator-lina")  # 李娜 takes the tablet (张伟 signed in first): what she does is hers
    tablet.notify(["work_id_shown"])
    first = _draft_when(page, product, lambda d: any(e.action == AuditAction.NOTIFICATION for e in d.audit))
    [notified] = [e for e in first.audit if e.action == AuditAction.NOTIFICATION]
    assert (notified.subject, notified.by) == ("work_id_shown", "lina")
    assert first.audit[0].action == AuditAction.CREATED and first.audit[0].by == "zhangwei"
    tap(page, "nav-cases")
    wait_text(page, "继续入户调查")  # the case says its visit is under way
    tablet.shot("cases-with-draft")
    tablet.start_visit(f"start-home_visit-{DEMO_CASE_ID}")  # 开始/继续 again: the same visit opens
    tap(page, "nav-cases")
    wait_text(page, "继续入户调查")
    assert page.locator('[flt-semantics-identifier^="resume-"]').count() == 1
    [again] = _drafts(product, DEMO_CASE_ID)
    assert again.id == first.id and again.start_fix == first.start_fix  # its start position kept, not taken anew
    context.close()


def test_the_camera_preview_and_photo_are_the_right_way_round_r10(product, browser, tmp_path):
    context, page = new_tablet_page(browser, permissions=["geolocation", "camera"], geolocation=NEAR_HOUSEHOLD)
    open_flet(page, product.app_url)
    tablet = Tablet(page, "truths-camera")
    tablet.download_cases()
    tablet.consent_at_door(f"start-home_visit-{DEMO_CASE_ID}")
    tablet.go_step("photos")
    tap(page, "add-scene-photo-camera")
    wait_text(page, "拍摄的照片会显示在这里")
    assert red_on_left(_preview(page)), "the preview shows the scene mirrored"
    tablet.shot("camera-preview")
    tablet.tap_until("camera-shoot", lambda: tablet.has_text("正在保存") or tablet.has_text("本次已拍 1 张"),
                     "the shutter never answered")
    wait_text(page, "本次已拍 1 张", timeout=30_000)
    assert red_on_left(_preview(page)), "after the shot, the preview shows the scene mirrored"
    tablet.shot("camera-after-shot")  # the preview still live beside the shot
    context.close()

    [draft] = _drafts(product, DEMO_CASE_ID)
    [shot] = [e for e in draft.evidence if e.origin.value == "camera"]
    _store, evidence = open_tablet_store(product.root)
    try:
        with Image.open(io.BytesIO(evidence.read(shot.sha256))) as photo:
            assert photo.size == (640, 480) and red_on_left(photo), "the photo was kept mirrored"
    finally:
        _store.close()


def test_the_video_preview_is_the_right_way_round_too(product, browser):
    """The clip itself is the raw stream; its preview was mirrored by the same web plugin."""
    context, page = new_tablet_page(browser, permissions=["geolocation", "camera", "microphone"],
                                    geolocation=NEAR_HOUSEHOLD)
    open_flet(page, product.app_url)
    tablet = Tablet(page, "truths-video")
    tablet.download_cases()
    tablet.refuse_at_door(f"start-home_visit-{DEMO_CASE_ID}")
    tap(page, "add-refusal-video-record")
    wait_text(page, "录像：拒绝情况视频")
    tap(page, "video-start")
    wait_text(page, "正在录像", timeout=30_000)
    assert red_on_left(_preview(page, "video-preview")), "the video preview shows the scene mirrored"
    tablet.shot("video-preview")
    tap(page, "video-stop")
    wait_text(page, "录像已保存", timeout=30_000)
    context.close()
