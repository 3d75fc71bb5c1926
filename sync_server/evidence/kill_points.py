"""Named points where a test may have the server process killed (SIGKILL, by itself), to prove that a
crash at each of them loses nothing (issue 19: the `_finish` window of resumable uploads).

Armed only by the environment variable `SERVER_TEST_KILL_AT` (a point's name), which only tests set on
a server process they start; unset, `reached` is one comparison with None. It is read once, at import,
so a running server cannot be armed from outside. A real kill, not an exception: no `finally`, no
shutdown handler, no flush runs, exactly as when the machine's owner or the OOM killer ends it.
"""
from __future__ import annotations

import os
import signal

ARMED = os.environ.get("SERVER_TEST_KILL_AT") or None


def reached(point: str) -> None:
    """Kill this process here if a test armed this point."""
    if point == ARMED:
        os.kill(os.getpid(), signal.SIGKILL)
