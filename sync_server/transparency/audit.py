"""The audit log's one entry point, `append(session, event)`, and its signed checkpoints.

Every ingest, review decision, report issue, export, download, disposal and account event goes through
`append` inside the caller's transaction (nothing here commits). An entry is the RFC 8785 JSON of
{"position", "at", "kind", "actor", "case_id", "subject", "data"}; it becomes leaf `position` of an RFC 9162
Merkle tree. A checkpoint is a C2SP signed note (`tlog-checkpoint`, schemas/checkpoint.py) by the agency key;
before signing one the server checks the database's log extends the newest checkpoint it remembers having
signed (transparency/memory.py) and refuses, with an alarm, when it does not. Checkpoints signed before
that format ({"tree_size", "root", "time", "key_id"} JSON under CHECKPOINT_CONTEXT) stay verifiable.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import rfc8785
from sqlalchemy import delete, event, func, text
from sqlmodel import Session, col, select

from schemas import checkpoint as note
from schemas.problems import Code, ProblemError
from sync_server.tables.audit_log import AuditCheckpoint, AuditEntry, AuditNode
from sync_server.tables.inserts import insert_new
from sync_server.transparency import memory, merkle
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
    transaction ends, so positions stay 0, 1, 2 … without a collision or a gap. The full subtrees the new
    leaf completes are stored with it (one on average, never more than log n)."""
    session.flush()
    _hold_the_end(session)
    position = tree_size(session)
    entry = entry_bytes(position, event)
    leaf = merkle.leaf_hash(entry)
    row = AuditEntry(position=position, at=event.at, kind=event.kind, actor=event.actor, case_id=event.case_id,
                     subject=event.subject, entry=entry, leaf_hash=leaf.hex())
    session.add(row)
    session.flush()
    _store_completed(session, position, leaf)
    return row


def _store_completed(session: Session, position: int, leaf: bytes) -> None:
    """Store the full subtrees whose last leaf is this one (a right child completes its parent, and so on)."""
    node, number, level, completed = leaf, position, 0, []
    while number % 2:
        left = full_hashes(session, {(level, number - 1)})[(level, number - 1)]
        node, number, level = merkle.node_hash(left, node), number // 2, level + 1
        completed.append({"level": level, "number": number, "node_hash": node.hex()})
    insert_new(session, AuditNode.__table__, completed)  # type: ignore[attr-defined]


