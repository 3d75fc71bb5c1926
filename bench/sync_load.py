"""A bounded load run (issue 9): simulated tablets each sync sealed home visits (3 photos of 1.5 MB,
one 0.5 MB recording, 3 signatures) through the real tablet sync code (missing query, resumable
chunks, record post), 10 % of them through a proxy that cuts their connections; against the real
server on SQLite (one process) and on PostgreSQL (several workers). Beside it, the raw bound: a bare
endpoint writing the same bodies with fsync, from the same number of concurrent clients.

  PYTHONPATH=. .venv/bin/python bench/sync_load.py [--tablets 200] [--visits 5] [--concurrency 4]
                                                    [--databases sqlite,postgres] [--workers 2]
                                                    [--sqlite-workers 1] [--cases -1] [--cut-every 10]

Each tablet's visits go into a case of its own (a county's families; `--cases 0`: all into the demo case,
one case of a thousand records, as the figures before 2026-11-24 were taken).

Prints per database: records/s, MB/s, request latency p50/p99, 5xx count, server peak RSS (all
processes), records lost and duplicated; and the bound's MB/s and our share of it.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from _common import PYTHON, free_port, launch, stop, wait_http
from PIL import Image

from field_app.sync.batch import send_batched
from field_app.sync.client import ServerUnreachable, SyncClient
from field_app.sync.resumable import ResumableUploader
from schemas.office import IntakeStatus
from schemas.protocol import DEVICE_HEADER, PROTOCOL_HEADER
from schemas.records import EvidenceKind, Role
from sync_server.db import make_engine, open_session
from sync_server.ops.seed import DEMO_CASE_ID
from sync_server.tables import Entrustment
from tests.sync_server.bulk import add_cases, templates
from tests.sync_server.cutting_proxy import CuttingProxy
from tests.sync_server.helpers import (
    HEAD_OF_HOUSEHOLD,
    RELEASED,
    FieldTeam,
    Visit,
    home_visit,
    m4a_audio,
    signature_png,
)
from tests.sync_server.postgres import PostgresCluster
from tests.sync_server.server_process import Server

MB = 1_000_000
BUNDLE = True  # a whole visit in one batch request, as the tablet sends it (False: files as before)


class Timed(httpx.HTTPTransport):
    """The real transport, noting each request's seconds and status."""

    def __init__(self, log: list[tuple[float, int, str]]) -> None:
        super().__init__()
        self.log = log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        began = time.monotonic()
        response = super().handle_request(request)
        kind = f"{request.method} {request.url.path.removeprefix('/api/v1/').split('/')[0]}"
        self.log.append((time.monotonic() - began, response.status_code, kind))
        return response


