"""A home visit written on the tablet, from start to a sealed record (R7-R13), offline throughout."""
from __future__ import annotations

import pytest

from field_app.errors import IncompleteRecord, InputError, PhotoRejected, VisitError, WrongPin
from field_app.store import open_store
from field_app.store import queries as q
from field_app.store.cleanup import prune_evidence
from field_app.viewmodels import VisitEditor
from schemas.completeness import missing_seals
from schemas.forms import form_for
from schemas.records import EvidenceKind, Origin, Outcome, Role, VisitKind
from schemas.signed import seal_verifies
from tests.field_app.helpers import (
    TEAM,
    answer_all,
    case_summary,
    complete_home_visit,
    photo,
    start_notified,
    strokes,
    vault_for,
)

PINS = {u: pin for u, _, pin in TEAM}


def _outbox(store):
    with store.reading() as s:
        return [q.sealed_record(i) for i in q.outbox_items(s)]


def test_a_complete_home_visit_seals_with_both_surveyors_keys_r11(editor, store, team, clock):
    changes = []
    editor.subscribe(lambda: changes.append(1))
    complete_home_visit(editor)
    assert editor.missing() == []
    record_id = editor.record.id
    clock.advance(minutes=40)
    sealed = editor.seal(PINS)

    assert sealed.record.sealed_at == clock() and sealed.record.surveyors == ["zhangwei", "lina"]
    assert {s.surveyor for s in sealed.seals} == {"zhangwei", "lina"}
    for seal in sealed.seals:
        assert seal_verifies(sealed, seal, team.public_key(seal.surveyor))
    assert missing_seals(form_for(VisitKind.HOME_VISIT), sealed) == []
    assert _outbox(store) == [sealed]
    with store.reading() as s:
        assert q.load_draft(s, record_id) is None  # the draft left as the record was queued
    assert editor.record is None and changes


def test_every_evidence_file_is_hashed_at_capture_with_who_when_and_where_r10(editor, evidence, clock):
    start_notified(editor)
    data = photo("gps/DSCN0010.jpg")
    ref = editor.add_photo(data, "DSCN0010.jpg")
    assert evidence.read(ref.sha256) == data  # the original bytes, unchanged
    assert ref.kind == EvidenceKind.PHOTO and ref.media_type == "image/jpeg" and ref.size == len(data)
    assert ref.captured_by == "zhangwei" and ref.added_at == clock()
    assert ref.origin == Origin.IMPORT  # picked from files: its own EXIF time and GPS, not the tablet's
    assert ref.captured_at.isoformat() == "2008-10-22T16:28:39+08:00"
    assert ref.location is not None and ref.location.lat == pytest.approx(43.4674, abs=1e-3)
    assert editor.add_photo(data, "again.jpg") == ref and len(editor.record.evidence) == 1


def test_sealing_is_refused_while_a_surveyor_has_not_signed_r11(editor, store):
    complete_home_visit(editor)
    lina_signature = editor.record.evidence_with(Role.SURVEYOR_SIGNATURE, "lina")[0]
    editor.remove_evidence(lina_signature.sha256)
    with pytest.raises(IncompleteRecord) as refused:
        editor.seal(PINS)
    assert [m.code for m in refused.value.missing] == ["signature.surveyor.lina"]
    assert "lina" in refused.value.message and _outbox(store) == []


def test_sealing_is_refused_without_the_respondent_signature_or_a_reason_r11_r12(editor):
    complete_home_visit(editor)
    editor.remove_evidence(editor.evidence_of(Role.RESPONDENT_SIGNATURE)[0].sha256)
    assert [m.code for m in editor.missing()] == ["signature.respondent"]
    editor.set_cannot_sign_reason("调查对象右手骨折，无法书写")
    assert [m.code for m in editor.missing()] == ["evidence.cannot_sign_proof"]
    with pytest.raises(IncompleteRecord):
        editor.seal(PINS)


def test_a_respondent_who_cannot_sign_is_proven_by_photo_and_the_record_seals_r12(editor, team):
    complete_home_visit(editor)
    editor.remove_evidence(editor.evidence_of(Role.RESPONDENT_SIGNATURE)[0].sha256)
    editor.set_cannot_sign_reason("调查对象右手骨折，无法书写")
    editor.add_photo(photo("orientation/portrait_6.jpg"), "hand.jpg", role=Role.CANNOT_SIGN_PROOF)
    sealed = editor.seal(PINS)
    assert sealed.record.cannot_sign_reason and sealed.record.evidence_with(Role.CANNOT_SIGN_PROOF)
    assert all(seal_verifies(sealed, s, team.public_key(s.surveyor)) for s in sealed.seals)