def full_hashes(session: Session, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The hashes of these full subtrees ((level, number); level 0: leaves), read in a few queries. A node
    never stored (a log written before nodes were kept, or rows inserted without `append`) is made from its
    halves and stored."""
    found: dict[tuple[int, int], bytes] = {}
    by_level: dict[int, list[int]] = {}
    for level, number in wanted:
        by_level.setdefault(level, []).append(number)
    for level, numbers in sorted(by_level.items()):  # one indexed lookup per level (a row-value IN scans)
        for start in range(0, len(numbers), 500):
            found.update({(level, number): h for number, h in _hashes_at(session, level, numbers[start:start + 500])})
    missing = wanted - found.keys()
    if any(level == 0 for level, _ in missing):
        raise ValueError(f"leaves not in the log: {sorted(n for level, n in missing if level == 0)[:5]}")
    if missing:
        halves = full_hashes(session, {(level - 1, 2 * number + side) for level, number in missing for side in (0, 1)})
        made = {(level, number): merkle.node_hash(halves[(level - 1, 2 * number)], halves[(level - 1, 2 * number + 1)])
                for level, number in missing}
        insert_new(session, AuditNode.__table__, [  # type: ignore[attr-defined]
            {"level": level, "number": number, "node_hash": h.hex()} for (level, number), h in made.items()])
        found.update(made)
    return found


def _hashes_at(session: Session, level: int, numbers: list[int] | None = None,
               span: tuple[int, int] = (0, 0)) -> list[tuple[int, bytes]]:
    """(number, hash) of the stored nodes at one level (0: the leaves) among `numbers`, else in `span`."""
    if level == 0:
        number, hashed, where = col(AuditEntry.position), col(AuditEntry.leaf_hash), []
    else:
        number, hashed, where = col(AuditNode.number), col(AuditNode.node_hash), [col(AuditNode.level) == level]
    where += [number.in_(numbers)] if numbers is not None else [number >= span[0], number < span[1]]
    return [(n, bytes.fromhex(h)) for n, h in session.exec(select(number, hashed).where(*where))]


@dataclass(frozen=True)
class LogProofs:
    """A tree's root, inclusion proofs of some positions, and a consistency proof from an earlier size."""

    root: bytes
    inclusion: dict[int, list[bytes]]
    consistency: list[bytes]


def log_proofs(session: Session, size: int, positions: Sequence[int] = (), first: int = 0) -> LogProofs:
    """The root of the log's first `size` entries, the inclusion proof of each position, and (if `first`)
    the consistency proof from the tree of `first` entries: O(log n) stored nodes each, fetched together
    (the proofs are walked once to learn which nodes they need, then again over the nodes read)."""
    def compute(full: Callable[[int, int], bytes]) -> LogProofs:
        proofs = merkle.Proofs(size, full)
        return LogProofs(proofs.root(), {p: proofs.inclusion_proof(p) for p in positions},
                         proofs.consistency_proof(first) if first else [])
    wanted: set[tuple[int, int]] = set()

    def note(level: int, number: int) -> bytes:
        wanted.add((level, number))
        return merkle.EMPTY_ROOT  # any bytes: the walk does not depend on the hashes
    compute(note)
    hashes = full_hashes(session, wanted)
    return compute(lambda level, number: hashes[(level, number)])


def fill_nodes(session: Session) -> int:
    """Store every full subtree the log lacks (a log kept before nodes were, or rows lost); how many. Level by
    level, each made from the level below read in ranges (2.5 times faster at start than asking
    `full_hashes` for them by number); one count per level when nothing is missing."""
    size, added, level = tree_size(session), 0, 1
    while size >> level:
        expected = size >> level
        have = session.exec(select(func.count()).select_from(AuditNode).where(AuditNode.level == level)).one()
        if have < expected:
            stored = set(session.exec(select(AuditNode.number).where(AuditNode.level == level)))
            for start in range(0, expected, 5000):
                end = min(start + 5000, expected)
                lacking = [number for number in range(start, end) if number not in stored]
                if not lacking:
                    continue
                below = dict(_hashes_at(session, level - 1, span=(2 * start, 2 * end)))  # in order, one range
                gaps = {(level - 1, n) for number in lacking for n in (2 * number, 2 * number + 1) if n not in below}
                below.update({n: h for (_, n), h in full_hashes(session, gaps).items()})  # holes below: made
                insert_new(session, AuditNode.__table__, [  # type: ignore[attr-defined]
                    {"level": level, "number": number,
                     "node_hash": merkle.node_hash(below[2 * number], below[2 * number + 1]).hex()}
                    for number in lacking])
                added += len(lacking)
        level += 1
    return added


def leaves(session: Session, size: int | None = None) -> list[bytes]:
    """The leaf hashes of the first `size` entries (all by default)."""
    query = select(AuditEntry.leaf_hash).order_by(col(AuditEntry.position))
    if size is not None:
        query = query.limit(size)
    return [bytes.fromhex(h) for h in session.exec(query)]


def checkpoint_body(size: int, root: bytes, at: datetime, key_id: str) -> str:
    """The JSON a checkpoint of the first format signed (RFC 8785, so a verifier can rebuild it exactly)."""
    return rfc8785.dumps({"tree_size": size, "root": root.hex(), "time": _iso(at), "key_id": key_id}).decode()


def checkpoint(session: Session, key: AgencyKey, at: datetime) -> AuditCheckpoint:
    """Sign the log as it stands (or return the checkpoint already made at this size). The end of the log is
    held first, so two callers at once (two exports) see the same size and the second finds the first's
    checkpoint instead of colliding with it. The root comes from stored nodes: O(log n). A key that
    remembers what it signed (`key.data_dir`) first checks the log extends the newest of those; if not it
    raises the alarm and `log.inconsistent` (a ProblemError) and signs nothing."""
    session.flush()
    _hold_the_end(session)
    size = tree_size(session)

    def proofs(first: int) -> tuple[bytes, list[bytes]]:
        proven = log_proofs(session, size, (), first)
        return proven.root, proven.consistency
    try:
        root = memory.check_extends(key.data_dir, size, proofs) if key.data_dir is not None else proofs(0)[0]
    except memory.LogDisagrees as refused:
        raise ProblemError(Code.LOG_INCONSISTENT, memory.REASONS[refused.reason], **refused.detail) from refused
    existing = session.get(AuditCheckpoint, size)
    if existing is not None:
        if key.data_dir is not None and existing.root_hash != root.hex():
            memory.raise_alarm(key.data_dir, "inconsistent", size=size, checkpoint_root=existing.root_hash,
                               root=root.hex())
            raise ProblemError(Code.LOG_INCONSISTENT, memory.REASONS["inconsistent"], size=size)
        return existing
    text = note.checkpoint_text(key.origin, size, root)
    line = note.signature_line(key.origin, key.public_raw, text, key.sign_raw)
    row = AuditCheckpoint(tree_size=size, root_hash=root.hex(), at=at, key_id=key.key_id, body=text,
                          signature=line.rsplit(" ", 1)[1])
    session.add(row)
    session.flush()
    if key.data_dir is not None:
        _remember_after_commit(session, key.data_dir, memory.Signed(size, root, note.signed_note(text, [line])))
    return row


def signed_note(row: AuditCheckpoint) -> str | None:
    """The checkpoint as a C2SP signed note (None for a checkpoint of the first, JSON, format)."""
    if row.body.startswith("{"):
        return None
    return note.signed_note(row.body, [f"{note.DASH} {row.body.split(chr(10), 1)[0]} {row.signature}"])


def _remember_after_commit(session: Session, data_dir: Path, signed: memory.Signed) -> None:
    """Append the checkpoint to the memory file once its transaction commits (a rolled-back checkpoint, and
    the entries it covered, are forgotten: remembering them would make the next check fail)."""
    pending: list[tuple[Path, memory.Signed]] = session.info.setdefault("audit.signed", [])
    if not session.info.get("audit.listening"):
        event.listen(session, "after_commit", _on_commit)
        event.listen(session, "after_rollback", _on_rollback)
        session.info["audit.listening"] = True
    pending.append((data_dir, signed))


def _on_commit(session: Session) -> None:
    for data_dir, signed in session.info.pop("audit.signed", []):
        memory.remember(data_dir, signed)


def _on_rollback(session: Session) -> None:
    session.info.pop("audit.signed", None)


def newest_checkpoint(session: Session) -> AuditCheckpoint | None:
    """The checkpoint of the largest tree signed so far, if any."""
    return session.exec(select(AuditCheckpoint).order_by(col(AuditCheckpoint.tree_size).desc())).first()


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
