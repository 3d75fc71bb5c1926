"""设备登记 (issue 18): the first screen of a tablet that knows no server, the settings screen that shows
where it is registered, and the screen left after a wipe.

The enrolment QR code is scanned with the camera (a frame decoded by zxing-cpp: field_app/provisioning.py),
or its text, shown under the code in the console, is pasted or typed: Chromium's fake camera cannot show
a QR code, and a tablet without a working camera still needs a way in. Re-provisioning takes a new code
from an administrator (each code works once)."""
from __future__ import annotations

import asyncio
import logging

import flet as ft
import flet_camera as fc

from field_app.views.context import SessionContext
from field_app.views.widgets import DANGER, OK, big_button, heading, note, tagged

log = logging.getLogger(__name__)


def _payload_form(ctx: SessionContext, button: str) -> list[ft.Control]:
    """The pasted-payload field, the camera, and the one button that registers."""
    provisioner = ctx.model.provisioner
    assert provisioner is not None
    text = ft.TextField(label="登记内容（扫描不便时粘贴或输入）", multiline=True, min_lines=3, max_lines=6,
                        width=560, text_size=14)
    preview = ft.Container(width=320, height=240, visible=False, bgcolor=ft.Colors.BLACK)

    def submit(e: ft.Event) -> None:
        if ctx.act(lambda: provisioner.submit(text.value or "")):
            ctx.render() if provisioner.error else ctx.go("provisioned")

    async def scan(e: ft.Event) -> None:
        camera = ctx.services.camera or fc.Camera(width=320, height=240, preview_enabled=True)
        ctx.services.camera = camera
        preview.content, preview.visible = camera, True
        ctx.page.update()
        try:
            cameras = await camera.get_available_cameras()
            back = next((c for c in cameras if c.lens_direction == fc.CameraLensDirection.BACK), cameras[0])
            await camera.initialize(back, fc.ResolutionPreset.HIGH, enable_audio=False)
            await asyncio.sleep(1.0)  # the preview settles (focus, exposure) before the frame is read
            frame = await camera.take_picture()
        except Exception as error:  # noqa: BLE001 - no camera or no permission: the text field remains
            log.warning("QR scan: camera not available: %s", error)
            provisioner.error = "相机无法使用，请粘贴或输入二维码下方的登记内容"
            ctx.render()
            return
        done = await asyncio.to_thread(provisioner.scan, bytes(frame))
        ctx.render() if not done else await asyncio.to_thread(ctx.go, "provisioned")

    error = [note(provisioner.error, DANGER)] if provisioner.error else []
    return [*error, ft.Row([big_button("扫描二维码", scan, "provision-scan", icon=ft.Icons.QR_CODE_SCANNER,
                                       primary=False), preview], wrap=True),
            tagged("provision-payload", text),
            big_button(button, submit, "provision-submit", icon=ft.Icons.APP_REGISTRATION, width=360)]


def provision_screen(ctx: SessionContext) -> ft.Control:
    """The first screen of an unprovisioned tablet."""
    return ft.Column([heading("设备登记"),
                      note("本平板尚未登记到机构服务器。请管理员在审核控制台“设备登记”页面生成登记二维码，"
                           "然后扫描它（或粘贴其下方的登记内容）。", size=18),
                      *_payload_form(ctx, "登记本设备")], spacing=16)


def provisioned_screen(ctx: SessionContext) -> ft.Control:
    """Registered: the office's name, then on to the team's sign-in."""
    current = ctx.model.provisioner.current if ctx.model.provisioner else None
    office = current.office_name if current else ""
    go_on = big_button("调查人员登录", lambda e: ctx.go("team"), "provisioned-continue", icon=ft.Icons.LOGIN)
    return ft.Column([heading("登记完成"), tagged("provisioned-office", note(f"本设备已登记到：{office}", OK, 22)),
                      go_on], spacing=16)


def device_settings_screen(ctx: SessionContext) -> ft.Control:
    """设备设置: where this tablet is registered; re-provisioning with a new administrator's code."""
    provisioner, client = ctx.model.provisioner, ctx.model.client
    current = provisioner.current if provisioner else None
    rows = [("服务器", current.server_url if current else client.base_url or "（未配置）"),
            ("机构 CA 指纹（SHA-256）", current.ca_sha256 if current else "（由启动配置指定）"),
            ("设备编号", client.device_id), ("登记机构", current.office_name if current else "（由启动配置指定）")]
    info = [tagged(f"device-setting-{i}", note(f"{label}：{value}", size=16)) for i, (label, value) in enumerate(rows)]
    redo = _payload_form(ctx, "重新登记") if provisioner else []
    return ft.Column([heading("设备设置"), *info,
                      heading("重新登记（需管理员新生成的登记码）", 20), *redo], spacing=12, scroll=ft.ScrollMode.AUTO)


def wiped_screen(ctx: SessionContext) -> ft.Control:
    """What is left after the server's wipe order."""
    message = ctx.model.device.message if ctx.model.device else ""
    return ft.Column([heading("设备已清除"), tagged("wiped-message", note(message, DANGER, 20))], spacing=16)
