"""The findings function as a table (R10, R30, R42): real camera files from test-media (GPS, no EXIF, HEIC,
HDR, orientation, phone photos) and synthetic records (before release, no fix, far away, mock location).

Each row is a record with one piece of evidence or one fix, the case it belongs to, and the exact set of
(code, target) findings expected: a rule that stops firing, or fires where it should not, fails its row."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from schemas.findings import CaseContext, Finding, label_of, record_findings
from schemas.photo_facts import read_photo, read_strokes
from schemas.records import (
    EvidenceKind,
    EvidenceRef,
    Location,
    LocationFix,
    Origin,
    Role,
    SurveyRecord,
    VisitKind,
)
from tests.media import PHOTOS, TEST_MEDIA

HOME = (29.5893, 106.5318)  # the demo household, Chongqing
NEAR = Location(lat=29.5895, lon=106.5320, accuracy_m=8)  # about 30 m away
START = datetime(2026, 11, 17, 1, 30, tzinfo=UTC)  # 09:30 Beijing
CASE = CaseContext(household=HOME, released_at=START - timedelta(days=1), deadline=date(2026, 11, 30))
GOOD_FIX = LocationFix(at=START, location=NEAR)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record(*evidence: EvidenceRef, start: datetime = START, **fields: Any) -> SurveyRecord:
    values: dict[str, object] = {"start_fix": GOOD_FIX, "seal_fix": GOOD_FIX, **fields}
    return SurveyRecord.model_validate({
        "id": "rec-findings-1", "case_id": "case-1", "kind": VisitKind.HOME_VISIT, "form_id": "home_visit",
        "form_version": 2, "surveyors": ["zhangwei", "lina"], "started_at": start,
        "sealed_at": start + timedelta(minutes=40), "evidence": list(evidence), **values})


def photo(name: str, origin: Origin | None, at: datetime = START + timedelta(minutes=10),
          where: Location | None = NEAR) -> tuple[EvidenceRef, bytes]:
    data = (PHOTOS / name).read_bytes()
    ref = EvidenceRef(sha256=sha(data), size=len(data), media_type="image/jpeg", kind=EvidenceKind.PHOTO,
                      role=Role.SCENE, captured_at=at, captured_by="zhangwei", origin=origin, location=where)
    return ref, data


def judge(rec: SurveyRecord, files: dict[str, bytes], case: CaseContext = CASE) -> set[tuple[str, str]]:
    facts = {s: read_photo(b, s) for s, b in files.items()}
    strokes = {s: f for s, b in files.items() if (f := read_strokes(b, s)) is not None}
    return {f.key for f in record_findings(rec, case, facts, strokes)}


PHOTO_TABLE = [
    # file, origin, expected codes on the photo
    ("gps/DSCN0010.jpg", Origin.CAMERA, {"outside_visit_window", "far_from_household"}),  # 2008, Tuscany
    ("gps/DSCN0025.jpg", Origin.IMPORT, {"imported", "outside_visit_window", "far_from_household"}),
    ("mobile/HMD_Nokia_8.3_5G.jpg", Origin.IMPORT, {"imported", "outside_visit_window", "far_from_household"}),
    ("mobile/jolla.jpg", Origin.CAMERA, {"outside_visit_window"}),  # 2014, no GPS: the app's fix counts
    ("Sony_HDR-HC3.jpg", Origin.IMPORT, {"imported", "outside_visit_window", "no_gps", "small_image"}),
    ("Canon_40D.jpg", None, {"outside_visit_window", "small_image"}),  # a record from before `origin`
    ("heic/iphone_13_pro_max.HEIC", Origin.CAMERA, {"outside_visit_window"}),  # 2022, 3024×4032
    ("heic/samplefilehub.heif", Origin.IMPORT, {"imported", "no_exif", "no_gps", "small_image"}),
    ("orientation/landscape_1.jpg", Origin.IMPORT, {"imported", "no_exif", "no_gps", "small_image"}),
    ("orientation/portrait_6.jpg", Origin.CAMERA, {"small_image"}),  # no EXIF: the app's time and fix
    ("long_description.jpg", Origin.CAMERA, {"small_image"}),  # DateTime but no DateTimeOriginal
]


@pytest.mark.parametrize(("name", "origin", "expected"), PHOTO_TABLE, ids=[row[0] for row in PHOTO_TABLE])
def test_real_photos(name: str, origin: Origin | None, expected: set[str]) -> None:
    ref, data = photo(name, origin)
    assert judge(record(ref), {ref.sha256: data}) == {(code, ref.sha256) for code in expected}


def test_a_photo_inside_its_window_near_home_is_clean_heic_included() -> None:
    """The iPhone HEIC was shot 2022-02-16 12:55:41+01:00 (its OffsetTimeOriginal is honoured): a visit then,
    19:50 Beijing time, is clean; the same visit at 12:50 Beijing time would not be (see the photo table)."""
    start = datetime(2022, 2, 16, 11, 50, tzinfo=UTC)
    ref, data = photo("heic/iphone_13_pro_max.HEIC", Origin.CAMERA, at=start + timedelta(minutes=5))
    case = CaseContext(household=HOME, released_at=start - timedelta(days=1), deadline=date(2022, 3, 1))
    assert judge(record(ref, start=start), {ref.sha256: data}, case) == set()


def test_orientation_swaps_the_displayed_sides() -> None:
    data = (PHOTOS / "orientation" / "portrait_6.jpg").read_bytes()
    facts = read_photo(data, sha(data))
    assert (facts.width, facts.height) == (450, 600) and facts.taken_at is None and facts.gps is None


def test_exif_facts_of_the_gps_photo() -> None:
    data = (PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()
    facts = read_photo(data, sha(data))
    assert facts.taken_at == datetime(2008, 10, 22, 16, 28, 39) and facts.gps is not None
    assert round(facts.gps.lat, 3) == 43.467 and round(facts.gps.lon, 3) == 11.885


def test_far_photo_names_the_distance_and_the_old_time_in_chinese() -> None:
    ref, data = photo("gps/DSCN0010.jpg", Origin.CAMERA)
    found = {f.code: f for f in record_findings(record(ref), CASE, {ref.sha256: read_photo(data, ref.sha256)}, {})}
    assert "拍摄于 2008-10-22 16:28" in found["outside_visit_window"].text()
    assert found["far_from_household"].detail.endswith("公里") and "距登记住址" in found["far_from_household"].text()


def test_bytes_that_are_no_image_are_unreadable() -> None:
    data = (TEST_MEDIA / "README.md").read_bytes()
    ref = EvidenceRef(sha256=sha(data), size=len(data), media_type="image/jpeg", kind=EvidenceKind.PHOTO,
                      role=Role.SCENE, captured_at=START, captured_by="lina", origin=Origin.CAMERA)
    assert judge(record(ref), {ref.sha256: data}) == {("unreadable_image", ref.sha256)}


FAR = Location(lat=38.627, lon=-90.199, accuracy_m=5)  # St. Louis, Missouri
RECORD_TABLE = [
    ("clean", {}, CASE, set()),
    ("before release", {}, CaseContext(household=HOME, released_at=START + timedelta(days=19)),
     {("started_before_release", "")}),
    ("after deadline", {}, CaseContext(household=HOME, deadline=date(2026, 11, 16)), {("started_after_deadline", "")}),
    ("no fix at start", {"start_fix": LocationFix(at=START, reason="室内无信号")}, CASE, {("no_fix", "start_fix")}),
    ("no fix at all", {"start_fix": None, "seal_fix": None}, CASE, {("no_fix", "")}),
    ("far away", {"seal_fix": LocationFix(at=START, location=FAR)}, CASE, {("far_from_household", "seal_fix")}),
    ("poor accuracy", {"start_fix": LocationFix(at=START, location=NEAR.model_copy(update={"accuracy_m": 350}))},
     CASE, {("poor_fix", "start_fix")}),
    ("mock location", {"start_fix": LocationFix(at=START, location=NEAR.model_copy(update={"mock": True}))},
     CASE, {("mock_location", "start_fix")}),
    ("no household place", {"seal_fix": LocationFix(at=START, location=FAR)}, CaseContext(),
     {("no_household_place", "")}),  # never "passed", never "far": not possible
    ("old tablet, one location", {"start_fix": None, "seal_fix": None, "location": FAR}, CASE,
     {("far_from_household", "location")}),
]


@pytest.mark.parametrize(("name", "fields", "case", "expected"), RECORD_TABLE, ids=[row[0] for row in RECORD_TABLE])
def test_synthetic_records(name: str, fields: dict[str, Any], case: CaseContext,
                           expected: set[tuple[str, str]]) -> None:
    assert judge(record(**fields), {}, case) == expected


def strokes(points: Sequence[tuple[float, float]]) -> bytes:
    body = {"width": 600, "height": 240, "strokes": [[[i * 0.05, x, y] for i, (x, y) in enumerate(points)]]}
    return json.dumps(body).encode()


def signature(image: bytes, raw: bytes, by: str, role: Role = Role.SURVEYOR_SIGNATURE) -> EvidenceRef:
    return EvidenceRef(sha256=sha(image), size=len(image), media_type="image/png", kind=EvidenceKind.SIGNATURE,
                       role=role, captured_at=START, captured_by=by, strokes_sha256=sha(raw))


HANDWRITING = [(40 + i * 12, 120 + (i % 5) * 18) for i in range(30)]
SIGNATURE_TABLE = [
    ("handwriting", HANDWRITING, set()),
    ("a dot", [(300, 120), (301, 121)], {"trivial_signature"}),
    ("a straight line", [(40 + i * 15, 120) for i in range(30)], {"trivial_signature"}),
]


@pytest.mark.parametrize(("name", "points", "expected"), SIGNATURE_TABLE, ids=[r[0] for r in SIGNATURE_TABLE])
def test_signature_strokes(name: str, points: Sequence[tuple[float, float]], expected: set[str]) -> None:
    raw, image = strokes(points), f"png-{name}".encode()
    ref = signature(image, raw, "lina")
    assert judge(record(ref), {sha(raw): raw}) == {(code, ref.sha256) for code in expected}


def test_identical_signatures_within_a_record_and_across_the_case() -> None:
    raw = strokes(HANDWRITING)
    same = [signature(b"one image", raw, "zhangwei"), signature(b"one image", raw, "lina")]
    assert judge(record(*same), {sha(raw): raw}) == {("duplicate_signature", sha(b"one image"))}
    other = CaseContext(household=HOME, other_signatures=frozenset({sha(b"seen before")}))
    seen = signature(b"seen before", raw, "lina", Role.RESPONDENT_SIGNATURE)
    assert judge(record(seen), {sha(raw): raw}, other) == {("duplicate_signature", sha(b"seen before"))}


def test_the_tablets_own_flags_are_not_believed() -> None:
    """A tablet that wrote no flags on a 2008 photo does not make it clean; the bytes decide."""
    ref, data = photo("gps/DSCN0012.jpg", Origin.CAMERA)
    assert ref.flags == [] and ("outside_visit_window", ref.sha256) in judge(record(ref), {ref.sha256: data})


def test_every_code_has_chinese_text() -> None:
    codes = {code for row in PHOTO_TABLE for code in row[2]} | {c for row in RECORD_TABLE for c, _ in row[3]}
    for code in codes | {"trivial_signature", "duplicate_signature", "unreadable_image"}:
        assert label_of(code) != code and any("\u4e00" <= ch <= "\u9fff" for ch in label_of(code))
    assert Finding(code="far_from_household", detail="距登记住址 9 公里").text().endswith("）")
