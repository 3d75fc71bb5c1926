"""Completeness: what a record still lacks before sealing (R7–R16), and a case's evidence (R1)."""
from schemas.completeness import case_completeness, missing_items, missing_seals
from schemas.forms import form_for
from schemas.records import EvidenceKind, Outcome, Role, SealedRecord, SurveyorSeal, VisitKind
from tests.schemas.factories import complete_record, evidence

HOME = form_for(VisitKind.HOME_VISIT)
NEIGHBOUR = form_for(VisitKind.NEIGHBOUR_INTERVIEW)


def codes(record, form=HOME):
    return [m.code for m in missing_items(form, record)]


def test_a_complete_home_visit_lacks_nothing():
    assert codes(complete_record(HOME)) == []


def test_a_complete_neighbour_interview_lacks_nothing_without_respondent_signature():
    """R14–R16: neighbours need not sign; two surveyors must."""
    record = complete_record(NEIGHBOUR)
    record.evidence = [e for e in record.evidence if e.role != Role.RESPONDENT_SIGNATURE]
    assert codes(record, NEIGHBOUR) == []


def test_one_surveyor_is_not_a_team():
    """R7: at least two surveyors."""
    record = complete_record(HOME)
    record.surveyors = ["zhangwei"]
    assert "team" in codes(record)


def test_notification_comes_first():
    """R8: work ID shown and consent given."""
    record = complete_record(HOME)
    record.notification["family_consents"] = False
    assert codes(record) == ["notification.family_consents"]


def test_every_required_answer_and_photo_is_needed():
    """R9, R10."""
    record = complete_record(HOME)
    del record.answers["monthly_income_yuan"]
    record.answers["income_sources"] = "  "
    record.evidence = [e for e in record.evidence if e.role != Role.SCENE]
    assert codes(record) == ["answer.monthly_income_yuan", "answer.income_sources", "evidence.photo.scene"]


def test_each_surveyor_and_the_respondent_sign():
    """R11."""
    record = complete_record(HOME)
    record.evidence = [e for e in record.evidence
                       if e.role != Role.RESPONDENT_SIGNATURE and e.captured_by != "lina"]
    assert codes(record) == ["signature.respondent", "signature.surveyor.lina"]


def test_cannot_sign_needs_a_reason_and_photo_or_video_proof():
    """R12."""
    record = complete_record(HOME)
    record.evidence = [e for e in record.evidence if e.role != Role.RESPONDENT_SIGNATURE]
    record.cannot_sign_reason = "调查对象因中风右手无法握笔"
    assert codes(record) == ["evidence.cannot_sign_proof"]
    record.evidence.append(evidence(EvidenceKind.AUDIO, Role.CANNOT_SIGN_PROOF, "lina", "a"))
    assert codes(record) == ["evidence.cannot_sign_proof"]
    record.evidence.append(evidence(EvidenceKind.VIDEO, Role.CANNOT_SIGN_PROOF, "lina", "v"))
    assert codes(record) == []


def test_a_refusal_needs_a_note_and_the_team_signatures_but_no_answers():
    """R13."""
    record = complete_record(HOME)
    record.outcome = Outcome.REFUSED
    record.answers = {}
    record.notification["family_consents"] = False
    record.evidence = [e for e in record.evidence if e.role == Role.SURVEYOR_SIGNATURE]
    assert codes(record) == ["refusal_note"]
    record.refusal_note = "户主拒绝开门，称不需要救助"
    assert codes(record) == []
    record.notification["work_id_shown"] = False
    assert codes(record) == ["notification.work_id_shown"]


def test_seals_are_needed_from_every_surveyor():
    """R11, R16: each surveyor confirms with their own key."""
    sealed = SealedRecord(record=complete_record(HOME),
                          seals=[SurveyorSeal(surveyor="zhangwei", key_id="k", signature="s")])
    assert [m.code for m in missing_seals(HOME, sealed)] == ["seal.lina"]
    sealed.seals.append(SurveyorSeal(surveyor="lina", key_id="k2", signature="s"))
    assert missing_seals(HOME, sealed) == []


def test_a_case_is_complete_with_authorization_entrustment_and_each_required_check():
    """R1, R18."""
    home = complete_record(HOME)
    result = case_completeness(authorization=True, entrustment=True,
                               required_checks=[VisitKind.HOME_VISIT, VisitKind.NEIGHBOUR_INTERVIEW],
                               records=[home])
    assert not result.complete
    assert [(i.code, i.ok) for i in result.items] == [
        ("authorization", True), ("entrustment", True), ("home_visit", True), ("neighbour_interview", False)]
    assert case_completeness(authorization=False, entrustment=True, required_checks=[VisitKind.HOME_VISIT],
                             records=[home]).complete is False
    assert case_completeness(authorization=True, entrustment=True, required_checks=[VisitKind.HOME_VISIT],
                             records=[home]).complete is True


def test_a_form_that_requires_audio_or_video_lists_it_as_missing_until_captured():
    """Forms say whether audio and video are required, optional or off (older forms: optional)."""
    from datetime import UTC, datetime

    from schemas.forms import form_for
    from schemas.records import EvidenceKind, EvidenceRef, SurveyRecord, VisitKind

    form = form_for(VisitKind.HOME_VISIT)
    assert (form.audio, form.video) == ("optional", "optional")
    assert form_for(VisitKind.NEIGHBOUR_INTERVIEW).video == "off"
    strict = form.model_copy(update={"audio": "required", "video": "required"})
    record = SurveyRecord(id="rec-audio-1", case_id="c", kind=VisitKind.HOME_VISIT, form_id=form.id, form_version=1,
                          started_at=datetime(2026, 11, 20, tzinfo=UTC))
    codes = {m.code for m in missing_items(strict, record)}
    assert {"evidence.audio", "evidence.video"} <= codes
    clip = EvidenceRef(sha256="a" * 64, size=10, media_type="audio/wav", kind=EvidenceKind.AUDIO,
                       captured_at=record.started_at, captured_by="zhangwei")
    assert "evidence.audio" not in {m.code for m in missing_items(strict, record.model_copy(update={"evidence": [clip]}))}
    assert not {"evidence.audio", "evidence.video"} & {m.code for m in missing_items(form, record)}
