"""Evidence upload throughput and server memory: raw PUT /api/v1/evidence/{sha256} to the real server.

Starts `python -m sync_server --seed-demo` on 127.0.0.1 with a temp data dir, signs in a demo
surveyor, and PUTs a real 2 MB phone photo, then 50 MB and 200 MB of random bytes, each streamed
from a file. Prints MB/s per size and the server's peak RSS (VmHWM) after each: if the server
streams, the peak does not grow with the file size. Then times a repeated PUT of each stored file.

For comparison, a minimal FastAPI app defined here (raw-body PUT vs UploadFile multipart POST, both
hashing, writing and fsyncing like the real server) runs under uvicorn, if python-multipart is
importable; it is never installed by this script.

Run: PYTHONPATH=. .venv/bin/python bench/evidence_upload.py
"""
from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _common import PHOTOS, PYTHON, free_port, launch, mb, proc_status_kb, stop, wait_http
from fastapi import FastAPI, Request, UploadFile

SIZES_MB = (50, 200)
CHUNK = 1024 * 1024


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _random_file(path: Path, size_mb: int) -> Path:
    with open(path, "wb") as f:
        f.writelines(os.urandom(CHUNK) for _ in range(size_mb))
    return path


def _put(client: httpx.Client, url: str, path: Path, headers: dict[str, str]) -> tuple[float, httpx.Response]:
    """PUT the file as a raw streamed body; return (seconds, response)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        t0 = time.perf_counter()
        response = client.put(url, content=f, headers={**headers, "Content-Length": str(size),
                                                        "Content-Type": "application/octet-stream"})
        return time.perf_counter() - t0, response


def bench_real_server(tmp: Path, files: list[tuple[str, Path]]) -> dict[str, float]:
    """Upload each file to the real server; print a table; return MB/s by label."""
    from sync_server.ops.seed import DEMO_ACCOUNTS

    surveyor = next(a for a in DEMO_ACCOUNTS if a.pin)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp / "server.log"
    t0 = time.monotonic()
    proc = launch([PYTHON, "-m", "sync_server", "--host", "127.0.0.1", "--port", str(port),
                   "--data-dir", str(tmp / "server"), "--seed-demo"], log)
    speeds: dict[str, float] = {}
    try:
        wait_http(f"{base}/openapi.json", proc, log)
        print(f"real server up in {time.monotonic() - t0:.2f} s (pid {proc.pid})")
        with httpx.Client(base_url=base, timeout=120) as client:
            login = client.post("/api/v1/auth/device-login", headers={"X-Protocol-Version": "1"},
                                json={"username": surveyor.username, "pin": surveyor.pin, "device_id": "bench-tablet"})
            login.raise_for_status()
            headers = {"Authorization": f"Bearer {login.json()['token']}", "X-Protocol-Version": "1",
                       "X-Device-Id": "bench-tablet"}
            hwm0, rss0 = proc_status_kb(proc.pid, "VmHWM"), proc_status_kb(proc.pid, "VmRSS")
            print(f"server memory before uploads: peak RSS (VmHWM) {hwm0 / 1024:.1f} MiB, RSS {rss0 / 1024:.1f} MiB")
            print(f"{'file':<34}{'size MiB':>9}{'seconds':>9}{'MiB/s':>9}{'VmHWM MiB':>11}{'HWM +MiB':>10}"
                  f"{'VmRSS MiB':>11}")
            for label, path in files:
                sha = _sha256(path)
                seconds, response = _put(client, f"/api/v1/evidence/{sha}", path, headers)
                body = response.json()
                if response.status_code != 200 or not body.get("created") or body.get("size") != path.stat().st_size:
                    raise RuntimeError(f"unexpected answer for {label}: {response.status_code} {response.text[:300]}")
                size = path.stat().st_size
                hwm, rss = proc_status_kb(proc.pid, "VmHWM"), proc_status_kb(proc.pid, "VmRSS")
                speeds[label] = mb(size) / seconds
                print(f"{label:<34}{mb(size):>9.1f}{seconds:>9.3f}{speeds[label]:>9.1f}{hwm / 1024:>11.1f}"
                      f"{(hwm - hwm0) / 1024:>10.1f}{rss / 1024:>11.1f}")
            print("repeated PUT of an already-stored file (server answers created=false):")
            for label, path in files:
                sha = _sha256(path)
                seconds, response = _put(client, f"/api/v1/evidence/{sha}", path, headers)
                created = response.json().get("created") if response.status_code == 200 else response.status_code
                t_head = time.perf_counter()
                head = client.head(f"/api/v1/evidence/{sha}", headers=headers)
                t_head = time.perf_counter() - t_head
                print(f"  {label:<32} PUT {seconds * 1000:8.1f} ms (created={created})   "
                      f"HEAD {t_head * 1000:6.1f} ms (status {head.status_code})")
            hwm = proc_status_kb(proc.pid, "VmHWM")
            print(f"server peak RSS after everything: {hwm / 1024:.1f} MiB "
                  f"(+{(hwm - hwm0) / 1024:.1f} MiB over the pre-upload peak)")
    finally:
        stop(proc)
    return speeds


# --------------------------------------------------------------------------- comparison app


def _multipart_missing() -> str | None:
    """Why the multipart comparison cannot run, or None if it can."""
    try:
        import python_multipart  # noqa: F401
    except ImportError:
        return ("python-multipart is not installed in this environment (FastAPI needs it for UploadFile); "
                "it is not a project dependency and this bench does not install it")
    return None


def comparison_app(out_dir: Path):
    """A minimal FastAPI app: the same hash + write + fsync work, raw body vs multipart UploadFile."""
    app = FastAPI()

    def _finish(path: Path, h, size: int, f) -> dict:
        f.flush()
        os.fsync(f.fileno())
        return {"sha256": h.hexdigest(), "size": size, "peak_rss_kb": proc_status_kb(os.getpid(), "VmHWM")}

    @app.put("/raw/{name}")
    async def raw(name: str, request: Request) -> dict:
        path, h, size = out_dir / f"raw-{name}", hashlib.sha256(), 0
        with open(path, "wb") as f:  # noqa: ASYNC230 - blocking writes, as evidence/disk_store.py does
            async for chunk in request.stream():
                size += len(chunk)
                h.update(chunk)
                f.write(chunk)
            return _finish(path, h, size, f)

    @app.post("/multipart/{name}")
    async def multipart(name: str, file: UploadFile) -> dict:
        path, h, size = out_dir / f"mp-{name}", hashlib.sha256(), 0
        with open(path, "wb") as f:  # noqa: ASYNC230 - same work as the raw endpoint
            while chunk := await file.read(CHUNK):
                size += len(chunk)
                h.update(chunk)
                f.write(chunk)
            return _finish(path, h, size, f)

    return app


def serve_comparison(port: int, out_dir: str) -> None:
    """Entry point of the child process: serve the comparison app on 127.0.0.1."""
    import uvicorn

    uvicorn.run(comparison_app(Path(out_dir)), host="127.0.0.1", port=port, log_level="warning")


def bench_comparison(tmp: Path, files: list[tuple[str, Path]], real: dict[str, float]) -> None:
    """Raw PUT vs multipart POST on the minimal app, same files; print MB/s side by side."""
    reason = _multipart_missing()
    if reason:
        print(f"multipart comparison SKIPPED: {reason}")
        return
    out = tmp / "compare"
    out.mkdir()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp / "compare.log"
    proc = launch([PYTHON, __file__, "--serve-comparison", str(port), str(out)], log)
    try:
        wait_http(f"{base}/openapi.json", proc, log)
        print("minimal FastAPI app (uvicorn, 127.0.0.1): raw PUT vs UploadFile multipart POST, "
              "both hash + write + fsync")
        print(f"{'file':<34}{'real srv MiB/s':>15}{'raw MiB/s':>11}{'multipart MiB/s':>17}{'raw/mp':>8}"
              f"{'app VmHWM MiB':>15}")
        with httpx.Client(base_url=base, timeout=300) as client:
            for label, path in files:
                raw_s, response = _put(client, f"/raw/{path.name}", path, {})
                response.raise_for_status()
                with open(path, "rb") as f:
                    t0 = time.perf_counter()
                    response = client.post(f"/multipart/{path.name}",
                                           files={"file": (path.name, f, "application/octet-stream")})
                    mp_s = time.perf_counter() - t0
                response.raise_for_status()
                size = mb(path.stat().st_size)
                print(f"{label:<34}{real.get(label, 0):>15.1f}{size / raw_s:>11.1f}{size / mp_s:>17.1f}"
                      f"{mp_s / raw_s:>8.2f}{response.json()['peak_rss_kb'] / 1024:>15.1f}")
    finally:
        stop(proc)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-comparison":
        serve_comparison(int(sys.argv[2]), sys.argv[3])
        return
    photo = PHOTOS / "mobile" / "HMD_Nokia_8.3_5G.jpg"
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as name:
        tmp = Path(name)
        files = [(f"photo {photo.name}", photo)]
        for size_mb in SIZES_MB:
            files.append((f"random {size_mb} MiB", _random_file(tmp / f"random-{size_mb}.bin", size_mb)))
        real = bench_real_server(tmp, files)
        bench_comparison(tmp, files, real)


if __name__ == "__main__":
    main()
