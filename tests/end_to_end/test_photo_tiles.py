"""Photo tiles in the real UI (Chromium): a tapped tile opens full screen with its time and origin, ←/→
keys, buttons and a swipe move between photos; 移除 offers 撤销, which brings the photo back with its
metadata, and a removal left alone is shredded once its undo window has passed (R10)."""
from __future__ import annotations

import hashlib
import time

from schemas.audit_events import AuditAction
from schemas.records import Role
from tests.end_to_end.flet_browser import draw_stroke, tap, wait_text
from tests.end_to_end.flows import tablet_draft, tablet_evidence, visit_at_the_door
from tests.end_to_end.test_home_visit import NEAR_HOUSEHOLD
from tests.media import PHOTOS

FILES = [PHOTOS / "gps" / "DSCN0010.jpg", PHOTOS / "gps" / "DSCN0012.jpg"]


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _gone(page, identifier: str, timeout_ms: float = 30_000) -> None:
    page.locator(f'[flt-semantics-identifier="{identifier}"]').first.wait_for(state="detached", timeout=timeout_ms)


def test_a_tile_opens_full_screen_and_a_removal_can_be_undone_r10(product, browser):
    context, page, tablet = visit_at_the_door(browser, product, "tiles", geolocation=NEAR_HOUSEHOLD)
    tablet.go_step("photos")
    tablet.add_photos("add-scene-photo", FILES)
    wait_text(page, "已添加 2 张照片", timeout=30_000)
    first, second = (_sha(p)[:12] for p in FILES)

    # a tap that lands while the grid is drawn again after the import misses (as on the busy CI machine)
    tablet.tap_until(f"photo-open-{first}", lambda: tablet.has_text("DSCN0010.jpg　1 / 2"),
                     "the tapped tile never opened full screen")
    wait_text(page, "导入 · 拍摄时间（照片自带）")
    tablet.shot("viewer")
    page.keyboard.press("ArrowRight")
    wait_text(page, "DSCN0012.jpg　2 / 2")
    tablet.tap_until("viewer-next", lambda: tablet.has_text("DSCN0010.jpg　1 / 2"), "› did not wrap round")
    draw_stroke(page, "viewer-photo", [(0.2, 0.5), (0.5, 0.5), (0.8, 0.5)], step_ms=5)  # swipe to the right
    wait_text(page, "DSCN0012.jpg　2 / 2")
    tap(page, "viewer-close")
    _gone(page, "viewer-close")

    tap(page, f"photo-remove-{second}")
    _gone(page, f"photo-open-{second}")  # hidden at once
    wait_text(page, "已移除 DSCN0012.jpg")
    tablet.shot("removed-undo")
    tap(page, "撤销")
    wait_text(page, "已撤销移除")
    locate_tile = page.locator(f'[flt-semantics-identifier="photo-open-{second}"]').first
    locate_tile.wait_for(state="attached", timeout=30_000)  # back, with its metadata

    tap(page, f"photo-remove-{second}")
    _gone(page, f"photo-open-{second}")
    _wait_shredded(page, product.root, _sha(FILES[1]))  # the undo window (8 s) passed: the file is gone
    tablet.shot("removed-for-good")
    context.close()

    draft, _ = tablet_draft(product.root)
    assert [e.filename for e in draft.evidence_with(Role.SCENE)] == ["DSCN0010.jpg"]
    actions = [e.action for e in draft.audit if e.subject == _sha(FILES[1])]
    assert actions == [AuditAction.EVIDENCE_ADDED, AuditAction.EVIDENCE_REMOVED, AuditAction.EVIDENCE_RESTORED,
                       AuditAction.EVIDENCE_REMOVED]


def _wait_shredded(page, root, sha: str, timeout_s: float = 60.0) -> None:
    """Wait until the app has deleted the evidence file (a condition, polled)."""
    evidence = tablet_evidence(root)
    deadline = time.monotonic() + timeout_s
    while evidence.has(sha):
        if time.monotonic() > deadline:
            raise AssertionError("the removed photo's file was not shredded after its undo window")
        page.wait_for_timeout(200)
