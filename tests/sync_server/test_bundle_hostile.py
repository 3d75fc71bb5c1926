"""Hostile files in a whole-visit bundle (issue 19, R10, R31): a visit's files sent in one batch are checked
exactly as files sent alone. An HTML or SVG page named a photo, a JPEG or PNG header over an HTML body, a
real phone photo cut short and a decompression bomb are stored as what they are (no allowed format), the
record citing them is refused with `evidence.type_not_allowed` naming the file, and nobody can open them
as a record's evidence; the same visit with its true photo merges."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from schemas.protocol import API_PREFIX, EVIDENCE_BATCH, batch_header
from schemas.records import EvidenceKind, Role
from tests.sync_server.helpers import PHOTOS, FieldTeam, Visit, home_visit, problem_of
from tests.sync_server.test_evidence_sniffing import HTML, JPEG_THEN_HTML, PNG_THEN_HTML, SVG

PHONE = (PHOTOS / "mobile" / "HMD_Nokia_8.3_5G.jpg").read_bytes()


def bomb() -> bytes:
    """A 12000 x 12000 one-bit PNG: a few kilobytes that decode to 144 million pixels."""
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")
    return out.getvalue()


def _bundle(team: FieldTeam, visit: Visit) -> list[dict]:
    members = [(sha, len(data)) for sha, data in visit.files.items()]
    response = team.client.post(f"{API_PREFIX}/evidence/batch", content=b"".join(visit.files.values()),
                                headers={**team.headers["zhangwei"], EVIDENCE_BATCH: batch_header(members)})
    assert response.status_code == 200, response.text
    return response.json()["files"]


def _visit_with(photo: bytes, declared: str = "image/jpeg") -> Visit:
    visit = home_visit()
    visit.add(photo, EvidenceKind.PHOTO, Role.SCENE, "zhangwei", declared)
    visit.record.evidence[-1].filename = "kitchen.jpg"
    return visit


@pytest.mark.parametrize("photo, declared", [
    (HTML, "image/jpeg"), (SVG, "image/png"), (JPEG_THEN_HTML, "image/jpeg"), (PNG_THEN_HTML, "image/png"),
    (PHONE[: len(PHONE) // 2], "image/jpeg"),  # a real phone photo cut in half
    (bomb(), "image/png"),
])
def test_a_hostile_photo_in_a_bundle_is_refused_as_when_sent_alone_r10_r31(team: FieldTeam, photo: bytes,
                                                                           declared: str):
    visit = _visit_with(photo, declared)
    assert all(item["stored"] for item in _bundle(team, visit))  # stored as what its bytes are
    problem = problem_of(team.post(team.seal(visit.record)))
    assert problem["status"] == 422 and problem["code"] == "evidence.type_not_allowed"
    assert "kitchen.jpg" in problem["detail"]
    assert visit.record.id not in team.merged_ids()


def test_the_same_visit_with_its_true_photo_merges_from_one_bundle_r10(team: FieldTeam):
    visit = _visit_with(PHONE)
    assert all(item["stored"] and item["created"] for item in _bundle(team, visit))
    assert team.post(team.seal(visit.record)).status_code == 200
    assert visit.record.id in team.merged_ids()
