"""Resumable uploads on the real server process: server RSS while one large file goes up in chunks,
and the bytes sent again after the connection is cut at 70 % of a large file (issue 9).

  PYTHONPATH=. .venv/bin/python bench/resumable_upload.py [--big-mb 1024] [--cut-mb 300] [--chunk-mb 8]

Prints: MB/s and the server's RSS (start, peak) during the big upload; for the cut file, the bytes
that reached the server in all minus the file's size (a whole-file PUT would resend 70 %).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import threading
import time
from pathlib import Path

from _common import mb  # noqa: F401  (puts the repo on sys.path)

from field_app.sync.client import SyncClient
from field_app.sync.resumable import ResumableUploader
from tests.sync_server.cutting_proxy import CuttingProxy
from tests.sync_server.server_process import Server

MIB = 1024 * 1024


def _random_file(path: Path, size: int) -> str:
    hasher = hashlib.sha256()
    with open(path, "wb") as out:
        left = size
        while left:
            block = os.urandom(min(8 * MIB, left))
            hasher.update(block)
            out.write(block)
            left -= len(block)
    return hasher.hexdigest()


def _reader(path: Path):  # type: ignore[no-untyped-def]
    def read_range(_sha: str, offset: int, length: int) -> bytes:
        with open(path, "rb") as source:
            source.seek(offset)
            return source.read(length)
    return read_range


def big_upload(server: Server, token: str, work: Path, size: int, chunk: int) -> None:
    """One big file, resumably; the server's RSS sampled all along."""
    path = work / "big.bin"
    sha = _random_file(path, size)
    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(server.rss_kib())
            done.wait(0.1)
    sampler = threading.Thread(target=sample)
    start_rss = server.rss_kib()
    sampler.start()
    client = SyncClient(server.url)
    began = time.monotonic()
    ResumableUploader(client, token, _reader(path), chunk_bytes=chunk).upload(sha, size)
    seconds = time.monotonic() - began
    done.set()
    sampler.join()
    client.close()
    print(f"big upload: {size / MIB:.0f} MiB in {chunk // MIB} MiB chunks, {size / MIB / seconds:.1f} MB/s; "
          f"server RSS start {start_rss / 1024:.0f} MiB, peak {max(samples) / 1024:.0f} MiB")
    path.unlink()


def cut_at_70(server: Server, token: str, work: Path, size: int, chunk: int) -> None:
    """A file whose first connection is cut after 70 % of it went through."""
    path = work / "cut.bin"
    sha = _random_file(path, size)
    budgets = iter([int(size * 0.7)])
    forwarded = [0]

    def on_upstream(n: int) -> None:
        forwarded[0] += n
    proxy = CuttingProxy(server.port, budget=lambda: next(budgets, None), on_upstream=on_upstream)
    client = SyncClient(proxy.url)
    uploader = ResumableUploader(client, token, _reader(path), chunk_bytes=chunk, sleep=lambda s: time.sleep(min(s, 1)))
    uploader.upload(sha, size)
    client.close()
    proxy.close()
    resent = forwarded[0] - size  # every byte that reached the server, minus the file (headers included)
    print(f"cut at 70 % of {size / MIB:.0f} MiB: {proxy.cuts} cut(s); bytes sent again "
          f"{max(0, resent) / MIB:.2f} MiB (chunk {chunk // MIB} MiB; a whole-file PUT: {size * 0.7 / MIB:.0f} MiB)")
    path.unlink()


def main() -> None:
    """Run both measurements against one fresh server."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--big-mb", type=int, default=1024)
    parser.add_argument("--cut-mb", type=int, default=300)
    parser.add_argument("--chunk-mb", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-resumable-") as tmp:
        work = Path(tmp)
        server = Server(work / "data", work / "server.log",
                        env={"SYNC_MAX_EVIDENCE_BYTES": str(2048 * MIB)}).start()
        try:
            token = server.login()
            print(f"machine: {os.cpu_count()} cores; server: one process, SQLite, filesystem evidence")
            big_upload(server, token, work, args.big_mb * MIB, args.chunk_mb * MIB)
            cut_at_70(server, token, work, args.cut_mb * MIB, args.chunk_mb * MIB)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
