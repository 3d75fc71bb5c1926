"""The audit log's alarm on every console page (issue 17): when the server refused to sign a checkpoint
because the database's log does not extend what it signed before, or a tablet reported a checkpoint the
log contradicts, staff see a red banner (in Chinese) at the top of each page until an administrator has
looked into it and moved `log_alarms.jsonl` out of the data folder (docs/DOSSIER.md).

A pure ASGI layer tells the templates which data folder this request's server keeps its alarms in (one
process may hold several apps in tests); `log_alarms()` is the templates' global that reads them.
"""
from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from sync_server.console.templating import templates
from sync_server.transparency import memory

current_data_dir: ContextVar[Path | None] = ContextVar("current_data_dir", default=None)


def log_alarms() -> list[dict[str, Any]]:
    """The alarms of this request's server (newest first, at most 5), for the banner."""
    data_dir = current_data_dir.get()
    return list(reversed(memory.alarms(data_dir)))[:5] if data_dir is not None else []


templates.globals["log_alarms"] = log_alarms


class LogAlarmContext:
    """Sets `current_data_dir` for /console requests."""

    def __init__(self, app: ASGIApp, data_dir: Path) -> None:
        self.app, self.data_dir = app, data_dir

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/console"):
            await self.app(scope, receive, send)
            return
        token = current_data_dir.set(self.data_dir)
        try:
            await self.app(scope, receive, send)
        finally:
            current_data_dir.reset(token)
