"""What one browser session's screens work with, typed: the page, the tablet's shared view-models, the
session's own view-models and Flet services, and the doors every tap passes (`act`, `go`, `guard`).

Why a dataclass and not attributes set as screens need them: every screen can see what exists, mypy
checks it, and a session's callbacks are registered here, so they are dropped when the session ends.
Navigation is the router's (views/router.py): the context only asks it through `Navigator`, so no view
imports the router or app.py. Activity (for the idle lock) is an explicit hook: `act` and `go` call it.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import flet as ft
import flet_audio as fta
import flet_audio_recorder as far
import flet_camera as fc
import flet_geolocator as ftg

from field_app.errors import VisitError, guarded, user_message
from field_app.viewmodels.base import Observable, Unsubscribe
from field_app.viewmodels.model import AppModel
from field_app.viewmodels.pad import PadStrokes
from field_app.viewmodels.photo_viewer import PhotoViewer
from field_app.viewmodels.playback import AudioPlayback
from field_app.views.shell import Frame, rail_width
from field_app.views.widgets import toast
from schemas.forms import Form
from schemas.records import SurveyRecord

log = logging.getLogger(__name__)


class Navigator(Protocol):
    """The part of the router a screen may use (views/router.py implements it)."""

    @property
    def current(self) -> str: ...

    def go(self, screen: str) -> None: ...

    def render(self) -> None: ...


@dataclass(eq=False)
class Services:
    """This session's Flet services and long-lived controls. The picker and the locator are made with the
    page (registered before their first use); the others when a screen first needs them."""

    picker: ft.FilePicker = field(default_factory=ft.FilePicker)
    locator: ftg.Geolocator = field(default_factory=ftg.Geolocator)
    camera: fc.Camera | None = None  # the photo camera's preview (views/camera_screen.py)
    video: fc.Camera | None = None  # the video camera's preview (views/video_screen.py)
    recorder: far.AudioRecorder | None = None  # interview audio (views/recorder.py)
    player: fta.Audio | None = None  # playback of the record's audio (views/player.py)


@dataclass(eq=False)
class SessionContext:
    """One browser session: what its screens read, call and keep between renders."""

    page: ft.Page
    model: AppModel  # shared by every session of this tablet
    navigator: Navigator
    frame: Frame = field(default_factory=Frame)
    services: Services = field(default_factory=Services)
    viewer: PhotoViewer = field(init=False)  # this session's full-screen photo viewer
    playback: AudioPlayback = field(init=False)  # this session's audio player state
    view_state: dict[str, str] = field(default_factory=dict)  # view-only state, e.g. the open step of a visit
    pads: dict[str, PadStrokes] = field(default_factory=dict)  # strokes being drawn: they survive a re-render
    rail: ft.Control | None = None  # the visit's step rail on screen (visit_screen refreshes it)
    lock: threading.RLock = field(default_factory=threading.RLock)  # one tap or render at a time
    _activity: list[Callable[[], object]] = field(default_factory=list, init=False, repr=False)
    _keys: list[Callable[[ft.KeyboardEvent], object]] = field(default_factory=list, init=False, repr=False)
    _watching: dict[str, Unsubscribe] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.viewer = PhotoViewer(self.model.visit)
        self.playback = AudioPlayback(self.model.visit)
        self.page.on_keyboard_event = self.guard(self._key_pressed)

    # --- the doors every tap passes ---
    @property
    def current(self) -> str:
        """The screen on show."""
        return self.navigator.current

    def go(self, screen: str) -> None:
        """Show a screen, freshly rendered from its view-model (activity)."""
        self.touched()
        self.navigator.go(screen)

    def render(self) -> None:
        """Draw the bar and the current screen again."""
        self.navigator.render()

    def act(self, action: Callable[[], object], success: str = "") -> bool:
        """Run a view-model action (activity); show its Chinese error instead of crashing. True if it worked."""
        self.touched()
        try:
            with self.lock:  # taps handled in the order they came, each seeing the last one's result
                action()
        except Exception as error:  # noqa: BLE001 (logged in user_message): a bug must not look like success
            self.report(user_message(error))
            return False
        if success:
            toast(self.page, success)
        return True

    def guard(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """An event handler whose errors are shown like `act`'s (field_app.errors.guarded): every handler
        a view gives Flet passes here or through widgets.safe, so no exception is lost in a handler thread."""
        return guarded(handler, lambda message, args: self.report(message))

    def report(self, message: str) -> None:
        """Show an error message (Chinese) at the bottom of the screen."""
        try:
            toast(self.page, message, error=True)
            self.page.update()
        except Exception:  # the session is gone: the error was logged by user_message
            log.debug("could not show %r", message, exc_info=True)

    def leave_step(self) -> None:
        """The team moves on: a removal waiting for its undo becomes final (its file is shredded)."""
        removal = self.model.removal
        if removal is not None:
            self.act(lambda: removal.settle(force=True))

    # --- explicit hooks, instead of wrapping the doors ---
    def on_activity(self, hook: Callable[[], object]) -> None:
        """Call `hook()` whenever the team does something here (a tap's action, a screen change, a key)."""
        self._activity.append(hook)

    def touched(self) -> None:
        for hook in self._activity:
            hook()

    def on_key(self, handler: Callable[[ft.KeyboardEvent], object]) -> None:
        """Call `handler(event)` for every key pressed on this page, after the activity hooks."""
        self._keys.append(handler)

    def _key_pressed(self, e: ft.KeyboardEvent) -> None:
        self.touched()
        for handler in self._keys:
            handler(e)

    # --- this session's subscriptions to the shared view-models ---
    def watch(self, name: str, model: Observable, listener: Callable[[], object]) -> None:
        """Subscribe `listener` to `model`'s changes for this session, replacing the session's previous
        listener of that name (a screen drawn again subscribes again). A listener's error is logged, not
        passed to the change, which may come from another session's tap."""
        self.unwatch(name)

        def heard() -> None:
            try:
                listener()
            except Exception:  # a closed page, a control no longer mounted: this session's problem only
                log.warning("listener %s of a session failed", name, exc_info=True)

        self._watching[name] = model.subscribe(heard)

    def unwatch(self, name: str) -> None:
        unsubscribe = self._watching.pop(name, None)
        if unsubscribe is not None:
            unsubscribe()

    def close(self) -> None:
        """The session ended: its listeners leave the shared view-models."""
        for name in list(self._watching):
            self.unwatch(name)

    def open_visit(self) -> tuple[SurveyRecord, Form]:
        """The open record and its form, for the visit's step pages (drawn only while one is open)."""
        editor = self.model.visit
        if editor.record is None or editor.form is None:
            raise VisitError("没有正在填写的记录")
        return editor.record, editor.form

    # --- layout helpers ---
    def pad(self, identifier: str) -> PadStrokes:
        """The strokes of one signature pad of this session (kept through rotation and re-renders)."""
        return self.pads.setdefault(identifier, PadStrokes())

    def content_width(self) -> float:
        """Width left for a step's content beside the step rail (see visit_screen)."""
        width = self.page.width or 1280
        return width - rail_width(width) - 90
