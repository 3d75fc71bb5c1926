"""The log part of a dossier: checkpoints before and after the export, inclusion and consistency proofs.

Checkpoints are C2SP signed notes (`log/checkpoint.txt`); one signed in the first format (before the
upgrade) is carried as it was signed, `{body, signature}` JSON (`log/previous_checkpoint.json`).
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
from sync_server.transparency import audit, merkle
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


def case_entries(session: Session, case_id: str, key_ids: Collection[str],
                 form_ids: Collection[str] = ()) -> list[AuditEntry]:
    """Every entry about the case, the enrolment entries of these keys and the publication entries of these
    office form versions, in log order."""
    about = col(AuditEntry.case_id) == case_id
    if key_ids:
        about = or_(about, (col(AuditEntry.kind) == "key.registered") & col(AuditEntry.subject).in_(list(key_ids)))
    if form_ids:
        about = or_(about, (col(AuditEntry.kind) == "form.published") & col(AuditEntry.subject).in_(list(form_ids)))
    return list(session.exec(select(AuditEntry).where(about).order_by(col(AuditEntry.position))))


@dataclass
class LogPart:
    """The log's files in the dossier, and which proven positions are about which subject."""

    names: dict[str, str | int]
    by_subject: dict[str, list[int]] = field(default_factory=dict)
    size: int = 0
    entries: int = 0


def log_files(session: Session, rows: list[Record], key: AgencyKey, now: datetime, event: audit.AuditEvent,
              add: Callable[[str, bytes], None], key_ids: Collection[str] = (),
              form_ids: Collection[str] = ()) -> LogPart:
    """Log the export, sign a checkpoint, add proofs and checkpoints as files; returns their names."""
    entries = {row.id: _ingest_entry(session, row, now) for row in rows}
    about = case_entries(session, event.case_id or "", key_ids, form_ids)
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
    names: dict[str, str | int] = {"proofs": "log/proofs.json", "export_entry": exported.position}
    if before.tree_size > 0:
        proofs["consistency"] = {"from": before.tree_size, "to": latest.tree_size,
                                 "proof": [h.hex() for h in proven.consistency]}
        name, data = _checkpoint_file(before, "log/previous_checkpoint")
        names["previous_checkpoint"] = name
        add(name, data)
    name, data = _checkpoint_file(latest, "log/checkpoint")
    names["checkpoint"] = name
    add(name, data)
    proofs["earlier"] = earlier_checkpoints(session, latest.tree_size)
    add("log/proofs.json", json.dumps(proofs, indent=2).encode("utf-8"))
    part = LogPart(names, size=latest.tree_size, entries=len(about))
    for e in about:
        part.by_subject.setdefault(e.subject, []).append(e.position)
    return part


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
