"""A small TCP proxy on 127.0.0.1 that a test starts in front of a server to cut connections:
each connection is cut (both sides closed, abruptly) once it has carried `budget()` bytes from the
client; `budget` returning None lets that connection live. `on_upstream(n)` sees each forwarded piece."""
from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable


class CuttingProxy:
    """Forwards 127.0.0.1:<port> to a target port, cutting connections as told."""

    def __init__(self, target_port: int, budget: Callable[[], int | None] = lambda: None,
                 on_upstream: Callable[[int], None] = lambda n: None) -> None:
        self.target_port, self.budget, self.on_upstream = target_port, budget, on_upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.cuts = 0
        self.swallow_replies = False  # while set, answers are dropped and their connection cut
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        """Stop accepting and drop every open connection."""
        self.listener.close()
        self.cut_all()

    def cut_all(self) -> None:
        """Cut every open connection now (RST, as a dropped mobile link looks)."""
        with self._lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            _reset(sock)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                self._open |= {client, upstream}
            budget = self.budget()
            threading.Thread(target=self._pipe, args=(client, upstream, budget, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, None, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, budget: int | None, upstream: bool) -> None:
        carried = 0
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if not upstream and self.swallow_replies:
                    with self._lock:
                        self.cuts += 1
                    break
                if budget is not None and carried + len(data) >= budget:
                    sink.sendall(data[: max(0, budget - carried)])
                    if upstream:
                        self.on_upstream(max(0, budget - carried))
                    with self._lock:
                        self.cuts += 1
                    break
                sink.sendall(data)
                carried += len(data)
                if upstream:
                    self.on_upstream(len(data))
        except OSError:
            pass
        _reset(source)
        _reset(sink)


def _reset(sock: socket.socket) -> None:
    """Cut the connection at once: shutdown reaches the peer even while another thread is blocked in
    recv on this socket (a bare close would wait for that thread)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
