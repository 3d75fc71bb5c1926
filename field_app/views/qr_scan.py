"""扫描二维码 on the provisioning screens (issue 18): the camera opens for one scan, frames are taken and
decoded one after another until one holds a QR code or `SCAN_SECONDS` pass, and the preview then leaves
the page, which stops the camera (checked in Chromium: every video track it opened ends).

Found by driving it in Chromium with a fake camera filming the console's code
(tests/end_to_end/test_provisioning_scan.py):
- One frame, read after a fixed second, is a gamble on a real tablet: the surveyor is still aiming while
  the preview starts, and the first frames can be dark, blurred or beside the code. Frames are read
  until one decodes, and the screen says a scan is under way, for how long, and how to aim.
- A second press during a scan started a second `take_picture` while the first was pending; the web
  camera refused it ("Previous capture has not returned yet"), the screen was drawn again under the
  first scan, whose answer then came back to a control no longer on the page: that scan never ended and
  the camera stayed on. One scan at a time per session now (the button is off and ignored meanwhile),
  and every camera call has a time limit, so a screen drawn again mid-scan (the tablet turned) ends the
  scan with a message instead of leaving it waiting.
- The preview showed Chromium's camera as in a mirror (camera_web mirrors any camera that is not a back
  one, see capture/web_camera.py); aiming at a mirrored preview is confusing, so it is turned back.
  zxing-cpp reads mirrored codes as well, so the frame itself needs no flip.
- The scan used the photo screen's camera control (and left its own 320x240 size on it): it has its
  own control now.
"""
from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import flet as ft
import flet_camera as fc

from field_app.capture.web_camera import web_mirrors
from field_app.provisioning import ProvisioningRefused
from field_app.views.context import SessionContext
from field_app.views.widgets import DANGER, big_button, note, tagged

log = logging.getLogger(__name__)
SCAN_SECONDS = 12.0  # how long frames are read before the scan gives up
# Unpaced, Chromium handed over 17 frames a second (1280x720 JPEGs of 100 KB) and zxing-cpp searched each:
# two cores busy for the whole scan. Four a second find a code held up to the camera as soon.
FRAME_INTERVAL_S = 0.25
CALL_TIMEOUT_S = 8.0  # one camera call (start, one frame): past this the preview is taken as gone
PREVIEW = (560, 315)  # 16:9, the frames' shape (ResolutionPreset.HIGH: 1280x720); as wide as the text field
AIM = f"正在识别二维码：请将控制台上的登记二维码对准相机，保持平稳（最多约 {int(SCAN_SECONDS)} 秒）"
FOUND = "已识别二维码，正在连接服务器登记…"  # fetching the CA and registering take a moment
MISSED = (f"约 {int(SCAN_SECONDS)} 秒内画面中没有识别到二维码。请让二维码位于画面中央、离相机约 20–40 厘米，"
          "再按“扫描二维码”；或在下方粘贴登记内容")
# the camera plugin's reasons are English and technical ("CameraException(cameraNotFound, …)"): the log
# keeps them; the surveyor is told what to do
NO_CAMERA = "相机无法使用：未找到相机，或本应用未获准使用相机。请在系统设置中允许使用相机后重试，或在下方粘贴登记内容"
INTERRUPTED = "相机没有响应，扫描已中断，请再按一次“扫描二维码”"


class ScanInterrupted(Exception):
    """The preview stopped answering in the middle of a scan."""


@dataclass(eq=False)
class _Scan:
    """The scan a session is running: it outlives the drawings of the screen."""

    camera: fc.Camera = field(default_factory=lambda: fc.Camera(width=PREVIEW[0], height=PREVIEW[1],
                                                                preview_enabled=True))
    status: str = AIM
    live: bool = True  # the preview is on the page (False once a code is read: the camera stops)
    cancelled: bool = False
    drawings: int = 0  # how many times the screen was drawn again during the scan
    show: Callable[[], None] = lambda: None  # shows the scan's state on the latest drawing


_SCANS: weakref.WeakKeyDictionary[SessionContext, _Scan] = weakref.WeakKeyDictionary()


def scan_row(ctx: SessionContext) -> ft.Control:
    """The 扫描二维码 button, and while a scan runs: the preview, what is happening, and 停止扫描; else the
    last refusal (a scan that found nothing, a payload the server refused), in red."""
    provisioner = ctx.model.provisioner
    assert provisioner is not None
    button_slot, status_slot, stop_slot = ft.Container(), ft.Container(), ft.Container()
    frame = ft.Container(width=PREVIEW[0], height=PREVIEW[1], bgcolor=ft.Colors.BLACK)
    framed = tagged("provision-scan-preview", frame)
    preview = ft.Container()  # holds the framed camera while a scan reads frames (a Semantics needs content)

    def fill() -> None:
        scan = _SCANS.get(ctx)
        button_slot.content = big_button("正在扫描…" if scan else "扫描二维码", start, "provision-scan",
                                         icon=ft.Icons.QR_CODE_SCANNER, primary=False, disabled=bool(scan))
        refused = note(provisioner.error, DANGER) if provisioner.error else None  # scanned or typed
        status_slot.content = tagged("provision-scan-status", note(scan.status, size=16)) if scan else refused
        stop_slot.content = big_button("停止扫描", stop, "provision-scan-stop", icon=ft.Icons.STOP,
                                       primary=False) if scan and scan.live else None
        frame.content = scan.camera if scan else None
        preview.content = framed if scan and scan.live else None
        for slot in (status_slot, stop_slot, preview):  # an empty slot takes no room (no gap in the column)
            slot.visible = slot.content is not None

    def show() -> None:
        fill()
        _update(button_slot, status_slot, stop_slot, preview)

    def stop(e: ft.Event) -> None:
        scan = _SCANS.get(ctx)
        if scan:
            scan.cancelled, scan.status = True, "正在停止扫描…"
            scan.show()

    async def start(e: ft.Event) -> None:
        if ctx in _SCANS:
            return  # one scan at a time: a second press while one runs changes nothing
        _SCANS[ctx] = scan = _Scan(show=show)
        provisioner.error = ""
        show()
        await _run(ctx, scan)

    fill()
    if (scan := _SCANS.get(ctx)) is not None:  # drawn again mid-scan (the tablet turned): the same preview,
        scan.drawings, scan.show = scan.drawings + 1, show  # which the scan starts again
    return ft.Column([ft.Row([button_slot, stop_slot], wrap=True, spacing=16),
                      preview, status_slot], spacing=8)


