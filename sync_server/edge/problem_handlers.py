"""The one place where problems become HTTP responses (`application/problem+json`).

Any other exception is logged here with an incident number and answered as `server.error` (500)
carrying only that number: no traceback or internal text reaches the client. The incident number is the
request id (edge/request_id.py), and every problem answer carries it as `incident`, so any refusal a
tablet or a browser shows can be found in the logs. A database or disk
that is full is `storage.full` (507), which a tablet retries later.
"""
from __future__ import annotations

import logging
import uuid

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.problems import CHINESE, Code, Problem, ProblemError
from sync_server.edge.request_id import current_request_id
from sync_server.evidence.disk_store import is_disk_full

log = logging.getLogger("sync_server.errors")
SQLITE_FULL = 13  # "database or disk is full"
PG_DISK_FULL = "53100"
PROBLEM_MEDIA_TYPE = "application/problem+json"
_STATUS_CODES = {401: Code.AUTH_REQUIRED, 403: Code.FORBIDDEN, 404: Code.NOT_FOUND, 413: Code.REQUEST_TOO_LARGE}


BUSY_RETRY_AFTER = "2"


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    """The HTTP form of a problem (`server.busy` always says when to come back)."""
    if problem.code == Code.SERVER_BUSY:
        headers = {"Retry-After": BUSY_RETRY_AFTER, **(headers or {})}
    if not problem.incident:
        problem = problem.model_copy(update={"incident": current_request_id() or uuid.uuid4().hex})
    return JSONResponse(problem.model_dump(mode="json"), status_code=problem.status,
                        media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _on_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    retry = exc.data.get("retry_after")  # auth.throttled: how long to wait (RFC 9110 Retry-After)
    return problem_response(exc.problem(), headers={"Retry-After": str(retry)} if retry is not None else None)


async def _on_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in exc.errors()]
    detail = "；".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    return problem_response(ProblemError(Code.VALIDATION, detail, errors=jsonable_encoder(errors)).problem())


async def _on_http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _STATUS_CODES.get(exc.status_code, Code.VALIDATION)
    detail = exc.detail if isinstance(exc.detail, str) else ""
    problem = Problem(code=code, title=CHINESE[code], status=exc.status_code, detail=detail)
    return problem_response(problem, headers=dict(exc.headers) if exc.headers else None)


def storage_is_full(error: BaseException) -> bool:
    """Whether an error (or the driver error SQLAlchemy wraps in `.orig`) means "no space left"."""
    for cause in (error, getattr(error, "orig", None)):
        if cause is None:
            continue
        if is_disk_full(cause) or getattr(cause, "sqlite_errorcode", None) == SQLITE_FULL \
                or getattr(cause, "sqlstate", None) == PG_DISK_FULL or getattr(cause, "pgcode", None) == PG_DISK_FULL:
            return True
    return False


def server_is_busy(error: BaseException) -> bool:
    """Whether an error means "saturated, come back soon": no pooled database connection within the
    pool timeout, or SQLite still locked after its busy timeout."""
    if isinstance(error, sqlalchemy.exc.TimeoutError):
        return True
    return isinstance(error, sqlalchemy.exc.OperationalError) and "database is locked" in str(error.orig)


def _incident(code: Code, incident: str) -> Problem:
    return ProblemError(code, f"错误编号 {incident}").problem().model_copy(update={"incident": incident})


def unexpected_problem(method: str, path: str, exc: BaseException) -> Problem:
    """The problem for an exception no handler took, logged with an incident number (the only
    thing the client sees of it)."""
    incident = current_request_id() or uuid.uuid4().hex
    if server_is_busy(exc):
        log.warning("busy during %s %s [%s]: %s", method, path, incident, exc)
        return _incident(Code.SERVER_BUSY, incident)
    if storage_is_full(exc):
        log.error("storage full during %s %s [%s]: %s", method, path, incident, exc)
        return _incident(Code.STORAGE_FULL, incident)
    log.error("unhandled error during %s %s [%s]", method, path, incident, exc_info=exc)
    return _incident(Code.SERVER_ERROR, incident)


class CatchAll:
    """ASGI layer inside Starlette's last-resort handler: an unhandled exception becomes a problem
    response here and is not re-raised, so the server keeps the client's connection open."""

    def __init__(self, app: ASGIApp, retry_after_s: int = int(BUSY_RETRY_AFTER)) -> None:
        self.app, self.retry_after_s = app, retry_after_s  # settings.retry_after_s, as the limits say it

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:  # too late for another answer: let the server close the connection
                raise
            problem = unexpected_problem(scope.get("method", ""), scope.get("path", ""), exc)
            busy = {"Retry-After": str(self.retry_after_s)} if problem.code == Code.SERVER_BUSY else None
            await problem_response(problem, headers=busy)(scope, receive, send)


def install_problem_handlers(app: FastAPI, retry_after_s: int = int(BUSY_RETRY_AFTER)) -> None:
    """Render `ProblemError`, request validation errors, HTTP errors and any other exception as problems."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(HTTPException, _on_http)
    app.add_middleware(CatchAll, retry_after_s=retry_after_s)
