"""Concurrent appends to the audit log (issue 9): twenty writers at once, each appending its own kind of
event through `audit.append` and committing, as downloads, exports, reviews and sign-ins do. Every one
lands, positions run 0..n-1 without a gap, and the signed checkpoints before and after still prove
every entry's inclusion and the log's consistency. Real server database: SQLite file and PostgreSQL."""
from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from dossier_verify import merkle as check
from sync_server.db import make_engine, open_session
from sync_server.settings import Settings
from sync_server.tables import Account, AuditEntry
from sync_server.transparency import audit, merkle
from sync_server.transparency.agency_key import load_or_create

WRITERS = 20
KINDS = ["evidence.downloaded", "dossier.exported", "review.accepted", "auth.login", "report.issued"]
AT = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)


def _log(engine) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with open_session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.position))))


@pytest.mark.both_databases
def test_twenty_writers_appending_at_once_all_land_at_contiguous_positions_and_the_tree_verifies(
        settings: Settings):
    engine = make_engine(settings.db_url, pool_size=WRITERS, max_overflow=0, pool_timeout=30)
    key = load_or_create(settings.data_dir)
    with open_session(engine) as session:
        before = audit.checkpoint(session, key, AT)
        session.commit()
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with open_session(engine) as session:
                session.get(Account, "zhangwei")  # a request reads before it logs
                start.wait(timeout=30)
                audit.log(session, KINDS[n % len(KINDS)], AT, actor=f"writer-{n}", subject=f"thing-{n}", n=n)
                session.commit()
        except BaseException as error:  # noqa: BLE001 (reported by the test below)
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []

    rows = _log(engine)
    assert [r.position for r in rows] == list(range(len(rows)))
    assert sorted(r.actor for r in rows[before.tree_size:]) == sorted(f"writer-{n}" for n in range(WRITERS))
    with open_session(engine) as session:
        after = audit.checkpoint(session, key, AT)
        session.commit()
    leaves = [merkle.leaf_hash(r.entry) for r in rows]
    root = bytes.fromhex(after.root_hash)
    assert after.tree_size == len(rows) == before.tree_size + WRITERS
    for i, leaf in enumerate(leaves):
        assert leaf.hex() == rows[i].leaf_hash
        assert check.inclusion_holds(i, len(leaves), leaf, merkle.inclusion_proof(i, leaves), root)
    if before.tree_size:
        assert check.consistency_holds(before.tree_size, after.tree_size, bytes.fromhex(before.root_hash), root,
                                       merkle.consistency_proof(before.tree_size, leaves))
    engine.dispose()
