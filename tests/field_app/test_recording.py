"""Interview audio on the tablet (R10): the recorder's states, elapsed time with pauses left out
(injected clock), the WAV sealed encrypted with the stream's real format, the recording log, and
what a kill mid-recording leaves (kept as a valid WAV, or discarded)."""
from __future__ import annotations

import io
import wave

import pytest

from field_app.capture import audio_spool
from field_app.capture.wav import PcmFormat
from field_app.errors import VisitError
from field_app.viewmodels import VisitEditor
from field_app.viewmodels.recording import Recorder, RecState
from field_app.viewmodels.recovery import RECOVERED, recover_recordings
from schemas.records import EvidenceKind, Role, VisitKind
from tests.field_app.helpers import Ticks, cache_case, case_summary, start_notified
from tests.field_app.test_wav import tone


@pytest.fixture
def editor(editor: VisitEditor) -> VisitEditor:
    """With a home visit open and its notification done (capture is allowed)."""
    start_notified(editor, case_summary())
    return editor


def stream(recorder: Recorder, ticks: Ticks, fmt: PcmFormat, seconds: float, chunk_s: float = 0.1) -> bytes:
    """Feed `seconds` of a tone in chunks, moving the clock as a live stream would."""
    pcm = tone(fmt, seconds)
    step = int(fmt.byte_rate * chunk_s)
    for i in range(0, len(pcm), step):
        recorder.feed(pcm[i:i + step])
        ticks.t += chunk_s
    return pcm


def test_start_pause_resume_stop_and_elapsed_time_without_pauses_r10(recorder, ticks, editor):
    recorder.start()
    assert recorder.state == RecState.RECORDING
    ticks.t += 3
    assert recorder.elapsed_s == pytest.approx(3)
    recorder.pause()
    ticks.t += 60  # paused for a minute
    assert recorder.state == RecState.PAUSED and recorder.elapsed_s == pytest.approx(3)
    recorder.resume()
    ticks.t += 2
    assert recorder.elapsed_s == pytest.approx(5)
    with pytest.raises(VisitError):
        recorder.start()  # one recording at a time
    recorder.stop()
    assert recorder.state == RecState.IDLE
    assert [m.event for m in editor.record.media_log] == ["start", "pause", "resume", "discarded"]


def test_stop_seals_a_wav_of_the_real_format_listed_in_the_record_r10(recorder, ticks, editor, evidence):
    """The request is 16 kHz mono; the stream is 48 kHz mono: the header says 48 kHz."""
    real = PcmFormat(48000, 1)
    recorder.start()
    pcm = stream(recorder, ticks, real, 5.0)
    assert recorder.size == len(pcm) and recorder.level > 0.1
    ref = recorder.stop()
    assert ref is not None and ref.kind == EvidenceKind.AUDIO and ref.role == Role.INTERVIEW
    assert ref.media_type == "audio/wav" and ref.duration_s == pytest.approx(5.0, abs=0.01)
    with wave.open(io.BytesIO(evidence.read(ref.sha256))) as w:
        assert (w.getframerate(), w.getnchannels()) == (48000, 1)
        assert w.readframes(w.getnframes()) == pcm
    assert editor.record.evidence[-1].sha256 == ref.sha256
    assert [m.event for m in editor.record.media_log] == ["start", "stop"]
    assert editor.record.media_log[-1].sha256 == ref.sha256


def test_chunks_during_a_pause_are_not_recorded(recorder, ticks, evidence):
    fmt = PcmFormat(16000, 1)
    recorder.start()
    first = stream(recorder, ticks, fmt, 2.0)
    recorder.pause()
    stream(recorder, ticks, fmt, 1.0)
    recorder.resume()
    second = stream(recorder, ticks, fmt, 1.0)
    ref = recorder.stop()
    with wave.open(io.BytesIO(evidence.read(ref.sha256))) as w:
        assert w.readframes(w.getnframes()) == first + second


def test_no_plaintext_audio_on_disk_and_the_spool_is_gone_after_stop(recorder, ticks, data_dir, evidence):
    """The PCM goes into the encrypted store in segments; nothing of it is readable on disk."""
    recorder.start()
    pcm = stream(recorder, ticks, PcmFormat(16000, 1), 5.0)
    marker = pcm[32000:32064]
    on_disk = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    assert marker not in on_disk
    recorder.stop()
    assert not list((data_dir / audio_spool.POINTERS).glob("*.ptr"))
    assert len(evidence.stored()) == 1  # the WAV only: segments and journals shredded


