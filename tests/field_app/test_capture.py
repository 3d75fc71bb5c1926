"""Capture at the door (R8, R10, R29): every real photo through the pipeline, origin, EXIF time and place,
reviewer flags, nothing before the notification step, discarding deletes files, position fixes."""
from __future__ import annotations

from datetime import timedelta

import pytest

from field_app.errors import PhotoRejected, VisitError
from field_app.viewmodels import VisitEditor
from schemas.evidence_checks import (
    FAR_FROM_HOUSEHOLD,
    NO_EXIF,
    NO_FIX,
    OUTSIDE_VISIT,
    POOR_FIX,
    SMALL_IMAGE,
    flag_label,
)
from schemas.findings import IMPORTED, NO_GPS
from schemas.records import Location, Origin, Outcome, Role, VisitKind
from tests.field_app.helpers import (
    PHOTOS,
    cache_case,
    case_summary,
    complete_home_visit,
    photo,
    start_notified,
)
from tests.field_app.test_photo import ALL, DECODABLE_WITH_ODD_METADATA

HOME = (29.7215, 106.6352)  # the household's registered position (重庆市渝北区龙泉路 8 号, for the test)
NEAR = Location(lat=29.7230, lon=106.6352, accuracy_m=8.0)  # about 170 m north
FAR = Location(lat=29.7400, lon=106.6352, accuracy_m=8.0)  # about 2 km north
PINS = {"zhangwei": "111111", "lina": "222222"}


@pytest.fixture
def editor(store, evidence, team, clock) -> VisitEditor:
    case = case_summary(lat=HOME[0], lon=HOME[1])
    cache_case(store, case)
    editor = VisitEditor(store, evidence, team, clock)
    editor.start(case, VisitKind.HOME_VISIT)
    return editor


def _notify(editor: VisitEditor) -> None:
    for item in editor.form.notification:
        editor.set_notification(item.id, True)


def test_every_file_of_the_shared_photo_media_goes_through_the_pipeline_r10(editor, evidence):
    """Each real camera file is accepted (original bytes, hashed, EXIF time/GPS kept) or refused naming it."""
    _notify(editor)
    accepted, refused = [], []
    for path in ALL:
        try:
            ref = editor.add_photo(path.read_bytes(), path.name)
        except PhotoRejected as error:
            assert error.message.startswith(f"{path.name}：") and error.reason
            refused.append(path.name)
            continue
        assert evidence.read(ref.sha256) == path.read_bytes() and ref.origin == Origin.IMPORT
        if NO_EXIF not in ref.flags:
            assert ref.captured_at.utcoffset() is not None
        accepted.append(ref)
    assert len(accepted) + len(refused) == len(ALL) and not refused  # today every file decodes whole
    gps = [r for r in accepted if r.filename.startswith("DSCN")]
    assert len(gps) == 4 and all(r.location is not None and FAR_FROM_HOUSEHOLD in r.flags for r in gps)
    assert all(OUTSIDE_VISIT in r.flags or NO_EXIF in r.flags for r in accepted)  # none taken at this visit
    small = {r.filename for r in accepted if SMALL_IMAGE in r.flags}
    assert "Canon_40D.jpg" in small and "iphone_13_pro_max.HEIC" not in small
    assert {r.filename for r in accepted} >= DECODABLE_WITH_ODD_METADATA


@pytest.mark.parametrize("name", ["heic/iphone_13_pro_max.HEIC", "mobile/HMD_Nokia_8.3_5G.jpg",
                                  "heic/samplefilehub.heif"])
