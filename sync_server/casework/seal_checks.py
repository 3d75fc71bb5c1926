"""Seal verdicts kept on the stored record: verified once at ingest (merge.decide refuses any seal that
does not verify, so a merged record's seals were all valid with the keys it names), and again when a
reviewer asks ("重新验证"). Pages show the stored verdict; the dossier and report paths verify afresh."""
from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from schemas.records import SealedRecord
from schemas.signed import seal_valid_over, v1_body
from sync_server.ops.progress import progress
from sync_server.tables import Record, SignedRecordBytes, SurveyorKey, queries
from sync_server.transparency import audit


@dataclass(frozen=True)
class SealVerdict:
    """Whether one seal verified over the record's signed bytes with the key it names."""

    surveyor: str
    key_id: str
    valid: bool


def dump(verdicts: Sequence[SealVerdict]) -> str:
    """The verdicts as stored in `records.seal_verdicts`."""
    return json.dumps([asdict(v) for v in verdicts], ensure_ascii=False)


def stored(row: Record) -> list[SealVerdict] | None:
    """The verdicts kept on the row, or None if its seals were never checked since the column was added."""
    if row.seal_verdicts is None:
        return None
    return [SealVerdict(**v) for v in json.loads(row.seal_verdicts)]


def at_ingest(sealed: SealedRecord) -> list[SealVerdict]:
    """The verdict of a record merge.decide merged: every seal verified with its named, enrolled key."""
    return [SealVerdict(s.surveyor, s.key_id, True) for s in sealed.seals]


def check(version: int, body: bytes, sealed: SealedRecord, keys: Mapping[str, SurveyorKey]) -> list[SealVerdict]:
    """Verify each seal over `body` now, with the registered key it names (a key of another user fails)."""
    out = []
    for seal in sealed.seals:
        key = keys.get(seal.key_id)
        valid = (key is not None and key.username == seal.surveyor
                 and seal_valid_over(version, body, seal, base64.b64decode(key.public_key)))
        out.append(SealVerdict(seal.surveyor, seal.key_id, valid))
    return out


def signed_bytes(session: Session, rows: Sequence[Record]) -> dict[str, tuple[int, bytes]]:
    """The seal version and exact signed bytes of each row, in one query. Rows merged before those bytes
    were kept are v1: their stored JSON is what the tablet sent, so B1 is rebuilt from it."""
    ids = [r.id for r in rows]
    kept = {} if not ids else {
        b.record_id: (b.seal_version, b.body)
        for b in session.exec(select(SignedRecordBytes).where(col(SignedRecordBytes.record_id).in_(ids)))}
    return {r.id: kept.get(r.id) or (1, v1_body(json.loads(r.sealed_json)["record"])) for r in rows}


def check_rows(session: Session, rows: Sequence[Record], sealed: Mapping[str, SealedRecord],
               keys: Mapping[str, SurveyorKey]) -> dict[str, list[SealVerdict]]:
    """Verify these rows' seals now (their bytes in one query); nothing is stored."""
    bodies = signed_bytes(session, rows)
    return {r.id: check(*bodies[r.id], sealed[r.id], keys) for r in rows}


def reverify(session: Session, row: Record, by: str, now: datetime) -> list[SealVerdict]:
    """Verify the record's seals again with the keys registered now, keep the verdict on the row and
    log who asked. Not committed."""
    sealed = SealedRecord.model_validate_json(row.sealed_json)
    keys = queries.keys_by_id(session, {s.key_id for s in sealed.seals})
    verdicts = check_rows(session, [row], {row.id: sealed}, keys)[row.id]
    row.seal_verdicts, row.seals_checked_at, row.seals_checked_by = dump(verdicts), now, by
    session.add(row)
    audit.append(session, audit.AuditEvent(
        kind="record.seals_verified", at=now, actor=by, case_id=row.case_id, subject=row.id,
        data={"seals": [asdict(v) for v in verdicts]}))
    return verdicts


def fill_missing(session: Session, now: datetime, batch: int = 500) -> int:
    """Verify and keep the verdicts of records that have none (rows merged before the column); how many.
    Not committed."""
    done = 0
    with progress("补验记录签章 / backfilling seal verdicts") as step:
        while True:
            rows = list(session.exec(select(Record).where(col(Record.seal_verdicts).is_(None)).limit(batch)))
            if not rows:
                return done
            sealed = {r.id: SealedRecord.model_validate_json(r.sealed_json) for r in rows}
            keys = queries.keys_by_id(session, {s.key_id for x in sealed.values() for s in x.seals})
            verdicts = check_rows(session, rows, sealed, keys)
            for row in rows:
                row.seal_verdicts, row.seals_checked_at = dump(verdicts[row.id]), now
                session.add(row)
            session.flush()
            done += len(rows)
            step(len(rows))
