"""Limits and back-pressure as pure ASGI layers, outside everything that parses or opens a database.

`BodyGuard` (outermost) gives every request a byte budget chosen from its method, path and whether
it carries credentials: an anonymous caller gets a small budget on every route, before any route,
dependency or token lookup runs. A `Content-Length` over the budget is refused at once (nothing
read); a body without one is counted as it arrives. The body must also keep coming: each piece
within `body_idle_s`, and past `body_grace_s` of waiting at least `body_min_rate` bytes/s (time the
server itself spends before or between reads does not count against the client), or the
request ends with `request.timeout` (408) and the connection is closed — a client dribbling one
byte every few seconds holds neither a database connection nor a worker thread. Once the body is
complete the deadlines end: a long streamed answer (an export) listens for the client's disconnect
and must not be cut as if the request were still arriving.

`Admission` counts requests in progress, uploads apart from the rest, and answers `server.busy`
(503 with Retry-After) above the limit instead of queueing until something gives way.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.problems import Code, ProblemError
from schemas.protocol import API_PREFIX
from sync_server.edge.problem_handlers import problem_response
from sync_server.evidence.staff_uploads import MAX_UPLOAD_BYTES
from sync_server.settings import Settings

_EVIDENCE_PUT = re.compile(rf"^{API_PREFIX}/evidence/[0-9a-f]{{64}}$")
_CHUNK_PATCH = re.compile(rf"^{API_PREFIX}/uploads/[0-9a-f]{{64}}$")
_BATCH_POST = f"{API_PREFIX}/evidence/batch"
# scans and spreadsheets (evidence/staff_uploads.py)
_DOCUMENT_POST = re.compile(rf"^{API_PREFIX}/(intake/cases/[^/]+/(documents|subjects/import)"
                            rf"|accounts/[^/]+/credentials)$"
                            r"|^/exchange/v1/entrustments/[^/]+/documents$")  # a unit's system (issue 20)
CONSOLE_COOKIE = b"console_token="
# Health, readiness and metrics (ops/health.py, ops/metrics.py) are not admitted against the limits: a
# server full of uploads must still say it is alive, and be seen being busy.
OPS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def is_upload(scope: Scope) -> bool:
    """Whether the request streams evidence bytes (a whole-file PUT, a resumable chunk, a batch)."""
    method, path = scope.get("method", ""), scope.get("path", "")
    return (method == "PUT" and _EVIDENCE_PUT.match(path) is not None) or \
        (method == "PATCH" and _CHUNK_PATCH.match(path) is not None) or (method == "POST" and path == _BATCH_POST)


def has_credentials(scope: Scope) -> bool:
    """Whether the request carries a bearer token, a console cookie, or a unit's client certificate verified by
    nginx (issue 20; checked later, not here: the proxy's address and the certificate, api/unit_cert_auth.py)."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return True
        if name == b"x-client-verify" and value == b"SUCCESS":
            return True
        if name == b"cookie" and CONSOLE_COOKIE in value:
            return True
    return False


def body_budget(settings: Settings, scope: Scope) -> tuple[int, Code]:
    """The most bytes of body this request may send, and the problem code for more."""
    if not has_credentials(scope):
        return settings.max_anonymous_bytes, Code.REQUEST_TOO_LARGE
    if scope.get("method") == "PUT" and _EVIDENCE_PUT.match(scope.get("path", "")):
        return settings.max_evidence_bytes, Code.EVIDENCE_TOO_LARGE
    if scope.get("method") == "PATCH" and _CHUNK_PATCH.match(scope.get("path", "")):
        return settings.max_chunk_bytes, Code.REQUEST_TOO_LARGE
    if scope.get("method") == "POST" and scope.get("path") == _BATCH_POST:
        return settings.max_batch_bytes, Code.EVIDENCE_TOO_LARGE
    if scope.get("method") == "POST" and _DOCUMENT_POST.match(scope.get("path", "")):
        return MAX_UPLOAD_BYTES, Code.EVIDENCE_TOO_LARGE
    return settings.max_json_bytes, Code.REQUEST_TOO_LARGE


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
    return None


async def _refuse(send: Send, error: ProblemError, retry_after: int | None = None) -> None:
    headers = {"Connection": "close"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    response = problem_response(error.problem(), headers=headers)
    await response({"type": "http"}, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


@dataclass
class _Body:
    """What one request's body has done so far."""

    budget: int
    waited: float = 0.0  # seconds spent waiting for the client's bytes (not the server's own work)
    received: int = 0
    refused: ProblemError | None = None
    response_started: bool = False
    complete: bool = False  # the last piece came: a later receive() only waits for the disconnect


class BodyGuard:
    """Byte budgets and body deadlines for every HTTP request (see the module docstring)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        budget, too_large = body_budget(self.settings, scope)
        declared = _content_length(scope)
        if declared is not None and (declared < 0 or declared > budget):
            code = Code.VALIDATION if declared < 0 else too_large
            await _refuse(send, ProblemError(code, f"上限 {budget} 字节", max_bytes=budget))
            return
        body = _Body(budget=budget)

        async def guarded_receive() -> Message:
            if body.refused is not None:
                return {"type": "http.disconnect"}
            if body.complete:  # a streamed answer listening for the client to leave: no body deadline
                return await receive()
            message = await self._next(receive, body)
            if message["type"] == "http.request":
                body.complete = not message.get("more_body", False)
                body.received += len(message.get("body", b""))
                if body.received > body.budget:
                    body.refused = ProblemError(too_large, f"上限 {budget} 字节", max_bytes=budget)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if body.refused is not None:
                return  # the answer is ours (below), whatever the route makes of the cut body
            body.response_started = body.response_started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, guarded_receive, guarded_send)
        if body.refused is not None and not body.response_started:
            await _refuse(send, body.refused)

    async def _next(self, receive: Receive, body: _Body) -> Message:
        """The next message, or a disconnect (with `body.refused` set) if the body is too slow."""
        s = self.settings
        wait = min(s.body_idle_s, s.body_grace_s + body.received / s.body_min_rate - body.waited)
        if wait > 0:
            began = time.monotonic()
            with anyio.move_on_after(wait):
                message = await receive()
                body.waited += time.monotonic() - began
                return message
            body.waited += time.monotonic() - began
        body.refused = ProblemError(Code.REQUEST_TIMEOUT, f"{body.received} 字节后停止接收",
                                    received=body.received)
        return {"type": "http.disconnect"}


class Admission:
    """At most `max_requests` requests and `max_uploads` uploads in progress; above, `server.busy`."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.in_progress = {True: 0, False: 0}  # keyed by is_upload (one event loop: no lock needed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path") in OPS_PATHS:
            await self.app(scope, receive, send)
            return
        upload = is_upload(scope)
        limit = self.settings.max_uploads if upload else self.settings.max_requests
        if self.in_progress[upload] >= limit:
            await _refuse(send, ProblemError(Code.SERVER_BUSY, "上传过多" if upload else "请求过多"),
                          retry_after=self.settings.retry_after_s)
            return
        self.in_progress[upload] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_progress[upload] -= 1
