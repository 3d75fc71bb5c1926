"""What a minute of interview audio costs on the tablet (R10): CPU seconds and bytes, through the real
recorder view-model (level meter, format votes, encrypted 2 s segments with their journal, then one
sealed WAV at stop). Prints figures; asserts nothing about time.

Formats: 16 kHz mono (what is asked for) and 44.1 kHz stereo (what Chromium's stream delivered here).
"""
from __future__ import annotations

import math
import struct
import tempfile
import time
from pathlib import Path

import _common  # noqa: F401  (puts the repo on sys.path)

from field_app.capture.audio_spool import POINTERS
from field_app.capture.wav import PcmFormat
from field_app.store import EvidenceStore, open_store
from field_app.store.vault import DirectoryVault
from field_app.sync.client import SyncClient
from field_app.viewmodels import TeamSession, VisitEditor
from field_app.viewmodels.recording import Recorder
from tests.field_app.helpers import (
    TEAM,
    Clock,
    cache_case,
    case_summary,
    closed_port,
    seed_account,
    start_notified,
)

MINUTES = 2
CHUNK_S = 0.1


class Ticks:
    t = 0.0

    def __call__(self) -> float:
        return self.t


def one_second(fmt: PcmFormat) -> bytes:
    frame = [struct.pack("<h", int(9000 * math.sin(2 * math.pi * 440 * i / fmt.rate))) * fmt.channels
             for i in range(fmt.rate)]
    return b"".join(frame)


def run(fmt: PcmFormat, root: Path) -> None:
    vault = DirectoryVault(root / "keys", root / "data")
    store, evidence = open_store(root / "data", vault), EvidenceStore(root / "data" / "evidence", vault)
    for username, name, pin in TEAM:
        seed_account(store, username, name, pin)
    clock, ticks = Clock(), Ticks()
    team = TeamSession(store, SyncClient(f"http://127.0.0.1:{closed_port()}", timeout=1.0), "bench", clock)
    for username, _, pin in TEAM:
        team.sign_in(username, pin)
    case = case_summary()
    cache_case(store, case)
    editor = VisitEditor(store, evidence, team, clock)
    start_notified(editor, case)
    recorder = Recorder(editor, root / "data" / POINTERS, ticks, requested=PcmFormat(16000, 1))
    second, step = one_second(fmt), int(fmt.byte_rate * CHUNK_S)
    recorder.start()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(MINUTES * 60):
        for i in range(0, len(second), step):
            recorder.feed(second[i:i + step])
            ticks.t += CHUNK_S
    cpu_feed = time.process_time() - cpu0
    cpu1 = time.process_time()
    ref = recorder.stop()
    cpu_stop, wall = time.process_time() - cpu1, time.perf_counter() - wall0
    assert ref is not None
    on_disk = sum(p.stat().st_size for p in (root / "data" / "evidence").rglob("*.enc"))
    print(f"{fmt.rate} Hz {fmt.channels} ch: per minute {(cpu_feed + cpu_stop) / MINUTES:.2f} CPU s "
          f"(recording {cpu_feed / MINUTES:.2f}, sealing the WAV {cpu_stop / MINUTES:.2f}), "
          f"{ref.size / MINUTES / 1e6:.1f} MB WAV, {on_disk / MINUTES / 1e6:.1f} MB encrypted on disk; "
          f"wall {wall:.1f} s for {MINUTES} min; measured format {recorder.fmt}")
    store.close()


def main() -> None:
    for fmt in (PcmFormat(16000, 1), PcmFormat(44100, 2)):
        with tempfile.TemporaryDirectory() as tmp:
            run(fmt, Path(tmp))


if __name__ == "__main__":
    main()
