"""The tablet app killed (SIGKILL, a real separate process: killed_recorder.py) mid-recording: after
reopening, what was recorded up to the last sealed segment is one valid WAV in the draft, flagged and
logged as recovered, and the record seals with it; nothing half-written remains (R10, R11)."""
from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import wave
from pathlib import Path

from field_app.app import build_model
from field_app.capture.audio_spool import POINTERS
from field_app.settings import Settings
from field_app.store.evidence import TMP_PREFIX
from field_app.viewmodels import VisitEditor
from field_app.viewmodels.recovery import RECOVERED
from tests.field_app.helpers import cache_case, case_summary, start_notified, vault_for
from tests.field_app.killed_recorder import FORMAT
from tests.field_app.test_wav import tone

REPO = Path(__file__).resolve().parents[2]


def test_killed_mid_recording_keeps_a_valid_wav_of_what_was_recorded_r10(store, evidence, team, clock, data_dir):
    cache_case(store, case_summary())
    editor = VisitEditor(store, evidence, team, clock)
    start_notified(editor)
    record_id = editor.record.id
    store.close()
    child = subprocess.Popen([sys.executable, "-m", "tests.field_app.killed_recorder", str(data_dir), record_id],
                             cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        for line in child.stdout:  # wait for three sealed segments (4.7 s of audio), then kill mid-stream
            if line.strip() == "segments 3":
                break
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert list((data_dir / POINTERS).glob("*.ptr"))  # the spool the kill left

    settings = Settings(server_url="http://127.0.0.1:9", data_dir=data_dir)  # the app opening again
    model = build_model(settings, vault=vault_for(data_dir))
    try:
        assert not list((data_dir / POINTERS).glob("*.ptr"))
        assert not list((data_dir / "evidence").rglob(f"{TMP_PREFIX}*"))
        model.visit.resume(record_id)
        [audio] = [e for e in model.visit.record.evidence if e.media_type == "audio/wav"]
        assert RECOVERED in audio.flags and model.visit.record.media_log[-1].event == "recovered"
        with wave.open(io.BytesIO(model.evidence.read(audio.sha256))) as w:
            assert (w.getframerate(), w.getnchannels()) == (FORMAT.rate, FORMAT.channels)
            frames = w.readframes(w.getnframes())
        assert w.getnframes() / w.getframerate() >= 4.5  # three sealed segments: the first is short (before the measure)
        second = tone(FORMAT, 1.0)
        assert frames == (second * 60)[:len(frames)]  # exactly what was fed, from the start
        assert model.evidence.stored() == {audio.sha256}  # segments and journals gone
    finally:
        model.store.close()
