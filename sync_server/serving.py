"""How uvicorn serves the app: h11 with a header deadline, bounded header size, short keep-alive.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`) but has no deadline for the request
line and headers: a client sending one header byte every few seconds would hold its connection for
ever. `GuardedH11` closes a connection whose headers are not complete `header_timeout_s` after it
opened (or after the previous response). The body's own deadlines are `limits.BodyGuard`'s.
"""
from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from sync_server.settings import Settings

MAX_HEADER_BYTES = 32 * 1024


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline on the request line and headers."""

    header_timeout_s = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header clock when the connection opens."""
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        """Stop the header clock once a request's headers are complete."""
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm_header_timer()

    def on_response_complete(self) -> None:
        """The next request on this connection gets its own header clock."""
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """No clock outlives its connection."""
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        timeout = getattr(self.config, "header_timeout_s", self.header_timeout_s)
        self._header_timer = self.loop.call_later(timeout, self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def uvicorn_config(app: Any, settings: Settings, host: str, port: int, **extra: Any) -> uvicorn.Config:
    """The uvicorn configuration every server process uses (tests too); `app` may be an import string
    (with factory=True and workers=N for several processes)."""
    config = uvicorn.Config(app, host=host, port=port, http=GuardedH11,
                            timeout_keep_alive=int(settings.keep_alive_s),
                            h11_max_incomplete_event_size=MAX_HEADER_BYTES, **extra)
    setattr(config, "header_timeout_s", settings.header_timeout_s)  # noqa: B010  (read by GuardedH11)
    return config


def serve_workers(settings: Settings, host: str, port: int, workers: int, **extra: Any) -> None:
    """Serve with several worker processes (PostgreSQL): the schema is upgraded once, here, first."""
    import os

    from uvicorn.supervisors import Multiprocess

    from sync_server.db import make_engine

    make_engine(settings.db_url).dispose()
    os.environ["SYNC_DATA_DIR"] = str(settings.data_dir.resolve())
    config = uvicorn_config("sync_server.asgi:app_from_env", settings, host, port, factory=True,
                            workers=workers, log_level="info", **extra)
    Multiprocess(config, sockets=[config.bind_socket()]).run()
