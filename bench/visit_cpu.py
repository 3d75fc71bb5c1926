"""Server CPU per 5 MB home visit (issue 19), on real photos: every visit is 3 photos of 1.5 MB made from a
real phone photo (test-media, 9 MP, re-encoded to fit; each unique), a 0.5 MB recording and 3 signatures,
synced by simulated tablets through the real tablet sync code against the real server (bench/sync_load.py:
SQLite in one process, PostgreSQL with its workers and the database's own CPU read from /proc). In the same
run, beside it: the bare hashing + writing + fsyncing of the same bytes in this process (the floor no
server can go under), and the bare HTTP endpoint doing the same (`sync_load.bound`).

  PYTHONPATH=. .venv/bin/python bench/visit_cpu.py [--tablets 40] [--visits 3] [--concurrency 4]
                                                   [--databases sqlite,postgres] [--workers 2] [--warm]

`--warm`: the server makes each merged record's watermarked display copies in the background
(`SYNC_DISPLAY_WARM_WORKERS=1`), and the run waits for that work to end before it reads the CPU: the
whole of what a visit costs the server, the reviewer's copies included.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from pathlib import Path

import sync_load
from _common import PHOTOS
from sync_load import MB, _cpu_s, _visit, add_families, bound, run

from tests.sync_server.postgres import PostgresCluster
from tests.sync_server.server_process import Server

REAL_PHOTO = PHOTOS / "mobile" / "HMD_Nokia_8.3_5G.jpg"


def raw_floor(work: Path, visits: int) -> float:
    """Hash, write and fsync every file of `visits` visits (one file each, as the store keeps them);
    prints and returns this process's CPU ms per visit."""
    target = work / "raw"
    target.mkdir()
    began, cpu = time.monotonic(), time.process_time()
    total = 0
    for n in range(visits):
        for data in _visit(0, n).files.values():
            digest = hashlib.sha256(data).hexdigest()
            fd = os.open(target / digest, os.O_CREAT | os.O_WRONLY, 0o600)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            total += len(data)
    building = time.process_time()
    for n in range(visits):  # what making the visits' bytes cost, taken off the figure
        _visit(0, n)
    building = time.process_time() - building
    spent = time.process_time() - cpu - building
    print(f"raw hash + write + fsync in-process: {spent / visits * 1000:.1f} ms CPU per visit "
          f"({total / visits / MB:.1f} MB), {visits / (time.monotonic() - began):.1f} visits/s")
    return spent / visits * 1000


def settle(pid: int, quiet_s: float = 1.0, timeout: float = 300) -> None:
    """Wait until the server's processes use no more CPU for `quiet_s` (background copies finished)."""
    deadline, last = time.monotonic() + timeout, -1.0
    while time.monotonic() < deadline:
        now = _cpu_s(pid)
        if now - last < 0.02:
            return
        last = now
        time.sleep(quiet_s)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tablets", type=int, default=40)
    parser.add_argument("--visits", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-bundle", action="store_true", help="each file alone, as before the bundle")
    parser.add_argument("--warm", action="store_true", help="display copies made in the background, counted")
    args = parser.parse_args()
    sync_load.use_real_photo(REAL_PHOTO)
    sync_load.BUNDLE = not args.no_bundle
    visits = args.tablets * args.visits
    print(f"machine: {os.cpu_count()} cores; {args.tablets} tablets x {args.visits} visits, {args.concurrency} at "
          f"once; photos from {REAL_PHOTO.name} ({len(sync_load._BASE_JPEG)} bytes before padding); "
          f"display copies {'in the background, counted' if args.warm else 'not made (made on first view)'}; "
          f"{'each file alone' if args.no_bundle else 'each visit in one bundle'}")
    with tempfile.TemporaryDirectory(prefix="bench-visit-") as tmp:
        work = Path(tmp)
        raw_floor(work, min(visits, 30))
        bound(work, args.tablets, args.visits, args.concurrency)
        for db in args.databases.split(","):
            cluster = PostgresCluster().start() if db == "postgres" else None
            env = {"SYNC_MAX_UPLOADS": "64", **({"SYNC_DISPLAY_WARM_WORKERS": "1"} if args.warm else {})}
            extra: tuple[str, ...] = ()
            if cluster is not None:
                env["DATABASE_URL"] = cluster.url(cluster.create_database(prefix="visit"))
                extra = ("--workers", str(args.workers)) if args.workers > 1 else ()
            server = Server(work / f"data-{db}", work / f"server-{db}.log", env=env, args=extra).start()
            try:
                url = env.get("DATABASE_URL") or f"sqlite:///{work / f'data-{db}' / 'server.db'}"
                cases = add_families(url, args.tablets)
                assert server.proc is not None
                before = _cpu_s(server.proc.pid)
                run(f"{db}{f' x{args.workers} workers' if cluster else ''}, real photos", server, args.tablets,
                    args.visits, args.concurrency, cases, cut_every=0, cluster=cluster)
                if args.warm:
                    settle(server.proc.pid)
                    print(f"  with the background display copies: server "
                          f"{(_cpu_s(server.proc.pid) - before) / visits * 1000:.0f} ms per visit "
                          f"(sign-in included)")
            finally:
                server.stop()
                if cluster is not None:
                    cluster.stop()


if __name__ == "__main__":
    main()