def test_a_truncated_photo_is_refused_with_a_chinese_reason_naming_the_file_r10(editor, evidence, name):
    _notify(editor)
    data = photo(name)
    with pytest.raises(PhotoRejected) as refused:
        editor.add_photo(data[: len(data) * 2 // 3], "cut-" + name.rsplit("/", 1)[-1])
    assert refused.value.message.startswith("cut-") and "损坏或不完整" in refused.value.message
    assert editor.record.evidence == [] and evidence.stored() == set()


def test_an_imported_photo_keeps_its_exif_time_and_gps_and_is_flagged_for_the_reviewer(editor, clock):
    _notify(editor)
    ref = editor.add_photo(photo("gps/DSCN0012.jpg"), "DSCN0012.jpg")
    assert ref.origin == Origin.IMPORT and ref.added_at == clock()
    assert ref.captured_at.year == 2008 and ref.location is not None
    assert ref.flags == [IMPORTED, OUTSIDE_VISIT, FAR_FROM_HOUSEHOLD]  # schemas.findings, as the server judges
    assert flag_label(OUTSIDE_VISIT) == "拍摄时间不在本次调查时间内"
    no_exif = editor.add_photo(_png(800, 600), "screenshot.png")
    assert no_exif.flags == [IMPORTED, NO_EXIF, NO_GPS] and no_exif.captured_at == clock() and no_exif.location is None


def test_a_camera_shot_keeps_the_tablets_time_and_place_and_is_not_flagged(editor, clock):
    _notify(editor)
    clock.advance(minutes=5)
    shot_at = clock() - timedelta(seconds=3)
    ref = editor.add_photo(_png(1280, 960), "camera-1.png", origin=Origin.CAMERA, shot_at=shot_at,
                           shot_location=NEAR)
    assert ref.origin == Origin.CAMERA and ref.captured_at == shot_at and ref.location == NEAR
    assert ref.flags == []
    far = editor.add_photo(_png(1280, 961), "camera-2.png", origin=Origin.CAMERA, shot_at=clock(),
                           shot_location=FAR)
    assert far.flags == [FAR_FROM_HOUSEHOLD]


def test_nothing_is_captured_before_the_notification_step_is_done_r8(editor, evidence):
    with pytest.raises(VisitError, match="告知与同意"):
        editor.add_photo(photo("Nikon_D70.jpg"), "Nikon_D70.jpg")
    from tests.field_app.helpers import strokes

    with pytest.raises(VisitError, match="告知与同意"):
        editor.sign(Role.SURVEYOR_SIGNATURE, strokes(1), surveyor="zhangwei")
    assert evidence.stored() == set() and editor.record.evidence == []
    editor.set_outcome(Outcome.REFUSED)  # a refusal needs only the steps done at the door (R13)
    editor.set_notification("work_id_shown", True)
    editor.set_notification("purpose_explained", True)
    assert editor.add_photo(photo("Nikon_D70.jpg"), "door.jpg", role=Role.REFUSAL_PROOF).origin == Origin.IMPORT


def test_discarding_a_draft_deletes_its_files_but_not_those_of_other_records(editor, evidence, store, team, clock):
    complete_home_visit(editor, case_summary(lat=HOME[0], lon=HOME[1]))
    sealed = editor.seal(PINS)
    start_notified(editor, case_summary(lat=HOME[0], lon=HOME[1]))
    shared = editor.add_photo(photo("gps/DSCN0010.jpg"), "same-as-sealed.jpg")  # also in the queued record
    own = editor.add_photo(photo("Pentax_K10D.jpg"), "Pentax_K10D.jpg")
    editor.discard()
    assert not evidence.has(own.sha256)
    assert evidence.has(shared.sha256) and all(evidence.has(e.sha256) for e in sealed.record.evidence)


def test_position_fixes_at_start_and_seal_with_distance_and_reasons(editor, clock):
    editor.record_fix("start", NEAR)
    fix = editor.record.start_fix
    assert fix.at == clock() and fix.location == NEAR and 150 < fix.distance_m < 190 and fix.flags == []
    assert editor.record.location == NEAR
    editor.record_fix("seal", FAR)
    assert editor.record.seal_fix.flags == [FAR_FROM_HOUSEHOLD] and editor.record.seal_fix.distance_m > 1800
    assert editor.record.seal_fix.reason  # a far fix without a word gets a recorded default reason
    editor.record_fix("seal", None, "室内无法定位")
    assert editor.record.seal_fix.flags == [NO_FIX] and editor.record.seal_fix.reason == "室内无法定位"
    editor.record_fix("start", Location(lat=HOME[0], lon=HOME[1], accuracy_m=350.0), "楼内信号差")
    assert editor.record.start_fix.flags == [POOR_FIX] and editor.record.start_fix.reason == "楼内信号差"
    with pytest.raises(VisitError):
        editor.record_fix("lunch", NEAR)


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 160)).save(out, format="PNG")
    return out.getvalue()


def test_the_media_folder_is_where_the_readme_says(editor):
    assert (PHOTOS.parent / "README.md").is_file()
