"""edge/uvicorn_server.py subclasses uvicorn's HttpToolsProtocol (an internal class: uvicorn has no public hook for
a header deadline), so pyproject pins uvicorn exactly. This fails the moment an upgrade moves what the subclass
relies on: the pin and the installed version, the overridden methods and their parameters, the attributes it
reads, and, served for real in a thread, the two behaviours it adds (a header deadline, a header size bound)."""
from __future__ import annotations

import inspect
import multiprocessing
import re
import socket
import threading
import time
import tomllib
from pathlib import Path

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sync_server.edge.uvicorn_server import MAX_HEADER_BYTES, GuardedHttpTools, uvicorn_config
from sync_server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
OVERRIDDEN = {"connection_made": ["self", "transport"], "on_message_begin": ["self"], "on_url": ["self", "url"],
              "on_header": ["self", "name", "value"], "on_headers_complete": ["self"],
              "on_response_complete": ["self"], "connection_lost": ["self", "exc"]}


def test_uvicorn_is_pinned_exactly_to_the_version_installed() -> None:
    server = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    pins = [r for r in server["server"] if re.match(r"uvicorn\b", r)]
    assert pins == [f"uvicorn=={uvicorn.__version__}"], pins


def test_the_methods_the_guard_overrides_are_still_there_with_the_same_parameters() -> None:
    for name, parameters in OVERRIDDEN.items():
        base = getattr(HttpToolsProtocol, name, None)
        assert base is not None, f"HttpToolsProtocol.{name} is gone"
        assert list(inspect.signature(base).parameters) == parameters, name
        assert name in GuardedHttpTools.__dict__, name  # the guard still overrides it (the list is complete)


def test_the_attributes_the_guard_reads_are_still_set_by_the_base_class() -> None:
    source = inspect.getsource(HttpToolsProtocol)
    for attribute in ("config", "loop", "transport", "pipeline"):  # `self.x = ...` or `self.x: T = ...`
        assert re.search(rf"self\.{attribute}(: [^=]+)? = ", source), f"HttpToolsProtocol no longer sets {attribute}"
    assert "httptools.HttpRequestParser(self)" in source  # the parser calls on_url/on_header on the protocol
    assert "http" in inspect.signature(uvicorn.Config).parameters


def _serve(settings: Settings) -> tuple[uvicorn.Server, int, threading.Thread]:
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app, settings, "127.0.0.1", port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    return server, port, thread


def test_served_the_guard_still_cuts_slow_headers_and_refuses_huge_ones(tmp_path: Path) -> None:
    server, port, thread = _serve(Settings(tmp_path, header_timeout_s=0.5))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and nothing more
            started = time.monotonic()
            assert slow.recv(1024) == b""  # closed by the header clock (recv waits for it, 10 s at most)
            assert time.monotonic() - started < 5
        with socket.create_connection(("127.0.0.1", port), timeout=10) as huge:
            huge.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (MAX_HEADER_BYTES + 1) + b"\r\n\r\n")
            assert huge.recv(1024).startswith(b"HTTP/1.1 400")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as normal:
            normal.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert normal.recv(1024).startswith(b"HTTP/1.1 200")
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_the_supervisor_still_makes_its_workers_from_the_spawn_name_the_preload_swaps() -> None:
    """serve_workers forks its workers after importing the app by replacing `uvicorn._subprocess.spawn`."""
    from uvicorn import _subprocess
    from uvicorn.supervisors import multiprocess

    assert isinstance(getattr(_subprocess, "spawn", None), type(multiprocessing.get_context("spawn")))
    assert "spawn.Process(" in inspect.getsource(_subprocess.get_subprocess)
    assert multiprocess.get_subprocess is _subprocess.get_subprocess
