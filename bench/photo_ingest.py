"""Photo intake on the tablet: ingest_photo and thumbnail_png on every real test photo, and the
evidence store's write throughput.

For each file under test-media/photos (camera JPEGs, gps/, orientation/, mobile/, heic/, invalid/)
prints the median ms of field_app.capture.photo.ingest_photo (full decode + EXIF) and of
thumbnail_png at its default 512 px (with the PNG's size) and at the evidence grid's 240 px, or
the rejection reason (the files in invalid/ have odd metadata but decodable pixels). For the biggest files, prints the peak of
Python allocations (tracemalloc) and, since Pillow and libheif allocate pixel buffers outside
Python's allocator, the peak RSS growth of a fresh process doing the same work.
Then EvidenceStore.put_bytes of a 2 MB phone photo into a temp dir (new file each time, fsynced).

Run: PYTHONPATH=. .venv/bin/python bench/photo_ingest.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from _common import PHOTOS, PYTHON, REPO_ROOT, median, proc_status_kb

from field_app.capture.photo import ingest_photo, thumbnail_png
from field_app.errors import PhotoRejected
from field_app.store.evidence import EvidenceStore
from field_app.store.vault import DirectoryVault

SUFFIXES = {".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp"}
BIGGEST = 4
PUT_RUNS = 30
GRID_SIDE = 240  # what views/evidence_grid.py asks for; 512 is thumbnail_png's default


def _runs(size: int) -> int:
    return 3 if size > 1_000_000 else 7 if size > 100_000 else 15


def _ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return median(times)


def _one(path: Path) -> str:
    data = path.read_bytes()
    name = str(path.relative_to(PHOTOS))
    runs = _runs(len(data))
    try:
        photo = ingest_photo(data, path.name)
    except PhotoRejected as rejected:
        t = _ms(lambda: _rejects(data), runs)
        return f"{name:<40}{len(data) / 1024:>9.0f}{t:>10.1f}{'-':>10}{'-':>10}{'-':>10}  rejected: {rejected}"
    t_ingest = _ms(lambda: ingest_photo(data, path.name), runs)
    t_thumb = _ms(lambda: thumbnail_png(data), runs)
    t_grid = _ms(lambda: thumbnail_png(data, GRID_SIDE), runs)
    png_kib = len(thumbnail_png(data)) / 1024
    meta = f"{photo.media_type} {photo.width}x{photo.height}" + (" gps" if photo.gps else "") + \
           (" time" if photo.taken_at else "")
    return (f"{name:<40}{len(data) / 1024:>9.0f}{t_ingest:>10.1f}{t_thumb:>10.1f}{png_kib:>10.0f}{t_grid:>10.1f}"
            f"  {meta}")


def _rejects(data: bytes) -> None:
    try:
        ingest_photo(data)
    except PhotoRejected:
        return


def _work(data: bytes) -> None:
    """ingest then thumbnail, as the capture screen does."""
    try:
        ingest_photo(data)
        thumbnail_png(data)
    except PhotoRejected:
        pass


def _rss_growth_child(path: str) -> None:
    """In a fresh process: print peak RSS growth (KiB) over ingest + thumbnail of one file."""
    data = Path(path).read_bytes()
    _work(b"")  # nothing to decode, but the imports are done
    before = proc_status_kb(os.getpid(), "VmHWM")
    _work(data)
    print(proc_status_kb(os.getpid(), "VmHWM") - before)


def _memory(paths: list[Path]) -> None:
    print(f"\nmemory for the {len(paths)} biggest files (ingest_photo + thumbnail_png):")
    print(f"{'file':<40}{'KiB':>9}{'tracemalloc peak MiB':>22}{'peak RSS growth MiB':>21}")
    for path in paths:
        data = path.read_bytes()
        tracemalloc.start()
        _work(data)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        child = subprocess.run([PYTHON, __file__, "--rss", str(path)], capture_output=True, text=True,
                               timeout=60, check=False, cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
        growth = f"{int(child.stdout.strip()) / 1024:.1f}" if child.returncode == 0 else f"error {child.returncode}"
        print(f"{path.relative_to(PHOTOS)!s:<40}{len(data) / 1024:>9.0f}{peak / 2**20:>22.2f}{growth:>21}")


def _put_bytes() -> None:
    photo = (PHOTOS / "mobile" / "HMD_Nokia_8.3_5G.jpg").read_bytes()
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        store = EvidenceStore(Path(tmp) / "evidence", DirectoryVault(Path(tmp) / "keys"))
        variants = [photo + i.to_bytes(4, "big") for i in range(PUT_RUNS)]  # distinct hashes: real writes
        times = []
        for data in variants:
            t0 = time.perf_counter()
            store.put_bytes(data)
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        store.put_bytes(variants[0])
        again = time.perf_counter() - t0
    size_mb = len(photo) / 2**20
    print(f"\nEvidenceStore.put_bytes, {size_mb:.2f} MiB photo, {PUT_RUNS} new files (sha256 + write + fsync):")
    print(f"  median {median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms, "
          f"{size_mb / median(times):.0f} MiB/s; same bytes again (no-op) {again * 1000:.2f} ms")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--rss":
        _rss_growth_child(sys.argv[2])
        return
    paths = sorted(p for p in PHOTOS.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    print(f"{len(paths)} photos under {PHOTOS}; median ms per call")
    print(f"{'file':<40}{'KiB':>9}{'ingest':>10}{'thumb512':>10}{'PNG KiB':>10}{'thumb240':>10}  result")
    for path in paths:
        print(_one(path))
    _memory(sorted(paths, key=lambda p: p.stat().st_size, reverse=True)[:BIGGEST])
    _put_bytes()


if __name__ == "__main__":
    main()