def test_a_refused_visit_is_recorded_and_signed_by_the_team_only_r13(editor, store):
    editor.start(case_summary(), VisitKind.HOME_VISIT)
    editor.set_outcome(Outcome.REFUSED)
    assert {m.code for m in editor.missing()} == {
        "notification.work_id_shown", "notification.purpose_explained", "refusal_note",
        "signature.surveyor.zhangwei", "signature.surveyor.lina"}
    editor.set_notification("work_id_shown", True)
    editor.set_notification("purpose_explained", True)
    editor.set_refusal_note("户主拒绝开门，称不需要救助")
    editor.sign(Role.SURVEYOR_SIGNATURE, strokes(1), surveyor="zhangwei")
    with pytest.raises(IncompleteRecord):
        editor.seal(PINS)
    editor.sign(Role.SURVEYOR_SIGNATURE, strokes(2), surveyor="lina")
    sealed = editor.seal(PINS)
    assert sealed.record.outcome == Outcome.REFUSED and not sealed.record.answers
    assert _outbox(store) == [sealed]


def test_a_wrong_pin_seals_nothing_and_keeps_the_draft(editor, store):
    complete_home_visit(editor)
    record = editor.record
    with pytest.raises(WrongPin) as wrong:
        editor.seal({"zhangwei": "111111", "lina": "999999"})
    assert "李娜" in wrong.value.message and "未封存" in wrong.value.message
    with pytest.raises(WrongPin, match="请调查人员"):
        editor.seal({"zhangwei": "111111"})
    assert _outbox(store) == [] and editor.record == record
    with store.reading() as s:
        assert q.load_draft(s, record.id) == record


def test_a_draft_survives_an_app_restart_and_resumes_where_it_was(editor, data_dir, evidence, team, clock):
    start_notified(editor)
    editor.set_answer("housing_area_m2", "８５.５")
    editor.set_respondent("刘芳", "配偶", "s-2")
    editor.add_photo(photo("mobile/jolla.jpg"), "jolla.jpg")
    record = editor.record
    editor.store.close()

    store = open_store(data_dir, vault_for(data_dir))  # the app was killed and started again
    resumed = VisitEditor(store, evidence, team, clock)
    assert resumed.resume(record.id) == record
    assert resumed.record.answers["housing_area_m2"] == 85.5 and resumed.case == case_summary()
    store.close()


@pytest.mark.parametrize("typed, stored", [("3", 3), (" ４ ", 4), ("1,200", 1200), ("72.5", 72.5), ("", None)])
def test_numbers_are_parsed_from_what_was_typed(editor, typed, stored):
    editor.start(case_summary(), VisitKind.HOME_VISIT)
    editor.set_answer("household_size", typed)
    assert editor.record.answers.get("household_size") == stored


@pytest.mark.parametrize("typed", ["三", "3人", "-2", "nan"])
def test_bad_numbers_get_a_chinese_error_and_lose_nothing(editor, typed):
    editor.start(case_summary(), VisitKind.HOME_VISIT)
    editor.set_answer("household_size", "3")
    with pytest.raises(InputError) as bad:
        editor.set_answer("household_size", typed)
    assert bad.value.field_id == "household_size" and "共同生活家庭成员人数" in bad.value.message
    assert editor.errors["household_size"] == bad.value.message
    assert editor.record.answers["household_size"] == 3  # the last good answer stays
    editor.set_answer("household_size", "4")
    assert "household_size" not in editor.errors


def test_a_choice_outside_the_options_is_refused(editor):
    editor.start(case_summary(), VisitKind.HOME_VISIT)
    with pytest.raises(InputError, match="请从选项中选择"):
        editor.set_answer("housing_type", "别墅")


def test_field_work_cannot_start_without_authorization_or_entrustment_r1(editor):
    with pytest.raises(VisitError, match="授权书") as refused:
        editor.start(case_summary(authorization_recorded=False, entrustment_recorded=False),
                     VisitKind.HOME_VISIT)
    assert "委托书" in refused.value.message


def test_a_visit_cannot_start_with_one_surveyor_signed_in_r7(editor, team):
    team.sign_out("lina")
    with pytest.raises(VisitError, match="至少需要 2 名"):
        editor.start(case_summary(), VisitKind.HOME_VISIT)


def test_only_the_cases_subjects_may_be_named_as_respondent_subjects_r2(editor):
    editor.start(case_summary(), VisitKind.HOME_VISIT)
    with pytest.raises(VisitError, match="核查对象范围"):
        editor.set_respondent("陌生人", "邻居", "s-99")


