"""The device audit trail that travels inside each record: who changed what on the tablet, and when.

Each save of a draft appends the events that tell the previous version from the new one (`changes`);
sealing appends the seal. The trail is part of the sealed record, so the seals cover it too. The events
themselves are in schemas/audit_events.py (a record holds them; this module reads records).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from schemas.audit_events import AuditAction, AuditEvent
from schemas.records import SurveyRecord

TYPING = {AuditAction.ANSWER, AuditAction.RESPONDENT, AuditAction.REFUSAL_NOTE, AuditAction.CANNOT_SIGN}
TYPING_WINDOW = timedelta(minutes=5)  # typing saves on every key: one event per field and person per window


def _evidence_events(before: SurveyRecord, after: SurveyRecord) -> list[tuple[AuditAction, str, str]]:
    old = {e.sha256: e for e in before.evidence}
    new = {e.sha256: e for e in after.evidence}
    removed = _last_removed(before)
    out = []
    for sha in [s for s in new if s not in old]:
        signature = new[sha].kind.value == "signature"
        added = AuditAction.SIGNATURE_ADDED if signature else AuditAction.EVIDENCE_ADDED
        out.append((AuditAction.EVIDENCE_RESTORED if sha in removed and not signature else added, sha,
                    f"{new[sha].role.value} {new[sha].filename}".strip()))
    for sha in [s for s in old if s not in new]:
        signature = old[sha].kind.value == "signature"
        out.append((AuditAction.SIGNATURE_REMOVED if signature else AuditAction.EVIDENCE_REMOVED, sha,
                    f"{old[sha].role.value} {old[sha].filename}".strip()))
    return out


def _last_removed(record: SurveyRecord) -> set[str]:
    """Files whose last event in the trail is their removal: adding one back is a restore."""
    last: dict[str, AuditAction] = {}
    for event in record.audit:
        if event.subject:
            last[event.subject] = event.action
    return {sha for sha, action in last.items() if action == AuditAction.EVIDENCE_REMOVED}


def changes(before: SurveyRecord | None, after: SurveyRecord, by: str, at: datetime) -> list[AuditEvent]:
    """The events that turn `before` (None: a new record) into `after`, each stamped `by` and `at`."""
    if before is None:
        return [AuditEvent(at=at, by=by, action=AuditAction.CREATED, subject=after.form_id,
                           detail=f"第 {after.form_version} 版")]
    found: list[tuple[AuditAction, str, str]] = []
    for key in sorted(set(before.notification) | set(after.notification)):
        if before.notification.get(key) != after.notification.get(key):
            found.append((AuditAction.NOTIFICATION, key, "已确认" if after.notification.get(key) else "取消确认"))
    for key in sorted(set(before.answers) | set(after.answers)):
        if before.answers.get(key) != after.answers.get(key):
            found.append((AuditAction.ANSWER, key, ""))
    simple = [(AuditAction.RESPONDENT, "respondent"), (AuditAction.OUTCOME, "outcome"),
              (AuditAction.REFUSAL_NOTE, "refusal_note"), (AuditAction.CANNOT_SIGN, "cannot_sign_reason"),
              (AuditAction.LOCATION, "location")]
    for action, name in simple:
        if getattr(before, name) != getattr(after, name):
            found.append((action, name, ""))
    found += _evidence_events(before, after)
    return [AuditEvent(at=at, by=by, action=a, subject=s, detail=d) for a, s, d in found]


def with_trail(before: SurveyRecord | None, after: SurveyRecord, by: str, at: datetime) -> SurveyRecord:
    """`after` with the events since `before` appended to its trail (the trail itself only grows)."""
    trail = list(before.audit) if before is not None else list(after.audit)
    for event in changes(before, after, by, at):
        if not (trail and _same_typing(trail[-1], event)):
            trail.append(event)
    if trail == after.audit:
        return after
    return after.model_copy(update={"audit": trail})


def _same_typing(last: AuditEvent, event: AuditEvent) -> bool:
    """The same person still typing in the same field: the first event of the run stands for it."""
    return event.action in TYPING and (last.action, last.subject, last.by) == (event.action, event.subject,
                                                                              event.by) \
        and event.at - last.at < TYPING_WINDOW


def sealed_event(by: str, at: datetime) -> AuditEvent:
    """The last event of every trail: the team sealed the record."""
    return AuditEvent(at=at, by=by, action=AuditAction.SEALED)
