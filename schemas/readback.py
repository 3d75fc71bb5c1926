"""The read-back (核对) shown to the respondent before they sign (R29): pure, so the server can recompute it.

What the respondent reads is the respondent, every answer asked under its label (a table one row a line) and the
counts of photos, audio and video. Its SHA-256 is stored in the record when they sign (`readback_digest`); if the
record changes afterwards, the digest no longer matches and the signature must be given again.
"""
from __future__ import annotations

import hashlib
import json

from schemas.forms import Form
from schemas.forms.rules import answer_text, relevant_fields
from schemas.records import EvidenceKind, SurveyRecord

NOT_ANSWERED = "（未填写）"
COUNTED = ((EvidenceKind.PHOTO, "照片", "张"), (EvidenceKind.AUDIO, "录音", "段"), (EvidenceKind.VIDEO, "录像", "段"))


def _text(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return NOT_ANSWERED
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def readback_lines(form: Form, record: SurveyRecord) -> list[tuple[str, str]]:
    """(label, value) lines in the order of the form: respondent, answers, evidence counts."""
    person = record.respondent
    who = person.name + (f"（{person.relation}）" if person.relation else "")
    lines = [(form.respondent_label, who or NOT_ANSWERED)]
    for field in relevant_fields(form, record.answers):  # hidden questions are not read back (form v2)
        value = record.answers.get(field.id)
        lines.append((field.label, answer_text(field, value, NOT_ANSWERED) if field.type == "table" else _text(value)))
    for kind, label, unit in COUNTED:
        count = sum(1 for e in record.evidence if e.kind == kind)
        lines.append((label, f"{count} {unit}"))
    return lines


def readback_digest(form: Form, record: SurveyRecord) -> str:
    """SHA-256 (hex) of the read-back lines as canonical JSON."""
    text = json.dumps(readback_lines(form, record), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
