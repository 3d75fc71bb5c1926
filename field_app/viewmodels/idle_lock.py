"""The tablet locks itself after a configurable idle time; a signed-in surveyor unlocks it with their PIN.

Unlocking goes through `TeamSession.unlock`, so the PIN is checked by opening the surveyor's own key,
and five wrong PINs lock that account for 15 minutes as at sign-in (MASVS-AUTH). While locked the
screens are covered and nothing can be read or changed; drafts stay as they were saved.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Protocol

from field_app.errors import FieldAppError
from field_app.viewmodels.base import Clock, Observable, utcnow

DEFAULT_IDLE_LOCK = timedelta(minutes=5)


class Unlocker(Protocol):
    """The part of TeamSession the lock needs."""

    @property
    def members(self) -> list: ...

    def unlock(self, username: str, pin: str) -> object: ...


class IdleLock(Observable):
    """Locked or not, who may unlock, and the last error; the view polls `check()` and calls `touch()`."""

    def __init__(self, team: Unlocker, idle_after: timedelta | None = DEFAULT_IDLE_LOCK,
                 clock: Clock = utcnow) -> None:
        self.team, self.clock = team, clock
        self.idle_after = idle_after if idle_after and idle_after > timedelta(0) else None  # None: never
        self.locked = False
        self.error = ""
        self.last_activity: datetime = clock()
        self._lock = threading.RLock()

    def touch(self) -> None:
        """The team used the tablet: the idle time starts again (ignored while locked)."""
        with self._lock:
            if not self.locked:
                self.last_activity = self.clock()

    def check(self) -> bool:
        """Lock when idle for `idle_after` with someone signed in; returns whether it is locked now."""
        with self._lock:
            if not self.locked and self.idle_after is not None and self.team.members \
                    and self.clock() - self.last_activity >= self.idle_after:
                self.lock_now()
            return self.locked

    def lock_now(self) -> None:
        """Lock at once (the 锁屏 button, or the idle timer)."""
        with self._lock:
            if self.team.members:
                self.locked, self.error = True, ""
                self._notify()

    def choices(self) -> list[tuple[str, str]]:
        """(username, name) of each surveyor who may unlock: those signed in on this tablet."""
        return [(m.username, m.name) for m in self.team.members]

    def unlock(self, username: str, pin: str) -> bool:
        """Unlock with a signed-in surveyor's PIN; a wrong one leaves it locked with a Chinese reason."""
        with self._lock:
            if not self.locked:
                return True
            if not username or not pin:
                self.error = "请选择调查人员并输入 PIN 码"
            else:
                try:
                    self.team.unlock(username, pin)
                except FieldAppError as error:
                    self.error = error.message
                else:
                    self.locked, self.error, self.last_activity = False, "", self.clock()
            self._notify()
            return not self.locked
