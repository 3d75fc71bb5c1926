"""The in-app camera (flet-camera): preview, several shots in a row, each kept as evidence at once with
its time and the tablet's position; the last shot shown large; delete or retake any of them.

The screen changes in place after a shot, a delete or a retake (as the video screen does): drawing it
again re-mounts the preview, which the web client then shows black until the camera is started again.
In a browser the preview and the pictures are turned back the right way round (capture/web_camera.py)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import flet as ft
import flet_camera as fc

from field_app.capture.web_camera import web_mirrors
from field_app.views.context import SessionContext
from field_app.views.location import current_location
from field_app.views.thumbnails import thumbnail
from field_app.views.widgets import DANGER, big_button, heading, note, tagged
from schemas.evidence_checks import beijing_text, flag_label
from schemas.records import EvidenceRef, Role

log = logging.getLogger(__name__)
SHOT_FIX_TIMEOUT_S = 5.0


async def open_camera(ctx: SessionContext, role: Role) -> None:
    """Go to the camera screen for a role and start the camera (a Chinese reason if there is none)."""
    if not await asyncio.to_thread(ctx.act, lambda: ctx.model.camera.open(role)):
        return
    await asyncio.to_thread(ctx.go, "camera")
    if not await start_camera(ctx):
        await asyncio.to_thread(ctx.render)  # the reason, in place of the count


async def start_camera(ctx: SessionContext, attempts: int = 4) -> bool:
    """Initialize the first camera. The web client can refuse a call made while it is still laying out
    the new screen ("concurrent modification"): a few retries, a moment apart, then a Chinese reason."""
    for attempt in range(1, attempts + 1):
        try:
            cameras = await _camera(ctx).get_available_cameras()
            if not cameras:
                raise RuntimeError("没有可用的相机")
            # the scene, not the surveyor: a back camera when the tablet has one
            chosen = next((c for c in cameras if c.lens_direction == fc.CameraLensDirection.BACK), cameras[0])
            await _camera(ctx).initialize(chosen, fc.ResolutionPreset.HIGH, enable_audio=False)
            _unmirror_preview(ctx, web_mirrors(bool(ctx.page.web), chosen.lens_direction.value))
            ctx.view_state["camera_ready"] = "1"
            return True
        except Exception as error:  # noqa: BLE001 - no camera, permission refused: say so, keep the import
            log.warning("camera not started (attempt %d): %s", attempt, error)
            reason = str(error)[:80]
        await asyncio.sleep(0.3 * attempt)
    ctx.model.camera.error = f"相机无法启动（{reason}），可返回后用“添加照片（导入）”"
    return False


def _unmirror_preview(ctx: SessionContext, mirrored: bool) -> None:
    """The web plugin shows this camera mirrored: flip its preview back, and its pictures (the shutter)."""
    ctx.view_state["camera_mirrored"] = "1" if mirrored else ""
    camera = _camera(ctx)
    camera.flip = ft.Flip(flip_x=True) if mirrored else None
    try:
        camera.update()
    except RuntimeError:  # not on the page (the team left the screen): the next drawing carries it
        log.debug("camera preview not on the page", exc_info=True)


def camera_screen(ctx: SessionContext) -> ft.Control:
    """Preview and shutter on the left, the shots of this session on the right."""
    session = ctx.model.camera
    shutter_slot, status_slot = ft.Container(), ft.Container()
    right = ft.Column(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)

    def fill() -> None:
        shutter_slot.content = big_button("正在保存…" if session.busy else "拍照", shoot, "camera-shoot",
                                          icon=ft.Icons.CAMERA_ALT, disabled=session.busy)
        status_slot.content = note(session.error, DANGER) if session.error else \
            note(f"本次已拍 {len(session.shots)} 张")
        right.controls = [_large(ctx, session.selected),
                          ft.Row([_shot_tile(ctx, r, i + 1, refresh) for i, r in enumerate(session.shots)],
                                 wrap=True, spacing=8)]

    def refresh() -> None:
        """Show the session's state again without touching the preview."""
        fill()
        for control in (shutter_slot, status_slot, right):
            control.update()

    async def shoot(e: ft.Event) -> None:
        if session.busy:
            return
        session.busy = True
        refresh()
        try:
            data = await _take_picture(ctx)
            if data is None:
                return
            shot_at = ctx.model.visit.clock()  # the moment of the shot, not of the check
            location, _ = await current_location(ctx, SHOT_FIX_TIMEOUT_S)
            mirrored = bool(ctx.view_state.get("camera_mirrored"))
            await asyncio.to_thread(session.shot, data, shot_at, location, mirrored)
        except Exception as error:  # noqa: BLE001 - the camera failed this once: say so, keep the others
            log.warning("take_picture failed: %s", error)
            session.error = f"拍照失败（{str(error)[:80]}），请重试"
        finally:
            session.busy = False
        refresh()

    def done(e: ft.Event) -> None:
        ctx.view_state.pop("camera_ready", None)  # the preview leaves the page: initialize again next time
        ctx.go("visit")

    fill()
    left = ft.Column([tagged("camera-preview", ft.Container(_camera(ctx), bgcolor=ft.Colors.BLACK)),
                      ft.Row([shutter_slot, big_button("完成", done, "camera-done", primary=False)], spacing=16),
                      status_slot], spacing=12)
    title = {Role.SCENE: "现场照片", Role.REFUSAL_PROOF: "拒绝情况照片", Role.CANNOT_SIGN_PROOF: "无法签名证明照片"}
    if ctx.view_state.get("camera_ready"):  # drawn again (a resize, the top bar): the preview re-mounts
        ctx.view_state.pop("camera_ready", None)
        ctx.page.run_task(_restart, ctx, refresh)
    return ft.Column([heading(f"拍照：{title.get(session.role, '照片')}", 22),
                      ft.Row([left, right], spacing=20, expand=True,
                             vertical_alignment=ft.CrossAxisAlignment.START)], expand=True)