def test_nothing_recorded_before_the_notification_step_r8(store, evidence, team, clock, data_dir, ticks):
    case = case_summary()
    cache_case(store, case)
    editor = VisitEditor(store, evidence, team, clock)
    editor.start(case, VisitKind.HOME_VISIT)
    with pytest.raises(VisitError):
        Recorder(editor, data_dir / "recordings", ticks).start()


def test_a_spool_left_by_a_kill_becomes_a_valid_wav_in_its_draft(recorder, ticks, editor, store, evidence, data_dir):
    """What the app had sealed before dying (whole segments) is kept, flagged, and logged as recovered."""
    recorder.start("whole_visit")
    pcm = stream(recorder, ticks, PcmFormat(44100, 2), 5.0)
    kept = recorder._spool.journal.pcm_bytes  # sealed segments; the rest dies with the process
    assert 0 < kept < len(pcm)
    recovered = recover_recordings(store, evidence, data_dir / audio_spool.POINTERS)
    assert len(recovered) == 1 and RECOVERED in recovered[0].flags
    editor.resume(editor.record.id)
    with wave.open(io.BytesIO(evidence.read(recovered[0].sha256))) as w:
        assert (w.getframerate(), w.getnchannels()) == (44100, 2)
        assert w.readframes(w.getnframes()) == pcm[:kept]
    assert editor.record.media_log[-1].event == "recovered" and editor.record.media_log[-1].what == "whole_visit"
    assert recovered[0].sha256 in {e.sha256 for e in editor.record.evidence}
    assert evidence.stored() == {recovered[0].sha256}


def test_a_spool_of_a_discarded_draft_is_deleted(recorder, ticks, editor, store, evidence, data_dir):
    recorder.start()
    stream(recorder, ticks, PcmFormat(16000, 1), 5.0)
    editor.discard()
    assert recover_recordings(store, evidence, data_dir / audio_spool.POINTERS) == []
    assert evidence.stored() == set()


MP4_HEAD = (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
            + b"\x00\x00\x00\x6cmoov\x00\x00\x00\x64mvhd" + b"\x00" * 12 + (600).to_bytes(4, "big")
            + (4200).to_bytes(4, "big") + b"\x00" * 80)


def test_a_video_clip_proves_inability_to_sign_sealed_like_a_photo_r12(editor, evidence):
    from field_app.viewmodels.clips import add_video

    clip = MP4_HEAD + bytes(range(256)) * 4000
    ref = add_video(editor, clip, "无法签名.mp4", Role.CANNOT_SIGN_PROOF)
    assert ref.kind == EvidenceKind.VIDEO and ref.media_type == "video/mp4" and ref.duration_s == 7.0
    assert ref.size == len(clip) and evidence.read(ref.sha256) == clip
    assert ref in editor.evidence_of(Role.CANNOT_SIGN_PROOF)


def test_a_file_named_mp4_that_is_not_a_video_is_refused_naming_it(editor):
    from field_app.viewmodels.clips import add_video

    with pytest.raises(VisitError, match="照片.mp4"):
        add_video(editor, b"\xff\xd8\xff\xe0" + bytes(5000), "照片.mp4")
    assert editor.record.evidence == []


def test_a_slow_start_of_the_stream_does_not_fix_a_wrong_format_in_the_journal(recorder, ticks):
    """On a busy tablet the first second can arrive at a quarter of its rate; the journal a kill would
    leave carries the measure of everything so far, not of that first second."""
    real = PcmFormat(44100, 2)
    recorder.start()
    pcm = tone(real, 8.0)
    step = real.byte_rate // 10
    for n, i in enumerate(range(0, len(pcm), step)):
        recorder.feed(pcm[i:i + step])
        ticks.t += 0.4 if n < 10 else 0.1  # the first ten chunks come four times too slowly
    assert recorder._spool.journal.fmt == real


def test_quiet_time_counts_from_the_last_chunk(recorder, ticks):
    recorder.start()
    recorder.feed(bytes(3200))
    ticks.t += 0.25
    assert recorder.quiet_s() == pytest.approx(0.25)


def test_a_spool_with_a_lost_segment_is_discarded_cleanly_never_half_sealed(recorder, ticks, editor, store,
                                                                            evidence, data_dir):
    recorder.start()
    stream(recorder, ticks, PcmFormat(16000, 1), 5.0)
    first_segment = recorder._spool.journal.segments[0][0]
    evidence.delete(first_segment)  # e.g. a damaged flash block
    assert recover_recordings(store, evidence, data_dir / audio_spool.POINTERS) == []
    editor.resume(editor.record.id)
    assert [e for e in editor.record.evidence if e.kind == EvidenceKind.AUDIO] == []
    assert not list((data_dir / audio_spool.POINTERS).glob("*.ptr")) and evidence.stored() == set()
