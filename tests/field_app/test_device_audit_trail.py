"""The visit editor writes the device audit trail as the team works; the seal ends it and covers it."""
from __future__ import annotations

from schemas.audit_events import AuditAction
from schemas.signed import seal_verifies
from tests.field_app.helpers import TEAM, cache_case, case_summary, complete_home_visit, photo

PINS = {u: pin for u, _, pin in TEAM}


def test_every_change_is_in_the_sealed_records_trail_with_who_and_when(store, evidence, team, clock):
    from field_app.viewmodels import VisitEditor

    cache_case(store, case_summary())
    editor = VisitEditor(store, evidence, team, clock)
    complete_home_visit(editor)
    extra = editor.add_photo(photo("gps/DSCN0012.jpg"), "DSCN0012.jpg")
    clock.advance(minutes=5)
    editor.remove_evidence(extra.sha256)
    clock.advance(minutes=30)
    sealed = editor.seal(PINS)

    trail = sealed.record.audit
    actions = [e.action for e in trail]
    assert actions[0] == AuditAction.CREATED and actions[-1] == AuditAction.SEALED
    assert trail[-1].at == sealed.record.sealed_at and trail[-1].by == "zhangwei,lina"
    assert {AuditAction.NOTIFICATION, AuditAction.RESPONDENT, AuditAction.ANSWER, AuditAction.EVIDENCE_ADDED,
            AuditAction.EVIDENCE_REMOVED, AuditAction.SIGNATURE_ADDED} <= set(actions)
    removed = next(e for e in trail if e.action == AuditAction.EVIDENCE_REMOVED)
    assert removed.subject == extra.sha256 and removed.by == team.operator
    assert [e.at for e in trail] == sorted(e.at for e in trail)
    for seal in sealed.seals:  # the trail is inside what the seals cover
        assert seal_verifies(sealed, seal, team.public_key(seal.surveyor))
