"""Interview audio in the real UI (Chromium with a fake microphone fed from a WAV file): a refusal at
the door is recorded for a few seconds, stopped, sealed and synced; the server holds a valid WAV of
plausible length with the stream's real rate and channels (R10, R13)."""
from __future__ import annotations

import io
import math
import os
import signal
import struct
import wave

import pytest
from playwright.sync_api import sync_playwright

from field_app.store import queries as q
from field_app.viewmodels.recovery import RECOVERED
from schemas.records import EvidenceKind, SealedRecord
from tests.end_to_end.conftest import ARTIFACTS
from tests.end_to_end.flet_browser import (
    fill_field,
    launch_browser,
    tap,
    wait_text,
)
from tests.end_to_end.flows import open_tablet, tablet_store, visit_at_the_door
from tests.end_to_end.test_home_visit import CASE, HOME, REVIEWER

MEDIA_FLAGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def _tone_wav(path, seconds: float = 20.0, rate: int = 48000) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(9000 * math.sin(2 * math.pi * 440 * i / rate)))
                               for i in range(int(rate * seconds))))


@pytest.fixture(scope="module")
def microphone_browser(tmp_path_factory):
    """Chromium whose microphone plays a 440 Hz tone from a WAV file."""
    wav = tmp_path_factory.mktemp("mic") / "tone.wav"
    _tone_wav(wav)
    with sync_playwright() as pw:
        chromium = launch_browser(pw, [*MEDIA_FLAGS, f"--use-file-for-fake-audio-capture={wav}"])
        yield chromium
        chromium.close()


def _elapsed_at_least(page, seconds: int, timeout_ms: float = 30_000) -> None:
    """Wait until the recorder's clock shows `seconds` (a condition, not a fixed wait)."""
    text = f"00:00:{seconds:02d}"
    wait_text(page, text, timeout=timeout_ms)


def test_a_recorded_refusal_reaches_the_server_as_a_valid_wav_r10_r13(product, microphone_browser):
    context, page, tablet = visit_at_the_door(microphone_browser, product, "audio", refuse=True,
                                              permissions=("microphone",))
    fill_field(page, HOME.refusal_label, "户主隔门表示不需要救助，拒绝开门，全程录音。")
    tap(page, "audio-start")
    wait_text(page, "正在录音")
    _elapsed_at_least(page, 4)
    tablet.shot("recording")
    tap(page, "audio-stop")
    wait_text(page, "录音已保存", timeout=30_000)
    page.locator('[flt-semantics-identifier="audio-file"]').first.wait_for(timeout=10_000)
    tablet.shot("recorded")
    tablet.next_step()
    tablet.sign_team()
    tablet.next_step()
    tablet.seal()
    tap(page, "nav-outbox")
    tap(page, "sync-button")
    wait_text(page, "已上传 1 份", timeout=60_000)
    context.close()

    api = product.api(*REVIEWER)
    try:
        detail = api.get(f"/cases/{CASE}").json()
        [record] = [SealedRecord.model_validate(r["sealed"]).record for r in detail["records"]]
        [audio] = [e for e in record.evidence if e.kind == EvidenceKind.AUDIO]
        data = api.get(f"/evidence/{audio.sha256}").content
    finally:
        api.close()
    (ARTIFACTS / "refusal-at-the-door.wav").write_bytes(data)  # to listen to when this fails
    assert audio.media_type == "audio/wav" and audio.size == len(data)
    with wave.open(io.BytesIO(data)) as w:
        rate, channels, frames = w.getframerate(), w.getnchannels(), w.getnframes()
        pcm = w.readframes(frames)
    seconds = frames / rate
    print(f"server WAV: {rate} Hz, {channels} ch, {seconds:.2f} s, {len(data)} bytes")
    assert rate in (16000, 44100, 48000) and channels in (1, 2)
    assert 3.5 <= seconds <= 15.0  # about 4 s on the clock, however the stream was cut into chunks
    assert audio.duration_s == pytest.approx(seconds, abs=0.05)
    assert [m.event for m in record.media_log][:1] == ["start"] and record.media_log[-1].event == "stop"
    samples = struct.unpack(f"<{len(pcm) // 2}h", pcm)[::channels]
    loud = sum(abs(v) for v in samples) / len(samples)
    assert loud > 1000  # the tone, not silence: the microphone's samples reached the file
    print(f"tone heard at {_frequency(samples, rate):.0f} Hz")
    # the header's rate is the real one: 44.1 kHz labelled 48 kHz reads 479 Hz (a busy CI run read 471
    # before the format was measured by a median of windows: tests/field_app/test_stream_meter.py)
    assert _frequency(samples, rate) == pytest.approx(440, rel=0.04)


