"""The tablet left idle locks over every screen; a surveyor's own PIN unlocks it (MASVS-AUTH), in Chromium."""
from __future__ import annotations

import pytest

from tests.end_to_end.flet_browser import fill_field, new_tablet_page, open_flet, tap, wait_text
from tests.end_to_end.tablet import SURVEYORS, Tablet


@pytest.fixture
def quick_lock(monkeypatch):
    """The app started by `product` locks after 8 s idle (FIELD_IDLE_LOCK_SECONDS reaches the child)."""
    monkeypatch.setenv("FIELD_IDLE_LOCK_SECONDS", "8")


def test_an_idle_tablet_locks_and_a_surveyors_pin_unlocks_it(quick_lock, product, browser):
    context, page = new_tablet_page(browser)
    open_flet(page, product.app_url)
    tablet = Tablet(page, "idle-lock")
    tablet.sign_in_team()
    wait_text(page, "平板已锁定", timeout=20_000)
    tablet.shot("locked")
    tap(page, "idle-lock-lina")
    fill_field(page, "PIN 码", "000000")
    tap(page, "idle-lock-unlock")
    wait_text(page, "PIN 码不正确", timeout=10_000)
    tablet.shot("wrong-pin")
    fill_field(page, "PIN 码", SURVEYORS["lina"][1])
    tap(page, "idle-lock-unlock")
    page.get_by_text("平板已锁定").wait_for(state="detached", timeout=10_000)
    tap(page, "nav-outbox")  # the screens answer again
    wait_text(page, "待上传")
    context.close()
