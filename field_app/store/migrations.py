"""The tablet database's schema versions: `PRAGMA user_version` and an ordered list of forward steps.

Each step is one function `step(ctx)` that runs inside its own write transaction; the runner then
sets `user_version` to the step's number and commits, so a step is applied whole or not at all and
a killed app resumes at the first step not yet committed. Steps are frozen: they describe the change
as it was made then (plain SQL), never today's tables, and are never edited after a release.

To add a step (after a table changes): write `def _v4_...(ctx)` and append `Step(4, "...", _v4_...)`
to `STEPS`. tests/field_app/test_migrations.py checks that the migrated schema matches tables.py.

- 1: the schema of the previous release (69d0248), which did not set user_version: an upgraded
  database is at 0 with these tables already there, so the DDL says IF NOT EXISTS.
- 2: encryption at rest. The database FILE is re-encrypted into SQLCipher before it is opened (a
  connection cannot replace its own file: see `plain_to_encrypted.encrypt_plain_database`); this
  step encrypts the evidence files the previous release stored in clear.
- 3: receipts of records the server confirmed (the confirmed record and its files leave the tablet).
- 4: the newest checkpoint of the agency's audit log the tablet verified (it witnesses the log, issue 17).
- 5: form versions the office published, downloaded at sync (issue 20).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from field_app.store.vault import KeyVault


@dataclass(frozen=True)
class Context:
    """What a step may use: the open DBAPI connection (in a transaction), the data folder, the vault."""

    conn: Any
    data_dir: Path
    vault: KeyVault

    def run(self, *statements: str) -> None:
        """Execute SQL statements in order."""
        for statement in statements:
            self.conn.execute(statement)


@dataclass(frozen=True)
class Step:
    """One forward migration: the version it brings the database to."""

    version: int
    name: str
    apply: Callable[[Context], None]


def _v1_previous_release(ctx: Context) -> None:
    ctx.run(
        """CREATE TABLE IF NOT EXISTS local_account (username VARCHAR NOT NULL, name VARCHAR NOT NULL,
           role VARCHAR NOT NULL, work_id VARCHAR NOT NULL, team_id VARCHAR, key_id VARCHAR NOT NULL,
           public_key VARCHAR NOT NULL, private_key_blob BLOB NOT NULL, key_registered BOOLEAN NOT NULL,
           token VARCHAR, token_expires_at VARCHAR(40), first_signed_in_at VARCHAR(40) NOT NULL,
           last_signed_in_at VARCHAR(40) NOT NULL, failed_pins INTEGER NOT NULL, locked_until VARCHAR(40),
           PRIMARY KEY (username))""",
        """CREATE TABLE IF NOT EXISTS cached_case (id VARCHAR NOT NULL, team_id VARCHAR NOT NULL,
           summary_json VARCHAR NOT NULL, downloaded_at VARCHAR(40) NOT NULL, PRIMARY KEY (id))""",
        "CREATE INDEX IF NOT EXISTS ix_cached_case_team_id ON cached_case (team_id)",
        """CREATE TABLE IF NOT EXISTS draft (record_id VARCHAR NOT NULL, case_id VARCHAR NOT NULL,
           kind VARCHAR NOT NULL, record_json VARCHAR NOT NULL, updated_at VARCHAR(40) NOT NULL,
           PRIMARY KEY (record_id), FOREIGN KEY(case_id) REFERENCES cached_case (id))""",
        "CREATE INDEX IF NOT EXISTS ix_draft_case_id ON draft (case_id)",
        """CREATE TABLE IF NOT EXISTS outbox (record_id VARCHAR NOT NULL, case_id VARCHAR NOT NULL,
           kind VARCHAR NOT NULL, sealed_json VARCHAR NOT NULL, sealed_at VARCHAR(40) NOT NULL,
           status VARCHAR NOT NULL, problem_code VARCHAR NOT NULL, problem_detail VARCHAR NOT NULL,
           attempts INTEGER NOT NULL, last_attempt_at VARCHAR(40), synced_at VARCHAR(40),
           PRIMARY KEY (record_id), FOREIGN KEY(case_id) REFERENCES cached_case (id))""",
        "CREATE INDEX IF NOT EXISTS ix_outbox_case_id ON outbox (case_id)",
        "CREATE INDEX IF NOT EXISTS ix_outbox_status ON outbox (status)",
        """CREATE TRIGGER IF NOT EXISTS outbox_sealed_is_immutable
           BEFORE UPDATE OF record_id, case_id, kind, sealed_json, sealed_at ON outbox
           BEGIN SELECT RAISE(ABORT, 'sealed records are immutable'); END""",
        """CREATE TRIGGER IF NOT EXISTS outbox_unsynced_is_kept
           BEFORE DELETE ON outbox WHEN OLD.status <> 'synced'
           BEGIN SELECT RAISE(ABORT, 'unsynced sealed records cannot be deleted'); END""",
    )


def _v2_encrypt_evidence(ctx: Context) -> None:
    from field_app.store.plain_to_encrypted import encrypt_plain_evidence

    encrypt_plain_evidence(ctx.data_dir, ctx.vault)


def _v3_receipts(ctx: Context) -> None:
    from field_app.store.plain_to_encrypted import receipts_from_synced_outbox

    ctx.run(
        """CREATE TABLE IF NOT EXISTS receipt (record_id VARCHAR NOT NULL, case_id VARCHAR NOT NULL,
           kind VARCHAR NOT NULL, digest VARCHAR NOT NULL, received_at VARCHAR(40),
           confirmed_at VARCHAR(40) NOT NULL, PRIMARY KEY (record_id))""",
        "CREATE INDEX IF NOT EXISTS ix_receipt_case_id ON receipt (case_id)",
    )
    receipts_from_synced_outbox(ctx.conn)


def _v4_log_checkpoint(ctx: Context) -> None:
    ctx.run(
        """CREATE TABLE IF NOT EXISTS log_checkpoint (id INTEGER NOT NULL, size INTEGER NOT NULL,
           root VARCHAR NOT NULL, note VARCHAR NOT NULL, public_key VARCHAR NOT NULL,
           seen_at VARCHAR(40) NOT NULL, PRIMARY KEY (id))""",
    )


def _v5_office_forms(ctx: Context) -> None:
    ctx.run(
        """CREATE TABLE IF NOT EXISTS office_form (form_id VARCHAR NOT NULL, version INTEGER NOT NULL,
           body VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, received_at VARCHAR(40) NOT NULL,
           PRIMARY KEY (form_id, version))""",
    )


STEPS: list[Step] = [
    Step(1, "previous release's schema (69d0248)", _v1_previous_release),
    Step(2, "evidence files encrypted (database file re-encrypted before opening)", _v2_encrypt_evidence),
    Step(3, "receipts of confirmed records", _v3_receipts),
    Step(4, "the agency log's newest verified checkpoint", _v4_log_checkpoint),
    Step(5, "the office's own form versions", _v5_office_forms),
]
LATEST = STEPS[-1].version


def user_version(conn: Any) -> int:
    """The schema version recorded in the database."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Any, data_dir: Path, vault: KeyVault, steps: list[Step] | None = None) -> list[int]:
    """Apply every step above the database's version, each in its own transaction; returns those applied.

    `conn` is a DBAPI connection in autocommit mode (isolation_level None)."""
    steps = STEPS if steps is None else steps
    if [s.version for s in steps] != list(range(1, len(steps) + 1)):
        raise ValueError("migration steps must be numbered 1, 2, 3... in order")
    current, applied = user_version(conn), []
    if current > steps[-1].version:
        raise RuntimeError(f"平板数据库版本 {current} 比本应用新，请升级应用")
    for step in steps:
        if step.version <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            step.apply(Context(conn, Path(data_dir), vault))
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(step.version)
    return applied
