"""The log part of a dossier: checkpoints before and after the export, inclusion and consistency proofs.

Checkpoints are C2SP signed notes (`log/checkpoint.txt`); one signed in the first format (before the
upgrade) is carried as it was signed, `{body, signature}` JSON (`log/previous_checkpoint.json`)."""
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, col, select

from sync_server import audit
from sync_server.tables import AuditCheckpoint, AuditEntry, Record
from sync_server.transparency import merkle
from sync_server.transparency.agency_key import AgencyKey


def _ingest_entry(session: Session, row: Record, now: datetime) -> AuditEntry:
    """The record's ingest entry; records merged before the log existed are logged now (backfilled)."""
    found = audit.entries_about(session, row.id, "record.ingested")
    if found:
        return found[0]
    return audit.append(session, audit.AuditEvent(
        kind="record.ingested", at=now, actor=row.received_from, case_id=row.case_id, subject=row.id,
        data={"digest": row.digest, "backfilled": True, "received_at": row.received_at.isoformat()}))


def _checkpoint_file(c: AuditCheckpoint, stem: str) -> tuple[str, bytes]:
    signed = audit.signed_note(c)
    if signed is not None:
        return f"{stem}.txt", signed.encode("utf-8")
    return f"{stem}.json", json.dumps({"body": c.body, "signature": c.signature}, ensure_ascii=False,
                                      indent=2).encode("utf-8")


def log_files(session: Session, rows: list[Record], key: AgencyKey, now: datetime, event: audit.AuditEvent,
              add: Callable[[str, bytes], None]) -> dict[str, str]:
    """Log the export, sign a checkpoint, add proofs and checkpoints as files; returns their names."""
    entries = {row.id: _ingest_entry(session, row, now) for row in rows}
    before = audit.checkpoint(session, key, now)
    audit.append(session, event)
    latest = audit.checkpoint(session, key, now)
    proven = audit.log_proofs(session, latest.tree_size, [e.position for e in entries.values()], before.tree_size)
    proofs: dict[str, object] = {"records": {
        rid: {"position": e.position, "entry": base64.b64encode(e.entry).decode("ascii"),
              "inclusion": [h.hex() for h in proven.inclusion[e.position]]}
        for rid, e in entries.items()}}
    names = {"proofs": "log/proofs.json"}
    if before.tree_size > 0:
        proofs["consistency"] = {"from": before.tree_size, "to": latest.tree_size,
                                 "proof": [h.hex() for h in proven.consistency]}
        names["previous_checkpoint"], data = _checkpoint_file(before, "log/previous_checkpoint")
        add(names["previous_checkpoint"], data)
    names["checkpoint"], data = _checkpoint_file(latest, "log/checkpoint")
    add(names["checkpoint"], data)
    proofs["earlier"] = earlier_checkpoints(session, latest.tree_size)
    add("log/proofs.json", json.dumps(proofs, indent=2).encode("utf-8"))
    return names


def earlier_checkpoints(session: Session, size: int) -> list[dict[str, object]]:
    """Every checkpoint signed below `size`, each with its consistency proof to the tree of `size`: whoever
    kept one (an earlier dossier, a tablet) can check this dossier's log against it (`--checkpoint`). The
    nodes of all the proofs are read together (walked once to learn them, then again over them)."""
    rows = session.exec(select(AuditCheckpoint.tree_size, AuditCheckpoint.root_hash)
                        .where(col(AuditCheckpoint.tree_size) > 0, col(AuditCheckpoint.tree_size) < size)
                        .order_by(col(AuditCheckpoint.tree_size))).all()
    wanted: set[tuple[int, int]] = set()

    def note(level: int, number: int) -> bytes:
        wanted.add((level, number))
        return merkle.EMPTY_ROOT
    walk = merkle.Proofs(size, note)
    for first, _ in rows:
        walk.consistency_proof(first)
    hashes = audit.full_hashes(session, wanted)
    proofs = merkle.Proofs(size, lambda level, number: hashes[(level, number)])
    return [{"size": first, "root": root, "proof": [h.hex() for h in proofs.consistency_proof(first)]}
            for first, root in rows]
