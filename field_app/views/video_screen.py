"""Recording a video clip in the app (flet-camera): R12 inability to sign, R13 refusals, scenes.

Measured here: in web mode `stop_video_recording` hands Python the clip's bytes (WebM from Chromium),
so a clip is recorded at the door, not only picked from files. The bytes go through the same checks
as a picked clip (field_app.viewmodels.clips: typed by content, sealed encrypted, size listed).
"""
from __future__ import annotations

import asyncio
import logging
import time

import flet as ft
import flet_camera as fc

from field_app.capture.web_camera import web_mirrors
from field_app.errors import FieldAppError
from field_app.viewmodels.clips import add_video
from field_app.views.context import SessionContext
from field_app.views.widgets import DANGER, big_button, heading, tagged, toast
from schemas.records import Origin, Role

log = logging.getLogger(__name__)
TITLES = {Role.SCENE: "现场视频", Role.REFUSAL_PROOF: "拒绝情况视频", Role.CANNOT_SIGN_PROOF: "无法签名证明视频"}


async def open_video(ctx: SessionContext, role: Role) -> None:
    """Go to the video screen for a role (nothing before the notification step, R8)."""
    if not await asyncio.to_thread(ctx.act, ctx.model.visit.check_capture):
        return
    ctx.view_state.update({"video_role": Role(role).value, "video_error": ""})
    await asyncio.to_thread(ctx.go, "video")


async def _start_camera(camera: fc.Camera, attempts: int = 4) -> str:
    """Initialize the first camera for video; '' or a Chinese reason (the web client may refuse a call
    made while it still lays out the screen: a few retries a moment apart)."""
    reason = ""
    for attempt in range(1, attempts + 1):
        try:
            cameras = await camera.get_available_cameras()
            if not cameras:
                return "没有可用的相机"
            chosen = next((c for c in cameras if c.lens_direction == fc.CameraLensDirection.BACK), cameras[0])
            # with audio the web stop never returned here
            await camera.initialize(chosen, fc.ResolutionPreset.MEDIUM, enable_audio=False)
            await camera.prepare_for_video_recording()
            # the web plugin mirrors the preview of a camera not facing back (the clip itself is not)
            camera.flip = ft.Flip(flip_x=True) if web_mirrors(bool(camera.page.web), chosen.lens_direction.value) \
                else None
            camera.update()
            return ""
        except Exception as error:  # noqa: BLE001 - no camera or no permission: say so
            log.warning("video camera not started (attempt %d): %s", attempt, error)
            reason = str(error)[:80]
        await asyncio.sleep(0.3 * attempt)
    return f"相机无法启动（{reason}），可返回后用“添加视频（导入）”"


def video_screen(ctx: SessionContext) -> ft.Control:
    """Preview, 开始录像 / 结束录像, back to the visit."""
    state, role = ctx.view_state, Role(ctx.view_state.get("video_role", Role.SCENE.value))
    camera = ctx.services.video
    if camera is None:
        camera = ctx.services.video = fc.Camera(width=480, height=360, preview_enabled=True)

    slot = ft.Container()
    status = ft.Text(state.get("video_error") or "录像会加密保存，并计算校验值", size=16,
                     color=DANGER if state.get("video_error") else None)

    def show(button: ft.Control, text: str, error: bool = False) -> None:
        """Change the button and status in place: drawing the screen again would re-mount the camera
        preview and lose the recording in the web client."""
        slot.content, status.value, status.color = button, text, DANGER if error else None
        slot.update()
        status.update()

    async def start(e: ft.Event) -> None:
        show(big_button("正在启动相机…", start, "video-start", icon=ft.Icons.VIDEOCAM, disabled=True), "")
        problem = await _start_camera(camera)
        if not problem:
            try:
                await camera.start_video_recording()
                state["video_since"] = str(time.monotonic())
                show(big_button("结束录像", stop, "video-stop", icon=ft.Icons.STOP), "正在录像")
                return
            except Exception as error:  # noqa: BLE001
                problem = f"无法开始录像（{str(error)[:80]}）"
        show(idle(), problem, error=True)

    async def stop(e: ft.Event) -> None:
        show(big_button("正在保存…", stop, "video-stop", icon=ft.Icons.STOP, disabled=True), "正在保存录像")
        seconds = time.monotonic() - float(state.get("video_since", "0") or 0)
        try:
            data = bytes(await camera.stop_video_recording())
            await asyncio.to_thread(add_video, ctx.model.visit, data, "录像" + _extension(data), role,
                                    "", Origin.CAMERA, round(seconds, 1))
        except FieldAppError as error:
            show(idle(), error.message, error=True)
            return
        except Exception as error:  # noqa: BLE001 - the camera failed: say so
            log.warning("stop_video_recording failed: %s", error)
            show(idle(), f"录像失败（{str(error)[:80]}），请重试", error=True)
            return
        show(idle(), "录像已保存（可继续录制，或返回）")
        toast(ctx.page, "录像已保存")

    def idle() -> ft.Control:
        return big_button("开始录像", start, "video-start", icon=ft.Icons.VIDEOCAM)

    def back(e: ft.Event) -> None:
        ctx.go("visit")

    slot.content = idle()
    return ft.Column([heading(f"录像：{TITLES.get(role, '视频')}", 22),
                      tagged("video-preview", ft.Container(camera, bgcolor=ft.Colors.BLACK)),
                      ft.Row([slot, big_button("返回", back, "video-back", primary=False)], spacing=16),
                      tagged("video-status", status)], spacing=12)


def _extension(data: bytes) -> str:
    return ".webm" if data[:4] == b"\x1a\x45\xdf\xa3" else ".mp4"