async def _run(ctx: SessionContext, scan: _Scan) -> None:
    """Read the code, then register with it: on to 登记完成, or back to the screen with the reason."""
    provisioner = ctx.model.provisioner
    assert provisioner is not None
    text, error = None, ""
    try:
        text = await _read_code(ctx, scan)
        error = "" if text or scan.cancelled else MISSED
    except ScanInterrupted:
        error = INTERRUPTED
    except ProvisioningRefused as refused:  # no decoder on this platform
        error = str(refused)
    except Exception as failure:  # noqa: BLE001 - no camera, no permission: the text field remains
        log.warning("QR scan: camera not available: %s", failure)
        error = NO_CAMERA
    try:
        scan.live, scan.status = False, FOUND if text is not None else scan.status
        scan.show()  # the preview leaves the page: the camera stops
        if text is not None:
            if await asyncio.to_thread(ctx.act, lambda: provisioner.submit(text)) and not provisioner.error:
                await asyncio.to_thread(ctx.go, "provisioned")
                return
        else:
            provisioner.error = error
    finally:  # the scan is over (a press while it registered was ignored)
        _SCANS.pop(ctx, None)
    await asyncio.to_thread(ctx.render)


def _update(*controls: ft.Control) -> None:
    for control in controls:
        try:
            control.update()
        except RuntimeError:  # drawn again meanwhile: the new drawing shows the state
            log.debug("scan controls no longer on the page", exc_info=True)


async def _read_code(ctx: SessionContext, scan: _Scan) -> str | None:
    """Start the camera, then read frames until one holds a QR code (its text), the time is up or the scan
    is stopped (None). A drawing of the screen since the camera started means: start it again."""
    provisioner = ctx.model.provisioner
    assert provisioner is not None
    camera, started, frames, ready_at, last = scan.camera, time.monotonic(), 0, -1, 0.0
    while time.monotonic() - started < SCAN_SECONDS and not scan.cancelled:
        if ready_at != scan.drawings:
            ready_at = scan.drawings
            await _start(ctx, scan)
        await asyncio.sleep(max(0.0, last + FRAME_INTERVAL_S - time.monotonic()))
        last = time.monotonic()
        if scan.cancelled:
            break
        try:
            frame = bytes(await _call(scan, camera.take_picture()))
        except Exception:
            if ready_at != scan.drawings:
                continue  # the preview was mounted again under this frame: start again, read again
            raise
        frames += 1
        text = await asyncio.to_thread(provisioner.read, frame)
        if text is not None:
            log.info("QR scan: code read in frame %d after %.1f s (%d bytes)", frames,
                     time.monotonic() - started, len(frame))
            return text
    log.info("QR scan: no code in %d frames (%.1f s)", frames, time.monotonic() - started)
    return None


async def _call(scan: _Scan, awaitable: Any) -> Any:
    """One camera call, given up after CALL_TIMEOUT_S, or at once when the screen is drawn again under it
    (its answer would go to a preview no longer on the page)."""
    task = asyncio.ensure_future(awaitable)
    drawings, deadline = scan.drawings, time.monotonic() + CALL_TIMEOUT_S
    while not task.done():
        if scan.drawings != drawings or time.monotonic() > deadline:
            task.cancel()
            raise ScanInterrupted
        await asyncio.wait({task}, timeout=0.2)
    return task.result()


async def _start(ctx: SessionContext, scan: _Scan, attempts: int = 3) -> None:
    """Initialize the back camera, or the first one, on the preview; turn a mirrored preview back. The web
    client can refuse a call made while it still lays the preview out ("concurrent modification"): a
    few tries, a moment apart."""
    camera = scan.camera
    for attempt in range(1, attempts + 1):
        try:
            cameras = await _call(scan, camera.get_available_cameras())
            if not cameras:
                raise RuntimeError("没有可用的相机")
            chosen = next((c for c in cameras if c.lens_direction == fc.CameraLensDirection.BACK), cameras[0])
            await _call(scan, camera.initialize(chosen, fc.ResolutionPreset.HIGH, enable_audio=False))
            break
        except Exception as error:  # noqa: BLE001 - retried; the last one is raised
            log.warning("QR scan: camera not started (attempt %d): %s", attempt, error)
            if attempt == attempts:
                raise
        await asyncio.sleep(0.3 * attempt)
    mirrored = web_mirrors(bool(ctx.page.web), chosen.lens_direction.value)
    camera.flip = ft.Flip(flip_x=True) if mirrored else None
    _update(camera)
