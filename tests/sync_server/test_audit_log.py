"""The tamper-evident log (R20, R32, ASVS V16): every ingest, login, key enrolment, download and export is
appended through `audit.append`; a signed checkpoint commits to all of it."""
from __future__ import annotations

import base64
import json

from sqlalchemy import delete
from sqlmodel import col, select

from dossier_verify import merkle as check
from schemas import checkpoint as note
from schemas.seal import key_id, public_key_bytes
from sync_server.db import make_engine, open_session
from sync_server.tables import AuditEntry, AuditNode, Backfill
from sync_server.transparency import audit, merkle
from sync_server.transparency.agency_key import load_or_create
from tests.sync_server.dossier_helpers import submit_both_versions
from tests.sync_server.helpers import CREDENTIALS, device_login, register_key


def test_events_are_logged_in_order_and_a_checkpoint_signs_them_all(team, client, app, clock):
    submit_both_versions(team)
    bad = client.post("/api/v1/auth/login", json={"username": "wangfang", "password": "wrong"})
    assert bad.status_code == 401
    device_login(client, "zhangwei")
    sha = team.client.get("/api/v1/cases/case-yb-2026-0001", headers=team.headers["wangfang"]).json()[
        "records"][0]["sealed"]["record"]["evidence"][0]["sha256"]
    assert client.get(f"/api/v1/evidence/{sha}", headers=team.headers["wangfang"]).status_code == 200
    services = app.state.services
    key = load_or_create(services.settings.data_dir)
    with services.session() as session:
        rows = list(session.exec(select(AuditEntry).order_by(AuditEntry.position)))
        head = audit.checkpoint(session, key, clock())
        session.commit()
    kinds = [r.kind for r in rows]
    assert [r.position for r in rows] == list(range(len(rows)))
    assert kinds.count("record.ingested") == 3
    assert {"auth.login_failed", "auth.login", "evidence.downloaded"} <= set(kinds)
    assert all(json.loads(r.entry)["position"] == r.position for r in rows)
    leaves = [merkle.leaf_hash(r.entry) for r in rows]
    assert head.tree_size == len(rows) and head.root_hash == merkle.root(leaves).hex()
    signed = audit.signed_note(head)
    assert signed is not None and note.parse(signed, key.public_raw).size == head.tree_size
    root = bytes.fromhex(head.root_hash)
    for i, leaf in enumerate(leaves):
        assert check.inclusion_holds(i, len(leaves), leaf, merkle.inclusion_proof(i, leaves), root)


def test_key_enrolment_is_logged_with_the_public_key(team, client, app):
    key = register_key(client, team.headers["lina"], CREDENTIALS["lina"].pin)
    raw = public_key_bytes(key.public_key())
    with app.state.services.session() as session:
        [row] = session.exec(select(AuditEntry).where(AuditEntry.kind == "key.registered",
                                                      AuditEntry.subject == key_id(raw))).all()
    entry = json.loads(row.entry)
    assert entry["actor"] == "lina" and base64.b64decode(entry["data"]["public_key"]) == raw


def _stored_nodes(session) -> int:
    return len(session.exec(select(AuditNode)).all())


def test_roots_and_proofs_come_from_stored_subtrees_and_equal_those_over_every_leaf(app, clock):
    """Each append stores the full subtrees it completes (n − popcount(n) of them for n entries); the root,
    every inclusion proof and every consistency proof read from them equal those hashed from all leaves."""
    with app.state.services.session() as session:
        for i in range(70 - audit.tree_size(session)):
            audit.log(session, "test.event", clock(), "admin", subject=f"event-{i}")
        session.commit()
        leaves = audit.leaves(session)
        n = len(leaves)
        assert n >= 70 and _stored_nodes(session) == n - n.bit_count()
        for size in (1, 2, 3, 5, 8, 13, 32, 33, n):
            tree = merkle.Tree(leaves[:size])
            proven = audit.log_proofs(session, size, range(size), size // 2 + 1)
            assert proven.root == tree.root()
            assert proven.inclusion == {i: tree.inclusion_proof(i) for i in range(size)}
            assert proven.consistency == tree.consistency_proof(size // 2 + 1)


def test_a_log_kept_before_subtrees_were_stored_gets_them_at_start_and_proofs_never_miss_one(app, clock):
    services = app.state.services
    with services.session() as session:
        for i in range(40):
            audit.log(session, "test.event", clock(), "admin", subject=f"event-{i}")
        session.commit()
        leaves = audit.leaves(session)
        n, expected = len(leaves), merkle.Tree(leaves)
        session.execute(delete(AuditNode))  # as a database of the previous release: entries, no nodes
        session.commit()
        assert audit.fill_nodes(session) == n - n.bit_count()
        session.commit()
        assert _stored_nodes(session) == n - n.bit_count()
        assert audit.log_proofs(session, n).root == expected.root()
        session.execute(delete(AuditNode).where(col(AuditNode.level) <= 2))  # some lost: made again when read
        session.commit()
        proven = audit.log_proofs(session, n, [0, n // 2, n - 1], 5)
        assert proven.root == expected.root() and proven.consistency == expected.consistency_proof(5)
        assert proven.inclusion[n // 2] == expected.inclusion_proof(n // 2)
        audit.fill_nodes(session)
        session.commit()
        assert _stored_nodes(session) == n - n.bit_count()


def test_the_server_start_stores_the_subtrees_a_log_lacks_before_any_request(app, clock, settings):
    """A database upgraded from before revision 0010 (no subtrees, the backfill never recorded): the first
    start fills them, once (ops/backfills.py; a later start does not scan the log again)."""
    with app.state.services.session() as session:
        for i in range(20):
            audit.log(session, "test.event", clock(), "admin", subject=f"event-{i}")
        session.commit()
        n = audit.tree_size(session)
        session.execute(delete(AuditNode))
        session.execute(delete(Backfill).where(col(Backfill.name) == "audit_nodes"))
        session.commit()
    engine = make_engine(settings.db_url)  # what every start does, before it serves
    try:
        with open_session(engine) as session:
            assert _stored_nodes(session) == n - n.bit_count()
    finally:
        engine.dispose()
