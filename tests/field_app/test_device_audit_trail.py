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


def test_each_step_is_credited_to_the_member_who_did_it_not_to_the_first_signed_in(store, evidence, team, clock):
    """张伟 signed in first; 李娜 takes the tablet (当前操作人) for a photo, and signs twice (the second replaces
    the first): those are hers; 张伟's signature is his."""
    from field_app.viewmodels import VisitEditor
    from schemas.records import Role
    from tests.field_app.helpers import strokes

    cache_case(store, case_summary())
    editor = VisitEditor(store, evidence, team, clock)
    assert team.operator == "zhangwei"
    complete_home_visit(editor)
    team.set_operator("lina")
    clock.advance(minutes=1)
    shot = editor.add_photo(photo("gps/DSCN0012.jpg"), "DSCN0012.jpg")
    team.set_operator("zhangwei")
    clock.advance(minutes=1)
    first = editor.sign(Role.SURVEYOR_SIGNATURE, strokes(7), surveyor="lina")
    second = editor.sign(Role.SURVEYOR_SIGNATURE, strokes(8), surveyor="lina")
    record = editor.record
    assert record is not None

    by = {(e.action, e.subject): e.by for e in record.audit}
    assert by[(AuditAction.EVIDENCE_ADDED, shot.sha256)] == "lina"
    assert by[(AuditAction.SIGNATURE_ADDED, first.sha256)] == "lina" == by[(AuditAction.SIGNATURE_ADDED, second.sha256)]
    assert by[(AuditAction.SIGNATURE_REMOVED, first.sha256)] == "lina"  # she replaced her own
    zhangwei_sig = next(e for e in record.evidence if e.role == Role.SURVEYOR_SIGNATURE
                        and e.captured_by == "zhangwei")
    assert by[(AuditAction.SIGNATURE_ADDED, zhangwei_sig.sha256)] == "zhangwei"
    assert {e.by for e in record.audit} == {"zhangwei", "lina"}  # the seal (both) is checked above
