"""The tablet shows, before sealing, the findings the server will make (issue 16): the same function over the
same bytes; and it never seals a visit on a case before the case's release (R1, 先授权、后核对)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from field_app.errors import VisitError
from field_app.viewmodels import VisitEditor
from schemas.findings import CaseContext, record_findings
from schemas.photo_facts import read_photo, read_strokes
from schemas.records import EvidenceKind, Location, Role
from tests.field_app.helpers import T0, TEAM, case_summary, complete_home_visit

PINS = {u: pin for u, _, pin in TEAM}


def test_the_tablet_judges_its_draft_as_the_server_will(editor: VisitEditor, evidence, clock):
    """A 2008 imported photo on a case without a household place: the draft's findings name it, and are what
    the shared function makes of the bytes kept in the tablet's encrypted store."""
    complete_home_visit(editor, case_summary(released_at=T0 - timedelta(days=1)))
    editor.record_fix("start", Location(lat=29.59, lon=106.53, accuracy_m=9, mock=True))
    found = editor.findings()
    photo = next(e for e in editor.record.evidence if e.kind == EvidenceKind.PHOTO)
    assert {(f.code, f.target) for f in found} == {
        ("no_household_place", ""), ("mock_location", "start_fix"), ("no_fix", "seal_fix"),
        ("imported", photo.sha256), ("outside_visit_window", photo.sha256)}
    assert "案件未登记家庭位置，无法核对距离" in [f.text() for f in found]  # never "far" nor passed
    files = {e.sha256: evidence.read(e.sha256) for e in editor.record.evidence}
    photos = {s: read_photo(b, s) for s, b in files.items() if s == photo.sha256}
    strokes = {s: x for s, b in files.items() if (x := read_strokes(b, s)) is not None}
    server = record_findings(editor.record, CaseContext(released_at=T0 - timedelta(days=1),
                                                        deadline=editor.case.deadline), photos, strokes, now=clock())
    assert found == server
    assert all(e.role != Role.SIGNATURE_STROKES or e.sha256 in strokes for e in editor.record.evidence)


def test_no_seal_before_the_case_was_released(editor: VisitEditor, clock):
    """The tablet's clock says an hour before the case's release: sealing is refused, nothing is queued."""
    complete_home_visit(editor, case_summary(released_at=T0 + timedelta(hours=1)))
    with pytest.raises(VisitError, match="平板时间早于案件下达时间"):
        editor.seal(PINS)
    assert editor.record is not None  # still the draft
    clock.advance(hours=2)
    assert editor.seal(PINS).record.sealed_at == clock()


def test_no_seal_on_a_case_no_longer_released(editor: VisitEditor):
    complete_home_visit(editor)
    editor.case = case_summary(released=False)  # the latest download says so
    with pytest.raises(VisitError, match="尚未通过核查机构的符合性审核"):
        editor.seal(PINS)
