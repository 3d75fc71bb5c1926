"""The in-app camera's shots (R10): each kept byte-exact and hashed when taken, with shot time and place;
several in a row, delete, retake in place; nothing before the notification step (R8)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from field_app.errors import VisitError
from field_app.viewmodels import VisitEditor
from field_app.viewmodels.camera import CameraSession
from schemas.records import Location, Origin, Role, VisitKind
from tests.field_app.helpers import cache_case, case_summary, notify_all, photo

HERE = Location(lat=29.5893, lon=106.5318, accuracy_m=6.0)


@pytest.fixture
def camera(store, evidence, team, clock) -> CameraSession:
    case = case_summary(lat=HERE.lat, lon=HERE.lon)
    cache_case(store, case)
    editor = VisitEditor(store, evidence, team, clock)
    editor.start(case, VisitKind.HOME_VISIT)
    return CameraSession(editor)


def test_the_camera_does_not_open_before_the_notification_step_r8(camera):
    with pytest.raises(VisitError, match="告知与同意"):
        camera.open(Role.SCENE)


def test_shots_in_a_row_are_evidence_at_once_with_time_and_place(camera, evidence, clock):
    notify_all(camera.editor)
    camera.open(Role.SCENE)
    frames = [photo("gps/DSCN0010.jpg"), photo("gps/DSCN0012.jpg"), photo("gps/DSCN0021.jpg")]
    times = []
    for frame in frames:
        clock.advance(seconds=20)
        times.append(clock())
        camera.shot(frame, clock(), HERE)
    assert [evidence.read(r.sha256) for r in camera.shots] == frames  # byte-exact, stored when taken
    assert [r.captured_at for r in camera.shots] == times and all(r.location == HERE for r in camera.shots)
    # the frames are 2008 camera files with Tuscan GPS: their bytes say so, and the findings believe the
    # bytes over the tablet (issue 16, schemas.findings), as the server will
    assert all(r.origin == Origin.CAMERA and r.flags == ["outside_visit_window", "far_from_household"]
               for r in camera.shots)
    assert camera.selected == camera.shots[-1].sha256
    assert [e.sha256 for e in camera.editor.evidence_of(Role.SCENE)] == [r.sha256 for r in camera.shots]


def test_delete_and_retake_in_place(camera, clock):
    notify_all(camera.editor)
    camera.open(Role.SCENE)
    first, second = (camera.shot(photo(n), clock(), HERE) for n in ("gps/DSCN0010.jpg", "gps/DSCN0012.jpg"))
    camera.retake(first.sha256)
    clock.advance(minutes=1)
    again = camera.shot(photo("gps/DSCN0025.jpg"), clock(), HERE)
    assert [r.sha256 for r in camera.shots] == [again.sha256, second.sha256]
    camera.delete(second.sha256)
    assert [e.sha256 for e in camera.editor.evidence_of(Role.SCENE)] == [again.sha256]
    assert camera.selected == again.sha256


def test_a_broken_frame_is_refused_with_a_reason_and_the_session_goes_on(camera, clock):
    notify_all(camera.editor)
    camera.open(Role.REFUSAL_PROOF)
    assert camera.shot(photo("gps/DSCN0010.jpg")[:5000], clock(), None) is None
    assert "损坏或不完整" in camera.error and camera.shots == []
    ok = camera.shot(photo("gps/DSCN0010.jpg"), clock() + timedelta(seconds=5), None)
    assert ok is not None and ok.role == Role.REFUSAL_PROOF and camera.error == ""


def test_the_same_frame_twice_is_not_a_second_shot(camera, clock):
    """A frozen preview hands over the same bytes again: said so, not listed twice."""
    notify_all(camera.editor)
    camera.open(Role.SCENE)
    first = camera.shot(photo("gps/DSCN0010.jpg"), clock(), HERE)
    assert camera.shot(photo("gps/DSCN0010.jpg"), clock(), HERE) is None
    assert "完全相同" in camera.error and camera.shots == [first]
