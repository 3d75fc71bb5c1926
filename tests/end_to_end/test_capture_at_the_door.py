"""Capture at the door in the real UI (Chromium): nothing before the notification step (R8), and a
signature begun in landscape and finished upright keeps both strokes, timed, beside its PNG (R11)."""
from __future__ import annotations

import json

from field_app.store import EvidenceStore, open_store
from field_app.store import queries as q
from schemas.records import Role
from tests.end_to_end.flet_browser import draw_stroke, new_tablet_page, open_flet, tap, wait_text
from tests.end_to_end.tablet import Tablet

CASE = "case-yb-2026-0001"


def test_capture_waits_for_notification_and_a_signature_survives_a_rotation(product, browser):
    context, page = new_tablet_page(browser, permissions=["geolocation"],
                                    geolocation={"latitude": 29.6100, "longitude": 106.5318, "accuracy": 20})
    open_flet(page, product.app_url)
    tablet = Tablet(page, "capture")
    tablet.sign_in_team()
    tap(page, "go-cases")
    tap(page, "download-cases")
    wait_text(page, "缺少家庭授权书")  # the download is done (its second case may not be surveyed, R1)
    tap(page, f"start-home_visit-{CASE}")
    wait_text(page, "请向调查对象出示工作证明")
    assert tablet.wait_start_fix() == "距登记住址"
    wait_text(page, "拍摄地点距登记住址较远")  # about 2.3 km from the household: flagged (over 500 m)
    tap(page, "step-photos")
    wait_text(page, "请先完成“告知与同意”步骤")  # the add button is off, and says why
    tablet.shot("photos-before-notification")
    tap(page, "step-notify")
    tablet.notify(["work_id_shown", "purpose_explained", "family_consents"])
    tap(page, "step-team_sign")
    pad = "surveyor-pad-zhangwei"
    draw_stroke(page, pad, [(0.1, 0.5), (0.3, 0.5), (0.5, 0.5), (0.8, 0.5)])  # alone: a line, no signature
    tablet.shot("signature-landscape")
    page.set_viewport_size({"width": 800, "height": 1280})  # the tablet is turned upright mid-signature
    page.wait_for_function("window.innerWidth === 800")
    _wait_pad_narrower(page, pad, 600)  # laid out again for the upright width, the first stroke redrawn
    draw_stroke(page, pad, [(0.5, 0.1), (0.5, 0.4), (0.52, 0.7), (0.5, 0.9)])  # alone: a line too
    tablet.shot("signature-upright")
    tap(page, f"{pad}-confirm")
    wait_text(page, "签名已保存")  # both strokes together make a signature: the first one survived
    tablet.shot("signature-saved-upright")
    context.close()

    store, evidence = open_store(product.root / "tablet"), EvidenceStore(product.root / "tablet" / "evidence")
    try:
        with store.reading() as s:
            [draft] = q.drafts(s, CASE)
    finally:
        store.close()
    [signature] = draft.evidence_with(Role.SURVEYOR_SIGNATURE, "zhangwei")
    raw = json.loads(evidence.read(signature.strokes_sha256 or ""))
    assert len(raw["strokes"]) == 2 and raw["width"] < 800  # rendered at the upright pad's width
    times = [t for stroke in raw["strokes"] for t, _, _ in stroke]
    assert times == sorted(times) and times[-1] > 0


def _wait_pad_narrower(page, identifier: str, width: float, timeout_ms: float = 15_000) -> None:
    """Wait until the pad has been laid out again narrower than `width` (after a rotation)."""
    locator = page.locator(f'[flt-semantics-identifier="{identifier}"]').first
    waited = 0.0
    while True:
        box = locator.bounding_box()
        if box and box["width"] < width:
            page.wait_for_timeout(300)  # the canvas settles a frame after the semantics tree
            return
        if waited > timeout_ms:
            raise AssertionError(f"{identifier} was not laid out again after the rotation")
        page.wait_for_timeout(100)
        waited += 100
