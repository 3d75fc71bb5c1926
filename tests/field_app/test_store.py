"""The tablet's SQLite store: survives an app restart, keeps sealed records immutable."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from field_app.store import OutboxStatus, open_store
from field_app.store import queries as q
from schemas.records import EvidenceKind, EvidenceRef, SealedRecord, SurveyRecord, VisitKind
from tests.field_app.helpers import T0, cache_case, case_summary, vault_for


def _record(record_id: str = "rec-00000001", case_id: str = "case-1") -> SurveyRecord:
    return SurveyRecord(id=record_id, case_id=case_id, kind=VisitKind.HOME_VISIT, form_id="home_visit",
                        form_version=1, surveyors=["zhangwei", "lina"], started_at=T0)


def _sealed(record_id: str = "rec-00000002") -> SealedRecord:
    return SealedRecord(record=_record(record_id).model_copy(update={"sealed_at": T0}))


def test_the_database_is_a_wal_file_with_foreign_keys_on(store, data_dir):
    assert (data_dir / "field.db").is_file()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_database_its_wal_and_a_rollback_journal_are_encrypted_with_the_pragmas_kept_r21(store, data_dir):
    """SQLCipher encrypts every page, in the main file, the WAL and a rollback journal alike."""
    from tests.field_app.secrets_search import find

    with store.engine.connect() as conn:
        pragmas = [conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in
                   ("synchronous", "busy_timeout", "temp_store", "secure_delete", "cipher_version")]
    assert pragmas[:4] == [2, 5000, 2, 1] and pragmas[4].startswith("4.")  # FULL, 5 s, MEMORY, on; SQLCipher 4
    cache_case(store, case_summary())
    marker = "日记标记-WAL-7Q3X"
    with store.transaction() as s:
        q.save_draft(s, _record().model_copy(update={"refusal_note": marker}), T0)
    assert (data_dir / "field.db-wal").stat().st_size > 0
    assert find([data_dir], [marker]) == []
    raw = store.engine.raw_connection()  # a rollback journal instead of the WAL, mid-transaction
    try:
        conn = raw.driver_connection
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"UPDATE draft SET record_json = replace(record_json, '{marker}', '{marker}2')")
        assert (data_dir / "field.db-journal").is_file() and find([data_dir], [marker]) == []
        conn.execute("ROLLBACK")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        raw.close()


def test_drafts_and_the_outbox_survive_an_app_restart(data_dir):
    store = open_store(data_dir, vault_for(data_dir))
    cache_case(store, case_summary())
    draft = _record().model_copy(update={"answers": {"household_size": 3}})
    with store.transaction() as s:
        q.save_draft(s, draft, T0)
        q.add_to_outbox(s, _sealed())
    store.close()

    reopened = open_store(data_dir, vault_for(data_dir))  # a new process would do exactly this
    with reopened.reading() as s:
        assert q.load_draft(s, draft.id) == draft
        [item] = q.outbox_items(s)
        assert q.sealed_record(item) == _sealed() and item.status == OutboxStatus.QUEUED.value
        assert q.cached_case(s, "case-1") == case_summary()
    reopened.close()


def test_a_draft_needs_a_known_case(store):
    with pytest.raises(IntegrityError), store.transaction() as s:
        q.save_draft(s, _record(case_id="no-such-case"), T0)


def test_a_sealed_record_cannot_be_changed_even_with_raw_sql(store):
    cache_case(store, case_summary())
    with store.transaction() as s:
        q.add_to_outbox(s, _sealed())
    with pytest.raises(IntegrityError, match="immutable"), store.engine.begin() as conn:
        conn.execute(text("UPDATE outbox SET sealed_json = '{}' WHERE record_id = 'rec-00000002'"))
    with store.transaction() as s:  # its upload status may change
        q.mark_problem(s, "rec-00000002", "record.conflict", "")
    with store.reading() as s:
        [item] = q.outbox_items(s)
        assert item.status == "problem" and q.sealed_record(item) == _sealed()


def test_an_unsynced_sealed_record_cannot_be_deleted_but_a_synced_one_can(store):
    cache_case(store, case_summary())
    with store.transaction() as s:
        q.add_to_outbox(s, _sealed())
    with pytest.raises(IntegrityError, match="cannot be deleted"), store.engine.begin() as conn:
        conn.execute(text("DELETE FROM outbox"))
    with store.transaction() as s:
        q.mark_synced(s, "rec-00000002", T0)
    with store.engine.begin() as conn:
        assert conn.execute(text("DELETE FROM outbox")).rowcount == 1


def test_a_sealed_record_goes_to_the_outbox_once(store):
    cache_case(store, case_summary())
    with store.transaction() as s:
        q.add_to_outbox(s, _sealed())
    with pytest.raises(IntegrityError), store.transaction() as s:
        q.add_to_outbox(s, _sealed())


def test_an_unsealed_record_is_not_accepted_into_the_outbox(store):
    with pytest.raises(ValueError), store.transaction() as s:
        q.add_to_outbox(s, SealedRecord(record=_record()))


def test_a_case_no_longer_assigned_is_dropped_unless_a_visit_refers_to_it(store):
    cache_case(store, case_summary("case-1"))
    cache_case(store, case_summary("case-2"))
    with store.transaction() as s:
        q.save_draft(s, _record(case_id="case-1"), T0)
        q.save_cases(s, "team-1", [case_summary("case-3")], T0)
    with store.reading() as s:
        assert sorted(c.id for c in q.cached_cases(s, "team-1")) == ["case-1", "case-3"]


def test_evidence_in_use_covers_drafts_and_unsynced_records_only(store):
    cache_case(store, case_summary())

    def ref(seed: bytes) -> EvidenceRef:
        return EvidenceRef(sha256=hashlib.sha256(seed).hexdigest(), size=len(seed), media_type="image/jpeg",
                           kind=EvidenceKind.PHOTO, captured_at=T0, captured_by="zhangwei")
    draft = _record("rec-draft-1").model_copy(update={"evidence": [ref(b"a")]})
    queued = _sealed("rec-queued1")
    queued.record.evidence.append(ref(b"b"))
    synced = _sealed("rec-synced1")
    synced.record.evidence.append(ref(b"c"))
    with store.transaction() as s:
        q.save_draft(s, draft, T0)
        q.add_to_outbox(s, queued)
        q.add_to_outbox(s, synced)
    with store.transaction() as s:
        q.mark_synced(s, "rec-synced1", T0)
    with store.reading() as s:
        assert q.evidence_in_use(s) == {ref(b"a").sha256, ref(b"b").sha256}
