"""Sealing: each surveyor types their own PIN, which unlocks their key to sign the record (R11, R16)."""
from __future__ import annotations

import asyncio

import flet as ft

from field_app.errors import FieldAppError
from field_app.views.context import SessionContext
from field_app.views.location import fix_line, take_fix
from field_app.views.widgets import WARN, big_button, note, tagged, toast


async def open_seal_dialog(ctx: SessionContext) -> None:
    """Take the sealing position fix, then a dialog with one PIN field per surveyor; on success the
    record is sealed and queued."""
    editor, team = ctx.model.visit, ctx.model.team
    await take_fix(ctx, "seal")
    if editor.record is None:
        return
    fields = {u: ft.TextField(label=f"{team.display_name(u)} 的 PIN 码", password=True, text_size=20, width=320,
                              keyboard_type=ft.KeyboardType.NUMBER, max_length=6)
              for u in editor.record.surveyors}
    error = note("", ft.Colors.RED_700)
    found = await asyncio.to_thread(editor.findings)  # the same judgement the server makes (issue 16)
    hints = ([tagged("seal-findings", note(f"证据提示（审核人员将看到，共 {len(found)} 项）：", WARN, 15))]
             if found else [])
    hints += [note(f"⚠ {f.text()}", WARN, 14) for f in found]

    def confirm(e: ft.Event) -> None:
        pins = {u: f.value or "" for u, f in fields.items()}
        ctx.leave_step()  # a removal waiting for its undo is final before the seal
        try:
            editor.seal(pins)
        except FieldAppError as exc:  # wrong PIN, something missing: nothing is sealed
            error.value = exc.message
            dialog.update()
            return
        ctx.page.pop_dialog()
        ctx.model.outbox.refresh_counts()
        toast(ctx.page, "记录已封存，等待上传")
        ctx.view_state.pop("step", None)
        ctx.go("cases")

    dialog = ft.AlertDialog(
        modal=True, title=ft.Text("调查人员确认签名", size=22),
        content=ft.Column([fix_line("封存位置", editor.record.seal_fix, "seal-fix"), *hints,
                           note("请每名调查人员分别输入自己的 PIN 码："), *fields.values(), error], tight=True,
                          spacing=12, scroll=ft.ScrollMode.AUTO),
        actions=[big_button("取消", lambda e: ctx.page.pop_dialog(), "seal-cancel", primary=False),
                 big_button("确认封存", confirm, "seal-confirm", icon=ft.Icons.LOCK)])
    ctx.page.show_dialog(dialog)
