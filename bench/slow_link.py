"""The tablet's sync over a slow link (issue 19): 1 Mbit/s each way and 150 ms round trip, made by a
pacing proxy on 127.0.0.1 in front of the real server (in a thread of this process), one home visit at a
time (3 photos of 1.5 MB from a real phone photo, 0.5 MB recording, 3 signatures) through the tablet's
sync code: the whole visit in one bundle, and each file alone as before. Prints each sync's time against
the bare transfer time of the same bytes (their time on the wire at 1 Mbit/s plus one round trip).

  PYTHONPATH=. .venv/bin/python bench/slow_link.py [--visits 2] [--mbit 1] [--rtt-ms 150]
"""
from __future__ import annotations

import argparse
import queue
import socket
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx
import uvicorn
from _common import PHOTOS, free_port
from sync_load import _visit, use_real_photo

from field_app.sync.batch import send_batched
from field_app.sync.client import SyncClient
from field_app.sync.resumable import ResumableUploader
from schemas.protocol import DEVICE_HEADER, PROTOCOL_HEADER
from sync_server.app import create_app
from sync_server.ops.seed import seed_demo
from sync_server.settings import Settings
from tests.sync_server.helpers import FieldTeam, Visit


class SlowLink:
    """A TCP proxy: every byte is delayed by half the round trip and paced at `rate` bytes/s per direction."""

    def __init__(self, target: int, rate: float, rtt_s: float) -> None:
        self.target, self.rate, self.delay = target, rate, rtt_s / 2
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            for source, sink in ((client, upstream), (upstream, client)):
                pieces: queue.Queue[tuple[float, bytes]] = queue.Queue()
                threading.Thread(target=self._read, args=(source, pieces), daemon=True).start()
                threading.Thread(target=self._write, args=(sink, pieces), daemon=True).start()

    def _read(self, source: socket.socket, pieces: queue.Queue[tuple[float, bytes]]) -> None:
        while True:
            try:
                data = source.recv(16384)
            except OSError:
                data = b""
            pieces.put((time.monotonic(), data))
            if not data:
                return

    def _write(self, sink: socket.socket, pieces: queue.Queue[tuple[float, bytes]]) -> None:
        free_at = 0.0  # when the paced line is free again
        while True:
            arrived, data = pieces.get()
            if not data:
                sink.close()
                return
            start = max(arrived + self.delay, free_at)
            free_at = start + len(data) / self.rate
            wait = free_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                sink.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self.listener.close()


def sync_one(client: SyncClient, token: str, team: FieldTeam, visit: Visit, bundle: bool) -> None:
    sizes = {sha: len(d) for sha, d in visit.files.items()}

    def read(s: str, o: int, k: int) -> bytes:
        return visit.files[s][o:o + k]
    missing = client.missing_evidence(token, list(sizes))
    batched, _ = send_batched(client, token, read, missing, sizes, bundle)
    for state in missing:
        if state.sha256 not in batched:
            ResumableUploader(client, token, read).upload(state.sha256, sizes[state.sha256], state.offset)
    client.post_record(token, team.seal(visit.record))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=2)
    parser.add_argument("--mbit", type=float, default=1.0)
    parser.add_argument("--rtt-ms", type=float, default=150.0)
    args = parser.parse_args()
    use_real_photo(PHOTOS / "mobile" / "HMD_Nokia_8.3_5G.jpg")
    rate = args.mbit * 1_000_000 / 8
    with tempfile.TemporaryDirectory(prefix="bench-link-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        seed_demo(settings, date(2026, 11, 16))
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off", ws="none"))
        thread = threading.Thread(target=server.run)
        thread.start()
        while not server.started:
            time.sleep(0.01)  # readiness
        link = SlowLink(port, rate, args.rtt_ms / 1000)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={PROTOCOL_HEADER: "1"}, timeout=60) as http:
                team = FieldTeam.sign_in(http)  # type: ignore[arg-type]
            token = team.headers["zhangwei"]["Authorization"][7:]
            client = SyncClient(link.url, timeout=120, device_id=team.headers["zhangwei"][DEVICE_HEADER])
            print(f"link: {args.mbit} Mbit/s each way, {args.rtt_ms:.0f} ms round trip")
            n = 0
            for bundle in (True, False):
                for _ in range(args.visits):
                    visit = _visit(0, n)
                    n += 1
                    total = sum(len(d) for d in visit.files.values())
                    bare = total / rate + args.rtt_ms / 1000
                    began = time.monotonic()
                    sync_one(client, token, team, visit, bundle)
                    took = time.monotonic() - began
                    print(f"  {'one bundle     ' if bundle else 'each file alone'}: {total / 1e6:.2f} MB in "
                          f"{took:.1f} s; bare transfer {bare:.1f} s; ratio {took / bare:.3f}")
            client.close()
        finally:
            link.close()
            server.should_exit = True
            thread.join()


if __name__ == "__main__":
    main()
