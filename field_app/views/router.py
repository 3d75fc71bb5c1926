"""The screens of one browser session and the moves between them: app.py only calls `start`.

The router is the one module that knows every screen; a screen moves on by name (`ctx.go("visit")`)
through the session context (views/context.py), so no view imports another screen to navigate, nor
the router, nor app.py.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import flet as ft

from field_app.viewmodels.model import AppModel
from field_app.views.camera_screen import camera_screen
from field_app.views.cases_screen import cases_screen
from field_app.views.context import SessionContext
from field_app.views.idle_lock_overlay import install_idle_lock
from field_app.views.outbox_screen import outbox_screen, watch_automatic_uploads
from field_app.views.photo_viewer import install_viewer_keys
from field_app.views.provision_screen import (
    device_settings_screen,
    provision_screen,
    provisioned_screen,
    wiped_screen,
)
from field_app.views.shell import top_bar
from field_app.views.team_screen import team_screen
from field_app.views.video_screen import video_screen
from field_app.views.visit_screen import visit_screen

Screen = Callable[[SessionContext], ft.Control]
SCREENS: Mapping[str, Screen] = {"team": team_screen, "cases": cases_screen, "visit": visit_screen,
                                 "outbox": outbox_screen, "camera": camera_screen, "video": video_screen,
                                 "provision": provision_screen, "provisioned": provisioned_screen,
                                 "device_settings": device_settings_screen, "wiped": wiped_screen}


class Router:
    """Owns the page of one session: which screen is on show, and drawing it (one render at a time:
    Flet runs handlers in threads)."""

    def __init__(self, page: ft.Page, model: AppModel, screens: Mapping[str, Screen] = SCREENS) -> None:
        self.page, self.screens = page, screens
        self._current = "team"
        self.ctx = SessionContext(page, model, self)
        self._width = page.width or 0
        page.on_resize = self.ctx.guard(self._resized)
        page.controls = [self.ctx.frame.root]

    @property
    def current(self) -> str:
        return self._current

    def go(self, screen: str) -> None:
        """Leave the current step (a removal waiting for its undo becomes final) and show `screen`."""
        with self.ctx.lock:
            if self._wiped():  # nothing is left to show but that (issue 18)
                self._current = "wiped"
                self.render()
                return
            self.ctx.leave_step()
            self._current = screen
            self.render()

    def _wiped(self) -> bool:
        device = self.ctx.model.device
        return device is not None and device.wiped

    def render(self) -> None:
        """Re-render the bar and the current screen."""
        ctx = self.ctx
        with ctx.lock:
            names = "、".join(m.name for m in ctx.model.team.members)
            if self._wiped():
                self._current = "wiped"
                ctx.frame.bar.content = ft.Text("社会救助入户核查", size=22, color=ft.Colors.WHITE)
            else:
                ctx.frame.bar.content = top_bar(names, ctx.model.outbox.pending, ctx.go, ctx.guard)
            ctx.frame.body.content = self.screens[self._current](ctx)
            self.page.update()

    def _resized(self, e: ft.Event) -> None:
        """A rotation (or a window resize): lay the screen out again for the new width."""
        width = self.page.width or 0
        if abs(width - self._width) > 40:
            self._width = width
            self.render()


def start(page: ft.Page, model: AppModel) -> SessionContext:
    """Set up one browser session's page and show its first screen."""
    page.title = "社会救助入户核查"
    page.fonts = {"cjk": "fonts/cjk.ttf"}
    page.theme = ft.Theme(font_family="cjk")
    page.padding = 0
    ctx = Router(page, model).ctx
    install_viewer_keys(ctx)
    if model.idle is not None:
        install_idle_lock(ctx, model.idle)
    if model.auto_resume is not None:
        model.auto_resume.start()  # once per process: later sessions find it running
        watch_automatic_uploads(ctx, model.outbox)
    page.on_close = ctx.guard(lambda e: ctx.close())  # the session expired: its listeners leave the models
    device = model.device
    if device is not None:  # the server's wipe order was obeyed: every session shows only that (issue 18)
        ctx.watch("device", device, lambda: ctx.go("wiped") if device.wiped else None)
    if device is not None and device.wiped:
        ctx.go("wiped")
    elif model.provisioner is not None and not model.provisioner.provisioned:
        ctx.go("provision")  # a tablet that knows no server: scan the enrolment QR code first
    else:
        ctx.go("cases" if model.team.members else "team")
    return ctx
