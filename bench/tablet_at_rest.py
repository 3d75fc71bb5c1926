"""What encryption at rest costs on the tablet (R21): evidence files in AES-256-GCM chunks and the
SQLCipher database. Prints figures; asserts nothing about time.

- MB/s to store (encrypt + hash + fsync) and to read back (decrypt + verify) a 200 MiB file streamed
  from disk, and the peak RSS growth of each (it should stay flat: the file never sits in memory);
- ms per draft save through the Store on SQLCipher, and a raw INSERT+COMMIT on sqlcipher3 vs sqlite3;
- ms to open a new store (key, schema) and to reopen it.
"""
from __future__ import annotations

import os
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

import sqlcipher3
from _common import median

from field_app.store import EvidenceStore, open_store
from field_app.store import queries as q
from field_app.store.vault import DirectoryVault
from schemas.records import SurveyRecord, VisitKind
from tests.field_app.helpers import T0, cache_case, case_summary

BIG = 200 * 1024 * 1024
PIECE = 1024 * 1024
SAVES = 200


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def evidence(root: Path) -> None:
    store = EvidenceStore(root / "evidence", DirectoryVault(root / "keys"))
    source = root / "video.bin"
    with open(source, "wb") as f:
        f.writelines(os.urandom(PIECE) for _ in range(BIG // PIECE))
    before = _peak_kb()
    t0 = time.perf_counter()
    with open(source, "rb") as f:
        sha, size = store.put_stream(iter(lambda: f.read(PIECE), b""))
    put_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in store.chunks(sha):
        pass
    read_s = time.perf_counter() - t0
    grew = (_peak_kb() - before) / 1024
    print(f"evidence {size / 2**20:.0f} MiB: store {size / 2**20 / put_s:.0f} MB/s, read+verify "
          f"{size / 2**20 / read_s:.0f} MB/s, peak RSS growth {grew:.1f} MiB, "
          f"overhead {store.path(sha).stat().st_size - size} bytes")


def drafts(root: Path) -> None:
    vault = DirectoryVault(root / "keys")
    t0 = time.perf_counter()
    store = open_store(root / "tablet", vault)
    open_ms = (time.perf_counter() - t0) * 1000
    cache_case(store, case_summary())
    record = SurveyRecord(id="bench-record-1", case_id="case-1", kind=VisitKind.HOME_VISIT, form_id="home_visit",
                          form_version=1, started_at=T0, answers={"housing_condition": "情况属实" * 50})
    times = []
    for i in range(SAVES):
        changed = record.model_copy(update={"answers": {"household_size": i}})  # a real change each time
        t0 = time.perf_counter()
        with store.transaction() as s:
            q.save_draft(s, changed, T0)
        times.append(time.perf_counter() - t0)
    store.close()
    body = record.model_dump_json()
    raw = {}
    for name, module, key in (("plain", sqlite3, None), ("cipher", sqlcipher3, vault.data_key())):
        conn = module.connect(root / f"{name}.db", isolation_level=None)
        if key is not None:
            conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE draft (record_id TEXT PRIMARY KEY, record_json TEXT)")
        raw[name] = []
        for i in range(SAVES):
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT OR REPLACE INTO draft VALUES (?, ?)", ("bench-record-1", body + str(i)))
            conn.execute("COMMIT")
            raw[name].append(time.perf_counter() - t0)
        conn.close()
    t0 = time.perf_counter()
    open_store(root / "tablet", vault).close()
    reopen_ms = (time.perf_counter() - t0) * 1000
    print(f"draft save (median of {SAVES}, fsync each): Store on SQLCipher {median(times) * 1000:.2f} ms; "
          f"raw INSERT+COMMIT: sqlcipher3 {median(raw['cipher']) * 1000:.2f} ms, sqlite3 "
          f"{median(raw['plain']) * 1000:.2f} ms; open new store {open_ms:.0f} ms, reopen {reopen_ms:.0f} ms")


def main() -> None:
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}")
    with tempfile.TemporaryDirectory(prefix="bench-at-rest-", dir=os.environ.get("BENCH_TMP")) as tmp:
        drafts(Path(tmp))
        evidence(Path(tmp))


if __name__ == "__main__":
    main()
