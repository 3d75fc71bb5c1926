"""The console plays audio and video inline only for allowed types (R10 evidence review); anything
else stays a download link."""
from __future__ import annotations

from schemas.records import EvidenceKind
from sync_server.casework.presentation import player_of


def test_allowed_audio_and_video_get_an_inline_player():
    assert player_of(EvidenceKind.AUDIO, "audio/wav") == "audio"
    assert player_of(EvidenceKind.AUDIO, "audio/mp4") == "audio"
    assert player_of(EvidenceKind.VIDEO, "video/mp4") == "video"
    assert player_of(EvidenceKind.VIDEO, "video/webm") == "video"


def test_other_types_and_mismatched_kinds_get_no_player():
    assert player_of(EvidenceKind.AUDIO, "text/html") == ""
    assert player_of(EvidenceKind.VIDEO, "audio/wav") == ""
    assert player_of(EvidenceKind.DOCUMENT, "video/mp4") == ""
    assert player_of(EvidenceKind.PHOTO, "image/jpeg") == ""


def test_the_case_page_plays_a_recorded_interview_inline_r10(team):
    """A WAV in a synced record gets an <audio> player pointing at its evidence URL, which serves it."""
    from field_app.capture.wav import PcmFormat, wav_header
    from schemas.records import Role
    from tests.sync_server.console_client import console_login
    from tests.sync_server.helpers import home_visit

    pcm = bytes(range(256)) * 250
    wav = wav_header(PcmFormat(16000, 1), len(pcm)) + pcm
    visit = home_visit()
    visit.add(wav, EvidenceKind.AUDIO, Role.INTERVIEW, "zhangwei", "audio/wav", "访谈录音")
    assert team.submit(visit).json()["status"] == "merged"
    console_login(team.client, "wangfang")
    page = team.client.get("/console/cases/case-yb-2026-0001").text
    sha = visit.record.evidence[-1].sha256
    assert f'<audio controls preload="metadata" src="/console/evidence/{sha}"></audio>' in page
    assert "访谈录音" in page and "<video" not in page
    served = team.client.get(f"/console/evidence/{sha}")
    assert served.content == wav and served.headers["content-type"] == "audio/wav"
