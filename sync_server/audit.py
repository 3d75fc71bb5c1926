"""The audit log's one entry point, `append(session, event)`, and its signed checkpoints.

Every ingest, review decision, report issue, export, download, disposal and account event goes through
`append` inside the caller's transaction (nothing here commits). An entry is the RFC 8785 JSON of
{"position", "at", "kind", "actor", "case_id", "subject", "data"}; it becomes leaf `position` of an RFC 9162
Merkle tree. A checkpoint is the agency key's signature over {"tree_size", "root", "time", "key_id"}.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import rfc8785
from sqlalchemy import delete, func, text
from sqlmodel import Session, col, select

from sync_server.tables.audit_log import AuditCheckpoint, AuditEntry
from sync_server.transparency import merkle
from sync_server.transparency.agency_key import AgencyKey

CHECKPOINT_CONTEXT = b"field-evidence/checkpoint/v1\n"
LOG_LOCK = 0x6175_6469_745F_6C6F  # "audit_lo": PostgreSQL's advisory lock key for appending to the log


@dataclass(frozen=True)
class AuditEvent:
    """What happened, when, by whom, to which case and thing; `data` is any JSON object."""

    kind: str
    at: datetime
    actor: str = ""
    case_id: str | None = None
    subject: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def entry_bytes(position: int, event: AuditEvent) -> bytes:
    """The exact bytes logged for this event at this position."""
    return rfc8785.dumps({"position": position, "at": _iso(event.at), "kind": event.kind, "actor": event.actor,
                          "case_id": event.case_id, "subject": event.subject, "data": event.data})


def tree_size(session: Session) -> int:
    """How many entries the log holds: positions run 0, 1, 2 … without gaps, so it is the highest plus one,
    read from the primary key's index (a count would scan the whole log on every append)."""
    highest = session.exec(select(func.max(AuditEntry.position))).one()
    return 0 if highest is None else int(highest) + 1


def _hold_the_end(session: Session) -> None:
    """Make this transaction the log's only appender until it ends (commit or rollback), so the highest
    position read next is the last one and nobody else takes the one after it. PostgreSQL: a
    transaction-scoped advisory lock (appenders queue on it; readers are not stopped). SQLite: its one
    write lock, taken by a write that changes nothing (pysqlite opens the transaction at the first write,
    so the read that follows sees every committed append and no writer can commit before this one)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_LOCK})
    else:
        connection.execute(delete(AuditEntry).where(col(AuditEntry.position) < 0))


def append(session: Session, event: AuditEvent) -> AuditEntry:
    """Add one event at the end of the log (in the caller's transaction); returns its entry. Safe under
    concurrent appenders on SQLite and PostgreSQL: the end of the log is held until the caller's
    transaction ends, so positions stay 0, 1, 2 … without a collision or a gap."""
    session.flush()
    _hold_the_end(session)
    position = tree_size(session)
    entry = entry_bytes(position, event)
    row = AuditEntry(position=position, at=event.at, kind=event.kind, actor=event.actor, case_id=event.case_id,
                     subject=event.subject, entry=entry, leaf_hash=merkle.leaf_hash(entry).hex())
    session.add(row)
    session.flush()
    return row


def leaves(session: Session, size: int | None = None) -> list[bytes]:
    """The leaf hashes of the first `size` entries (all by default)."""
    query = select(AuditEntry.leaf_hash).order_by(col(AuditEntry.position))
    if size is not None:
        query = query.limit(size)
    return [bytes.fromhex(h) for h in session.exec(query)]


def checkpoint_body(size: int, root: bytes, at: datetime, key_id: str) -> str:
    """The JSON a checkpoint signs (RFC 8785, so a verifier can rebuild it exactly)."""
    return rfc8785.dumps({"tree_size": size, "root": root.hex(), "time": _iso(at), "key_id": key_id}).decode()


def held_tree(session: Session) -> merkle.Tree:
    """The log's Merkle tree as it stands, its end held first (see `_hold_the_end`): what the caller adds
    next is the next leaf, and nobody else appends until its transaction ends."""
    session.flush()
    _hold_the_end(session)
    return merkle.Tree(leaves(session))


def checkpoint(session: Session, key: AgencyKey, at: datetime, tree: merkle.Tree | None = None) -> AuditCheckpoint:
    """Sign the log as it stands (or return the checkpoint already made at this size): over `tree`, the
    log's tree from `held_tree` kept up to date by the caller, or read now. The end of the log is held
    first, so two callers at once (two exports) see the same size and the second finds the first's
    checkpoint instead of colliding with it."""
    if tree is None:
        tree = held_tree(session)
    existing = session.get(AuditCheckpoint, tree.size)
    if existing is not None:
        return existing
    body = checkpoint_body(tree.size, tree.root(), at, key.key_id)
    row = AuditCheckpoint(tree_size=tree.size, root_hash=tree.root().hex(), at=at, key_id=key.key_id, body=body,
                          signature=key.sign(CHECKPOINT_CONTEXT + body.encode()))
    session.add(row)
    session.flush()
    return row


def previous_checkpoint(session: Session, below: int) -> AuditCheckpoint | None:
    """The latest checkpoint of a smaller, non-empty tree, if any."""
    query = select(AuditCheckpoint).where(col(AuditCheckpoint.tree_size) < below,
                                          col(AuditCheckpoint.tree_size) > 0)
    return session.exec(query.order_by(col(AuditCheckpoint.tree_size).desc())).first()


def entries_about(session: Session, subject: str, kind: str) -> list[AuditEntry]:
    """Entries of one kind about one subject, oldest first."""
    query = select(AuditEntry).where(AuditEntry.subject == subject, AuditEntry.kind == kind)
    return list(session.exec(query.order_by(col(AuditEntry.position))))


def entry_json(row: AuditEntry) -> dict[str, Any]:
    """A logged entry read back."""
    data: dict[str, Any] = json.loads(row.entry)
    return data


def log(session: Session, kind: str, at: datetime, actor: str = "", case_id: str | None = None,
        subject: str = "", **data: Any) -> AuditEntry:
    """Shorthand for `append(session, AuditEvent(...))`."""
    return append(session, AuditEvent(kind=kind, at=at, actor=actor, case_id=case_id, subject=subject, data=data))


def log_now(session: Session, kind: str, at: datetime, actor: str = "", case_id: str | None = None,
            subject: str = "", **data: Any) -> None:
    """Append one event on its own and commit it."""
    log(session, kind, at, actor, case_id, subject, **data)
    session.commit()
