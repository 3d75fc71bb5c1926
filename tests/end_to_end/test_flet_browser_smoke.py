"""Smoke test of the Flet-in-Chromium test helpers against tests/end_to_end/smoke_app.py."""

import hashlib
import io
import os
import sys
from pathlib import Path

import pytest

from tests.end_to_end.flet_browser import (
    draw_stroke,
    fill_field,
    free_port,
    launch_browser,
    new_tablet_page,
    open_flet,
    pick_files,
    shot,
    start_process,
    stop_process,
    tap,
    unexpected_requests,
    wait_text,
)

SMOKE_APP = Path(__file__).with_name("smoke_app.py")


@pytest.fixture(scope="module")
def app_url():
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    proc = start_process([sys.executable, str(SMOKE_APP), str(port)], env={}, ready_url=url, timeout=60)
    try:
        yield url
    finally:
        stop_process(proc)


@pytest.fixture()
def media(tmp_path):
    """A real small JPEG and a 2 MB file of random bytes (any re-encoding would show)."""
    from PIL import Image

    small = tmp_path / "小图.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG")
    small.write_bytes(buf.getvalue())
    big = tmp_path / "big.jpg"
    big.write_bytes(os.urandom(2 * 1024 * 1024))
    return small, big


def _line(path: Path) -> str:
    data = path.read_bytes()
    return f"{path.name}:{len(data)}:{hashlib.sha256(data).hexdigest()}"


def test_flet_browser_helpers_drive_real_ui(app_url, media):
    from playwright.sync_api import sync_playwright

    small, big = media
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            context, page = new_tablet_page(browser)
            open_flet(page, app_url)
            wait_text(page, "现场核查")

            # a typed PIN reaches Python (on_change)
            fill_field(page, "PIN", "246810")
            wait_text(page, "PIN:246810")

            # buttons by semantics identifier and by label
            tap(page, "confirm-button")
            wait_text(page, "CONFIRM:1", exact=True)
            tap(page, "确认")
            wait_text(page, "CONFIRM:2", exact=True)

            # await FilePicker.pick_files(with_data=True): exact bytes arrive in Python
            pick_files(page, "选择照片", [small, big])
            wait_text(page, "FILES:" + _line(small) + "|" + _line(big), timeout=30_000)

            # ft.PickFiles client action -> FilePicker.on_result
            pick_files(page, "action-pick", [small])
            wait_text(page, "ACTION:" + _line(small), timeout=30_000)

            # a stroke on the signature pad arrives as points in the pad's local pixels (400x200)
            draw_stroke(page, "signature-pad", [(0.1, 0.2), (0.3, 0.8), (0.5, 0.2), (0.7, 0.8), (0.9, 0.5)])
            text = wait_text(page, "STROKE:1:")
            _, _strokes, n_points, first, last = text.split(":")
            assert int(n_points) >= 5
            fx, fy = (float(v) for v in first.split(","))
            lx, ly = (float(v) for v in last.split(","))
            assert abs(fx - 40) <= 3 and abs(fy - 40) <= 3, first
            assert abs(lx - 360) <= 3 and abs(ly - 100) <= 3, last

            path = shot(page, "smoke-flet-browser")
            assert path.stat().st_size > 10_000

            # offline: nothing but the known Rive CDN probe left the machine
            assert unexpected_requests(page.blocked_requests) == []
            context.close()
        finally:
            browser.close()
