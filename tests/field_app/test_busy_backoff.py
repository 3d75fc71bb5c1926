"""The tablet's answer to a busy server (issue 9, R10): it waits at least Retry-After plus a random,
growing share, says "服务器繁忙，稍后自动重试", and sends the same request again until it goes through;
when the server stays busy the record stays queued for the next upload (nothing lost)."""
from __future__ import annotations

import base64
import random

import httpx

from field_app.sync.backoff import BUSY_NOTICE, busy_delay
from field_app.sync.client import ServerProblem, SyncClient
from schemas.protocol import KeyEnrolment

BUSY = {"code": "server.busy", "title": BUSY_NOTICE, "status": 503, "detail": "", "data": {}}
PUBLIC = base64.b64encode(bytes(32)).decode()
ENROLMENT = KeyEnrolment(key_id="k0000000000000000", public_key=PUBLIC, device_id="tablet-1", pin="480317")


def _busy_then_ok(busy_answers: int, seen: list[bytes]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        if len(seen) <= busy_answers:
            return httpx.Response(503, json=BUSY, headers={"Retry-After": "2",
                                                           "Content-Type": "application/problem+json"})
        return httpx.Response(200, json={"key_id": ENROLMENT.key_id, "public_key": PUBLIC})
    return httpx.MockTransport(handler)


def test_a_busy_server_is_asked_again_after_a_jittered_wait_of_at_least_retry_after():
    seen: list[bytes] = []
    waits: list[float] = []
    told: list[float] = []
    client = SyncClient("http://sync.invalid", transport=_busy_then_ok(3, seen), sleep=waits.append,
                        rng=random.Random(7))
    client.on_busy = told.append
    client.register_key("t", ENROLMENT)
    assert len(seen) == 4 and len(set(seen)) == 1  # the same body each time
    assert waits == told and len(waits) == 3 and all(w >= 2 for w in waits)
    assert len({round(w, 6) for w in waits}) == 3  # jittered, not in lockstep


def test_a_server_busy_beyond_patience_is_a_server_problem_the_outbox_retries_later():
    seen: list[bytes] = []
    client = SyncClient("http://sync.invalid", transport=_busy_then_ok(99, seen), sleep=lambda _s: None,
                        busy_retries=4)
    try:
        client.register_key("t", ENROLMENT)
    except ServerProblem as problem:
        assert problem.code == "server.busy" and problem.status == 503
    else:
        raise AssertionError("a busy server cannot have answered")
    assert len(seen) == 5


def test_backoff_windows_grow_and_are_capped():
    rng = random.Random(1)
    assert all(0 <= busy_delay(0, 0, rng) <= 1 for _ in range(50))
    assert max(busy_delay(10, 0, rng) for _ in range(200)) <= 30
    assert max(busy_delay(4, 3, rng) for _ in range(200)) > 10
