"""Audio and video in records (pure): what a form asks for, the recording log, and content sniffing.

A form says per medium whether it is required, optional or off (`Form.audio`, `video`,
`whole_visit_audio`); schemas.completeness enforces it on tablet and server alike. A whole-visit recording logs its
start, pauses and stop in the record (`MediaEvent`), so the reviewer sees what the audio covers.
Files are typed by their first bytes, never by their name.
"""
from __future__ import annotations

from datetime import datetime

from schemas.text import WireModel


class MediaEvent(WireModel):
    """One line of the recording log: start, pause, resume, stop, recovered (after a kill) or discarded."""

    at: datetime
    event: str
    what: str = "interview"  # interview | whole_visit
    by: str = ""
    sha256: str = ""  # the sealed WAV, on stop and recovered


AUDIO_TYPES = {"audio/wav", "audio/mp4", "audio/aac", "audio/ogg", "audio/webm", "audio/mpeg", "audio/flac"}
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm"}
NOT_A_VIDEO = "“{name}”不是可用的视频文件（只接受 MP4、MOV、WebM）"
NOT_AN_AUDIO = "“{name}”不是可用的录音文件（只接受 WAV、M4A/AAC、OGG、WebM、MP3、FLAC）"


def sniff_video(head: bytes) -> str | None:
    """The media type of a video from its first bytes (MP4, MOV, WebM), or None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        return "video/quicktime" if brand == b"qt  " else "video/mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head[:64]:
        return "video/webm"
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "video/quicktime"  # old QuickTime files start with an atom other than ftyp
    return None


def sniff_audio(head: bytes) -> str | None:
    """The media type of an audio file from its first bytes, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "audio/mp4"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "audio/webm"
    if head[:3] == b"ID3":
        return "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:  # a frame sync: ADTS AAC or MPEG audio
        return "audio/aac" if head[1] & 0x06 == 0 else "audio/mpeg"
    return None


def mp4_duration_s(data: bytes) -> float | None:
    """Duration of an MP4/MOV from its `mvhd` box, if it is within `data` (cheap: no decoding)."""
    at = data.find(b"mvhd")
    if at < 4 or len(data) < at + 32:
        return None
    version = data[at + 4]
    body = at + 8
    if version == 1:
        scale = int.from_bytes(data[body + 16:body + 20], "big")
        length = int.from_bytes(data[body + 20:body + 28], "big")
    else:
        scale = int.from_bytes(data[body + 8:body + 12], "big")
        length = int.from_bytes(data[body + 12:body + 16], "big")
    return round(length / scale, 2) if scale else None
