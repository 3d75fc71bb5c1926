"""What every view-model shares: subscriptions to its changes and an injectable clock.

One tablet process serves every browser session (a reload or a second tab), and the view-models are
shared by them all: so a change is told to each subscriber, and each session subscribes and
unsubscribes its own callbacks (field_app/views/context.py), instead of overwriting one slot."""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

Clock = Callable[[], datetime]
Listener = Callable[[], None]
Unsubscribe = Callable[[], None]
T = TypeVar("T")
_SUBSCRIBING = threading.Lock()  # guards the copy-on-write tuples below (subscribers are rare writes)


def utcnow() -> datetime:
    """The real clock (aware, UTC)."""
    return datetime.now(UTC)


class Observable:
    """A view-model whose subscribers are called after each change (`_notify`), in subscription order.
    A subscriber's error reaches the caller of the change, as before this had several subscribers."""

    _listeners: tuple[Listener, ...] = ()

    def subscribe(self, listener: Listener) -> Unsubscribe:
        """Call `listener()` after every change; the returned function stops that (calling it twice is fine)."""
        with _SUBSCRIBING:
            self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            with _SUBSCRIBING:
                self._listeners = tuple(x for x in self._listeners if x is not listener)

        return unsubscribe

    def _no_single_slot(self, listener: Listener) -> None:
        raise AttributeError("view-models are shared by every session: use subscribe(), not `changed =`")

    changed = property(None, _no_single_slot)  # the old single slot: code still setting it fails loudly

    def _notify(self) -> None:
        for listener in self._listeners:  # a tuple: a subscriber leaving meanwhile does not disturb the loop
            listener()


def serialized(method: Callable[..., T]) -> Callable[..., T]:
    """One edit at a time: Flet runs tap handlers in threads, and an edit reads, changes and saves.
    The object needs a `_lock` (a threading.RLock)."""

    @functools.wraps(method)
    def locked(self: Any, *args: object, **kwargs: object) -> T:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked
