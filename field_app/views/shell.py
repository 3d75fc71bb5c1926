"""The frame around every screen: a top bar (the team, the screens, the outbox), the body where the
router draws the current screen, and a full-screen layer over them (the photo viewer). The frame is
plain controls: the router (views/router.py) fills it, the session context (views/context.py) holds it."""
from __future__ import annotations

from collections.abc import Callable

import flet as ft

from field_app.views.widgets import PRIMARY, tagged


def rail_width(page_width: float) -> int:
    """The step rail: narrower on an upright tablet, so the content keeps most of the width."""
    return 170 if page_width < 900 else 230


class Frame:
    """The page's controls: bar and body in a column, with the viewer layer stacked over them."""

    def __init__(self) -> None:
        self.body = ft.Container(expand=True, padding=ft.Padding.all(20))
        self.bar = ft.Container(bgcolor=PRIMARY, padding=ft.Padding.symmetric(horizontal=20, vertical=8))
        # full-screen layers over the screen (the photo viewer): inside the frame, so the idle lock hides them too
        self.viewer_layer = ft.Container(visible=False, bgcolor=ft.Colors.BLACK, padding=ft.Padding.all(16),
                                         left=0, top=0, right=0, bottom=0)
        self.root = ft.Stack([ft.Column([self.bar, self.body], expand=True, spacing=0), self.viewer_layer],
                             expand=True)


def top_bar(names: str, pending: int, go: Callable[[str], None],
            guard: Callable[[Callable[..., object]], Callable[..., object]]) -> ft.Control:
    """The title, the signed-in team, and the buttons to the team, the cases and the outbox (each handler
    passed through `guard`, the session's error display)."""
    white = ft.Colors.WHITE
    return ft.Row([
        ft.Text("社会救助入户核查", size=22, weight=ft.FontWeight.BOLD, color=white),
        ft.Text(f"调查小组：{names or '未登录'}", size=16, color=white, expand=True),
        tagged("nav-team", ft.TextButton(content=ft.Text("小组登录", color=white, size=16),
                                         on_click=guard(lambda e: go("team")), height=48)),
        tagged("nav-cases", ft.TextButton(content=ft.Text("核查案件", color=white, size=16),
                                          on_click=guard(lambda e: go("cases")), height=48)),
        tagged("nav-outbox", ft.TextButton(
            content=ft.Text(f"待上传 {pending}", color=white, size=16, weight=ft.FontWeight.BOLD),
            icon=ft.Icons.CLOUD_UPLOAD, icon_color=white, on_click=guard(lambda e: go("outbox")), height=48)),
        tagged("nav-device", ft.IconButton(ft.Icons.SETTINGS, icon_color=white, tooltip="设备设置",
                                           on_click=guard(lambda e: go("device_settings")))),  # issue 18
    ], vertical_alignment=ft.CrossAxisAlignment.CENTER)
