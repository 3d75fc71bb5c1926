"""The lock screen over every screen when the tablet was left idle (view of `IdleLock`)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import flet as ft

from field_app.viewmodels.idle_lock import IdleLock
from field_app.views.context import SessionContext
from field_app.views.widgets import safe, tagged

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0


def install_idle_lock(ctx: SessionContext, lock: IdleLock) -> None:
    """Cover the frame with the lock screen when `lock` locks; every action, screen change or key pressed
    is activity (the session context's activity hook)."""
    page = ctx.page
    cover = ft.Container(visible=False, bgcolor=ft.Colors.BLUE_GREY_900,
                         left=0, top=0, right=0, bottom=0, alignment=ft.Alignment.CENTER)
    chosen: dict[str, str] = {}  # the surveyor picked on the lock screen, kept across re-renders
    screens: list[ft.Control] = [ctx.frame.root]
    page.controls = [ft.Stack([*screens, cover], expand=True)]

    def render() -> None:
        cover.visible = lock.locked
        for control in screens:  # hidden, not just covered: nothing readable under the lock
            control.visible = not lock.locked
        cover.content = _lock_panel(lock, render, chosen) if lock.locked else None
        page.update()

    ctx.on_activity(lock.touch)

    async def watch() -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                if lock.check() != cover.visible:
                    render()
            except Exception:  # the session closed: stop watching this page
                log.debug("idle lock watcher stopped", exc_info=True)
                return

    if lock.idle_after is not None:
        page.run_task(watch)
    if lock.locked:
        render()


def _lock_panel(lock: IdleLock, render: Callable[[], None], chosen: dict[str, str]) -> ft.Control:
    choices = lock.choices()
    if len(choices) == 1:
        chosen["who"] = choices[0][0]
    radios = [tagged(f"idle-lock-{u}", ft.Radio(value=u, label=n, label_style=ft.TextStyle(size=20)))
              for u, n in choices]
    who = ft.RadioGroup(content=ft.Column(radios),
                        value=chosen.get("who"), on_change=safe(lambda e: chosen.update(who=e.control.value)))
    pin = ft.TextField(label="PIN 码", password=True, text_size=22, width=320, autofocus=True,
                       keyboard_type=ft.KeyboardType.NUMBER)

    def unlock(e: ft.Event) -> None:
        lock.unlock(chosen.get("who", ""), pin.value or "")
        render()

    pin.on_submit = safe(unlock)
    return ft.Container(width=460, padding=ft.Padding.all(32), bgcolor=ft.Colors.WHITE, border_radius=12,
                        content=ft.Column([
        ft.Text("平板已锁定", size=28, weight=ft.FontWeight.BOLD),
        ft.Text("长时间无操作，为保护调查信息已锁屏。请调查人员输入本人 PIN 码解锁。", size=18),
        who, tagged("idle-lock-pin", pin),
        ft.Text(lock.error, color=ft.Colors.RED_700, size=16, visible=bool(lock.error)),
        tagged("idle-lock-unlock", ft.FilledButton(content=ft.Text("解锁", size=20), on_click=safe(unlock),
                                                   height=52)),
    ], tight=True, spacing=16))
