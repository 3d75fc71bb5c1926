"""What every view-model shares: a `changed` hook and an injectable clock."""
from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

Clock = Callable[[], datetime]
T = TypeVar("T")


def utcnow() -> datetime:
    """The real clock (aware, UTC)."""
    return datetime.now(UTC)


class Observable:
    """A view-model the view re-renders when `changed()` is called."""

    changed: Callable[[], None] = staticmethod(lambda: None)

    def _notify(self) -> None:
        self.changed()


def serialized(method: Callable[..., T]) -> Callable[..., T]:
    """One edit at a time: Flet runs tap handlers in threads, and an edit reads, changes and saves.
    The object needs a `_lock` (a threading.RLock)."""

    @functools.wraps(method)
    def locked(self: Any, *args: object, **kwargs: object) -> T:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked
