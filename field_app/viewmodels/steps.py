"""The steps of a visit record, in the order a team works at the door, and what each step lacks."""
from __future__ import annotations

from dataclasses import dataclass

from schemas.completeness import Missing
from schemas.forms import Form
from schemas.records import Outcome, SurveyRecord


@dataclass(frozen=True)
class Step:
    """One screen of the visit: its id (used in test handles) and title."""

    id: str
    title: str


def visit_steps(form: Form, record: SurveyRecord) -> list[Step]:
    """Notification first (R8); a refusal skips the survey (R13); sealing last."""
    first = [Step("notify", "告知与同意")]
    last = [Step("team_sign", "调查人员签名"), Step("seal", "检查并封存")]
    if record.outcome == Outcome.REFUSED:
        return first + [Step("refusal", "拒绝情况")] + last
    sections = [Step(f"section-{s.id}", s.title) for s in form.sections]
    signing = [Step("readback", "核对记录"), Step("respondent_sign", f"{form.respondent_label}签名")] \
        if form.respondent_signature != "none" else []
    photos = [Step("photos", "留证照片")]
    return first + [Step("respondent", form.respondent_label)] + sections + photos + signing + last


def step_of(form: Form, missing: Missing) -> str:
    """The step where a missing item is fixed."""
    code = missing.code
    if code.startswith("answer."):
        field_id = code.removeprefix("answer.").split(".")[0]  # answer.<field>[.<row>.<column>]
        section = next(s for s in form.sections if any(f.id == field_id for f in s.fields))
        return f"section-{section.id}"
    prefixes = {"notification.": "notify", "team": "notify", "respondent": "respondent",
                "refusal_note": "refusal", "evidence.photo.scene": "photos", "evidence.audio": "photos",
                "evidence.video": "photos",
                "signature.respondent": "respondent_sign", "evidence.cannot_sign_proof": "respondent_sign",
                "signature.surveyor.": "team_sign"}
    return next((step for prefix, step in prefixes.items() if code.startswith(prefix)), "seal")


def lacking_by_step(form: Form, missing: list[Missing]) -> dict[str, int]:
    """How many missing items each step shows in the rail; the seal step counts them all."""
    lacking: dict[str, int] = {}
    for item in missing:
        step = step_of(form, item)
        lacking[step] = lacking.get(step, 0) + 1
    lacking["seal"] = sum(lacking.values())
    return lacking
