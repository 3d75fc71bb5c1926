"""Survey forms as data: the sections, fields, notification checklist and evidence each visit needs.

The JSON files beside this module are the forms, one file per published version
(`home_visit.v1.json`, ...); code never hard-codes a question. The server judges each record by the
form version it was sealed on, so queued records stay valid after a new version ships.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from pydantic import Field as PydanticField

from schemas.forms.conditions import Condition
from schemas.records import MAX_ROWS, EvidenceKind, Role, SurveyRecord, VisitKind

FORMS_DIR = Path(__file__).parent


FieldType = Literal["text", "longtext", "number", "choice", "choices", "yesno", "integer", "money", "date", "table"]


class Field(BaseModel):
    """One question. From form version 2 on: integer, money (yuan, 2 decimals, a text on the wire),
    date (ISO) and table (rows of `columns`) types, bounds, a pattern and a relevance condition
    (see schemas/forms/rules.py, which checks them on the tablet and on the server alike)."""

    id: str = PydanticField(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    type: FieldType = "text"
    required: bool = False
    options: list[str] = []  # choice: one of them; choices (several, XLSForm's select_multiple): a list of them
    hint: str = ""
    min: int | float | str | None = None  # numbers and money: smallest value; dates: earliest ISO date
    max: int | float | str | None = None
    max_length: int | None = None  # text: most characters
    pattern: str | None = None  # text: a regular expression the whole answer matches
    relevant: Condition | None = None  # asked only while this holds (in a table row: the row's cells too)
    columns: list[Field] = []  # table: the sub-fields of one row
    max_rows: int = MAX_ROWS  # table
    unit: str = ""  # shown after the value, e.g. 元


class Section(BaseModel):
    """A group of questions shown together (R9)."""

    id: str
    title: str
    fields: list[Field]
    relevant: Condition | None = None  # every field of the section is asked only while this holds


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
    # Audio and video of the visit: required, optional or off (added; older forms read as optional)
    audio: Literal["required", "optional", "off"] = "optional"
    video: Literal["required", "optional", "off"] = "optional"
    whole_visit_audio: Literal["required", "optional", "off"] = "optional"  # one recording of the whole visit
    # From v2 on, every answer is checked against its field's type, bounds and pattern (schemas/forms/rules.py).
    # Version 1 records were accepted on required answers alone, and a queued v1 record stays judged so.
    checked_answers: bool = False

    def fields(self) -> list[Field]:
        """Every question of every section, in order."""
        return [f for s in self.sections for f in s.fields]


class FormVersionUnknown(KeyError):
    """A form id this server knows, at a version it never published (or a form id it does not know)."""

    def __init__(self, form_id: str, version: int | None) -> None:
        super().__init__(f"{form_id} v{version}")
        self.form_id, self.version = form_id, version


class FormRegistry:
    """Every published version of every form: the JSON files shipped with the code, one per version
    (`<form id>.v<N>.json`), and the versions an office published itself (`published`: from an XLSForm,
    kept in the server's database and downloaded by the tablets at sync).

    A published version is never edited or removed: records sealed on it may still be queued on a
    tablet. Shipping a change means adding the next version; the highest version is current."""

    def __init__(self, directory: Path, published: Iterable[Form] = ()) -> None:
        self.directory = directory
        self._forms: dict[tuple[str, int], Form] = {}
        self._published: dict[tuple[str, int], Form] = {}
        for form in published:
            self._published[(form.id, form.version)] = form

    def with_published(self, forms: Iterable[Form]) -> FormRegistry:
        """This registry with an office's published versions beside the shipped ones (a shipped version
        always wins: an office's form never replaces a version the code ships)."""
        layered = FormRegistry(self.directory, [f for f in forms if not self._shipped(f.id, f.version)])
        layered._forms = self._forms  # parsed shipped files are shared
        return layered

    def _shipped(self, form_id: str, version: int) -> bool:
        return (self.directory / f"{form_id}.v{version}.json").is_file()

    def versions(self, form_id: str) -> list[int]:
        """The published versions of a form, oldest first (empty for an unknown form)."""
        found = {v for (i, v) in self._published if i == form_id}
        for path in self.directory.glob(f"{form_id}.v*.json"):
            number = path.name.removeprefix(f"{form_id}.v").removesuffix(".json")
            if number.isdigit():
                found.add(int(number))
        return sorted(found)

    def form(self, form_id: str, version: int | None = None) -> Form:
        """That version of the form (the current one when `version` is None)."""
        versions = self.versions(form_id)
        if version is None:
            if not versions:
                raise FormVersionUnknown(form_id, version)
            version = versions[-1]
        elif version not in versions:
            raise FormVersionUnknown(form_id, version)
        key = (form_id, version)
        if key in self._published and not self._shipped(form_id, version):
            return self._published[key]
        if key not in self._forms:
            path = self.directory / f"{form_id}.v{version}.json"
            form = Form.model_validate(json.loads(path.read_text(encoding="utf-8")))
            if (form.id, form.version) != key:
                raise ValueError(f"{path.name} declares {form.id} v{form.version}")
            self._forms[key] = form
        return self._forms[key]


REGISTRY = FormRegistry(FORMS_DIR)


def load_form(form_id: str, version: int | None = None, registry: FormRegistry | None = None) -> Form:
    """The form with this id at this version (the current one by default); KeyError when unpublished.
    `registry`: one holding an office's own versions too (the server's or the tablet's); the shipped
    forms alone by default."""
    return (registry or REGISTRY).form(form_id, version)


def form_for(kind: VisitKind, version: int | None = None, registry: FormRegistry | None = None) -> Form:
    """The form for a kind of visit: the current one, or the given published version."""
    return load_form(kind.value, version, registry)


def form_of(record: SurveyRecord, registry: FormRegistry | None = None) -> Form:
    """The very form version a record was filled on (R9): its rules, not today's, judge it."""
    form = load_form(record.form_id, record.form_version, registry)
    if form.kind != record.kind:
        raise FormVersionUnknown(record.form_id, record.form_version)
    return form
