"""Small building blocks shared by the screens: large touch targets, Chinese toasts, test handles."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import flet as ft

from field_app.errors import guarded

log = logging.getLogger(__name__)

TOUCH_HEIGHT = 56
PRIMARY = ft.Colors.BLUE_700
DANGER = ft.Colors.RED_700
OK = ft.Colors.GREEN_700
WARN = ft.Colors.AMBER_900  # a check that could not be made: never shown as passed


def tagged(identifier: str, control: ft.Control) -> ft.Control:
    """Wrap a control so tests find it as [flt-semantics-identifier=...]."""
    return ft.Semantics(identifier=identifier, content=control)


def safe(handler: Callable[..., Any] | None) -> Callable[..., Any] | None:
    """An event handler whose errors become a red toast on the event's page (field_app.errors.guarded)."""
    return None if handler is None else guarded(handler, _report_on_page)


def _report_on_page(message: str, args: tuple) -> None:
    event = args[0] if args else None
    page = getattr(event, "page", None) or getattr(getattr(event, "control", None), "page", None)
    if page is None:
        return  # no page to show it on: user_message has logged it
    try:
        toast(page, message, error=True)
        page.update()
    except Exception:  # the session is gone; the error is logged
        log.debug("could not show %r", message, exc_info=True)


def big_button(text: str, on_click: Callable, identifier: str = "", *, icon: ft.IconData | None = None,
               primary: bool = True, disabled: bool = False, width: float | None = None) -> ft.Control:
    """A button a thumb hits on a tablet (56 px high)."""
    style = ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=24))
    cls = ft.FilledButton if primary else ft.OutlinedButton
    button = cls(content=ft.Text(text, size=18), icon=icon, on_click=safe(on_click), disabled=disabled,
                 height=TOUCH_HEIGHT, width=width, style=style)
    return tagged(identifier, button) if identifier else button


def heading(text: str, size: int = 24) -> ft.Text:
    """A screen or section title."""
    return ft.Text(text, size=size, weight=ft.FontWeight.BOLD)


def note(text: str, color: str | None = None, size: int = 16) -> ft.Text:
    """Body text."""
    return ft.Text(text, size=size, color=color)


def toast(page: ft.Page, message: str, error: bool = False) -> None:
    """A short message at the bottom of the screen."""
    # floating above the bottom row, so 上一步 / 下一步 stay visible and tappable while it shows
    page.show_dialog(ft.SnackBar(content=ft.Text(message, size=16), bgcolor=DANGER if error else None,
                                 behavior=ft.SnackBarBehavior.FLOATING,
                                 margin=ft.Margin.only(left=260, right=20, bottom=90),
                                 duration=ft.Duration(seconds=5 if error else 2)))


def missing_list(labels: list[str], jump: Callable[[int], None] | None = None) -> ft.Control:
    """What is still missing, as a red list (or a green line when nothing is); with `jump`, each line
    is a button that opens the step where it is fixed."""
    if not labels:
        return ft.Row([ft.Icon(ft.Icons.CHECK_CIRCLE, color=OK), note("记录完整，可以封存", OK)])
    lines: list[ft.Control]
    if jump is None:
        lines = [note(f"• {label}", DANGER) for label in labels]
    else:
        lines = [tagged(f"missing-{i}", ft.TextButton(content=ft.Text(f"• {label}  ›", color=DANGER, size=16),
                                                      on_click=safe(lambda e, i=i: jump(i)), height=40))
                 for i, label in enumerate(labels)]
    return ft.Column([note(f"尚缺 {len(labels)} 项（点按一项可前往填写）：" if jump else f"尚缺 {len(labels)} 项：",
                           DANGER), *lines], spacing=2)
