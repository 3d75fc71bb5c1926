"""Where one visit's sync spends the server's CPU (issue 9): the real app under uvicorn in one thread of
this process, its thread-pool work run inline in that thread (so one cProfile sees all of it), fed by
the tablet's sync code (missing query, small files in a batch, resumable chunks, record post) from
another thread, one request at a time.

  PYTHONPATH=. .venv/bin/python bench/sync_cost.py [--visits 20] [--top 25]

Prints requests per visit, the server thread's CPU per visit and per request kind (from the profile's
own request timings), and the functions of our code with the most cumulative time.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import uvicorn
from _common import PHOTOS, free_port
from sync_load import _visit, use_real_photo

from field_app.sync.batch import send_batched
from field_app.sync.client import SyncClient
from field_app.sync.resumable import ResumableUploader
from schemas.protocol import DEVICE_HEADER, MAX_BATCH_FILES, PROTOCOL_HEADER
from sync_server.app import create_app
from sync_server.ops.seed import seed_demo
from sync_server.settings import Settings
from tests.sync_server.helpers import FieldTeam, Visit


async def _inline(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
    return func(*args)


class Noted(httpx.HTTPTransport):
    """The real transport, noting each request's kind and the server thread's CPU it cost."""

    def __init__(self, cpu: Callable[[], float], log: list[tuple[str, float]]) -> None:
        super().__init__()
        self.cpu, self.log = cpu, log

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        before = self.cpu()
        response = super().handle_request(request)
        response.read()
        kind = f"{request.method} {request.url.path.rsplit('/', 1)[0] if request.method in ('PATCH', 'HEAD') else request.url.path}"
        self.log.append((kind.replace("/api/v1", ""), self.cpu() - before))
        return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-batch", action="store_true", help="a server without batches (every file alone)")
    parser.add_argument("--no-profile", action="store_true", help="CPU figures without the profiler's overhead")
    parser.add_argument("--no-bundle", action="store_true", help="no whole-visit batch (the files as before)")
    parser.add_argument("--real-photos", action="store_true", help="photos made from a real phone photo (9 MP)")
    args = parser.parse_args()
    if args.real_photos:
        use_real_photo(PHOTOS / "mobile" / "HMD_Nokia_8.3_5G.jpg")
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]  (every "thread" is the profiled one)
    with tempfile.TemporaryDirectory(prefix="bench-cost-") as tmp:
        settings = Settings(data_dir=Path(tmp), max_batch_files=0 if args.no_batch else MAX_BATCH_FILES)
        seed_demo(settings, date(2026, 11, 16))
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off", ws="none"))
        profile = cProfile.Profile(time.thread_time)  # CPU, not wall: figures hold on a busy machine
        ident: list[int] = []

        def serve() -> None:
            ident.append(threading.get_ident())
            if not args.no_profile:
                profile.enable()
            server.run()
            profile.disable()
        thread = threading.Thread(target=serve)
        thread.start()
        while not server.started:
            time.sleep(0.01)  # readiness
        clock_id = time.pthread_getcpuclockid(ident[0])

        def cpu() -> float:
            return time.clock_gettime(clock_id)
        url = f"http://127.0.0.1:{port}"
        log: list[tuple[str, float]] = []
        with httpx.Client(base_url=url, headers={PROTOCOL_HEADER: "1"}, timeout=60) as http:
            team = FieldTeam.sign_in(http)  # type: ignore[arg-type]
            token = team.headers["zhangwei"]["Authorization"][7:]
            client = SyncClient(url, transport=Noted(cpu, log), device_id=team.headers["zhangwei"][DEVICE_HEADER])
            profile.clear()  # the sign-ins (scrypt) are not a visit's cost
            began, cpu0 = time.monotonic(), cpu()
            for n in range(args.visits):
                visit = _visit(0, n)
                sizes = {sha: len(d) for sha, d in visit.files.items()}

                def read(s: str, o: int, k: int, v: Visit = visit) -> bytes:
                    return v.files[s][o:o + k]

                missing = client.missing_evidence(token, list(sizes))
                batched, _ = send_batched(client, token, read, missing, sizes, not args.no_bundle)
                for state in missing:
                    if state.sha256 not in batched:
                        ResumableUploader(client, token, read).upload(state.sha256, sizes[state.sha256])
                client.post_record(token, team.seal(visit.record))
            seconds, spent = time.monotonic() - began, cpu() - cpu0
            client.close()
        server.should_exit = True
        thread.join()
    kinds: dict[str, list[float]] = defaultdict(list)
    for kind, cost in log:
        kinds[kind].append(cost)
    count = Counter(kind for kind, _ in log)
    print(f"{args.visits} visits in {seconds:.1f} s; {len(log) / args.visits:.1f} requests per visit; "
          f"server thread CPU {spent / args.visits * 1000:.0f} ms per visit")
    for kind, costs in sorted(kinds.items()):
        print(f"  {kind:<28} {count[kind] / args.visits:5.1f} per visit, CPU {sum(costs) / len(costs) * 1000:6.1f} ms each")
    if args.no_profile:
        return
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(r"(sync_server|schemas|sqlalchemy/orm/session|PIL)", args.top)
    print(out.getvalue()[-12000:])


if __name__ == "__main__":
    main()
