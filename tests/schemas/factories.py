"""Records for schema tests: a complete home visit, built from the form itself."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from schemas.forms import Form
from schemas.records import EvidenceKind, EvidenceRef, Respondent, Role, SurveyRecord, VisitKind

T0 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TEAM = ["zhangwei", "lina"]


def evidence(kind: EvidenceKind, role: Role, by: str, seed: str) -> EvidenceRef:
    """A manifest entry for made-up bytes."""
    data = seed.encode()
    return EvidenceRef(sha256=hashlib.sha256(data).hexdigest(), size=len(data), media_type="image/png",
                       kind=kind, role=role, captured_at=T0, captured_by=by)


def sample_answer(field_type: str) -> object:
    return {"number": 3, "integer": 2, "money": "1200.50", "date": "2015-06-01", "table": [], "yesno": True,
            "choice": "自有住房"}.get(field_type, "有内容")


def complete_record(form: Form, record_id: str = "rec-00000001") -> SurveyRecord:
    """A record that lacks nothing its form asks for."""
    ev = [evidence(EvidenceKind.SIGNATURE, Role.SURVEYOR_SIGNATURE, s, f"sig-{s}") for s in TEAM]
    for rule in form.evidence:
        ev += [evidence(rule.kind, rule.role, TEAM[0], f"{rule.label}{i}") for i in range(rule.min)]
    if form.respondent_signature != "none":
        ev.append(evidence(EvidenceKind.SIGNATURE, Role.RESPONDENT_SIGNATURE, TEAM[0], "sig-respondent"))
    return SurveyRecord(
        id=record_id, case_id="case-1", kind=VisitKind(form.kind), form_id=form.id, form_version=form.version,
        surveyors=list(TEAM), notification={n.id: True for n in form.notification},
        respondent=Respondent(name="王建国", relation="本人"),
        answers={f.id: sample_answer(f.type) for f in form.fields()}, started_at=T0, evidence=ev)
