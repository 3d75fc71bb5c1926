"""Photo display copies (issue 7, issue 9): what the first view of a photo costs and what every later view
costs once the copy is made, and what making one costs.

1. A case of 100 photos (4 sealed home visits x 25 full-size phone photos, 0.8-2 MB, the two real phone
   pictures cut apart) on a real SQLite data dir, the server in-process, a reviewer signed in to the
   console: every thumbnail of the case page fetched once (first view: each original decoded, stamped,
   both variants stored), then again (cached), then every display copy (cached: made with the thumbnail),
   and, for scale, every original downloaded as stored. Prints total and median ms.
2. Making one display copy (decode, upright, shrink to 1280, stamp, encode both variants) from a 2.1 MB phone
   JPEG and from a 2.2 MB iPhone HEIC: median ms of 5 runs, and the peak RSS growth of a fresh process
   making it once (VmHWM; Pillow and libheif allocate outside Python).

Run: PYTHONPATH=. .venv/bin/python bench/display_copies.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import PHOTOS, PYTHON, REPO_ROOT, median, proc_status_kb

RECORDS, PER_RECORD = 4, 25
PHONES = [PHOTOS / "mobile" / "HMD_Nokia_8.3_5G.jpg", PHOTOS / "mobile" / "jolla.jpg"]
SAMPLES = {"2.1 MB phone JPEG": PHOTOS / "mobile" / "HMD_Nokia_8.3_5G.jpg",
           "2.2 MB iPhone HEIC": PHOTOS / "heic" / "iphone_13_pro_max.HEIC"}


def _facts():
    from sync_server.display import WatermarkFacts

    return WatermarkFacts(datetime(2026, 11, 17, 1, 30, tzinfo=UTC), "北纬 29.71234，东经 106.63211",
                          "case-yb-2026-0001", ["张伟", "李娜"])


def case_of_100() -> None:
    from datetime import date

    from schemas.records import EvidenceKind, Role
    from schemas.signed import seal_v2
    from sync_server.app import create_app
    from sync_server.display import Variant
    from sync_server.ops.seed import seed_demo
    from sync_server.settings import Settings
    from tests.sync_server.big_case import CAPTIONS
    from tests.sync_server.console_client import console_login
    from tests.sync_server.helpers import FieldTeam, api_client, home_visit

    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-display-")))
    seed_demo(settings, date(2026, 11, 16))
    app = create_app(settings)
    with api_client(app) as client:
        team = FieldTeam.sign_in(client)
        photos = phone_photos(RECORDS * PER_RECORD)
        urls = []
        for r in range(RECORDS):
            visit = home_visit(f"rec-disp-{r:04d}")
            old = {e.sha256 for e in visit.record.evidence if e.kind == EvidenceKind.PHOTO}
            visit.record.evidence = [e for e in visit.record.evidence if e.sha256 not in old]
            visit.files = {sha: data for sha, data in visit.files.items() if sha not in old}
            for p in range(PER_RECORD):
                visit.add(photos[r * PER_RECORD + p], EvidenceKind.PHOTO, Role.SCENE, "zhangwei", "image/jpeg",
                          CAPTIONS[p % len(CAPTIONS)])
            team.upload(visit.files)
            assert team.post(seal_v2(visit.record, {s: team.keys[s] for s in visit.record.surveyors})).status_code == 200
            urls += [f"/console/evidence/{e.sha256}/{{}}?record={visit.record.id}" for e in visit.record.evidence
                     if e.kind == EvidenceKind.PHOTO]
        console_login(client, "wangfang")
        sizes = sorted(len(p) for p in photos)
        print(f"case: {len(urls)} phone photos, originals median {sizes[len(sizes) // 2] / 1024:.0f} KiB")
        for label, variant in (("first view, thumbnails (makes both copies)", "thumb"),
                               ("cached view, thumbnails", "thumb"), ("cached view, display copies", "preview"),
                               ("original as stored (no image work)", "")):
            times = []
            for url in urls:
                t0 = time.perf_counter()
                response = client.get(url.format(variant).replace("/?", "?"))
                times.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200
            print(f"  {label:<45} total {sum(times):>8.0f} ms   median {median(times):>6.1f} ms per photo")
        display = app.state.services.display
        times = []
        for url in urls:
            sha, record_id = url.split("/")[3], url.rsplit("=", 1)[1]
            t0 = time.perf_counter()
            assert display.cached(sha, record_id, Variant.THUMB) is not None
            times.append((time.perf_counter() - t0) * 1000)
        print(f"  {'cache lookup alone (no request, no access check)':<45} median {median(times):>6.2f} ms")
        from sync_server.evidence.previews import preview_jpeg

        times = []
        for url in urls:  # what every view cost before: the original decoded again (no request either)
            t0 = time.perf_counter()
            preview_jpeg(app.state.services.blobs.local_path(url.split("/")[3]))
            times.append((time.perf_counter() - t0) * 1000)
        print(f"  {'old: preview_jpeg on every view (no request)':<45} total {sum(times):>8.0f} ms   "
              f"median {median(times):>6.1f} ms per photo")
        print(f"  originals decoded: {display.made}")
    app.state.services.engine.dispose()


def phone_photos(count: int) -> list[bytes]:
    """`count` different full-size JPEGs cut from the real phone photos."""
    import io

    from PIL import Image

    sources = [Image.open(path).convert("RGB") for path in PHONES]
    out = []
    for i in range(count):
        source = sources[i % len(sources)]
        shift = i * 3 + 1
        buffer = io.BytesIO()
        source.crop((shift, shift, source.width - shift, source.height - shift)).save(buffer, "JPEG", quality=90)
        out.append(buffer.getvalue())
    return out


def peak_of_one(path: Path) -> None:
    """Child mode: make one copy and print the RSS growth in MB."""
    from sync_server.display.maker import make
    from sync_server.display.watermark import font

    font(32)  # the font is loaded once per process; not part of a copy's cost
    base = proc_status_kb(os.getpid(), "VmRSS")
    Path("/proc/self/clear_refs").write_text("5")
    make(path, _facts())
    print(round(max(0, proc_status_kb(os.getpid(), "VmHWM") - base) / 1024, 1))


def cost_per_photo() -> None:
    from sync_server.display.maker import make

    print("one display copy + thumbnail (decode, upright, 1280 px, band, two JPEGs):")
    for label, path in SAMPLES.items():
        make(path, _facts())  # warm: font, codecs
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            made = make(path, _facts())
            times.append((time.perf_counter() - t0) * 1000)
        peak = subprocess.run([PYTHON, __file__, "--peak", str(path)], capture_output=True, text=True, check=True,
                              cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}).stdout.strip()
        print(f"  {label:<20} median {median(times):>6.0f} ms   peak RSS growth {peak} MB   "
              f"copy {len(made.display) / 1024:.0f} KiB, thumbnail {len(made.thumb) / 1024:.0f} KiB")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--peak":
        peak_of_one(Path(sys.argv[2]))
    else:
        cost_per_photo()
        case_of_100()
