"""Capture at the door in the real UI (Chromium): nothing before the notification step (R8), and a
signature begun in landscape and finished upright keeps both strokes, timed, beside its PNG (R11)."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import sync_playwright

from field_app.viewmodels.pad import pad_size
from field_app.views.shell import rail_width
from schemas.records import Origin, Role
from tests.end_to_end.flet_browser import (
    WAIT_MS,
    draw_stroke,
    launch_browser,
    tap,
    touch_at,
    touch_stroke,
    wait_text,
)
from tests.end_to_end.flows import AT_THE_DOOR, CASE, open_tablet, tablet_draft, visit_at_the_door


def test_capture_waits_for_notification_and_a_signature_survives_a_rotation(product, browser):
    context, page, tablet = open_tablet(browser, product, "capture", permissions=["geolocation"],
                                        geolocation=AT_THE_DOOR)
    tablet.download_cases()
    tablet.start_visit(f"start-home_visit-{CASE}")
    assert tablet.wait_start_fix() == "距登记住址"
    wait_text(page, "拍摄地点距登记住址较远")  # about 2.3 km from the household: flagged (over 500 m)
    tablet.go_step("photos")
    wait_text(page, "请先完成“告知与同意”步骤")  # the add button is off, and says why
    tablet.shot("photos-before-notification")
    tablet.go_step("notify")
    tablet.notify(["work_id_shown", "purpose_explained", "family_consents"])
    tablet.go_step("team_sign")
    pad = "surveyor-pad-zhangwei"
    # a finger draws an upright stroke on a page that scrolls (two pads do not fit a landscape screen):
    # the pad, not the page, takes it. Alone it is a line, not a signature.
    touch_stroke(page, pad, [(0.5, 0.1), (0.5, 0.4), (0.52, 0.7), (0.5, 0.9)])
    tablet.shot("signature-landscape")
    page.set_viewport_size({"width": 800, "height": 1280})  # the tablet is turned upright mid-signature
    page.wait_for_function("window.innerWidth === 800")
    # laid out again for the upright width, the first stroke redrawn
    _wait_pad_size(page, pad, pad_size(800 - rail_width(800) - 90))
    draw_stroke(page, pad, [(0.1, 0.5), (0.3, 0.5), (0.5, 0.5), (0.8, 0.5)])  # with the mouse; alone a line too
    touch_at(page, pad, (0.7, 0.8))  # a finger's dot (丶)
    tablet.shot("signature-upright")
    tap(page, f"{pad}-confirm")
    wait_text(page, "签名已保存")  # both strokes together make a signature: the first one survived
    tablet.shot("signature-saved-upright")
    context.close()

    draft, evidence = tablet_draft(product.root)
    [signature] = draft.evidence_with(Role.SURVEYOR_SIGNATURE, "zhangwei")
    raw = json.loads(evidence.read(signature.strokes_sha256 or ""))
    assert len(raw["strokes"]) == 3 and raw["width"] < 800  # rendered at the upright pad's width
    [(_, x, y)] = raw["strokes"][2]  # the dot: one point where the finger touched
    assert abs(x / raw["width"] - 0.7) < 0.02 and abs(y / raw["height"] - 0.8) < 0.02
    (_, x, y) = raw["strokes"][0][0]  # the finger's stroke begins where it came down, not where it was recognised
    assert abs(x / raw["width"] - 0.5) < 0.02 and abs(y / raw["height"] - 0.1) < 0.02
    times = [t for stroke in raw["strokes"] for t, _, _ in stroke]
    assert times == sorted(times) and times[-1] > 0


def _wait_pad_size(page, identifier: str, size: tuple[int, int], timeout_ms: float = WAIT_MS) -> None:
    """Wait until the pad is drawn at `size` (after a rotation): Flutter first lays the old pad out in the
    new window (narrower, the old height), and only the app's own re-render gives it the upright size."""
    locator = page.locator(f'[flt-semantics-identifier="{identifier}"]').first
    waited, box = 0.0, None
    while True:
        box = locator.bounding_box()
        if box and abs(box["width"] - size[0]) < 2 and abs(box["height"] - size[1]) < 2:
            # the canvas is painted a frame after the semantics tree: wait for two frames to be drawn
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            return
        if waited > timeout_ms:
            raise AssertionError(f"{identifier} was not laid out again after the rotation (box {box})")
        page.wait_for_timeout(100)
        waited += 100


@pytest.fixture(scope="module")
def browser():
    """This module's Chromium: with its fake camera and microphone, media prompts answered yes
    (one Playwright per module: two sync Playwrights cannot share the thread)."""
    with sync_playwright() as pw:
        chromium = launch_browser(pw, ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
        yield chromium
        chromium.close()


def test_the_in_app_camera_takes_shots_in_a_row_kept_with_time_and_place_r10(product, browser):
    """Shots from Chromium's fake camera, one retaken: hashed and stored when taken, origin camera, the
    browser's GPS position, no flags; then the photo step shows it as 拍摄."""
    context, page, tablet = visit_at_the_door(browser, product, "camera", permissions=("camera",),
                                              geolocation={"latitude": 29.5896, "longitude": 106.5318,
                                                           "accuracy": 10})
    tablet.go_step("photos")
    tap(page, "add-scene-photo-camera")
    wait_text(page, "拍摄的照片会显示在这里")
    # the screen is drawn again once the camera has started: a tap during that redraw is lost, so tap
    # until the shutter answers (it says 正在保存… while it saves, and is off meanwhile)
    tablet.tap_until("camera-shoot", lambda: tablet.has_text("正在保存") or tablet.has_text("本次已拍 1 张"),
                     "the shutter never answered")
    wait_text(page, "本次已拍 1 张", timeout=30_000)
    tablet.shot("camera-first-shot")
    # headless Chromium's fake camera mostly hands over the same still frame: a second shot is then the
    # same bytes, which the app says instead of listing it twice; on a loaded machine the frame may have
    # moved on, and the second (different) shot is deleted
    tap(page, "camera-shoot", timeout=30_000)
    outcome = page.get_by_text("完全相同").or_(page.locator('[aria-label*="完全相同"]')).or_(
        page.get_by_text("本次已拍 2 张")).or_(page.locator('[aria-label*="本次已拍 2 张"]')).first
    outcome.wait_for(state="attached", timeout=WAIT_MS)
    if "2 张" in (outcome.text_content() or outcome.get_attribute("aria-label") or ""):
        tap(page, "shot-2-delete")
        wait_text(page, "本次已拍 1 张")
    tap(page, "shot-1-retake")
    wait_text(page, "本次已拍 0 张")
    tap(page, "camera-shoot")
    wait_text(page, "本次已拍 1 张", timeout=30_000)
    tablet.shot("camera-retaken")
    tap(page, "camera-done")
    wait_text(page, "拍摄 · ")
    tablet.shot("photos-from-camera")
    context.close()

    draft, evidence = tablet_draft(product.root)
    [shot] = draft.evidence_with(Role.SCENE)
    assert shot.origin == Origin.CAMERA and shot.media_type == "image/jpeg" and shot.filename.startswith("拍摄-")
    assert shot.location is not None and shot.location.lat == pytest.approx(29.5896)
    assert shot.flags == [] and evidence.verify(shot.sha256)

