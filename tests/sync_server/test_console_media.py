"""The console plays audio and video inline only for allowed types (R10 evidence review); anything
else stays a download link."""
from __future__ import annotations

from schemas.records import EvidenceKind
from sync_server.console.views import player_of


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
