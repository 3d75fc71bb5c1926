"""Survey forms as data: the sections, fields, notification checklist and evidence each visit needs.

The JSON files beside this module are the forms; code never hard-codes a question.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from schemas.records import EvidenceKind, Role, VisitKind

FORMS_DIR = Path(__file__).parent


class Field(BaseModel):
    """One question."""

    id: str
    label: str
    type: Literal["text", "longtext", "number", "choice", "yesno"] = "text"
    required: bool = False
    options: list[str] = []
    hint: str = ""


class Section(BaseModel):
    """A group of questions shown together (R9)."""

    id: str
    title: str
    fields: list[Field]


class NotificationItem(BaseModel):
    """One step of the notification checklist done before the survey (R8, R15)."""

    id: str
    label: str
    needed_for_refusal: bool = False  # must be ticked even when the visit is refused


class EvidenceRule(BaseModel):
    """At least `min` pieces of evidence of this kind and role."""

    kind: EvidenceKind
    role: Role = Role.SCENE
    min: int = 1
    label: str


class Form(BaseModel):
    """A survey form, versioned."""

    id: str
    version: int
    kind: VisitKind
    title: str
    respondent_label: str
    respondent_signature: Literal["required", "optional", "none"]
    refusal_label: str
    notification: list[NotificationItem]
    sections: list[Section]
    evidence: list[EvidenceRule] = []
    min_surveyors: int = 2
    needs_full_id_numbers: bool = False  # R21: devices get masked ID numbers unless a form needs them

    def fields(self) -> list[Field]:
        """Every question of every section, in order."""
        return [f for s in self.sections for f in s.fields]


@cache
def load_form(form_id: str) -> Form:
    """The form with this id, read from its JSON file."""
    path = FORMS_DIR / f"{form_id}.json"
    if not path.is_file():
        raise KeyError(form_id)
    return Form.model_validate(json.loads(path.read_text(encoding="utf-8")))


def form_for(kind: VisitKind) -> Form:
    """The current form for a kind of visit."""
    return load_form(kind.value)
