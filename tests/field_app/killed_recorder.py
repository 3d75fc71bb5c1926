"""A tablet process recording audio until it is SIGKILLed (run by test_killed_recording.py).

  python -m tests.field_app.killed_recorder DATA_DIR RECORD_ID

It signs the team in offline, resumes the draft RECORD_ID, starts the interview recorder and feeds
it a 48 kHz mono tone in 0.1 s chunks, printing `segments N` each time a segment is sealed, forever.
"""
from __future__ import annotations

import sys
from pathlib import Path

from field_app.capture.audio_spool import POINTERS
from field_app.capture.wav import PcmFormat
from field_app.sync.client import SyncClient
from field_app.viewmodels import TeamSession, VisitEditor
from field_app.viewmodels.recording import Recorder
from tests.field_app.helpers import TEAM, Clock, closed_port, open_tablet
from tests.field_app.test_wav import tone

FORMAT = PcmFormat(48000, 1)


class Ticks:
    """A monotonic clock that moves 0.1 s per chunk, as a live stream does."""

    t = 0.0

    def __call__(self) -> float:
        return self.t


def main(data_dir: Path, record_id: str) -> None:
    """Record until killed."""
    (store, evidence), clock = open_tablet(data_dir), Clock()
    team = TeamSession(store, SyncClient(f"http://127.0.0.1:{closed_port()}", timeout=2.0), "device-test", clock)
    for username, _, pin in TEAM:
        team.sign_in(username, pin)
    editor = VisitEditor(store, evidence, team, clock)
    editor.resume(record_id)
    ticks = Ticks()
    recorder = Recorder(editor, data_dir / POINTERS, ticks)
    recorder.start()
    second = tone(FORMAT, 1.0)
    step = FORMAT.byte_rate // 10
    sealed = 0
    while True:
        for i in range(0, len(second), step):
            recorder.feed(second[i:i + step])
            ticks.t += 0.1
            spool = recorder._spool
            if spool is not None and len(spool.journal.segments) > sealed:
                sealed = len(spool.journal.segments)
                print(f"segments {sealed}", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
