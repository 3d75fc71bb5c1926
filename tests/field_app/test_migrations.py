"""The tablet's schema versions (PRAGMA user_version + forward steps): a data folder made by the
previous release (69d0248; see previous_release/make_fixture.py), with drafts, an outbox record, a
synced record, photos and signatures in clear, is upgraded and found intact and encrypted (R21)."""
from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import pytest
import sqlcipher3

from field_app.errors import StorageLocked
from field_app.store import OutboxStatus, open_store
from field_app.store import queries as q
from field_app.store.migrations import LATEST, STEPS, Step, migrate, user_version
from field_app.store.plain_to_encrypted import SQLITE_HEADER, is_plain_sqlite
from field_app.store.tables import DeviceTable, LocalAccount
from field_app.viewmodels import TeamSession
from schemas.seal import seal_is_valid
from tests.field_app.helpers import Clock, closed_port, open_tablet, photo, vault_for
from tests.field_app.secrets_search import find, photo_windows

FIXTURE = Path(__file__).parent / "previous_release"
MANIFEST = json.loads((FIXTURE / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def old_tablet(tmp_path) -> Path:
    """The previous release's data folder: its database, signatures, and photos in the plain layout."""
    data_dir = tmp_path / "tablet"
    shutil.copytree(FIXTURE / "evidence", data_dir / "evidence")
    shutil.copyfile(FIXTURE / "field.db", data_dir / "field.db")
    for sha, name in MANIFEST["photos"].items():
        (data_dir / "evidence" / sha[:2]).mkdir(exist_ok=True)
        (data_dir / "evidence" / sha[:2] / sha).write_bytes(photo(name))
    assert is_plain_sqlite(data_dir / "field.db")
    return data_dir


def test_a_previous_release_tablet_upgrades_with_everything_intact_and_now_encrypted_r21(old_tablet):
    store, evidence = open_tablet(old_tablet)
    records = MANIFEST["records"]
    with store.reading() as s:
        draft = q.load_draft(s, records["draft"])
        [queued] = q.outbox_items(s)
        receipt = q.receipt(s, records["synced"])
        accounts = {a.username: a for a in s.exec(q.select(LocalAccount))}
        counts = q.outbox_counts(s)
    assert draft is not None and draft.respondent.name == "迁移前受访人-draft"
    sealed = q.sealed_record(queued)
    assert sealed.record.id == records["queued"] and queued.status == OutboxStatus.QUEUED.value
    assert sealed.record.respondent.name == "迁移前受访人-queued"
    keys = {u: base64.b64decode(a.public_key) for u, a in accounts.items()}
    assert all(seal_is_valid(sealed.record, seal, keys[seal.surveyor]) for seal in sealed.seals)
    assert len(sealed.seals) == 2
    assert receipt is not None and len(receipt.digest) == 64 and receipt.confirmed_at is not None
    assert counts == {OutboxStatus.QUEUED: 1, OutboxStatus.SYNCED: 1, OutboxStatus.PROBLEM: 0}
    assert sorted(a.token for a in accounts.values()) == sorted(MANIFEST["tokens"])
    # every file the draft and the queued record cite is there, encrypted, and reads back byte-equal
    for ref in [*draft.evidence, *sealed.record.evidence]:
        assert evidence.verify(ref.sha256), ref
    assert evidence.read(next(iter(MANIFEST["photos"]))) == photo(next(iter(MANIFEST["photos"].values())))
    assert evidence.stored() == set(MANIFEST["photos"]) | set(MANIFEST["signatures"])
    # nothing of it is left in clear: not the database, not a photo, not a token, not a name
    assert (old_tablet / "field.db").read_bytes()[:16] != SQLITE_HEADER
    leftovers = [p.name for p in old_tablet.rglob("*") if p.is_file() and not p.name.endswith(".enc")]
    assert set(leftovers) <= {"field.db", "field.db-wal", "field.db-shm"}
    blobs = [w for name in MANIFEST["photos"].values() for w in photo_windows(photo(name))]
    assert find([old_tablet], ["迁移前受访人", *MANIFEST["tokens"], "500112195001010011"], blobs) == []
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA user_version").scalar() == LATEST
    store.close()


def test_an_old_pin_key_signs_in_offline_and_is_rewrapped_with_the_device_secret_r21(old_tablet):
    store, _ = open_tablet(old_tablet)
    from field_app.sync.client import SyncClient

    team = TeamSession(store, SyncClient(f"http://127.0.0.1:{closed_port()}", timeout=2.0), "dev", Clock())
    username, pin = next(iter(MANIFEST["pins"].items()))
    team.sign_in(username, pin)
    with store.reading() as s:
        assert q.get_account(s, username).private_key_blob[:3] == b"FK2"  # type: ignore[union-attr]
    store.close()


def test_upgrading_twice_changes_nothing_and_the_schema_matches_the_tables(old_tablet):
    open_tablet(old_tablet)[0].close()
    store = open_store(old_tablet, vault_for(old_tablet))
    raw = store.engine.raw_connection()
    try:
        assert migrate(raw.driver_connection, old_tablet, store.vault) == []
        for table in DeviceTable.metadata.sorted_tables:
            columns = {row[1] for row in raw.driver_connection.execute(f"PRAGMA table_info({table.name})")}
            assert columns == {c.name for c in table.columns}, f"{table.name}: write a migration step"
    finally:
        raw.close()
        store.close()


def test_a_new_step_is_one_function_and_a_failing_step_changes_nothing(tmp_path):
    data_dir = tmp_path / "tablet"
    open_store(data_dir, vault_for(data_dir)).close()
    store = open_store(data_dir, vault_for(data_dir))
    conn = store.engine.raw_connection()
    try:
        def add_note(ctx) -> None:
            ctx.run("ALTER TABLE draft ADD COLUMN note VARCHAR")

        def broken(ctx) -> None:
            ctx.run("CREATE TABLE half_done (x)")
            raise RuntimeError("power cut")

        with pytest.raises(RuntimeError):
            migrate(conn.driver_connection, data_dir, store.vault, [*STEPS, Step(LATEST + 1, "x", broken)])
        assert user_version(conn.driver_connection) == LATEST
        assert not conn.driver_connection.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchall()
        assert migrate(conn.driver_connection, data_dir, store.vault,
                       [*STEPS, Step(LATEST + 1, "draft notes", add_note)]) == [LATEST + 1]
        assert user_version(conn.driver_connection) == LATEST + 1
    finally:
        conn.close()
        store.close()


def test_a_conversion_killed_midway_is_redone_or_finished_at_the_next_start_r21(old_tablet):
    """Killed after the hard link was made (plain file still live), with a half-written copy beside it."""
    os.link(old_tablet / "field.db", old_tablet / "field.db.plain")
    (old_tablet / "field.db.encrypting").write_bytes(b"half an encrypted copy")
    store, _ = open_tablet(old_tablet)
    with store.reading() as s:
        assert q.load_draft(s, MANIFEST["records"]["draft"]) is not None
    store.close()
    assert not (old_tablet / "field.db.plain").exists() and not (old_tablet / "field.db.encrypting").exists()
    # killed after the rename: the encrypted file is live, the plain bytes linger under .plain
    shutil.copyfile(FIXTURE / "field.db", old_tablet / "field.db.plain")
    open_tablet(old_tablet)[0].close()
    assert not (old_tablet / "field.db.plain").exists()


def test_the_database_does_not_open_without_the_vault_key_r21(old_tablet):
    open_tablet(old_tablet)[0].close()
    conn = sqlcipher3.connect(str(old_tablet / "field.db"))
    with pytest.raises(sqlcipher3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    conn.close()
    with pytest.raises(StorageLocked, match="无法解密本机数据"):
        open_store(old_tablet, vault_for(old_tablet.parent / "another-tablet"))
