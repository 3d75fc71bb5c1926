"""A video clip recorded in the app (Chromium's fake camera) as proof of a refusal at the door: kept
encrypted on the tablet, typed by content (WebM), with size and duration listed (R13, R10)."""
from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from schemas.media import sniff_video
from schemas.records import EvidenceKind, Origin, Role
from tests.end_to_end.flet_browser import launch_browser, tap, wait_text
from tests.end_to_end.flows import tablet_draft, visit_at_the_door

MEDIA_FLAGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def camera_browser():
    with sync_playwright() as pw:
        chromium = launch_browser(pw, MEDIA_FLAGS)
        yield chromium
        chromium.close()


def test_a_refusal_is_proven_by_a_clip_recorded_in_the_app_r13(product, camera_browser):
    context, page, tablet = visit_at_the_door(camera_browser, product, "video", refuse=True,
                                              permissions=("camera", "microphone"))
    tap(page, "add-refusal-video-record")
    wait_text(page, "录像：拒绝情况视频")
    tap(page, "video-start")
    wait_text(page, "正在录像", timeout=30_000)
    page.wait_for_timeout(2500)  # the clip's length: what is being measured, not a wait for a condition
    tablet.shot("recording")
    tap(page, "video-stop")
    wait_text(page, "录像已保存", timeout=30_000)
    tap(page, "video-back")
    page.locator('[flt-semantics-identifier="add-refusal-video-file"]').first.wait_for(timeout=15_000)
    tablet.shot("listed")
    context.close()

    draft, evidence = tablet_draft(product.root)
    [clip] = [e for e in draft.evidence if e.kind == EvidenceKind.VIDEO]
    data = evidence.read(clip.sha256)
    print(f"clip: {clip.media_type}, {clip.size} bytes, {clip.duration_s} s")
    assert clip.role == Role.REFUSAL_PROOF and clip.origin == Origin.CAMERA
    assert sniff_video(data[:64]) == clip.media_type == "video/webm" and clip.size == len(data) > 10_000
    assert clip.duration_s is not None and 2.0 <= clip.duration_s <= 20.0
