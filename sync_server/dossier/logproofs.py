"""The log part of a dossier: checkpoints before and after the export, inclusion and consistency proofs."""
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from sync_server.tables import AuditCheckpoint, AuditEntry, Record
from sync_server.transparency import audit
from sync_server.transparency.agency_key import AgencyKey


def _ingest_entry(session: Session, row: Record, now: datetime) -> AuditEntry:
    """The record's ingest entry; records merged before the log existed are logged now (backfilled)."""
    found = audit.entries_about(session, row.id, "record.ingested")
    if found:
        return found[0]
    return audit.append(session, audit.AuditEvent(
        kind="record.ingested", at=now, actor=row.received_from, case_id=row.case_id, subject=row.id,
        data={"digest": row.digest, "backfilled": True, "received_at": row.received_at.isoformat()}))


def _checkpoint_file(c: AuditCheckpoint) -> bytes:
    return json.dumps({"body": c.body, "signature": c.signature}, ensure_ascii=False, indent=2).encode("utf-8")


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
    names = {"checkpoint": "log/checkpoint.json", "proofs": "log/proofs.json"}
    if before.tree_size > 0:
        proofs["consistency"] = {"from": before.tree_size, "to": latest.tree_size,
                                 "proof": [h.hex() for h in proven.consistency]}
        add("log/previous_checkpoint.json", _checkpoint_file(before))
        names["previous_checkpoint"] = "log/previous_checkpoint.json"
    add("log/checkpoint.json", _checkpoint_file(latest))
    add("log/proofs.json", json.dumps(proofs, indent=2).encode("utf-8"))
    return names
