"""When to try again after the server said it is busy (503 `server.busy`, 429): exponential backoff
with full jitter, never sooner than the server's Retry-After, so a county's tablets do not all come
back in the same second."""
from __future__ import annotations

import random

BASE_S = 1.0
CAP_S = 30.0
BUSY_NOTICE = "服务器繁忙，稍后自动重试"


def retry_after_seconds(value: str | None) -> float:
    """The Retry-After header in seconds (0 if absent or not a number of seconds)."""
    if value is None or not value.strip().isdigit():
        return 0.0
    return float(value.strip())


def busy_delay(attempt: int, retry_after: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number `attempt` (0-based): at least Retry-After, plus a random
    share of an exponentially growing window capped at CAP_S."""
    window = min(CAP_S, BASE_S * (2 ** attempt))
    return retry_after + (rng or random).uniform(0, window)
