"""The events of a record's device audit trail (what, by whom, when, on which item) and the labels a
reviewer reads. A record holds a list of them (schemas/records.py); how a trail is written as a draft
changes is schemas/device_audit.py."""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from schemas.text import WireModel


class AuditAction(str, Enum):
    """What happened to the record (the labels are what the reviewer reads)."""

    CREATED = "created"
    NOTIFICATION = "notification"
    ANSWER = "answer"
    RESPONDENT = "respondent"
    OUTCOME = "outcome"
    REFUSAL_NOTE = "refusal_note"
    CANNOT_SIGN = "cannot_sign_reason"
    LOCATION = "location"
    EVIDENCE_ADDED = "evidence_added"
    EVIDENCE_REMOVED = "evidence_removed"
    EVIDENCE_RESTORED = "evidence_restored"  # a removal undone (撤销): the same file back with its metadata
    SIGNATURE_ADDED = "signature_added"
    SIGNATURE_REMOVED = "signature_removed"
    SEALED = "sealed"


ACTION_LABELS = {
    AuditAction.CREATED: "创建记录", AuditAction.NOTIFICATION: "告知事项", AuditAction.ANSWER: "修改答案",
    AuditAction.RESPONDENT: "调查对象", AuditAction.OUTCOME: "调查结果", AuditAction.REFUSAL_NOTE: "拒绝情况说明",
    AuditAction.CANNOT_SIGN: "无法签名原因", AuditAction.LOCATION: "位置",
    AuditAction.EVIDENCE_ADDED: "添加留证", AuditAction.EVIDENCE_REMOVED: "移除留证",
    AuditAction.EVIDENCE_RESTORED: "撤销移除",
    AuditAction.SIGNATURE_ADDED: "签名", AuditAction.SIGNATURE_REMOVED: "移除签名", AuditAction.SEALED: "封存",
}


class AuditEvent(WireModel):
    """One change: when, by whom (username; "" before anyone operates), what, and on which item."""

    at: datetime
    by: str = ""
    action: AuditAction
    subject: str = ""  # a field or notification id, an evidence sha256, a role
    detail: str = ""
