"""The full-screen photo viewer (view of `PhotoViewer`): the photo scaled to fit, its time, origin, place
and flags, a close button, ←/→ buttons, arrow keys and swipes. It lives in the shell's own layer, so
the idle lock hides it with the rest of the screen."""
from __future__ import annotations

import flet as ft

from field_app.errors import FieldAppError
from field_app.viewmodels.photo_viewer import PhotoViewer
from field_app.views.shell import Shell
from field_app.views.widgets import tagged
from schemas.records import Role

WHITE = ft.Colors.WHITE


def viewer_of(shell: Shell) -> PhotoViewer:
    """This session's viewer (one per browser page), with the arrow keys wired once."""
    viewer = getattr(shell, "photo_viewer", None)
    if viewer is None:
        viewer = PhotoViewer(shell.model.visit)
        shell.photo_viewer = viewer  # type: ignore[attr-defined]
        previous = shell.page.on_keyboard_event

        def keys(e: ft.KeyboardEvent) -> None:
            if viewer.is_open:
                shell.act(lambda: (viewer.key(e.key), render_viewer(shell)))
            if previous is not None:
                previous(e)

        shell.page.on_keyboard_event = shell.guard(keys)
    return viewer


def open_viewer(shell: Shell, sha: str, role: Role) -> None:
    """Show one photo full screen."""
    viewer = viewer_of(shell)
    if shell.act(lambda: viewer.open(sha, role)):
        render_viewer(shell)


def render_viewer(shell: Shell) -> None:
    """Draw the viewer layer from the view-model (hidden when closed)."""
    viewer, layer = viewer_of(shell), shell.viewer_layer
    layer.visible = viewer.is_open
    layer.content = _content(shell, viewer) if viewer.is_open else None
    shell.page.update()


def _content(shell: Shell, viewer: PhotoViewer) -> ft.Control:
    def move(delta: int) -> None:
        shell.act(lambda: viewer.step(delta))
        render_viewer(shell)

    def close(e: ft.Event) -> None:
        viewer.close()
        render_viewer(shell)

    began = [0.0]

    def drag_start(e: ft.DragStartEvent) -> None:
        began[0] = e.global_position.x if e.global_position else 0.0

    def swiped(e: ft.DragEndEvent) -> None:
        shell.act(lambda: viewer.swipe((e.global_position.x if e.global_position else began[0]) - began[0]))
        render_viewer(shell)

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
                tagged("viewer-close", ft.IconButton(ft.Icons.CLOSE, icon_color=WHITE, icon_size=36, on_click=shell.guard(close),
                                                     tooltip="关闭"))]),
        ft.Row([
            tagged("viewer-prev", ft.IconButton(ft.Icons.CHEVRON_LEFT, icon_size=48, style=arrow,
                                                on_click=shell.guard(lambda e: move(-1)), tooltip="上一张")),
            ft.GestureDetector(content=tagged("viewer-photo", ft.Container(picture, expand=True,
                                                                           alignment=ft.Alignment.CENTER)),
                               on_horizontal_drag_start=shell.guard(drag_start),
                               on_horizontal_drag_end=shell.guard(swiped), expand=True),
            tagged("viewer-next", ft.IconButton(ft.Icons.CHEVRON_RIGHT, icon_size=48, style=arrow,
                                                on_click=shell.guard(lambda e: move(1)), tooltip="下一张")),
        ], expand=True),
    ], expand=True)
