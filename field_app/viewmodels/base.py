"""What every view-model shares: a `changed` hook and an injectable clock."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The real clock (aware, UTC)."""
    return datetime.now(UTC)


class Observable:
    """A view-model the view re-renders when `changed()` is called."""

    changed: Callable[[], None] = staticmethod(lambda: None)

    def _notify(self) -> None:
        self.changed()
