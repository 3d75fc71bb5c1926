"""Cost of the ingest type check (issue 5 §2): sniffing a stored file by its leading bytes and, for
images, a full decode by Pillow (JPEG at reduced DCT scale, HEIC in full). Paid once per uploaded
file (kept in `evidence_types`, read by ingest); serving reads only the leading bytes.

Run: PYTHONPATH=. .venv/bin/python bench/evidence_sniff.py
"""
from __future__ import annotations

from _common import PHOTOS, median, p95, time_us

from schemas.evidence_types import sniff_head
from sync_server.evidence.sniffing import read_head, sniff_file

FILES = [PHOTOS / "Canon_40D.jpg", PHOTOS / "mobile" / "HMD_Nokia_8.3_5G.jpg",
         PHOTOS / "heic" / "iphone_13_pro_max.HEIC", PHOTOS / "heic" / "samplefilehub.heif"]
RUNS = 15


def main() -> None:
    print(f"{'file':34} {'bytes':>10} {'type':>11} {'sniff_file median ms':>21} {'p95 ms':>8} "
          f"{'head only us':>13}")
    for path in FILES:
        media = sniff_file(path)
        full = time_us(lambda p=path: sniff_file(p), RUNS, warmup=2)
        head = time_us(lambda p=path: sniff_head(read_head(p)), RUNS, warmup=2)
        print(f"{path.name:34} {path.stat().st_size:>10} {media!s:>11} {median(full) / 1000:>21.1f} "
              f"{p95(full) / 1000:>8.1f} {median(head):>13.1f}")


if __name__ == "__main__":
    main()
