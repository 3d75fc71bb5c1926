"""Audio and video in forms and records (R10, R12, R13): required / optional / off per form, the
same pure rule on tablet and server; files typed by content, never by name."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas.completeness import missing_items
from schemas.forms import Form, form_for
from schemas.media import MediaEvent, mp4_duration_s, sniff_audio, sniff_video
from schemas.records import EvidenceKind, Outcome, Role, VisitKind
from tests.schemas.factories import complete_record, evidence

HOME = form_for(VisitKind.HOME_VISIT)


def with_media(form: Form, **policy: str) -> Form:
    return form.model_copy(update=policy)


def codes(form: Form, record) -> list[str]:
    return [m.code for m in missing_items(form, record)]


def test_shipped_forms_state_their_media_policy():
    assert (HOME.audio, HOME.video, HOME.whole_visit_audio) == ("optional", "optional", "optional")
    neighbour = form_for(VisitKind.NEIGHBOUR_INTERVIEW)
    assert (neighbour.video, neighbour.whole_visit_audio) == ("off", "off")


@pytest.mark.parametrize("need", ["optional", "off"])
def test_optional_and_off_ask_for_nothing(need):
    form = with_media(HOME, audio=need, video=need, whole_visit_audio=need)
    assert codes(form, complete_record(form)) == []


def test_required_audio_and_video_are_missing_until_recorded_r10():
    form = with_media(HOME, audio="required", video="required")
    record = complete_record(form)
    assert codes(form, record) == ["evidence.audio", "evidence.video"]
    record.evidence += [evidence(EvidenceKind.AUDIO, Role.INTERVIEW, "zhangwei", "a"),
                        evidence(EvidenceKind.VIDEO, Role.SCENE, "zhangwei", "v")]
    assert codes(form, record) == []


def test_required_whole_visit_audio_needs_a_stopped_recording_in_the_record():
    form = with_media(HOME, whole_visit_audio="required")
    record = complete_record(form)
    audio = evidence(EvidenceKind.AUDIO, Role.INTERVIEW, "zhangwei", "w")
    record.evidence.append(audio)
    at = datetime(2026, 11, 20, 9, tzinfo=UTC)
    record.media_log = [MediaEvent(at=at, event="start", what="whole_visit")]
    assert codes(form, record) == ["evidence.audio.whole_visit"]  # started, never stopped
    record.media_log.append(MediaEvent(at=at, event="stop", what="whole_visit", sha256=audio.sha256))
    assert codes(form, record) == []


def test_a_refusal_needs_no_interview_audio_r13():
    form = with_media(HOME, audio="required")
    record = complete_record(form)
    record.outcome, record.refusal_note = Outcome.REFUSED, "户主拒绝开门"
    assert "evidence.audio" not in codes(form, record)


MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  "
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08\x42\x82\x84webm"


def test_video_typed_by_content_r12():
    assert sniff_video(MP4) == "video/mp4"
    assert sniff_video(MOV) == "video/quicktime"
    assert sniff_video(WEBM) == "video/webm"
    assert sniff_video(b"\xff\xd8\xff\xe0JFIF") is None  # a JPEG renamed .mp4
    assert sniff_video(b"") is None


def test_audio_typed_by_content():
    assert sniff_audio(b"RIFF\x00\x00\x00\x00WAVEfmt ") == "audio/wav"
    assert sniff_audio(b"\x00\x00\x00\x1cftypM4A ") == "audio/mp4"
    assert sniff_audio(b"\xff\xf1\x50\x80") == "audio/aac"
    assert sniff_audio(b"ID3\x04") == "audio/mpeg"
    assert sniff_audio(b"%PDF-1.7") is None


def test_mp4_duration_from_its_mvhd_box():
    mvhd = b"mvhd" + b"\x00" * 4 + b"\x00" * 8 + (1000).to_bytes(4, "big") + (12500).to_bytes(4, "big") + b"\x00" * 20
    assert mp4_duration_s(MP4 + b"\x00\x00\x00\x6c" + mvhd) == 12.5
    assert mp4_duration_s(MP4) is None
