"""What is still missing: one set of pure functions, shown on the tablet and enforced by the server."""
from __future__ import annotations

from pydantic import BaseModel

from schemas.forms import Form
from schemas.records import EvidenceKind, Outcome, Role, SealedRecord, SurveyRecord, VisitKind
from schemas.text import LineText, ShortText, Text


class Missing(BaseModel):
    """One thing the record still lacks, with a stable code and a Chinese label."""

    code: ShortText
    label: LineText


def _answered(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def missing_items(form: Form, record: SurveyRecord) -> list[Missing]:
    """Everything the record lacks before it may be sealed, in the order a team would fix it."""
    out: list[Missing] = []
    refused = record.outcome == Outcome.REFUSED
    team = list(dict.fromkeys(record.surveyors))
    if len(team) < form.min_surveyors:
        out.append(Missing(code="team", label=f"调查小组至少需要 {form.min_surveyors} 名调查人员登录"))
    for item in form.notification:
        if (not refused or item.needed_for_refusal) and not record.notification.get(item.id):
            out.append(Missing(code=f"notification.{item.id}", label=f"告知事项未确认：{item.label}"))
    if refused:
        if not record.refusal_note.strip():
            out.append(Missing(code="refusal_note", label=f"请填写{form.refusal_label}"))
    else:
        out.extend(_missing_survey(form, record))
    for surveyor in team:
        if not record.evidence_with(Role.SURVEYOR_SIGNATURE, surveyor):
            out.append(Missing(code=f"signature.surveyor.{surveyor}", label=f"调查人员 {surveyor} 尚未签名"))
    return out


def _missing_survey(form: Form, record: SurveyRecord) -> list[Missing]:
    out: list[Missing] = []
    if not record.respondent.name.strip():
        out.append(Missing(code="respondent", label=f"请填写{form.respondent_label}姓名"))
    for field in form.fields():
        if field.required and not _answered(record.answers.get(field.id)):
            out.append(Missing(code=f"answer.{field.id}", label=f"未填写：{field.label}"))
    for rule in form.evidence:
        have = [e for e in record.evidence_with(rule.role) if e.kind == rule.kind]
        if len(have) < rule.min:
            out.append(Missing(code=f"evidence.{rule.kind.value}.{rule.role.value}",
                               label=f"至少需要 {rule.min} 份：{rule.label}"))
    if form.respondent_signature == "required" and not record.evidence_with(Role.RESPONDENT_SIGNATURE):
        out.extend(_missing_cannot_sign(form, record))
    return out


def _missing_cannot_sign(form: Form, record: SurveyRecord) -> list[Missing]:
    """R12: no respondent signature needs a written reason proven by photo or video."""
    if not record.cannot_sign_reason.strip():
        return [Missing(code="signature.respondent",
                        label=f"{form.respondent_label}尚未签名（无法签名的，请注明原因并拍照或录像证明）")]
    proof = [e for e in record.evidence_with(Role.CANNOT_SIGN_PROOF)
             if e.kind in (EvidenceKind.PHOTO, EvidenceKind.VIDEO)]
    if not proof:
        return [Missing(code="evidence.cannot_sign_proof", label="无法签名的原因需要照片或录像证明")]
    return []


def missing_seals(form: Form, sealed: SealedRecord) -> list[Missing]:
    """Surveyors of the record who have not sealed it with their key (validity checked elsewhere)."""
    sealed_by = {s.surveyor for s in sealed.seals}
    team = list(dict.fromkeys(sealed.record.surveyors))
    out = [Missing(code=f"seal.{s}", label=f"调查人员 {s} 尚未用 PIN 码确认签名")
           for s in team if s not in sealed_by]
    if len(sealed_by & set(team)) < form.min_surveyors and not out:
        out.append(Missing(code="seal.team", label=f"至少需要 {form.min_surveyors} 名调查人员确认签名"))
    return out


class CheckItem(BaseModel):
    """One line of a case's completeness result."""

    code: ShortText
    label: LineText
    ok: bool
    detail: Text = ""


class CaseCompleteness(BaseModel):
    """Whether a case's evidence is complete, line by line."""

    complete: bool
    items: list[CheckItem]


CHECK_LABELS = {VisitKind.HOME_VISIT: "入户调查", VisitKind.NEIGHBOUR_INTERVIEW: "邻里访问"}


def case_completeness(*, authorization: bool, entrustment: bool, required_checks: list[VisitKind],
                      records: list[SurveyRecord]) -> CaseCompleteness:
    """A case is complete when it is authorized and entrusted (R1) and every required check has a
    merged, sealed record (a refusal counts: it is what happened at the door, R13)."""
    items = [
        CheckItem(code="authorization", label="家庭授权书", ok=authorization),
        CheckItem(code="entrustment", label="单位委托书", ok=entrustment),
    ]
    for kind in required_checks:
        done = [r for r in records if r.kind == kind]
        refused = [r for r in done if r.outcome == Outcome.REFUSED]
        detail = f"{len(done)} 份记录" + (f"，其中 {len(refused)} 份为拒绝" if refused else "") if done else "尚无记录"
        items.append(CheckItem(code=kind.value, label=CHECK_LABELS[kind], ok=bool(done), detail=detail))
    return CaseCompleteness(complete=all(i.ok for i in items), items=items)
