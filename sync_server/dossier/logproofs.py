"""The log part of a dossier: checkpoints before and after the export, inclusion and consistency proofs.

Proven: each record's ingest entry (by record, as in format v1), and (format v2) every entry about the case,
the enrolments of the dossier's keys and the export's own entry, by position."""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, or_, select

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


def case_entries(session: Session, case_id: str, key_ids: Collection[str]) -> list[AuditEntry]:
    """Every entry about the case, and the enrolment entries of these keys, in log order."""
    about = col(AuditEntry.case_id) == case_id
    if key_ids:
        about = or_(about, (col(AuditEntry.kind) == "key.registered") & col(AuditEntry.subject).in_(list(key_ids)))
    return list(session.exec(select(AuditEntry).where(about).order_by(col(AuditEntry.position))))


@dataclass
class LogPart:
    """The log's files in the dossier, and which proven positions are about which subject."""

    names: dict[str, str | int]
    by_subject: dict[str, list[int]] = field(default_factory=dict)
    size: int = 0
    entries: int = 0


def log_files(session: Session, rows: list[Record], key: AgencyKey, now: datetime, event: audit.AuditEvent,
              add: Callable[[str, bytes], None], key_ids: Collection[str] = ()) -> LogPart:
    """Log the export, sign a checkpoint, add proofs and checkpoints as files; returns their names."""
    entries = {row.id: _ingest_entry(session, row, now) for row in rows}
    about = case_entries(session, event.case_id or "", key_ids)
    before = audit.checkpoint(session, key, now)
    exported = audit.append(session, event)
    latest = audit.checkpoint(session, key, now)
    about.append(exported)
    proven = audit.log_proofs(session, latest.tree_size, sorted({e.position for e in [*entries.values(), *about]}),
                              before.tree_size)
    proofs: dict[str, object] = {"records": {
        rid: {"position": e.position, "entry": base64.b64encode(e.entry).decode("ascii"),
              "inclusion": [h.hex() for h in proven.inclusion[e.position]]}
        for rid, e in entries.items()}}
    proofs["entries"] = {str(e.position): {"entry": base64.b64encode(e.entry).decode("ascii"),
                                           "inclusion": [h.hex() for h in proven.inclusion[e.position]]}
                         for e in about}
    names: dict[str, str | int] = {"checkpoint": "log/checkpoint.json", "proofs": "log/proofs.json",
                                "export_entry": exported.position}
    if before.tree_size > 0:
        proofs["consistency"] = {"from": before.tree_size, "to": latest.tree_size,
                                 "proof": [h.hex() for h in proven.consistency]}
        add("log/previous_checkpoint.json", _checkpoint_file(before))
        names["previous_checkpoint"] = "log/previous_checkpoint.json"
    add("log/checkpoint.json", _checkpoint_file(latest))
    add("log/proofs.json", json.dumps(proofs, indent=2).encode("utf-8"))
    part = LogPart(names, size=latest.tree_size, entries=len(about))
    for e in about:
        part.by_subject.setdefault(e.subject, []).append(e.position)
    return part
