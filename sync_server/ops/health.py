"""`/healthz` and `/readyz` for a supervisor or a load balancer; no authentication, nothing secret.

- `/healthz` (liveness): the process answers. It touches no database or disk, so a slow database
  never gets a healthy process restarted.
- `/readyz` (readiness): the database answers `SELECT 1`; the evidence storage takes a file (a probe
  written, fsynced and removed in `evidence/`, and the object store answers when there is one); the audit
  log still extends the newest checkpoint this server remembers signing (transparency/memory.py): the
  root of the log's first N entries, read from stored nodes in O(log n), is the remembered root, and no
  log alarm is standing. 503 with each check's verdict when any fails.

Both are outside the admission limits (edge/limits.py `OPS_PATHS`), so a server full of uploads still
answers them, and out of the OpenAPI document (they are not part of the tablet's API). Busy is not
unready: the checks run on threads of their own (not the worker threads the routes may all be holding)
and open their own database connection (not one from the pool the routes may have drained), so a
saturated server is still reported ready, and only a broken one is not.
"""
from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Callable

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from sync_server.services import Services
from sync_server.transparency import audit, memory

HEALTH_PATH, READY_PATH = "/healthz", "/readyz"
router = APIRouter(include_in_schema=False)


@router.get(HEALTH_PATH)
async def healthz() -> JSONResponse:
    """Liveness: the event loop runs (async, so no worker thread is needed to answer)."""
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


class _Probe:
    """What one app's readiness checks run with: two threads of their own and an unpooled engine."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.threads = anyio.CapacityLimiter(2)
        url, args = services.settings.db_url, {}
        if url.startswith("sqlite"):  # read-write, never create: a missing database file is not ready
            path = make_url(url).database or ""
            args = {"creator": lambda: sqlite3.connect(f"file:{path}?mode=rw", uri=True, check_same_thread=False)}
        self.engine: Engine = create_engine(url, poolclass=NullPool, **args)

    def run(self) -> dict[str, dict[str, object]]:
        return {name: _timed(check, self) for name, check in CHECKS.items()}


@router.get(READY_PATH)
async def readyz(request: Request) -> JSONResponse:
    """Readiness: database, evidence storage and audit log (see the module docstring)."""
    probe = getattr(request.app.state, "readiness_probe", None)
    if probe is None:
        probe = request.app.state.readiness_probe = _Probe(request.app.state.services)
    checks = await anyio.to_thread.run_sync(probe.run, limiter=probe.threads)
    ready = all(c["ok"] for c in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})


def _timed(check: Callable[[_Probe], str], probe: _Probe) -> dict[str, object]:
    began = time.perf_counter()
    try:
        detail, ok = check(probe), True
    except Exception as error:  # a check that cannot run is a failed check, said in one line
        detail, ok = f"{type(error).__name__}: {error}"[:300], False
    return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - began) * 1000, 1)}


def database(probe: _Probe) -> str:
    """The database answers a query, on a connection of the probe's own."""
    with probe.engine.connect() as connection:
        connection.execute(text("SELECT 1")).one()
    return probe.engine.dialect.name


def storage(probe: _Probe) -> str:
    """A probe file is written, synced and removed in the evidence folder; the object store answers."""
    services = probe.services
    root = services.blobs.root
    root.mkdir(parents=True, exist_ok=True)
    marker = root / f".readyz-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, b"ready")
        os.fsync(fd)
    finally:
        os.close(fd)
        marker.unlink(missing_ok=True)
    if services.blobs.remote is not None:
        services.blobs.remote.has("0" * 64)  # raises unless the store answers
        return "disk + object store"
    return "disk"


class LogInconsistent(Exception):
    """The audit log does not extend what this server signed, or an alarm is standing."""


def audit_log(probe: _Probe) -> str:
    """The log extends the newest remembered checkpoint, and no alarm is standing."""
    data_dir = probe.services.settings.data_dir
    alarms = memory.alarms(data_dir)
    if alarms:
        raise LogInconsistent(f"{len(alarms)} 条审计日志告警未处理 / log alarm(s) standing: "
                              f"{alarms[-1].get('reason', '')}")
    last = memory.newest_signed(data_dir)
    with Session(probe.engine) as session:
        size = audit.tree_size(session)
        if last is None or last.size == 0:
            return f"{size} entries, no checkpoint remembered yet"
        if size < last.size:
            raise LogInconsistent(f"log has {size} entries, {last.size} were signed")
        if audit.log_proofs(session, last.size).root != last.root:
            raise LogInconsistent(f"the first {last.size} entries no longer have the signed root")
    return f"{size} entries, extends the checkpoint of {last.size}"


CHECKS: dict[str, Callable[[_Probe], str]] = {"database": database, "storage": storage, "audit_log": audit_log}
