"""Ingest sniffs every cited file (issue 5 §2, R10): a record whose file is not what it declares, or not
a format its evidence kind allows, is refused with `evidence.type_not_allowed` naming the file."""
from __future__ import annotations

import io
import wave

import pytest
from PIL import Image

from schemas.records import EvidenceKind, Role
from tests.sync_server.helpers import PHOTOS, FieldTeam, Visit, home_visit, problem_of

pytestmark = pytest.mark.both_databases

JPEG = (PHOTOS / "Canon_40D.jpg").read_bytes()
HTML = b"<!doctype html><html><body><script>fetch('/console/cases')</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\'/console/cases\')"><rect/></svg>'
JPEG_THEN_HTML = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + HTML
PNG_THEN_HTML = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02" + HTML


def pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PDF")
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "WEBP")
    return out.getvalue()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x10\x00" * 800)
    return out.getvalue()


def with_file(data: bytes, kind: EvidenceKind, media_type: str, filename: str) -> Visit:
    visit = home_visit()
    visit.add(data, kind, Role.SCENE, "zhangwei", media_type)
    visit.record.evidence[-1].filename = filename
    return visit


@pytest.mark.parametrize("data, kind, declared, filename, actual", [
    (HTML, EvidenceKind.PHOTO, "image/jpeg", "kitchen.jpg", None),
    (HTML, EvidenceKind.DOCUMENT, "text/html", "letter.html", None),
    (SVG, EvidenceKind.PHOTO, "image/png", "floor.png", None),
    (SVG, EvidenceKind.DOCUMENT, "image/svg+xml", "plan.svg", None),
    (JPEG_THEN_HTML, EvidenceKind.PHOTO, "image/jpeg", "door.jpg", None),  # JPEG header, HTML body
    (PNG_THEN_HTML, EvidenceKind.SIGNATURE, "image/png", "sign.png", None),
    (JPEG, EvidenceKind.PHOTO, "image/png", "room.png", "image/jpeg"),  # true bytes, false declaration
    (JPEG, EvidenceKind.SIGNATURE, "image/jpeg", "sign.jpg", "image/jpeg"),  # signatures are PNG only
    (pdf(), EvidenceKind.PHOTO, "application/pdf", "scan.pdf", "application/pdf"),
    (b"%PDF-1.4\n" + HTML, EvidenceKind.DOCUMENT, "application/pdf", "letter.pdf", None),  # no %%EOF
    (wav(), EvidenceKind.VIDEO, "audio/wav", "talk.wav", "audio/wav"),
])
def test_a_file_that_is_not_what_it_declares_or_not_allowed_for_its_kind_is_refused(
        team: FieldTeam, data: bytes, kind: EvidenceKind, declared: str, filename: str, actual: str | None):
    """Issue 5 §2: HTML, SVG and polyglots never become evidence, whatever the tablet declared."""
    visit = with_file(data, kind, declared, filename)
    problem = problem_of(team.submit(visit))
    assert problem["status"] == 422 and problem["code"] == "evidence.type_not_allowed"
    assert filename in problem["detail"] and problem["data"]["declared"] == declared
    assert problem["data"]["actual"] == actual and problem["data"]["kind"] == kind.value
    assert team.merged_ids() == []


@pytest.mark.parametrize("data, kind, declared", [
    (pdf(), EvidenceKind.DOCUMENT, "application/pdf"),
    (JPEG, EvidenceKind.DOCUMENT, "image/jpeg"),
    (wav(), EvidenceKind.AUDIO, "audio/wav"),
    (webp(), EvidenceKind.PHOTO, "image/webp"),  # the tablet accepts WebP photos too
    ((PHOTOS / "heic" / "samplefilehub.heif").read_bytes(), EvidenceKind.PHOTO, "image/heif"),
])
def test_files_of_allowed_formats_declared_truly_are_merged(team: FieldTeam, data: bytes, kind: EvidenceKind,
                                                           declared: str):
    """R10: the formats the tablet records pass the same check."""
    assert team.submit(with_file(data, kind, declared, "ok")).json()["status"] == "merged"


def test_a_damaged_photo_is_no_photo(team: FieldTeam):
    """A JPEG cut in half starts like one, but Pillow cannot decode it: refused, not merged."""
    visit = with_file(JPEG[: len(JPEG) // 2], EvidenceKind.PHOTO, "image/jpeg", "half.jpg")
    assert problem_of(team.submit(visit))["code"] == "evidence.type_not_allowed"


def test_each_file_is_sniffed_once_at_upload_not_again_for_each_record(app, team: FieldTeam, monkeypatch):
    """A phone's HEIC takes a second or more to decode: the upload records the type, ingest reads it."""
    from sqlmodel import select

    from sync_server.evidence import sniffing
    from sync_server.tables import EvidenceType

    visit = with_file(HTML, EvidenceKind.DOCUMENT, "text/html", "x.html")
    team.upload(visit.files)
    with app.state.services.session() as session:
        types = {row.sha256: row.media_type for row in session.exec(select(EvidenceType))}
    assert {types[e.sha256] for e in visit.record.evidence} == {"image/jpeg", "image/png", None}

    def no_decoding(_path):
        raise AssertionError("sniffed again at ingest")

    monkeypatch.setattr(sniffing, "sniff_file", no_decoding)
    assert problem_of(team.post(team.seal(visit.record)))["code"] == "evidence.type_not_allowed"
    visit.record.evidence.pop()
    assert team.post(team.seal(visit.record)).json()["status"] == "merged"
