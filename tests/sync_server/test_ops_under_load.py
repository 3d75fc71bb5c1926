"""A server at its admission limits still answers /healthz, /readyz and /metrics, and counts its busy
answers: the real ASGI layers (RequestId, RequestMetrics, BodyGuard, Admission) around an app whose
requests are held open until the test lets them go."""
from __future__ import annotations

from pathlib import Path

import anyio
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from starlette.types import Message, Receive, Scope, Send

from sync_server.edge.limits import Admission, BodyGuard
from sync_server.edge.request_id import RequestId
from sync_server.ops.metrics import Metrics, RequestMetrics
from sync_server.settings import Settings

SHA = "a" * 64


class Held:
    """The innermost app: each request waits until `release` is set, then answers 200."""

    def __init__(self) -> None:
        self.release = anyio.Event()
        self.waiting = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] not in ("/healthz", "/readyz", "/metrics"):
            self.waiting += 1
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def call(app, method: str, path: str) -> tuple[int, dict[str, str]]:
    sent: list[Message] = []
    scope = {"type": "http", "method": method, "path": path, "headers": [(b"authorization", b"Bearer t")],
             "query_string": b"", "client": ("127.0.0.1", 1)}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}


def test_health_answers_and_busy_is_counted_while_the_limits_are_full(tmp_path: Path):
    settings = Settings(tmp_path, max_requests=2, max_uploads=1)
    held = Held()
    metrics = Metrics()  # the counters only: no services to read gauges from here
    app = RequestId(RequestMetrics(BodyGuard(Admission(held, settings=settings), settings=settings), metrics))
    answers: dict[str, list[int]] = {"busy": [], "health": []}

    async def main() -> None:
        async with anyio.create_task_group() as tasks:
            for _ in range(2):
                tasks.start_soon(call, app, "GET", "/api/v1/cases")
            tasks.start_soon(call, app, "PUT", f"/api/v1/evidence/{SHA}")
            with anyio.fail_after(10):
                while held.waiting < 3:
                    await anyio.sleep(0.001)
            answers["busy"] = [(await call(app, "GET", "/api/v1/cases"))[0],
                               (await call(app, "PUT", f"/api/v1/evidence/{SHA}"))[0]]
            for path in ("/healthz", "/readyz", "/metrics"):
                status, headers = await call(app, "GET", path)
                assert "x-request-id" in headers
                answers["health"].append(status)
            held.release.set()

    anyio.run(main)
    assert answers == {"busy": [503, 503], "health": [200, 200, 200]}
    found = {(s.name, tuple(sorted(s.labels.items()))): s.value
             for f in text_string_to_metric_families(generate_latest(metrics.registry).decode()) for s in f.samples}
    assert found[("sync_busy_answers_total", (("kind", "request"),))] == 1
    assert found[("sync_busy_answers_total", (("kind", "upload"),))] == 1
    assert found[("sync_http_requests_total", (("method", "GET"), ("route", "<none>"), ("status", "503")))] == 1
