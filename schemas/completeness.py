"""What is still missing: one set of pure functions, shown on the tablet and enforced by the server."""
from __future__ import annotations

from pydantic import BaseModel

from schemas.checklist import CHECK_LABELS, CaseCompleteness, CheckItem, LetterFacts, case_completeness
from schemas.forms import Form
from schemas.forms.conditions import answered
from schemas.forms.rules import answer_problems, relevant_fields
from schemas.records import EvidenceKind, Outcome, Role, SealedRecord, SurveyRecord
from schemas.text import LineText, ShortText


class Missing(BaseModel):
    """One thing the record still lacks, with a stable code and a Chinese label."""

    code: ShortText
    label: LineText


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
    for field in relevant_fields(form, record.answers):  # hidden questions are not asked
        if field.required and not answered(record.answers.get(field.id)):
            out.append(Missing(code=f"answer.{field.id}", label=f"未填写：{field.label}"))
    # the form version's rules (types, bounds, table rows), the same check the tablet shows live
    out.extend(Missing(code=p.code, label=p.message) for p in answer_problems(form, record.answers))
    for rule in form.evidence:
        have = [e for e in record.evidence_with(rule.role) if e.kind == rule.kind]
        if len(have) < rule.min:
            out.append(Missing(code=f"evidence.{rule.kind.value}.{rule.role.value}",
                               label=f"至少需要 {rule.min} 份：{rule.label}"))
    if form.respondent_signature == "required" and not record.evidence_with(Role.RESPONDENT_SIGNATURE):
        out.extend(_missing_cannot_sign(form, record))
    out.extend(_stale_readback(form, record))
    for kind, need, label in ((EvidenceKind.AUDIO, form.audio, "录音"), (EvidenceKind.VIDEO, form.video, "录像")):
        if need == "required" and not any(e.kind == kind for e in record.evidence):
            out.append(Missing(code=f"evidence.{kind.value}", label=f"本表要求{label}，尚未采集"))
    out.extend(_missing_whole_visit_audio(form, record))
    return out


def _missing_whole_visit_audio(form: Form, record: SurveyRecord) -> list[Missing]:
    """A form that requires a whole-visit recording: one stopped (or recovered after a kill) and kept."""
    if form.whole_visit_audio != "required":
        return []
    shas = {e.sha256 for e in record.evidence if e.kind == EvidenceKind.AUDIO}
    if any(m.what == "whole_visit" and m.event in ("stop", "recovered") and m.sha256 in shas for m in record.media_log):
        return []
    return [Missing(code="evidence.audio.whole_visit", label="本表要求全程录音，请录音并结束后再封存")]


def _stale_readback(form: Form, record: SurveyRecord) -> list[Missing]:
    """R29: a respondent signature given over a read-back that no longer matches the record."""
    from schemas.readback import readback_digest

    if not record.readback_digest or not record.evidence_with(Role.RESPONDENT_SIGNATURE):
        return []
    if record.readback_digest == readback_digest(form, record):
        return []
    return [Missing(code="signature.respondent.readback",
                    label=f"签名后记录内容有改动，请{form.respondent_label}重新核对并签名")]


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


# The case-level checklist lives in checklist.py; these names stay importable from here.
__all__ = ["CHECK_LABELS", "CaseCompleteness", "CheckItem", "LetterFacts", "Missing", "case_completeness",
           "missing_items", "missing_seals"]
