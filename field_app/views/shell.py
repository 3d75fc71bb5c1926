"""The frame around every screen: a top bar with the team and the outbox, and screen switching."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import flet as ft
import flet_geolocator as ftg

from field_app.errors import guarded, user_message
from field_app.viewmodels.pad import PadStrokes
from field_app.views.widgets import PRIMARY, tagged, toast

if TYPE_CHECKING:
    from field_app.app import AppModel

log = logging.getLogger(__name__)
Screen = Callable[["Shell"], ft.Control]


def rail_width(page_width: float) -> int:
    """The step rail: narrower on an upright tablet, so the content keeps most of the width."""
    return 170 if page_width < 900 else 230


class Shell:
    """Owns the page: renders the current screen and routes between screens."""

    def __init__(self, page: ft.Page, model: AppModel, screens: dict[str, Screen]) -> None:
        self.page, self.model, self.screens = page, model, screens
        self.current = "team"
        self._lock = threading.RLock()
        self.view_state: dict[str, str] = {}  # view-only state, e.g. the open step of a visit
        self.picker = ft.FilePicker()  # a service: registers itself with this page's session
        # a service too, made with the page so it is registered before its first use (views/location.py)
        self.locator = ftg.Geolocator()
        self.camera_control: Any = None  # flet_camera.Camera of this session (views/camera_screen.py)
        self.pads: dict[str, PadStrokes] = {}  # strokes being drawn, per pad: they survive a re-render
        self.rail: ft.Control | None = None  # the visit's step rail on screen (visit_screen refreshes it)
        self._width = page.width or 0
        page.on_resize = self.guard(self._resized)
        self.body = ft.Container(expand=True, padding=ft.Padding.all(20))
        self.bar = ft.Container(bgcolor=PRIMARY, padding=ft.Padding.symmetric(horizontal=20, vertical=8))
        # full-screen layers over the screen (the photo viewer): inside the shell, so the idle lock hides them too
        self.viewer_layer = ft.Container(visible=False, bgcolor=ft.Colors.BLACK, padding=ft.Padding.all(16),
                                         left=0, top=0, right=0, bottom=0)
        page.controls = [ft.Stack([ft.Column([self.bar, self.body], expand=True, spacing=0), self.viewer_layer],
                                  expand=True)]

    def pad(self, identifier: str) -> PadStrokes:
        """The strokes of one signature pad of this session (kept through rotation and re-renders)."""
        return self.pads.setdefault(identifier, PadStrokes())

    def content_width(self) -> float:
        """Width left for a step's content beside the step rail (see visit_screen)."""
        width = self.page.width or 1280
        return width - rail_width(width) - 90

    def _resized(self, e: ft.Event) -> None:
        """A rotation (or a window resize): lay the screen out again for the new width."""
        width = self.page.width or 0
        if abs(width - self._width) > 40:
            self._width = width
            self.render()

    def go(self, screen: str) -> None:
        """Show a screen, freshly rendered from its view-model."""
        with self._lock:
            self.leave_step()
            self.current = screen
            self.render()

    def leave_step(self) -> None:
        """The team moves on: a removal waiting for its undo becomes final (its file is shredded)."""
        removal = getattr(self.model, "removal", None)
        if removal is not None:
            self.act(lambda: removal.settle(force=True))

    def render(self) -> None:
        """Re-render the bar and the current screen (one at a time: Flet runs handlers in threads)."""
        with self._lock:
            self.bar.content = self._top_bar()
            self.body.content = self.screens[self.current](self)
            self.page.update()

    def act(self, action: Callable[[], object], success: str = "") -> bool:
        """Run a view-model action; show its Chinese error instead of crashing. True if it worked."""
        try:
            with self._lock:  # taps handled in the order they came, each seeing the last one's result
                action()
        except Exception as error:  # noqa: BLE001 (logged in user_message): a bug must not look like success
            self.report(user_message(error))
            return False
        if success:
            toast(self.page, success)
        return True

    def guard(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """An event handler whose errors are shown like `act`'s (field_app.errors.guarded): every handler
        a view gives Flet passes here or through `act`, so no exception is lost in a handler thread."""
        return guarded(handler, lambda message, args: self.report(message))

    def report(self, message: str) -> None:
        """Show an error message (Chinese) at the bottom of the screen."""
        try:
            toast(self.page, message, error=True)
            self.page.update()
        except Exception:  # the session is gone: the error was logged by user_message
            log.debug("could not show %r", message, exc_info=True)

    def _top_bar(self) -> ft.Control:
        team, outbox = self.model.team, self.model.outbox
        names = "、".join(m.name for m in team.members) or "未登录"
        white = ft.Colors.WHITE
        return ft.Row([
            ft.Text("社会救助入户核查", size=22, weight=ft.FontWeight.BOLD, color=white),
            ft.Text(f"调查小组：{names}", size=16, color=white, expand=True),
            tagged("nav-team", ft.TextButton(content=ft.Text("小组登录", color=white, size=16),
                                             on_click=self.guard(lambda e: self.go("team")), height=48)),
            tagged("nav-cases", ft.TextButton(content=ft.Text("核查案件", color=white, size=16),
                                              on_click=self.guard(lambda e: self.go("cases")), height=48)),
            tagged("nav-outbox", ft.TextButton(
                content=ft.Text(f"待上传 {outbox.pending}", color=white, size=16, weight=ft.FontWeight.BOLD),
                icon=ft.Icons.CLOUD_UPLOAD, icon_color=white, on_click=self.guard(lambda e: self.go("outbox")), height=48)),
        ], vertical_alignment=ft.CrossAxisAlignment.CENTER)
