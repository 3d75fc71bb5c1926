"""How uvicorn serves the app: httptools (C) with a header deadline, bounded header size, short keep-alive.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`) but has no deadline for the request
line and headers: a client sending one header byte every few seconds would hold its connection for
ever. `GuardedHttpTools` closes a connection whose headers are not complete `header_timeout_s` after it
opened (or after the previous response), and answers 400 to a request line and headers over
`MAX_HEADER_BYTES`. The body's own deadlines are `limits.BodyGuard`'s. httptools, not h11: h11 parses in
Python, and its body handling was a tenth of the server's CPU under a county's uploads (bench/sync_load.py).
`HttpToolsProtocol` is uvicorn's internal class (no public hook exists for a header deadline): pyproject pins
uvicorn exactly, and tests/sync_server/test_uvicorn_internals.py fails when what this relies on changes.
"""
from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import httptools  # noqa: F401  (the parser GuardedHttpTools runs on: a missing one fails here, at import)
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sync_server.edge.tls_policy import CIPHERS, HardenedConfig
from sync_server.settings import Settings

MAX_HEADER_BYTES = 32 * 1024


class HeadersTooLarge(Exception):
    """Raised inside the parser's callback; httptools turns it into a parser error (answered 400)."""


class GuardedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on the request line and headers, and a size bound."""

    header_timeout_s = 10.0
    _header_timer: asyncio.TimerHandle | None = None
    _awaiting_headers = True
    _header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header clock when the connection opens."""
        super().connection_made(transport)
        self._await_headers()

    def on_message_begin(self) -> None:
        """A request starts: count its request line and headers from zero."""
        super().on_message_begin()
        self._header_bytes = 0

    def on_url(self, url: bytes) -> None:
        """Count the request target towards the bound."""
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        """Count each header towards the bound."""
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        """Stop the header clock once a request's headers are complete."""
        self._awaiting_headers = False
        self._disarm_header_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        """The next request on this connection gets its own header clock (unless it came pipelined, its
        headers already complete: it starts now)."""
        pipelined = bool(self.pipeline)
        super().on_response_complete()
        if not self.transport.is_closing() and not pipelined:
            self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        """No clock outlives its connection."""
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _count(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_HEADER_BYTES:
            raise HeadersTooLarge(f"request line and headers over {MAX_HEADER_BYTES} bytes")

    def _await_headers(self) -> None:
        self._awaiting_headers = True
        self._disarm_header_timer()
        timeout = getattr(self.config, "header_timeout_s", self.header_timeout_s)
        self._header_timer = self.loop.call_later(timeout, self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._awaiting_headers and not self.transport.is_closing():
            self.transport.close()


def uvicorn_config(app: Any, settings: Settings, host: str, port: int, **extra: Any) -> uvicorn.Config:
    """The uvicorn configuration every server process uses (tests too); `app` may be an import string
    (with factory=True and workers=N for several processes)."""
    config = HardenedConfig(app, host=host, port=port, http=GuardedHttpTools, ssl_ciphers=CIPHERS,
                            timeout_keep_alive=int(settings.keep_alive_s), **extra)  # TLS: tls_policy.py
    setattr(config, "header_timeout_s", settings.header_timeout_s)  # noqa: B010  (read by GuardedHttpTools)
    return config


def share_metrics(data_dir: Path) -> None:
    """Before anything loads prometheus-client: let the workers write their figures to one directory
    (ops/metrics.py), emptied now (a new server, its counters from zero). Refuses if it is too late."""
    if "prometheus_client" in sys.modules:
        raise RuntimeError("prometheus-client was loaded before the workers' metrics directory was set")
    target = data_dir / "metrics"
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    _empty(target)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(target.resolve())  # ops/metrics.SHARED_DIR_ENV


def _empty(metrics_dir: Path) -> None:
    for old in metrics_dir.glob("*.db"):
        old.unlink()


def serve_workers(settings: Settings, host: str, port: int, workers: int, **extra: Any) -> None:
    """Serve with several worker processes (PostgreSQL): the schema is upgraded once, here, first.

    The workers are forked from this process after it has imported the app's modules (a "preload", as
    gunicorn's --preload): each worker then only builds its app, instead of importing the whole stack again
    (with spawn, four workers on two cores spent 8 s importing before the first answer). uvicorn's supervisor
    spawns; `_subprocess.spawn` is the one name it creates its processes from, swapped for a fork context
    here (tests/sync_server/test_uvicorn_internals.py fails if that name goes). Nothing here has started a
    thread or kept a connection open before the fork: the upgrade's engine is disposed. The caller has
    called share_metrics first."""
    import multiprocessing

    from uvicorn import _subprocess
    from uvicorn.supervisors import Multiprocess

    import sync_server.edge.asgi  # noqa: F401  (the preload: every worker inherits these modules)
    from sync_server.db import make_engine
    from sync_server.ops import gc_pause

    make_engine(settings.db_url).dispose()
    _empty(Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]))  # a --seed-demo's own requests are not the server's
    os.environ["SYNC_DATA_DIR"] = str(settings.data_dir.resolve())
    config = uvicorn_config("sync_server.edge.asgi:app_from_env", settings, host, port, factory=True,
                            workers=workers, log_level=settings.log_level.lower(), **extra)
    _subprocess.spawn = multiprocessing.get_context("fork")  # type: ignore[assignment]
    gc_pause.resume()  # the preload frozen before the fork, collection back on, in the workers too (gc_pause.py)
    Multiprocess(config, sockets=[config.bind_socket()]).run()