def _noise_jpeg() -> bytes:
    image = Image.frombytes("RGB", (1200, 900), random.Random(9).randbytes(1200 * 900 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


_BASE_JPEG = _noise_jpeg()


def use_real_photo(path: Path, size: int = 1_500_000) -> None:
    """Make every visit's photos from a real camera photo (issue 19): its pixels re-encoded at the highest
    JPEG quality that stays under `size`, so each photo decodes as a phone photo of that size does."""
    global _BASE_JPEG
    with Image.open(path) as image:
        pixels = image.convert("RGB")
    for quality in range(95, 40, -5):
        out = io.BytesIO()
        pixels.save(out, "JPEG", quality=quality)
        if out.tell() <= size - 1000:
            _BASE_JPEG = out.getvalue()
            return
    raise ValueError(f"{path} does not fit in {size} bytes")


def _photo(size: int) -> bytes:
    """A real JPEG of `size` bytes (the server decodes every photo), unique: random comment segments
    after the start-of-image marker fill it up."""
    fill, segments = size - len(_BASE_JPEG), []
    while fill > 0:
        body = min(fill - 4, 65533) if fill - 4 <= 65533 else min(65533, fill - 4 - 4)
        segments.append(b"\xff\xfe" + (body + 2).to_bytes(2, "big") + os.urandom(body))
        fill -= body + 4
    return _BASE_JPEG[:2] + b"".join(segments) + _BASE_JPEG[2:]


def _visit(tablet: int, n: int, case_id: str = DEMO_CASE_ID) -> Visit:
    visit = home_visit(f"rec-load-{tablet:04d}-{n}", case_id=case_id,
                       subject_id=HEAD_OF_HOUSEHOLD if case_id == DEMO_CASE_ID else None)
    visit.files.clear()
    signatures = [e for e in visit.record.evidence if e.kind == EvidenceKind.SIGNATURE]
    visit.record.evidence = []
    for i, ref in enumerate(signatures):  # each visit's own signatures, as on a tablet
        visit.add(signature_png(f"{tablet}-{n}-{i}"), ref.kind, ref.role, ref.captured_by, ref.media_type)
    for i in range(3):
        visit.add(_photo(1_500_000), EvidenceKind.PHOTO, Role.SCENE, "zhangwei", "image/jpeg", f"照片{i}")
    visit.add(m4a_audio(500_000), EvidenceKind.AUDIO, Role.SCENE, "zhangwei", "audio/mp4", "录音")
    return visit


def _nap(naps: list[float], seconds: float) -> None:
    """A tablet's back-off (after a cut or a busy answer), noted so the run can say how long they waited."""
    naps.append(seconds)
    time.sleep(seconds)


def _tablet(url: str, token: str, team: FieldTeam, tablet: int, visits: int, log: list,
            case_id: str, naps: list[float]) -> tuple[int, int]:
    """One tablet's sync of its visits (into this case); returns (records, bytes)."""
    client = SyncClient(url, transport=Timed(log), timeout=httpx.Timeout(30.0, connect=5.0),
                        device_id=team.headers["zhangwei"][DEVICE_HEADER], sleep=lambda s: _nap(naps, s))
    sent, bundle = 0, BUNDLE
    try:
        for n in range(visits):
            visit = _visit(tablet, n, case_id)

            def read(s: str, o: int, k: int, v: Visit = visit) -> bytes:
                return v.files[s][o:o + k]

            uploader = ResumableUploader(client, token, read,
                                         cut_retries=50, sleep=lambda s: _nap(naps, min(s, 1.0)))
            sizes = {sha: len(d) for sha, d in visit.files.items()}
            sealed = team.seal(visit.record)
            for _ in range(50):  # as the tablet's outbox: one question, the visit bundled (or small files
                try:  # batched), the rest resumable
                    missing = client.missing_evidence(token, list(sizes))
                    batched, bundle = send_batched(client, token, read, missing, sizes, bundle)
                    for state in missing:
                        if state.sha256 not in batched:
                            uploader.upload(state.sha256, sizes[state.sha256], state.offset)
                    client.post_record(token, sealed)
                    break
                except ServerUnreachable:  # a cut: asked again; the server answers already_merged if it has it
                    _nap(naps, 0.5)
            sent += sum(sizes.values())
    finally:
        client.close()
    return visits, sent


def _family(pid: int) -> list[int]:
    """The server's process and its worker processes."""
    try:
        return [pid, *(int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    except OSError:  # the server has ended
        return [pid]


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server's processes."""
    total = 0
    for p in _family(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def _peak_rss(pid: int, peak: list[int], done: threading.Event) -> None:
    while not done.is_set():
        total = 0
        for p in _family(pid):
            with contextlib.suppress(OSError, StopIteration):
                total += int(next(line.split()[1] for line in Path(f"/proc/{p}/status").read_text().splitlines()
                                  if line.startswith("VmRSS:")))
        peak[0] = max(peak[0], total)
        done.wait(0.2)


def add_families(database_url: str, count: int) -> list[str]:
    """`count` cases of the demo team, one per family a tablet visits (no records yet)."""
    engine = make_engine(database_url)
    now = RELEASED  # as the test servers' demo cases: before the helpers' visits (R1: none sealed before it)
    try:
        with open_session(engine) as session:
            ids = add_cases(session, 0, count, 0, templates(), prefix="case-load")
            session.add_all(Entrustment(case_id=i, contact="刘洋", phone="023-67809999", entrusted_on=now.date(),
                                        status=IntakeStatus.RELEASED.value, created_by="admin", created_at=now,
                                        released_at=now) for i in ids)  # released for the field (R1)
            session.commit()
            return ids
    finally:
        engine.dispose()


def database_cpu_s(cluster: PostgresCluster | None) -> float:
    """CPU seconds used so far by a PostgreSQL cluster: the postmaster with the reaped backends it
    waited for (cutime, cstime), and every live backend."""
    if cluster is None:
        return 0.0
    pid = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
    reaped = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[13:15]
    return _cpu_s(pid) + sum(map(int, reaped)) / os.sysconf("SC_CLK_TCK")


def run(label: str, server: Server, tablets: int, visits: int, concurrency: int, cases: list[str],
        cut_every: int = 10, cluster: PostgresCluster | None = None) -> float:
    """Drive the load (tablet t's visits into cases[t % len(cases)]; every `cut_every`-th tablet through the
    cutting proxy, none if 0); print the figures (with the database's CPU, on PostgreSQL); return MB/s."""
    with httpx.Client(base_url=server.url, headers={PROTOCOL_HEADER: "1"}, timeout=60) as http:
        team = FieldTeam.sign_in(http)  # type: ignore[arg-type]
        token = team.headers["zhangwei"]["Authorization"][7:]
        rng = random.Random(3)
        proxy = CuttingProxy(server.port, budget=lambda: rng.randint(200_000, 4_000_000))
        log: list[tuple[float, int, str]] = []
        naps: list[float] = []
        peak, done = [0], threading.Event()
        assert server.proc is not None
        sampler = threading.Thread(target=_peak_rss, args=(server.proc.pid, peak, done))
        sampler.start()
        began, server_cpu, own_cpu = time.monotonic(), _cpu_s(server.proc.pid), time.process_time()
        db_cpu = database_cpu_s(cluster)
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(lambda t: _tablet(
                proxy.url if cut_every and t % cut_every == 0 else server.url, token, team, t, visits, log,
                cases[t % len(cases)], naps), range(tablets)))
        seconds = time.monotonic() - began
        server_cpu, own_cpu = _cpu_s(server.proc.pid) - server_cpu, time.process_time() - own_cpu
        db_cpu = database_cpu_s(cluster) - db_cpu
        done.set()
        sampler.join()
        proxy.close()
        merged = [i for case_id in cases for i in team.merged_ids(case_id)]
    expected = {f"rec-load-{t:04d}-{n}" for t in range(tablets) for n in range(visits)}
    lost = len(expected - set(merged))
    duplicated = len(merged) - len(set(merged))
    records, sent = sum(r for r, _ in results), sum(b for _, b in results)
    times = sorted(t for t, _, _ in log)
    errors = sum(1 for _, s, _ in log if s >= 500 and s != 503)
    busy = sum(1 for _, s, _ in log if s == 503)
    by_kind: dict[str, list[float]] = {}
    for t, _, kind in log:
        by_kind.setdefault(kind, []).append(t)
    print(f"{label}: {records} records in {seconds:.1f}s = {records / seconds:.1f} records/s, "
          f"{sent / MB / seconds:.1f} MB/s; requests {len(times)}, p50 {statistics.median(times) * 1000:.0f} ms, "
          f"p99 {times[int(len(times) * 0.99)] * 1000:.0f} ms; 5xx (not 503) {errors}, 503 busy {busy}; "
          f"server peak RSS {peak[0] / 1024:.0f} MiB; lost {lost}, duplicated {duplicated}; cuts {proxy.cuts}")
    if cluster is not None:
        print(f"  CPU per record: server + database {(server_cpu + db_cpu) / records * 1000:.0f} ms "
              f"(database {db_cpu / records * 1000:.0f} ms)")
    print(f"  CPU per record: server {server_cpu / records * 1000:.0f} ms, tablets and proxy (this process) "
          f"{own_cpu / records * 1000:.0f} ms; server busy {server_cpu / seconds:.2f} cores of {os.cpu_count()}")
    print(f"  tablets backing off (after cuts, or busy): {sum(naps):.0f} s of the {concurrency} client threads' "
          f"{concurrency * seconds:.0f} s ({sum(naps) / (concurrency * seconds):.0%})")
    print("  latency p50 by request: " + ", ".join(
        f"{kind} {statistics.median(ts) * 1000:.0f} ms ({len(ts) / records:.1f}/record)"
        for kind, ts in sorted(by_kind.items())))
    return sent / MB / seconds


BARE_APP = '''
import hashlib, os, tempfile
from pathlib import Path
from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
app = FastAPI()
ROOT = os.environ["BARE_DIR"]
CHECK = os.environ.get("BARE_CHECK") == "1"
if CHECK:
    from sync_server.evidence.sniffing import sniff_file
@app.put("/raw/{name}")
async def raw(name: str, request: Request) -> dict:
    h = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=ROOT)
    with os.fdopen(fd, "wb") as out:
        async for chunk in request.stream():
            h.update(chunk); out.write(chunk)
        out.flush(); os.fsync(out.fileno())
    if CHECK:  # the one check the product may not drop: an image must decode (sync_server.evidence.sniffing)
        await run_in_threadpool(sniff_file, Path(tmp))
    os.replace(tmp, os.path.join(ROOT, h.hexdigest()))
    return {"sha256": h.hexdigest()}
'''


def bound(work: Path, tablets: int, visits: int, concurrency: int, check: bool = False) -> float:
    """The same bodies, one PUT per file, to a bare endpoint that hashes, writes and fsyncs (and with
    `check`, also decodes each image as the server does: what the bound becomes with that check alone)."""
    bare = work / ("bare-checked" if check else "bare")
    bare.mkdir()
    (work / "bare_app.py").write_text(BARE_APP)
    port = free_port()
    log = work / f"{bare.name}.log"
    proc = launch([PYTHON, "-m", "uvicorn", "bare_app:app", "--port", str(port), "--log-level", "warning"], log,
                  env={"BARE_DIR": str(bare), "BARE_CHECK": "1" if check else "0",
                       "PYTHONPATH": os.pathsep.join([str(work), str(Path(__file__).resolve().parent.parent)])})
    try:
        wait_http(f"http://127.0.0.1:{port}/docs", proc, log)

        def one(t: int) -> int:
            sent = 0
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                for n in range(visits):
                    for sha, data in _visit(t, n).files.items():
                        http.put(f"/raw/{sha}", content=data).raise_for_status()
                        sent += len(data)
            return sent
        began, server_cpu, own_cpu = time.monotonic(), _cpu_s(proc.pid), time.process_time()
        with ThreadPoolExecutor(concurrency) as pool:
            sent = sum(pool.map(one, range(tablets)))
        seconds = time.monotonic() - began
        server_cpu, own_cpu, records = _cpu_s(proc.pid) - server_cpu, time.process_time() - own_cpu, tablets * visits
        rate = sent / MB / seconds
        print(f"{'bound with the image check only' if check else 'raw bound (bare endpoint, fsync)'}: {rate:.1f} MB/s, {records / seconds:.1f} records/s; CPU per "
              f"record: endpoint {server_cpu / records * 1000:.0f} ms, clients {own_cpu / records * 1000:.0f} ms")
        return rate
    finally:
        stop(proc)


def main() -> None:
    """Run the bound, then the load on each database asked for."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tablets", type=int, default=200)
    parser.add_argument("--visits", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--cut-every", type=int, default=10,  # the 10 % slow or cut tablets
                        help="every Nth tablet goes through the cutting proxy (0: none, as the bound's clients)")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sqlite-workers", type=int, default=1)  # the embedded default serves from one
    parser.add_argument("--cases", type=int, default=-1,  # -1: one per tablet (its family); 0: the demo case
                        help="cases the visits go into: one per tablet by default, 0 for all in the demo case")
    parser.add_argument("--checked-bound", action="store_true",
                        help="also run the bare endpoint with the image check alone (decoding each photo)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; {args.tablets} tablets x {args.visits} visits "
          f"(3 x 1.5 MB photos, 0.5 MB audio, 3 signatures: one batch), {args.concurrency} at once, "
          f"{f'1 in {args.cut_every}' if args.cut_every else 'none'} via a cutting proxy")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        raw = bound(work, args.tablets, args.visits, args.concurrency)
        if args.checked_bound:
            checked = bound(work, args.tablets, args.visits, args.concurrency, check=True)
            print(f"  the image check alone / bound = {checked / raw:.2f}")
        for db in args.databases.split(","):
            cluster = PostgresCluster().start() if db == "postgres" else None
            env = {"SYNC_MAX_UPLOADS": "64"}
            extra: tuple[str, ...] = ()
            if cluster is not None:
                env["DATABASE_URL"] = cluster.url(cluster.create_database(prefix="load"))
            workers = args.workers if cluster is not None else args.sqlite_workers
            if workers > 1:
                extra = ("--workers", str(workers))
            server = Server(work / f"data-{db}", work / f"server-{db}.log", env=env, args=extra).start()
            try:
                count = args.tablets if args.cases < 0 else args.cases
                url = env.get("DATABASE_URL") or f"sqlite:///{work / f'data-{db}' / 'server.db'}"
                cases = add_families(url, count) if count else [DEMO_CASE_ID]
                rate = run(f"{db}{f' x{workers} workers' if workers > 1 else ''}, {len(cases)} cases", server,
                           args.tablets, args.visits, args.concurrency, cases, args.cut_every, cluster)
                print(f"  ours / bound = {rate / raw:.2f}")
            finally:
                server.stop()
                if cluster is not None:
                    cluster.stop()


if __name__ == "__main__":
    main()