async def _restart(ctx: SessionContext, refresh: Callable[[], None]) -> None:
    """Start the camera again for a preview drawn anew; say why not if it fails."""
    if not await start_camera(ctx):
        refresh()


async def _take_picture(ctx: SessionContext) -> bytes | None:
    """A picture; the screen drawn again after a shot can leave the preview uninitialized: start it again."""
    if not ctx.view_state.get("camera_ready") and not await start_camera(ctx):
        return None
    try:
        return bytes(await _camera(ctx).take_picture())
    except Exception as error:  # noqa: BLE001 - "not initialized" after a re-render: once more
        log.warning("take_picture: %s; starting the camera again", error)
        if not await start_camera(ctx):
            return None
        return bytes(await _camera(ctx).take_picture())


def _camera(ctx: SessionContext) -> fc.Camera:
    """This session's camera preview, made when the camera screen is first shown."""
    if ctx.services.camera is None:
        ctx.services.camera = fc.Camera(width=480, height=360, preview_enabled=True)
    return ctx.services.camera


def _large(ctx: SessionContext, sha: str | None) -> ft.Control:
    if sha is None:
        return note("拍摄的照片会显示在这里（已计算校验值，原图不做任何修改）")
    ref = next(r for r in ctx.model.camera.shots if r.sha256 == sha)
    flags = "；".join(flag_label(f) for f in ref.flags)
    place = f"{ref.location.lat:.5f}, {ref.location.lon:.5f}" if ref.location else "无位置"
    return tagged("camera-selected", ft.Column([
        ft.Image(src=thumbnail(ctx, sha, 480), width=400, height=300, fit=ft.BoxFit.CONTAIN),
        note(f"拍摄 · {beijing_text(ref.captured_at)} · {place} · 校验值 {sha[:12]}", size=14),
        note(flags, ft.Colors.ORANGE_800, 14) if flags else note("", size=1)], spacing=4))


def _shot_tile(ctx: SessionContext, ref: EvidenceRef, index: int, refresh: Callable[[], None]) -> ft.Control:
    session, sha = ctx.model.camera, ref.sha256

    def then(action: Callable[[str], object]) -> None:
        if ctx.act(lambda: action(sha)):
            refresh()

    return ft.Column([
        ft.Container(ft.Image(src=thumbnail(ctx, sha, 240), width=120, height=90, fit=ft.BoxFit.COVER),
                     on_click=ctx.guard(lambda e: then(session.select))),
        ft.Row([tagged(f"shot-{index}-delete",
                       ft.TextButton("删除", on_click=ctx.guard(lambda e: then(session.delete)))),
                tagged(f"shot-{index}-retake",
                       ft.TextButton("重拍", on_click=ctx.guard(lambda e: then(session.retake))))],
               spacing=0)], spacing=2)