def test_a_new_signature_replaces_the_signers_previous_one(editor):
    start_notified(editor)
    first = editor.sign(Role.SURVEYOR_SIGNATURE, strokes(1), surveyor="lina")
    second = editor.sign(Role.SURVEYOR_SIGNATURE, strokes(2), surveyor="lina")
    editor.sign(Role.SURVEYOR_SIGNATURE, strokes(1), surveyor="zhangwei")
    assert first.sha256 != second.sha256
    assert editor.record.evidence_with(Role.SURVEYOR_SIGNATURE, "lina") == [second]
    assert len(editor.evidence_of(Role.SURVEYOR_SIGNATURE)) == 2


def test_only_the_records_surveyors_sign_as_surveyors(editor):
    editor.start(case_summary(), VisitKind.HOME_VISIT)
    with pytest.raises(VisitError):
        editor.sign(Role.SURVEYOR_SIGNATURE, strokes(), surveyor="wangwu")


def test_a_rejected_photo_changes_nothing(editor, evidence):
    start_notified(editor)
    before = editor.record
    broken = photo("mobile/HMD_Nokia_8.3_5G.jpg")[:300_000]
    with pytest.raises(PhotoRejected, match="损坏或不完整"):
        editor.add_photo(broken, "cut.jpg")
    assert editor.record == before and evidence.stored() == set()


def test_a_neighbour_interview_needs_no_respondent_signature_r14_r16(editor):
    editor.start(case_summary(), VisitKind.NEIGHBOUR_INTERVIEW)
    for item in editor.form.notification:
        editor.set_notification(item.id, True)
    editor.set_respondent("赵大妈", "邻居")
    answer_all(editor, editor.form)
    editor.sign(Role.SURVEYOR_SIGNATURE, strokes(1), surveyor="zhangwei")
    editor.sign(Role.SURVEYOR_SIGNATURE, strokes(2), surveyor="lina")
    assert editor.missing() == []
    assert editor.seal(PINS).record.notification["voluntary_confirmed"] is True


def test_pruning_keeps_files_of_drafts_and_unsynced_records_and_frees_the_rest_r21(editor, store, evidence):
    complete_home_visit(editor)
    sealed = editor.seal(PINS)
    start_notified(editor)
    in_draft = editor.add_photo(photo("Nikon_D70.jpg"), "Nikon_D70.jpg")
    removed = editor.add_photo(photo("Pentax_K10D.jpg"), "Pentax_K10D.jpg")
    editor.remove_evidence(removed.sha256)
    assert prune_evidence(store, evidence, min_age_s=0) == [removed.sha256]
    assert evidence.has(in_draft.sha256)
    assert all(evidence.has(e.sha256) for e in sealed.record.evidence)  # queued, not yet on the server


def test_sealed_records_are_listed_by_kind_person_and_case_not_by_id(editor, store, evidence, team, offline_client,
                                                                     clock):
    """What the surveyor reads on the case and upload screens: 入户调查（王建国）· <case title>."""
    from field_app.viewmodels import CaseList, SyncPanel

    complete_home_visit(editor)
    sealed = editor.seal(PINS)
    editor.start(case_summary(), VisitKind.HOME_VISIT)
    editor.set_outcome(Outcome.REFUSED)
    panel = SyncPanel(store, evidence, offline_client, team, clock)
    assert panel.describe(sealed.record.id) == f"入户调查（王建国）· {case_summary().title}"
    states = {(v.respondent, v.state) for v in CaseList(store, offline_client, team, clock).visits(case_summary().id)}
    assert states == {("王建国", "queued"), ("拒绝入户", "draft")}


def test_taps_handled_at_the_same_time_lose_no_edit(editor):
    """Flet runs handlers in threads: eight checkbox and answer taps at once all land in the draft."""
    import threading

    editor.start(case_summary(), VisitKind.HOME_VISIT)
    edits = [lambda i=item.id: editor.set_notification(i, True) for item in editor.form.notification]
    edits += [lambda f=f.id: editor.set_answer(f, "有内容") for f in editor.form.fields() if f.type == "longtext"]
    barrier = threading.Barrier(len(edits))
    threads = [threading.Thread(target=lambda e=e: (barrier.wait(), e())) for e in edits]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(editor.record.notification.values()) and len(editor.record.notification) == 3
    assert all(editor.record.answers.get(f.id) == "有内容" for f in editor.form.fields() if f.type == "longtext")
