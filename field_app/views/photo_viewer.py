"""The full-screen photo viewer (view of `PhotoViewer`): the photo scaled to fit, its time, origin, place
and flags, a close button, ←/→ buttons, arrow keys and swipes. It lives in the frame's own layer, so
the idle lock hides it with the rest of the screen."""
from __future__ import annotations

import flet as ft

from field_app.errors import FieldAppError
from field_app.viewmodels.photo_viewer import PhotoViewer
from field_app.views.context import SessionContext
from field_app.views.widgets import tagged
from schemas.records import Role

WHITE = ft.Colors.WHITE


def install_viewer_keys(ctx: SessionContext) -> None:
    """The arrow keys and Esc move or close this session's viewer while it is open."""
    viewer = ctx.viewer

    def keys(e: ft.KeyboardEvent) -> None:
        def handle() -> None:
            viewer.key(e.key)
            render_viewer(ctx)

        if viewer.is_open:
            ctx.act(handle)

    ctx.on_key(keys)


def open_viewer(ctx: SessionContext, sha: str, role: Role) -> None:
    """Show one photo full screen."""
    if ctx.act(lambda: ctx.viewer.open(sha, role)):
        render_viewer(ctx)


def render_viewer(ctx: SessionContext) -> None:
    """Draw the viewer layer from the view-model (hidden when closed)."""
    viewer, layer = ctx.viewer, ctx.frame.viewer_layer
    layer.visible = viewer.is_open
    layer.content = _content(ctx, viewer) if viewer.is_open else None
    ctx.page.update()


def _content(ctx: SessionContext, viewer: PhotoViewer) -> ft.Control:
    def move(delta: int) -> None:
        ctx.act(lambda: viewer.step(delta))
        render_viewer(ctx)

    def close(e: ft.Event) -> None:
        viewer.close()
        render_viewer(ctx)

    began = [0.0]

    def drag_start(e: ft.DragStartEvent) -> None:
        began[0] = e.global_position.x if e.global_position else 0.0

    def swiped(e: ft.DragEndEvent) -> None:
        ctx.act(lambda: viewer.swipe((e.global_position.x if e.global_position else began[0]) - began[0]))
        render_viewer(ctx)

    try:
        info = viewer.info()
        picture: ft.Control = ft.Image(src=viewer.image(), fit=ft.BoxFit.CONTAIN, expand=True)
    except (OSError, FieldAppError):
        viewer.close()
        return ft.Text("照片无法读取", color=WHITE, size=20)
    lines = [ft.Text(info.title, size=18, color=WHITE, weight=ft.FontWeight.BOLD),
             tagged("viewer-origin", ft.Text(f"{info.origin} · {info.shot} · {info.place}", size=16, color=WHITE)),
             *[ft.Text(f"⚠ {flag}", size=15, color=ft.Colors.ORANGE_300) for flag in info.flags]]
    arrow = ft.ButtonStyle(color=WHITE, bgcolor=ft.Colors.with_opacity(0.3, ft.Colors.BLACK))
    return ft.Column([
        ft.Row([ft.Column(lines, spacing=2, expand=True),
                tagged("viewer-close", ft.IconButton(ft.Icons.CLOSE, icon_color=WHITE, icon_size=36,
                                                     on_click=ctx.guard(close), tooltip="关闭"))]),
        ft.Row([
            tagged("viewer-prev", ft.IconButton(ft.Icons.CHEVRON_LEFT, icon_size=48, style=arrow,
                                                on_click=ctx.guard(lambda e: move(-1)), tooltip="上一张")),
            ft.GestureDetector(content=tagged("viewer-photo", ft.Container(picture, expand=True,
                                                                           alignment=ft.Alignment.CENTER)),
                               on_horizontal_drag_start=ctx.guard(drag_start),
                               on_horizontal_drag_end=ctx.guard(swiped), expand=True),
            tagged("viewer-next", ft.IconButton(ft.Icons.CHEVRON_RIGHT, icon_size=48, style=arrow,
                                                on_click=ctx.guard(lambda e: move(1)), tooltip="下一张")),
        ], expand=True),
    ], expand=True)
