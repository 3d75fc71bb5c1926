"""The device audit trail: each change to a draft becomes an event, and the trail only grows."""
from __future__ import annotations

from datetime import timedelta

from schemas.audit_events import AuditAction
from schemas.device_audit import changes, sealed_event, with_trail
from schemas.forms import form_for
from schemas.records import EvidenceKind, Role, VisitKind
from tests.schemas.factories import T0, complete_record, evidence

HOME = form_for(VisitKind.HOME_VISIT)


def test_a_new_record_starts_its_trail_with_the_form_version():
    record = with_trail(None, complete_record(HOME), "zhangwei", T0)
    assert [(e.action, e.by, e.subject, e.detail) for e in record.audit] == [
        (AuditAction.CREATED, "zhangwei", "home_visit", f"第 {HOME.version} 版")]


def test_answers_notification_evidence_and_signatures_are_told_apart():
    before = complete_record(HOME)
    photo = evidence(EvidenceKind.PHOTO, Role.SCENE, "lina", "new photo")
    gone = before.evidence[0]  # a surveyor's signature
    after = before.model_copy(update={
        "answers": {**before.answers, "housing_area_m2": 80},
        "notification": {**before.notification, "family_consents": False},
        "evidence": [*before.evidence[1:], photo]})
    events = changes(before, after, "lina", T0 + timedelta(minutes=3))
    assert [(e.action, e.subject) for e in events] == [
        (AuditAction.NOTIFICATION, "family_consents"), (AuditAction.ANSWER, "housing_area_m2"),
        (AuditAction.EVIDENCE_ADDED, photo.sha256), (AuditAction.SIGNATURE_REMOVED, gone.sha256)]
    assert all(e.by == "lina" and e.at == T0 + timedelta(minutes=3) for e in events)


def test_the_trail_only_grows_and_an_unchanged_save_adds_nothing():
    first = with_trail(None, complete_record(HOME), "zhangwei", T0)
    same = with_trail(first, first, "zhangwei", T0 + timedelta(minutes=1))
    assert same.audit == first.audit
    edited = first.model_copy(update={"refusal_note": "门口拒绝", "audit": []})  # a save that drops the trail
    kept = with_trail(first, edited, "lina", T0 + timedelta(minutes=2))
    assert kept.audit[:1] == first.audit and kept.audit[-1].action == AuditAction.REFUSAL_NOTE
    assert sealed_event("zhangwei,lina", T0).action == AuditAction.SEALED


def test_typing_in_one_field_is_one_event_per_person_and_window_not_one_per_key():
    record = with_trail(None, complete_record(HOME), "zhangwei", T0)
    for i, text in enumerate(["砖", "砖混", "砖混结构"]):
        record = with_trail(record, record.model_copy(update={"answers": {**record.answers, "housing_condition": text}}),
                            "zhangwei", T0 + timedelta(seconds=i))
    assert [e.action for e in record.audit] == [AuditAction.CREATED, AuditAction.ANSWER]
    later = record.model_copy(update={"answers": {**record.answers, "housing_condition": "砖混结构两室"}})
    record = with_trail(record, later, "lina", T0 + timedelta(seconds=10))  # someone else: a new event
    later = record.model_copy(update={"answers": {**record.answers, "housing_condition": "改"}})
    record = with_trail(record, later, "lina", T0 + timedelta(minutes=6))  # after the window: a new event
    assert [(e.action, e.by) for e in record.audit][1:] == [
        (AuditAction.ANSWER, "zhangwei"), (AuditAction.ANSWER, "lina"), (AuditAction.ANSWER, "lina")]


def test_a_record_without_a_trail_serialises_as_before_so_old_seals_still_verify():
    """Records sealed by the previous release (no `audit` key) keep their exact bytes."""
    record = complete_record(HOME)
    assert "audit" not in record.model_dump(mode="json") and '"audit"' not in record.model_dump_json()
    trailed = with_trail(None, record, "zhangwei", T0)
    assert trailed.model_dump(mode="json")["audit"][0]["action"] == "created"
