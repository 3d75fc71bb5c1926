"""One id per request: taken from a proxy's `X-Request-ID` when well-formed, made here otherwise.

The id lives in a context variable for the whole request (a sync route's worker thread gets a copy of
the context), so every log line of the request carries it (ops/log_config.py), it goes back in the
response's `X-Request-ID`, and every problem answer names it as its `incident`
(edge/problem_handlers.py): the number a server error shows (错误编号) and
any problem's `incident` is what the operator greps the logs for.

The outermost ASGI layer, so even a refusal by the limits (edge/limits.py) has its id.
"""
from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
_HEADER_KEY = HEADER.lower().encode()
# nginx's $request_id is 32 hex digits; a UUID has dashes. Nothing that could forge a log line.
WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,63}$")
_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served in this context, or None outside a request."""
    return _current.get()


def new_request_id() -> str:
    """A fresh id (32 hex digits, as nginx makes them)."""
    return uuid.uuid4().hex


def accepted_id(scope: Scope) -> str:
    """The proxy's id if it is well-formed, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == _HEADER_KEY:
            text = value.decode("latin-1")
            if WELL_FORMED.match(text):
                return text
    return new_request_id()


class RequestId:
    """Sets the request id for the request's context and returns it in the response header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accepted_id(scope)
        token = _current.set(request_id)

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != _HEADER_KEY]
                message = {**message, "headers": [*headers, (_HEADER_KEY, request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, with_header)
        finally:
            _current.reset(token)
