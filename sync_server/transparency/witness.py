"""Serving the agency log's witnesses (issue 17): every tablet keeps the newest checkpoint it verified and,
at each sync, asks for the latest signed one with the consistency proof from its own. A server whose log
was shortened or rewritten cannot give a proof that holds, so any tablet that saw the log before notices,
stops its sync and reports here (`report`), which raises the same alarm as the server's own check.

A fresh checkpoint is signed for a witness when the log grew and the newest is older than
`checkpoint_interval_s`, so a county of tablets syncing at once costs one signature (and one write to
the memory file) per interval, not one per request.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from schemas.protocol import LogAlarmReport, LogCheckpoint
from sync_server.tables import AuditCheckpoint
from sync_server.transparency import audit, memory
from sync_server.transparency.agency_key import AgencyKey


def latest(session: Session, key: AgencyKey, now: datetime, interval_s: float) -> AuditCheckpoint:
    """The newest signed checkpoint, signing a new one (checked against the memory) when it is stale."""
    newest = audit.newest_checkpoint(session)
    stale = newest is None or audit.signed_note(newest) is None or (
        newest.tree_size < audit.tree_size(session) and now - newest.at >= timedelta(seconds=interval_s))
    if newest is not None and audit.signed_note(newest) is None and newest.tree_size == audit.tree_size(session):
        # the newest is of the first format and the log has not grown since the upgrade: one entry makes a
        # size no checkpoint has yet, so the first signed note can be signed
        audit.log(session, "log.checkpoints_as_notes", now, subject=str(newest.tree_size))
    if newest is None or stale:
        return audit.checkpoint(session, key, now)
    return newest


def answer(session: Session, key: AgencyKey, head: AuditCheckpoint, since: int) -> LogCheckpoint:
    """The checkpoint and, for a witness holding one of `since` entries (0 < since <= its size), the
    consistency proof from it; a witness holding a larger tree gets no proof (it sees the log is shorter)."""
    note = audit.signed_note(head)
    assert note is not None  # `latest` signs a note when the newest is of the first format
    proof: list[bytes] = []
    if 0 < since < head.tree_size:
        proof = audit.log_proofs(session, head.tree_size, (), since).consistency
    return LogCheckpoint(checkpoint=note, size=head.tree_size, public_key=key.public_b64,
                         consistency=[h.hex() for h in proof])


def note_of_newest(session: Session) -> str | None:
    """The newest signed checkpoint as a note (for record answers: one indexed read, nothing signed)."""
    newest = audit.newest_checkpoint(session)
    return audit.signed_note(newest) if newest is not None else None


def report(session: Session, data_dir: Path, username: str, body: LogAlarmReport, now: datetime) -> None:
    """A tablet's report: the alarm (console, server log) and an entry in the log itself."""
    held_size = body.held.split("\n")[1] if body.held.count("\n") >= 2 else "?"
    memory.raise_alarm(data_dir, "witness", reporter=username, device_id=body.device_id, why=body.reason,
                       held_size=held_size, held=body.held, served=body.served)
    audit.log_now(session, "log.witness_alarm", now, username, subject=body.device_id, reason=body.reason,
                  held=body.held, served=body.served)
