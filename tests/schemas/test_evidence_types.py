"""What a file is, from its leading bytes; which declared types each evidence kind allows (issue 5 §2, R10).

Real files where this machine can make them (camera JPEGs, HEIC, PNG and WebP and PDF written by Pillow,
WAV written by the `wave` module); the audio/video containers it cannot record are built header by header
as their specifications lay them out (ISO BMFF `ftyp` box, EBML header, Ogg page, ID3 tag, MPEG frame).
"""
from __future__ import annotations

import io
import wave

import pytest
from PIL import Image

from schemas.evidence_types import ALLOWED, declared_matches, sniff_head
from schemas.records import EvidenceKind
from tests.media import PHOTOS


def pillow_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 120, 40)).save(out, fmt)
    return out.getvalue()


def wav_bytes() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(16000)
        sound.writeframes(b"\x00\x01" * 1600)
    return out.getvalue()


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00\x00\x00\x08free"


def ebml(doctype: bytes) -> bytes:
    return b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82" + bytes([0x80 | len(doctype)]) + doctype


KNOWN = {
    "camera JPEG": ((PHOTOS / "Canon_40D.jpg").read_bytes(), "image/jpeg"),
    "iPhone HEIC": ((PHOTOS / "heic" / "iphone_13_pro_max.HEIC").read_bytes()[:64], "image/heic"),
    "HEIF (mif1)": ((PHOTOS / "heic" / "samplefilehub.heif").read_bytes()[:64], "image/heic"),
    "PNG": (pillow_bytes("PNG"), "image/png"),
    "WebP": (pillow_bytes("WEBP"), "image/webp"),
    "PDF": (pillow_bytes("PDF"), "application/pdf"),
    "WAV": (wav_bytes(), "audio/wav"),
    "M4A": (ftyp(b"M4A ", b"M4A ", b"mp42", b"isom"), "audio/mp4"),
    "MP4": (ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), "video/mp4"),
    "MP4 (mp42)": (ftyp(b"mp42", b"mp42", b"isom"), "video/mp4"),
    "MOV": (ftyp(b"qt  ", b"qt  "), "video/quicktime"),
    "WebM": (ebml(b"webm"), "video/webm"),
    "Ogg": (b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x1eOpusHead", "audio/ogg"),
    "MP3 with ID3": (b"ID3\x04\x00\x00\x00\x00\x00\x23" + b"\x00" * 30, "audio/mpeg"),
    "MP3 frame": (b"\xff\xfb\x90\x64" + b"\x00" * 40, "audio/mpeg"),
}
REFUSED = {
    "HTML": b"<!doctype html><html><script>fetch('/x')</script></html>",
    "HTML, leading spaces": b"   \n<html><body onload=alert(1)>",
    "SVG": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "SVG with XML prolog": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
    "HTML with a PNG signature later": b"<html><script>alert(1)</script>\x89PNG\r\n\x1a\n" + b"\x00" * 20,
    "GIF": b"GIF89a\x01\x00\x01\x00\x80\x00\x00",
    "Matroska": ebml(b"matroska"),
    "AVIF": ftyp(b"avif", b"avif", b"mif1", b"miaf"),
    "empty": b"",
    "XML": b"<?xml version='1.0'?><x/>",
    "ZIP": b"PK\x03\x04" + b"\x00" * 30,
}


@pytest.mark.parametrize("name", KNOWN)
def test_each_format_the_tablet_makes_is_known_by_its_bytes(name: str):
    data, media = KNOWN[name]
    assert sniff_head(data[:64]) == media


@pytest.mark.parametrize("name", REFUSED)
def test_markup_and_formats_no_evidence_kind_allows_are_no_type_at_all(name: str):
    """Issue 5 §2: HTML, SVG and polyglots that do not start as an allowed format sniff as nothing."""
    assert sniff_head(REFUSED[name][:64]) is None


@pytest.mark.parametrize("kind, declared, sniffed, ok", [
    (EvidenceKind.PHOTO, "image/jpeg", "image/jpeg", True),
    (EvidenceKind.PHOTO, "image/heif", "image/heic", True),
    (EvidenceKind.PHOTO, "image/png", "image/jpeg", False),  # declared type must be the truth
    (EvidenceKind.PHOTO, "image/svg+xml", None, False),
    (EvidenceKind.PHOTO, "text/html", None, False),
    (EvidenceKind.PHOTO, "application/pdf", "application/pdf", False),  # true, but no photo
    (EvidenceKind.SIGNATURE, "image/png", "image/png", True),
    (EvidenceKind.SIGNATURE, "image/jpeg", "image/jpeg", False),
    (EvidenceKind.DOCUMENT, "application/pdf", "application/pdf", True),
    (EvidenceKind.DOCUMENT, "image/jpeg", "image/jpeg", True),
    (EvidenceKind.AUDIO, "audio/mp4", "audio/mp4", True),
    (EvidenceKind.AUDIO, "audio/x-m4a", "video/mp4", True),  # an .m4a whose major brand is isom
    (EvidenceKind.AUDIO, "audio/wav", "audio/wav", True),
    (EvidenceKind.AUDIO, "audio/ogg", "audio/ogg", True),
    (EvidenceKind.AUDIO, "audio/webm", "video/webm", True),
    (EvidenceKind.AUDIO, "audio/mpeg", "audio/mpeg", True),
    (EvidenceKind.AUDIO, "video/mp4", "video/mp4", False),
    (EvidenceKind.VIDEO, "video/quicktime", "video/quicktime", True),
    (EvidenceKind.VIDEO, "video/mp4", "video/quicktime", False),
    (EvidenceKind.VIDEO, "video/webm", "video/webm", True),
    (EvidenceKind.VIDEO, "text/html; charset=utf-8", None, False),
    (EvidenceKind.PHOTO, "IMAGE/JPEG", "image/jpeg", True),
])
def test_a_declared_type_must_be_allowed_for_its_kind_and_true(kind, declared, sniffed, ok):
    assert declared_matches(kind, declared, sniffed) is ok


def test_every_kind_has_an_allow_list_without_markup():
    for kind in EvidenceKind:
        assert ALLOWED[kind], kind
        assert not {t for t in ALLOWED[kind] if "html" in t or "svg" in t or "xml" in t or "text/" in t}


def test_only_a_signatures_raw_strokes_pass_as_json_evidence() -> None:
    """Stroke files (w7 capture) are the one JSON evidence: exactly height, width and [t, x, y] strokes."""
    from schemas.evidence_types import is_strokes_json

    good = b'{"height":240,"strokes":[[[0.0,1.5,2.0],[0.1,3.0,4.5]]],"width":600}'
    assert sniff_head(good) == "application/json" and is_strokes_json(good)
    assert declared_matches(EvidenceKind.DOCUMENT, "application/json", "application/json")
    assert not declared_matches(EvidenceKind.PHOTO, "application/json", "application/json")
    for bad in (b'{"height":240,"strokes":[],"width":600,"x":"<script>"}', b'{"height":"<b>","strokes":[],"width":1}',
                b'{"height":1,"strokes":[[["a",1,2]]],"width":1}', b'{"height":1,"strokes":[]', b"<svg onload=x>"):
        assert not is_strokes_json(bad)
