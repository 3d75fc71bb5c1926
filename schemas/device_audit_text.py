"""The device audit trail as a reviewer reads it: Beijing time, the real names of who acted, and what was
done in plain Chinese. The trail itself keeps stable ids (a field id, a form id, a role value, a file's
SHA-256) because the seals cover it; this module turns them into the form's own labels, so neither the
console nor the record PDF ever shows `home_visit`, `scene` or `income_salary`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from schemas.audit_events import ACTION_LABELS, AuditAction, AuditEvent
from schemas.beijing import beijing_text
from schemas.forms import Form, FormRegistry, FormVersionUnknown, form_of
from schemas.records import EvidenceRef, Role, SurveyRecord

ROLE_NAMES = {Role.SCENE: "现场照片", Role.RESPONDENT_SIGNATURE: "调查对象签名",
              Role.SURVEYOR_SIGNATURE: "调查人员签名",
              Role.CANNOT_SIGN_PROOF: "无法签名证明", Role.REFUSAL_PROOF: "拒绝情况证明",
              Role.SIGNATURE_STROKES: "签名笔迹数据", Role.INTERVIEW: "访谈录音"}
FILES = {AuditAction.EVIDENCE_ADDED, AuditAction.EVIDENCE_REMOVED, AuditAction.EVIDENCE_RESTORED,
         AuditAction.SIGNATURE_ADDED, AuditAction.SIGNATURE_REMOVED}
NOBODY = "（未登录）"


@dataclass(frozen=True)
class TrailLine:
    """One event: when (Beijing time), who (real names), what (Chinese)."""

    at: str
    who: str
    what: str


def trail_lines(record: SurveyRecord, name_of: Callable[[str], str],
                forms: FormRegistry | None = None) -> list[TrailLine]:
    """The record's device audit trail, oldest first; `name_of(username)` gives a real name; `forms` holds
    the office's own form versions when the record was sealed on one."""
    try:
        form: Form | None = form_of(record, forms)
    except FormVersionUnknown:
        form = None
    refs = {e.sha256: e for e in record.evidence}
    return [TrailLine(beijing_text(e.at), _who(e.by, name_of), event_text(e, record, form, refs))
            for e in record.audit]


def _who(by: str, name_of: Callable[[str], str]) -> str:
    return "、".join(name_of(u) for u in by.split(",") if u) or NOBODY


def event_text(event: AuditEvent, record: SurveyRecord, form: Form | None,
               refs: dict[str, EvidenceRef] | None = None) -> str:
    """What one event did, in Chinese, with the form's labels for its subject."""
    action = ACTION_LABELS[event.action]
    if event.action == AuditAction.CREATED:
        title = form.title if form is not None else "调查记录"
        return f"{action}：{title}（{event.detail or f'第 {record.form_version} 版'}）"
    if event.action == AuditAction.NOTIFICATION:
        label = next((n.label for n in form.notification if n.id == event.subject), "告知事项") if form else "告知事项"
        return f"{action}：{label}（{event.detail}）" if event.detail else f"{action}：{label}"
    if event.action == AuditAction.ANSWER:
        label = next((f.label for f in form.fields() if f.id == event.subject), "") if form else ""
        return f"{action}：{label or '表单以外的项目'}"
    if event.action in FILES:
        return f"{action}：{file_text(event, (refs or {}).get(event.subject))}"
    if event.action == AuditAction.SEALED:
        return f"{action}（全体调查人员以个人密钥签章）"
    return action


def file_text(event: AuditEvent, ref: EvidenceRef | None) -> str:
    """A file named by its use, its file name (not for signatures: theirs are made up) and a short hash."""
    role_value, _, filename = event.detail.partition(" ")
    role = ref.role if ref is not None else next((r for r in Role if r.value == role_value), None)
    name = ROLE_NAMES.get(role, "留证文件") if role is not None else "留证文件"
    if ref is not None and ref.caption:
        name = f"{name}“{ref.caption}”"
    signature = role in (Role.RESPONDENT_SIGNATURE, Role.SURVEYOR_SIGNATURE, Role.SIGNATURE_STROKES)
    shown = "" if signature or not filename else f" {filename}"
    return f"{name}{shown}（校验值 {event.subject[:8]}）" if event.subject else name