def _frequency(samples, rate: int) -> float:
    """The tone's frequency by upward zero crossings over the loud part, at the header's sample rate."""
    loud = [i for i, v in enumerate(samples) if abs(v) > 4000]
    part = samples[loud[0]:loud[-1]]
    ups = [i for i in range(1, len(part)) if part[i - 1] < 0 <= part[i]]
    return (len(ups) - 1) / ((ups[-1] - ups[0]) / rate)


def test_the_app_killed_mid_recording_keeps_what_was_recorded_as_a_valid_wav_r10(product, microphone_browser):
    """SIGKILL of the tablet app's process group while recording; after a restart, the draft holds one
    WAV of what was recorded (up to the last sealed 2 s segment), flagged as recovered, never half-sealed."""
    context, page, tablet = visit_at_the_door(microphone_browser, product, "audio-kill", refuse=True,
                                              permissions=("microphone",))
    tap(page, "audio-whole-visit")
    wait_text(page, "正在录音")
    _elapsed_at_least(page, 6)
    os.killpg(product.app.pid, signal.SIGKILL)  # no handler runs: the recording is cut mid-stream
    product.app.wait(10)
    product.app = None
    context.close()

    product.start_app()  # recovery runs as the app opens
    store, evidence = tablet_store(product.root)
    try:
        with store.reading() as s:
            [draft] = q.drafts(s, CASE)
        [audio] = [e for e in draft.evidence if e.kind == EvidenceKind.AUDIO]
        assert RECOVERED in audio.flags and draft.media_log[-1].event == "recovered"
        assert draft.media_log[-1].what == "whole_visit"
        assert evidence.verify(audio.sha256)
        with wave.open(io.BytesIO(evidence.read(audio.sha256))) as w:
            seconds = w.getnframes() / w.getframerate()
        print(f"recovered WAV: {w.getframerate()} Hz, {w.getnchannels()} ch, {seconds:.2f} s")
        assert 2.0 <= seconds <= 8.0  # up to the last whole segment before the kill
        assert not list((product.root / "tablet" / "recordings").glob("*.ptr"))
    finally:
        store.close()

    context, page, tablet = open_tablet(microphone_browser, product, "audio-kill-after")
    tablet.sign_in_team()
    tap(page, "go-cases")
    tap(page, f"resume-{draft.id}")
    tablet.go_step("refusal")
    page.locator('[flt-semantics-identifier="audio-file"]').first.wait_for(timeout=15_000)
    wait_text(page, "应用中断")
    tablet.shot("recovered")
    context.close()


def test_a_recording_plays_back_on_the_tablet_r10(product, microphone_browser):
    """The clip just recorded plays in the browser from the decrypted bytes: the button turns to 暂停."""
    context, page, tablet = visit_at_the_door(microphone_browser, product, "playback", refuse=True,
                                              permissions=("microphone",))
    tap(page, "audio-start")
    wait_text(page, "正在录音")
    _elapsed_at_least(page, 3)
    tap(page, "audio-stop")
    wait_text(page, "录音已保存", timeout=30_000)
    tap(page, "audio-play-0", timeout=30_000)
    wait_text(page, "暂停", timeout=30_000)  # the player reported "playing"
    tablet.shot("playing")
    # Position and end are not checked here: flet-audio 1.0.5 in this Chromium reports them unreliably
    # (seen on 2026-11-23: position stuck at 00:00 on a busy machine, no "completed"); what the tablet does
    # with those events is unit-tested (test_playback.py).
    context.close()
