"""设备登记 (issue 18): the first screen of a tablet that knows no server, the settings screen that shows
where it is registered, and the screen left after a wipe.

The enrolment QR code is scanned with the camera (frames decoded by zxing-cpp until one holds the code:
field_app/views/qr_scan.py), or its text, shown under the code in the console, is pasted or typed: a
tablet without a working camera, or a code the camera cannot read, still needs a way in. Re-provisioning
takes a new code from an administrator (each code works once)."""
from __future__ import annotations

import logging

import flet as ft

from field_app.views.context import SessionContext
from field_app.views.qr_scan import scan_row
from field_app.views.widgets import DANGER, OK, big_button, heading, note, tagged

log = logging.getLogger(__name__)


def _payload_form(ctx: SessionContext, button: str) -> list[ft.Control]:
    """The camera, the pasted-payload field, and the one button that registers."""
    provisioner = ctx.model.provisioner
    assert provisioner is not None
    text = ft.TextField(label="登记内容（扫描不便时粘贴或输入）", multiline=True, min_lines=3, max_lines=6,
                        width=560, text_size=14)

    def submit(e: ft.Event) -> None:
        if ctx.act(lambda: provisioner.submit(text.value or "")):
            ctx.render() if provisioner.error else ctx.go("provisioned")

    return [scan_row(ctx),  # with the last refusal (scanned or typed) under it
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
